// SPDX-License-Identifier: GPL-2.0-only
/*
 * The module source: exitscope's patched KVM keeps per-VM counters in
 * debugfs, /sys/kernel/debug/kvm/<pid>-<fd>/exit_stats (docs/kernel.md),
 * read with the lab's own parser (parse_stats.c). Figures are per VM, all
 * vCPUs summed, cumulative since the VM was made; cycles are host TSC
 * cycles. A VM that ends between two reads drops out of the snapshot.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse/parse.h"
#include "source/source.h"
#include "util/num.h"

#define DEBUGFS_KVM	"/sys/kernel/debug/kvm"

struct module_source {
	char dir[4096];
	uint32_t pid;
};

/* "<pid>-<fd>" into the pid; false for KVM's other entries. */
static bool vm_dir(const char *name, uint32_t *pid)
{
	const char *dash = strchr(name, '-');
	uint64_t v, fd;

	if (!dash || es_num_parse(name, (size_t)(dash - name), ES_NUM_DEC, 1, UINT32_MAX, &v) ||
	    es_num(dash + 1, ES_NUM_DEC, 0, UINT32_MAX, &fd))
		return false;
	*pid = (uint32_t)v;
	return true;
}

/* One VM's exit_stats into @out's rows of @pid. */
int es_module_stats_to_snap(const char *name, const char *buf, size_t len, uint32_t pid,
			    struct es_snap *out, struct es_err *e)
{
	struct es_run run;
	enum es_vendor vendor;
	size_t i;
	int rc = -1;

	memset(&run, 0, sizeof(run));
	if (es_parse_stats(name, buf, len, &run, &vendor, e))
		goto out;
	if (out->vendor_known && out->vendor != vendor) {
		es_errf(e, "%s: %s, but other VMs are %s", name, es_isa_name(vendor),
			es_isa_name(out->vendor));
		goto out;
	}
	out->vendor = vendor;
	out->vendor_known = true;
	for (i = 0; i < run.nrows; i++) {
		struct es_snap_row *r = es_snap_get(out, pid, ES_VCPU_ALL, run.rows[i].code);

		if (!r) {
			es_errf(e, "out of memory");
			goto out;
		}
		/* Two VMs of one process (two KVM fds) add up. */
		r->count += run.rows[i].f.count;
		r->cycles += run.rows[i].f.t[ES_CYCLES];
	}
	rc = 0;
out:
	free(run.rows);
	free(run.kvm);
	es_verdict_free(&run.verdict);
	return rc;
}

static int module_read(struct es_source *src, struct es_snap *out, struct es_err *e)
{
	struct module_source *m = src->priv;
	struct dirent *d;
	DIR *dp;
	int rc = 0;

	es_snap_clear(out);
	snprintf(out->source, sizeof(out->source), "module");
	out->has = ES_SNAP_CYCLES;
	out->at_ns = es_now_ns();
	dp = opendir(m->dir);
	if (!dp)
		return es_errf(e, "%s: %s", m->dir, strerror(errno));
	while (!rc && (d = readdir(dp))) {
		char path[4096 + 300];
		struct es_text t;
		uint32_t pid;

		if (!vm_dir(d->d_name, &pid) || (m->pid && pid != m->pid))
			continue;
		snprintf(path, sizeof(path), "%s/%s/exit_stats", m->dir, d->d_name);
		if (es_text_load(path, ES_STATS_MAX_BYTES, &t, e)) {
			/* The VM ended while we listed: not an error. */
			if (access(path, F_OK) && errno == ENOENT)
				continue;
			rc = -1;
			break;
		}
		rc = es_module_stats_to_snap(path, t.data, t.len, pid, out, e);
		es_text_free(&t);
	}
	closedir(dp);
	return rc;
}

static void module_close(struct es_source *src)
{
	free(src->priv);
	src->priv = NULL;
}

int es_source_module_open(const struct es_source_opts *o, struct es_source *src,
			  struct es_err *e)
{
	const char *dir = o->debugfs ? o->debugfs : DEBUGFS_KVM;
	struct module_source *m;

	memset(src, 0, sizeof(*src));
	if (access(dir, R_OK | X_OK)) {
		if (!o->debugfs && access("/sys/kernel/debug/kvm", F_OK) &&
		    access("/sys/kernel/debug", F_OK) == 0 && errno == ENOENT)
			return es_errf(e, "%s: %s (is debugfs mounted? mount -t debugfs none /sys/kernel/debug)",
				       dir, strerror(errno));
		return es_errf(e, "%s: %s%s", dir, strerror(errno),
			       geteuid() ? " (debugfs is for root)" :
			       " (mount -t debugfs none /sys/kernel/debug, and load kvm)");
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return es_errf(e, "out of memory");
	snprintf(m->dir, sizeof(m->dir), "%s", dir);
	m->pid = o->pid;
	snprintf(src->kind, sizeof(src->kind), "module");
	snprintf(src->what, sizeof(src->what),
		 "exitscope's KVM module counters (%s/<pid>-<fd>/exit_stats: counts and cycles, per VM)",
		 dir);
	src->read = module_read;
	src->close = module_close;
	src->priv = m;
	return 0;
}
