// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracefs source, the fallback where BPF cannot be loaded: a hist
 * trigger on kvm:kvm_exit keyed on thread, vCPU and reason counts in the
 * kernel (counts only: a trigger has no exit -> entry time). It is added
 * when the source opens and removed when it closes; the commands close
 * their source on q, Ctrl-C and SIGTERM too. Threads are mapped to their
 * VMM (the tgid) through /proc while they live, and remembered.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse/parse.h"
#include "source/source.h"
#include "util/num.h"

#define TRIGGER	"hist:keys=common_pid,vcpu_id,exit_reason:vals=hitcount:size=16384"

struct tid_map {
	uint32_t tid, tgid;
};

struct tracefs_source {
	char trigger[4096], hist[4096];
	enum es_vendor vendor;
	uint32_t pid;
	struct tid_map *tids;
	size_t ntids;
};

enum es_vendor es_host_vendor(void)
{
	struct es_text t;
	struct es_err e;
	enum es_vendor v = ES_INTEL;

	if (es_text_load("/proc/cpuinfo", 4u << 20, &t, &e))
		return v;
	if (strstr(t.data, "AuthenticAMD") || strstr(t.data, "HygonGenuine"))
		v = ES_AMD;
	es_text_free(&t);
	return v;
}

/* Write @s to the trigger file as `>>` does; 0 or an errno. */
static int write_trigger(const char *path, const char *s)
{
	size_t len = strlen(s);
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, s, len) != (ssize_t)len)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

/* The VMM of thread @tid: from /proc while it lives, else as last seen. */
static uint32_t tgid_of(struct tracefs_source *t, uint32_t tid)
{
	char path[64], *p;
	struct es_text txt;
	struct es_err e;
	uint64_t v;
	size_t i;

	for (i = 0; i < t->ntids; i++)
		if (t->tids[i].tid == tid)
			return t->tids[i].tgid;
	snprintf(path, sizeof(path), "/proc/%u/status", tid);
	if (es_text_load(path, 64u << 10, &txt, &e))
		return tid;	/* gone before we saw it: its own id */
	p = strstr(txt.data, "\nTgid:\t");
	v = tid;
	if (p) {
		char *end = strchr(p + 7, '\n');

		if (!end || es_num_parse(p + 7, (size_t)(end - p - 7), ES_NUM_DEC, 1, UINT32_MAX, &v))
			v = tid;
	}
	es_text_free(&txt);
	if (t->ntids < 65536) {
		struct tid_map *m = realloc(t->tids, (t->ntids + 1) * sizeof(*m));

		if (m) {
			t->tids = m;
			t->tids[t->ntids].tid = tid;
			t->tids[t->ntids++].tgid = (uint32_t)v;
		}
	}
	return (uint32_t)v;
}

static int tracefs_read(struct es_source *src, struct es_snap *out, struct es_err *e)
{
	struct tracefs_source *t = src->priv;
	struct es_snap raw;
	struct es_text txt;
	uint64_t dropped;
	size_t i;
	int rc;

	es_snap_clear(out);
	snprintf(out->source, sizeof(out->source), "tracefs");
	out->has = ES_SNAP_VCPUS;
	out->vendor = t->vendor;
	out->vendor_known = true;
	out->at_ns = es_now_ns();
	if (es_text_load(t->hist, 8u << 20, &txt, e))
		return -1;
	es_snap_init(&raw);
	rc = es_parse_hist_keys(t->hist, txt.data, txt.len, t->vendor, &raw, &dropped, e);
	es_text_free(&txt);
	for (i = 0; !rc && i < raw.n; i++) {
		struct es_snap_row *r;
		uint32_t tgid = tgid_of(t, raw.rows[i].tgid);

		if (t->pid && tgid != t->pid)
			continue;
		r = es_snap_get(out, tgid, raw.rows[i].vcpu, raw.rows[i].code);
		if (!r)
			rc = es_errf(e, "out of memory");
		else
			es_snap_row_add(r, &raw.rows[i]);
	}
	es_snap_free(&raw);
	/* The trigger's table was full: exits it did not count. */
	out->health[ES_BPF_STATS_FULL] = dropped;
	return rc;
}

static void tracefs_close(struct es_source *src)
{
	struct tracefs_source *t = src->priv;
	char rm[sizeof(TRIGGER) + 1];
	int err;

	if (!t)
		return;
	snprintf(rm, sizeof(rm), "!%s", TRIGGER);
	err = write_trigger(t->trigger, rm);
	if (err)
		fprintf(stderr, "exitscope: could not remove the hist trigger from %s: %s (remove it: echo '%s' >> %s)\n",
			t->trigger, strerror(err), rm, t->trigger);
	free(t->tids);
	free(t);
	src->priv = NULL;
}

int es_source_tracefs_open(const struct es_source_opts *o, struct es_source *src,
			   struct es_err *e)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	const char *root = o->tracefs;
	struct tracefs_source *t;
	char ev[2048];
	bool denied = false;
	size_t i;
	int err;

	memset(src, 0, sizeof(*src));

	for (i = 0; !root && i < 2; i++) {
		snprintf(ev, sizeof(ev), "%s/events", roots[i]);
		if (!access(ev, F_OK))
			root = roots[i];
		else if (errno == EACCES)
			denied = true;
	}
	if (!root && denied)
		return es_errf(e, "not root: tracefs (/sys/kernel/tracing) is root's");
	if (!root)
		return es_errf(e, "tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)");
	snprintf(ev, sizeof(ev), "%s/events/kvm/kvm_exit", root);
	if (access(ev, F_OK)) {
		if (errno == EACCES)
			return es_errf(e, "%s: %s (not root?)", ev, strerror(errno));
		if (access("/sys/module/kvm", F_OK))
			return es_errf(e, "no KVM module loaded (modprobe kvm_intel or kvm_amd)");
		return es_errf(e, "%s: %s: this KVM has no kvm_exit tracepoint", ev, strerror(errno));
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return es_errf(e, "out of memory");
	snprintf(t->trigger, sizeof(t->trigger), "%s/trigger", ev);
	snprintf(t->hist, sizeof(t->hist), "%s/hist", ev);
	if (access(t->hist, F_OK)) {
		es_errf(e, "%s: %s: this kernel has no hist triggers (CONFIG_HIST_TRIGGERS)",
			t->hist, strerror(errno));
		free(t);
		return -1;
	}
	err = write_trigger(t->trigger, TRIGGER);
	if (err) {
		es_errf(e, "%s: adding the hist trigger: %s%s", t->trigger, strerror(err),
			err == EEXIST ? " (another exitscope has one there, or one was left: echo '!" TRIGGER "' >> the file)" :
			err == EACCES || err == EPERM ? " (not root?)" : "");
		free(t);
		return -1;
	}
	t->vendor = es_host_vendor();
	t->pid = o->pid;
	snprintf(src->kind, sizeof(src->kind), "tracefs");
	snprintf(src->what, sizeof(src->what),
		 "a kvm:kvm_exit hist trigger (%.300s; counts only), removed again at exit", ev);
	src->read = tracefs_read;
	src->close = tracefs_close;
	src->priv = t;
	return 0;
}
