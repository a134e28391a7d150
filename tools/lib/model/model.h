/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The results model: what every producer of figures fills and every output
 * writes. A record is one experiment: where it came from (provenance), its
 * runs, and a verdict. A run is one VM's life (or, for a collector, one VM
 * over a span): per-reason rows and totals, each figure tagged with the
 * source that saw it: exitscope's accounting (debugfs), the kvm_exit
 * tracepoint, the guest's own query, KVM's statistics, and later a BPF
 * collector (collector_count). Comparing records (report A B) groups runs
 * into columns the same way the lab groups them by paging mode (summary.h).
 *
 * Where later producers go: a BPF collector's snapshot (`exitscope record`)
 * is a record with source "bpf" and one run per VM (mode: a label such as
 * the pid); its per-vCPU figures would be runs of their own or a vcpus[]
 * array of runs inside a run, its log2 histograms an array per row beside
 * es_figs; `report A B` puts A's runs and B's under two column labels
 * (es_meta.nmodes 0: the columns are the runs' labels, in order).
 */
#ifndef EXITSCOPE_MODEL_H
#define EXITSCOPE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/detail.h"
#include "model/exit_reasons.h"
#include "model/hist.h"
#include "model/memslot.h"
#include "model/vm_name.h"

#define ES_NAME_MAX	48	/* a reason's name */
#define ES_LABEL_MAX	16	/* "ept", "npt", "shadow" */
#define ES_MAX_ROWS	1024	/* reasons in one run */
#define ES_MAX_RUNS	4096	/* runs in one record: a host's VMs in a record */
#define ES_MAX_MODES	4
#define ES_MAX_VCPUS	1024	/* vCPUs of a record's VM (x86 KVM_MAX_VCPUS) */
/*
 * The largest figure taken: JSON numbers (jansson) are signed 64-bit, and a
 * count near 2^64 is a negative one that wrapped: corrupt, not a count.
 */
#define ES_FIG_MAX	((uint64_t)INT64_MAX)

/*
 * Host TSC cycles per reason: in KVM handling the exit (cycles), and away
 * from the guest after it: halted in HLT, back in the VMM, preempted,
 * sleeping in the host. Older kernels report cycles only.
 */
enum es_time { ES_CYCLES, ES_HALTED, ES_VMM, ES_PREEMPTED, ES_SLEEP, ES_NR_TIMES };
extern const char *const es_time_names[ES_NR_TIMES];

struct es_figs {
	uint64_t count;
	uint64_t t[ES_NR_TIMES];
	uint64_t ns;			/* ES_SRC_NS: exit -> next entry, ns */
};

/* Which sources a run (and so each of its rows) has figures from. */
#define ES_SRC_STATS		(1u << 0)	/* exitscope's debugfs file */
#define ES_SRC_TIMES		(1u << 1)	/* ... with the time-away columns */
#define ES_SRC_TRACEPOINT	(1u << 2)	/* kvm_exit hist trigger */
#define ES_SRC_QUERY		(1u << 3)	/* the guest's exitscope query */
#define ES_SRC_KVM		(1u << 4)	/* KVM's own per-VM statistics */
#define ES_SRC_COLLECTOR	(1u << 5)	/* a BPF collector's count beside the lab's */
#define ES_SRC_NS		(1u << 6)	/* a record's times in ns and log2 histograms */
#define ES_SRC_DETAIL		(1u << 7)	/* a record's drill-down below the reasons */

struct es_row {
	uint32_t code;			/* exit code, or ES_CODE_OTHER */
	char name[ES_NAME_MAX + 1];
	struct es_figs f;		/* exitscope's accounting */
	uint64_t tracepoint_count;
	uint64_t query_count;
	uint64_t collector_count;
	uint64_t hist[ES_HIST_BUCKETS];	/* ES_SRC_NS: exit -> entry times */
};

struct es_stat {			/* one of KVM's statistics */
	char name[64];
	uint64_t value;
};

/* Reasons a run or a record failed its checks, for people. */
struct es_verdict {
	char **why;
	size_t n;
};

struct es_run {
	char mode[ES_LABEL_MAX];	/* the column it belongs to: paging mode */
	unsigned int index;		/* 1-based repeat within the mode */
	int vmm_status;			/* exitscope-vmm's exit status */
	char accounting[16];		/* exitscope's mode: "counts", "cycles" */
	unsigned int sources;		/* ES_SRC_* */
	struct es_figs total;
	uint64_t total_tracepoint, total_query, total_collector;
	uint64_t kvm_exits;		/* KVM's "exits" statistic */
	uint64_t query_exits;		/* the query's own CPUID exits */
	struct es_row *rows;
	size_t nrows;
	struct es_stat *kvm;		/* all of KVM's per-VM statistics */
	size_t nkvm;
	struct es_verdict verdict;
	/* A record's VM (`exitscope record`): its VMM and its vCPUs. */
	uint32_t pid;
	char comm[16];			/* the VMM's /proc/PID/comm, or "" */
	char vm[ES_VM_NAME_MAX];	/* the VM's name (vm_name.h), or "" */
	struct es_run *vcpus;		/* index: the vCPU id; mode as the VM's */
	size_t nvcpus;
	/* ES_SRC_DETAIL: the VM's drill-down (tgid = pid), sorted by es_detail_sort(). */
	struct es_detail *details;
	size_t ndetails;
	/* ...and its memslots that name its regions (memslot.h), by es_memslot_cmp(). */
	struct es_memslot *memslots;
	size_t nmemslots;
};

struct es_mode {
	char name[ES_LABEL_MAX];	/* "npt", "ept", "shadow" */
	bool nested;			/* nested paging on */
	char param[16];			/* the module parameter's value then */
};

/* Where the figures came from. Strings are "" when not known. */
struct es_meta {
	char source[16];		/* "lab"; a record's: "bpf", "module", "tracefs" */
	char attach[8];			/* a bpf record's: "tp_btf" or "tp"; "" */
	enum es_vendor vendor;
	char workload[64];
	unsigned int runs, rounds, l2_cpus;
	char kver[64];			/* linux-source version of the modules */
	char modules[16];		/* "exitscope", or "stock": KVM without exitscope */
	char l1_kernel[128];		/* L1's uname -r */
	bool l1_extra;			/* a --l1-extra script ran in L1 */
	unsigned int l1_extra_status;	/* ...and exited so (0: success) */
	char l2_cmdline[2048];
	char knob[32];			/* "kvm_amd.npt", "kvm_intel.ept" */
	struct es_mode modes[ES_MAX_MODES];
	size_t nmodes;
	/* A record's (es_meta_is_record()): what the lab's fields are to a lab. */
	char label[ES_LABEL_MAX];	/* its name in comparisons ("before") */
	char host_kernel[128];		/* uname -r where it was recorded */
	uint64_t duration_ns;		/* the span the figures cover */
	unsigned int sources;		/* what its rows carry: ES_SRC_STATS (cycles), ES_SRC_NS */
	uint64_t health[ES_BPF_NR_HEALTH];	/* the collector's (exitscope.h) */
};

struct es_record {
	struct es_meta meta;
	struct es_run *runs;
	size_t nruns;
	struct es_verdict verdict;	/* all failures of all runs, and the record's */
};

/*
 * A record of `exitscope record` (schema exitscope.record/1: one run per
 * VM, mode = the record's label), not a lab's results (exitscope.lab/2).
 */
bool es_meta_is_record(const struct es_meta *m);
/* The collector's health counters' names ("stats_full"...). */
extern const char *const es_health_names[ES_BPF_NR_HEALTH];

void es_record_init(struct es_record *r);
void es_record_free(struct es_record *r);
/* A new run at the end (zeroed); NULL when out of memory or too many. */
struct es_run *es_record_add_run(struct es_record *r);
/* A new vCPU of a record's VM (zeroed, its mode copied); NULL likewise. */
struct es_run *es_run_add_vcpu(struct es_run *run, uint32_t vcpu);
/*
 * The row of @code in @run, made (zero figures, @name) if absent; NULL when
 * out of memory or rows. Adding rows moves them: hold no row pointer across.
 */
struct es_row *es_run_row(struct es_run *run, uint32_t code, const char *name);
const struct es_row *es_run_find(const struct es_run *run, uint32_t code);
/* Rows by code, ascending ("other" last). */
void es_run_sort(struct es_run *run);
/* KVM's statistic @name of @run, or NULL. */
const struct es_stat *es_run_kvm_stat(const struct es_run *run, const char *name);
/* The mode entry called @name, or NULL. */
const struct es_mode *es_meta_mode(const struct es_meta *m, const char *name);

/* Append a formatted reason; false when out of memory. */
bool es_verdict_add(struct es_verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void es_verdict_free(struct es_verdict *v);
static inline bool es_verdict_ok(const struct es_verdict *v)
{
	return v->n == 0;
}

#endif
