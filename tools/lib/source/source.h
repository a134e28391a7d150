/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where the figures of top, record and exporter come from, behind one
 * interface: each source fills a snapshot (snapshot.h), cumulative since
 * it was opened or since its VMs began.
 *   module   exitscope's patched KVM: /sys/kernel/debug/kvm/<pid>-<fd>/exit_stats
 *   bpf      the BPF collector on kvm:kvm_exit and kvm:kvm_entry (tools/bpf)
 *   tracefs  a kvm_exit hist trigger (counts only), removed again on close
 *   file     recorded snapshots (records of `exitscope record --json`), for tests
 * --source auto picks module, then bpf, then tracefs, and says which.
 */
#ifndef EXITSCOPE_SOURCE_H
#define EXITSCOPE_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "model/snapshot.h"
#include "util/text.h"

struct es_source {
	char kind[16];			/* "module", "bpf", "tracefs", "file" */
	char what[512];			/* one line for people: what it reads */
	/* The cumulative figures now; -1 with @e set. */
	int (*read)(struct es_source *src, struct es_snap *out, struct es_err *e);
	void (*close)(struct es_source *src);
	void *priv;
};

struct es_source_opts {
	uint32_t pid;			/* 0: every VM */
	bool timing;			/* bpf: measure exit -> entry (default) */
	bool detail;			/* bpf (tp_btf): the drill-down below the reasons */
	uint32_t max_rows;		/* bpf: rows of the stats map; 0 default */
	bool verbose;			/* bpf: libbpf's debug output */
	const char *attach;		/* bpf: "tp_btf" or "tp" only; NULL: tp_btf, else tp */
	const char *debugfs;		/* module: default /sys/kernel/debug/kvm */
	const char *tracefs;		/* tracefs: default /sys/kernel/tracing */
};

/* Each -1 with @e set, saying why and how to fix it. */
int es_source_module_open(const struct es_source_opts *o, struct es_source *src,
			  struct es_err *e);
int es_source_tracefs_open(const struct es_source_opts *o, struct es_source *src,
			   struct es_err *e);
int es_source_file_open(const char *path, const struct es_source_opts *o,
			struct es_source *src, struct es_err *e);
/* In the exitscope binary only (tools/bpf/collector.c: libbpf). */
int es_source_bpf_open(const struct es_source_opts *o, struct es_source *src,
		       struct es_err *e);

/* One VM's exit_stats (debugfs) into @out's rows of @pid (module source). */
int es_module_stats_to_snap(const char *name, const char *buf, size_t len, uint32_t pid,
			    struct es_snap *out, struct es_err *e);
/* This host's CPU vendor, from /proc/cpuinfo (Intel when it cannot tell). */
enum es_vendor es_host_vendor(void);

/* Whether exitscope's module is loaded with its accounting on. */
bool es_module_present(void);

/*
 * Open the source @spec names: "module", "bpf", "tracefs", "auto",
 * "file:PATH", "module:DIR" (a debugfs kvm directory elsewhere),
 * "bpf:tp_btf" or "bpf:tp" (the collector in that attach mode only). For auto,
 * @notes gets what was tried and why it was passed over (for stderr).
 */
int es_source_open(const char *spec, const struct es_source_opts *o,
		   struct es_source *src, char *notes, size_t notes_len, struct es_err *e);
int es_source_read(struct es_source *src, struct es_snap *out, struct es_err *e);
void es_source_close(struct es_source *src);

/*
 * CLOCK_MONOTONIC in ns. Inline, so that the sources source.c opens do not
 * call back into it.
 */
static inline uint64_t es_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
