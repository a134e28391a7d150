// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host-side figures of this VM, from its debugfs directory
 * (/sys/kernel/debug/kvm/<pid>-<vm fd>/), read while the VM still exists
 * (the directory goes with it): exitscope's exit_stats, and KVM's own
 * statistics, one file each.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <x86intrin.h>

#include "util/num.h"
#include "vm.h"

#define DEBUGFS_KVM "/sys/kernel/debug/kvm"

static void vm_debugfs_dir(const struct vm *vm, char *buf, size_t len)
{
	/* KVM names the directory "<pid>-<vm fd>". */
	snprintf(buf, len, DEBUGFS_KVM "/%d-%d", getpid(), vm->fd);
}

void vm_print_exit_stats(struct vm *vm, const char *path)
{
	char src[160], buf[4096];
	FILE *in, *out = stderr;
	uint64_t span, sum;
	size_t n;
	int i;

	vm_debugfs_dir(vm, src, sizeof(src) - 16);
	strcat(src, "/exit_stats");
	in = fopen(src, "r");
	if (!in) {
		if (path || errno != ENOENT)
			pr_info("no exit statistics: %s: %s%s", src, strerror(errno),
				errno == ENOENT ? " (not exitscope's KVM, kvm.exit_stats=off, or debugfs not mounted)" : "");
		return;
	}
	if (path) {
		out = fopen(path, "w");
		if (!out) {
			pr_err("%s: %s", path, strerror(errno));
			fclose(in);
			return;
		}
	} else {
		fprintf(out, "exitscope-vmm: exits of this VM (%s):\n", src);
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	span = __rdtsc();
	if (path)
		fclose(out);
	/*
	 * The vCPUs' lives up to this read, in TSC cycles: no vCPU can have
	 * spent more in KVM, halted, in the VMM, preempted or asleep (the
	 * time-accounting check of the lab reads this line).
	 */
	for (i = 0, sum = 0; vm->cpus && i < vm->nr_cpus; i++)
		if (vm->cpus[i].created_tsc)
			sum += span - vm->cpus[i].created_tsc;
	pr_info("the vCPUs lived %llu TSC cycles in all, up to the figures' read",
		(unsigned long long)sum);
}

/* The one unsigned number a statistic's file holds, or -1. */
static int read_stat(int dfd, const char *name, uint64_t *v)
{
	char buf[32];
	ssize_t n;
	size_t len;
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	len = (size_t)n;
	if (buf[len - 1] == '\n')
		len--;
	return es_num_parse(buf, len, ES_NUM_DEC, 0, UINT64_MAX, v) == ES_NUM_OK ? 0 : -1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vm_write_kvm_stats(struct vm *vm, const char *path)
{
	char dir[160], **names = NULL;
	size_t n = 0, i;
	struct dirent *d;
	struct stat st;
	uint64_t v;
	FILE *out;
	DIR *dp;
	int r = -1;

	vm_debugfs_dir(vm, dir, sizeof(dir));
	dp = opendir(dir);
	if (!dp) {
		pr_err("--kvm-stats: %s: %s%s", dir, strerror(errno),
		       errno == ENOENT ? " (debugfs not mounted at /sys/kernel/debug?)" : "");
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		pr_err("--kvm-stats: %s: %s", path, strerror(errno));
		closedir(dp);
		return -1;
	}
	/* Regular files of one number; exit_stats is exitscope's own (--stats). */
	while ((d = readdir(dp))) {
		char **more;

		if (d->d_name[0] == '.' || !strcmp(d->d_name, "exit_stats") ||
		    fstatat(dirfd(dp), d->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		more = realloc(names, (n + 1) * sizeof(*names));
		if (!more || !(more[n] = strdup(d->d_name))) {
			names = more ? more : names;
			pr_err("--kvm-stats: out of memory");
			goto out;
		}
		names = more;
		n++;
	}
	qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++)
		if (!read_stat(dirfd(dp), names[i], &v))
			fprintf(out, "%s %llu\n", names[i], (unsigned long long)v);
	r = 0;
out:
	if (fclose(out) && !r) {
		pr_err("--kvm-stats: %s: %s", path, strerror(errno));
		r = -1;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dp);
	return r;
}
