/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Parsers of what a lab run leaves behind, each over a buffer (text.h) and
 * each refusing what it does not understand with "FILE:LINE: reason":
 *   stats-MODE-RUN.txt    exitscope's debugfs file, copied by exitscope-vmm
 *   hist-MODE-RUN.txt     the kvm_exit tracepoint's hist trigger output
 *   status-MODE-RUN.txt   exitscope-vmm's exit status, as L1's shell saw it
 *   kvmstat-MODE-RUN.txt  KVM's own per-VM statistics ("NAME VALUE")
 *   metadata.txt          what ran (key=value, from L1 and the host)
 * The size limits are the file readers' (labdir.c): these see buffers.
 */
#ifndef EXITSCOPE_PARSE_H
#define EXITSCOPE_PARSE_H

#include "model/model.h"
#include "util/text.h"

/* Reads and lines each file may have. */
#define ES_STATS_MAX_BYTES	(1u << 20)
#define ES_HIST_MAX_BYTES	(1u << 20)
#define ES_STATUS_MAX_BYTES	64u
#define ES_KVMSTAT_MAX_BYTES	(64u << 10)
#define ES_META_MAX_BYTES	(64u << 10)
#define ES_LOG_MAX_BYTES	(16u << 20)
#define ES_JSON_MAX_BYTES	(16u << 20)

/*
 * exit_stats into @run's rows (figures) and totals; sets @vendor from its
 * "# isa" header. Both layouts: count and cycles (older kernels), or count,
 * cycles, halted, vmm, preempted and sleep (ES_SRC_TIMES).
 */
int es_parse_stats(const char *name, const char *buf, size_t len,
		   struct es_run *run, enum es_vendor *vendor, struct es_err *e);

/* One code's hits, as the tracepoint saw them (folded as exitscope counts). */
struct es_tally {
	uint32_t code;
	uint64_t count;
};

struct es_tallies {
	struct es_tally *v;
	size_t n;
	uint64_t total;			/* "Hits:" */
};

/*
 * A kvm_exit hist keyed on exit_reason. On VMX the keys fold as exitscope
 * counts them: bit 31 (failed entry) into one row 0x80000000, the flag
 * bits 27-29 dropped. A histogram that dropped events is refused.
 */
int es_parse_hist(const char *name, const char *buf, size_t len,
		  enum es_vendor vendor, struct es_tallies *t, struct es_err *e);
void es_tallies_free(struct es_tallies *t);

struct es_snap;
/*
 * The tracefs source's kvm_exit hist keyed on common_pid, vcpu_id and
 * exit_reason into @out (thread ids in tgid, reasons folded for @vendor);
 * @dropped gets its "Dropped:" figure.
 */
int es_parse_hist_keys(const char *name, const char *buf, size_t len, enum es_vendor vendor,
		       struct es_snap *out, uint64_t *dropped, struct es_err *e);

/* One line, one decimal number 0-255. */
int es_parse_status(const char *name, const char *buf, size_t len,
		    int *status, struct es_err *e);

/* "NAME VALUE" lines into @run->kvm; "exits" must be among them. */
int es_parse_kvmstat(const char *name, const char *buf, size_t len,
		     struct es_run *run, struct es_err *e);

/*
 * metadata.txt: cpu, workload, runs, rounds, l2_cpus, l1_kernel,
 * l2_cmdline, kver, and paging.MODE (the paging module parameter's value
 * while that mode ran) for the nested mode, then shadow. All required,
 * each once, nothing else.
 */
int es_parse_meta(const char *name, const char *buf, size_t len,
		  struct es_meta *m, struct es_err *e);

#endif
