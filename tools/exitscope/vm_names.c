// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM names from /proc for the live sources (the file source's records
 * carry theirs): the user's --name-from rules first, then QEMU's -name,
 * then libvirt's machine scope; cached per process, by pid and start time,
 * so that a reused pid never inherits a name.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"

#define NAME_CACHE	256

/* Up to @len bytes of /proc/@pid/@what into @buf; the count, 0 if none. */
static size_t proc_read(uint32_t pid, const char *what, char *buf, size_t len)
{
	char path[64];
	ssize_t n, got = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/%s", pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	while ((size_t)got < len && (n = read(fd, buf + got, len - (size_t)got)) > 0)
		got += n;
	close(fd);
	return got > 0 ? (size_t)got : 0;
}

/* The process's start time (field 22 of /proc/PID/stat), 0 if gone. */
static unsigned long long start_time(uint32_t pid)
{
	char buf[1024], *p;
	unsigned long long t = 0;
	size_t n = proc_read(pid, "stat", buf, sizeof(buf) - 1);
	int field;

	buf[n] = '\0';
	/* After the comm's closing parenthesis: field 3 on. */
	p = strrchr(buf, ')');
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		sscanf(p + 1, "%llu", &t);
	return t;
}

static bool resolve(uint32_t pid, const struct collect_args *a, char *out, size_t len)
{
	static char buf[65536];
	size_t i, n;

	n = proc_read(pid, "cmdline", buf, sizeof(buf));
	for (i = 0; i < a->nrules; i++) {
		const struct es_name_rule *r = &a->rules[i];

		if (r->kind == ES_NAME_ARG && es_vm_name_from_cmdline(buf, n, r->key, out, len))
			return true;
		if (r->kind == ES_NAME_ENV) {
			size_t m = proc_read(pid, "environ", buf + n, sizeof(buf) - n);

			if (es_vm_name_from_environ(buf + n, m, r->key, out, len))
				return true;
		}
	}
	if (es_vm_name_from_cmdline(buf, n, "-name", out, len))
		return true;
	n = proc_read(pid, "cgroup", buf, sizeof(buf));
	return es_vm_name_from_cgroup(buf, n, out, len);
}

const char *collect_vm_name(uint32_t pid, const struct collect_args *a)
{
	static struct { uint32_t pid; unsigned long long start; char name[ES_VM_NAME_MAX]; } cache[NAME_CACHE];
	static size_t n, next;
	unsigned long long start = start_time(pid);
	size_t i;

	for (i = 0; i < n; i++)
		if (cache[i].pid == pid && cache[i].start == start)
			return cache[i].name;
	i = n < NAME_CACHE ? n++ : next++ % NAME_CACHE;
	cache[i].pid = pid;
	cache[i].start = start;
	if (!start || !resolve(pid, a, cache[i].name, sizeof(cache[i].name)))
		cache[i].name[0] = '\0';
	return cache[i].name;
}

int collect_name_vms(struct es_snap *s, const struct collect_args *a)
{
	uint32_t last = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		uint32_t t = s->rows[i].tgid;
		const char *name;

		if (t == last || !t || es_snap_vm(s, t))
			continue;
		last = t;
		name = collect_vm_name(t, a);
		if (name[0] && es_snap_set_vm(s, t, name))
			return -1;
	}
	return 0;
}
