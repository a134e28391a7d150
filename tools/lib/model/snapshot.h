/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A snapshot: what a source (the BPF collector, exitscope's module,
 * tracefs, a recorded file) holds at one moment, cumulative since the
 * source began: one row per VM (the VMM's tgid), vCPU and reason. The
 * commands turn snapshots into rates (top), records (record), or metrics
 * (exporter) by the difference of two (es_snap_diff). No source-specific
 * code here: this is the common currency.
 */
#ifndef EXITSCOPE_SNAPSHOT_H
#define EXITSCOPE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/detail.h"
#include "model/exit_reasons.h"
#include "model/hist.h"
#include "model/memslot.h"
#include "model/vm_name.h"

/* The vCPU of a row that sums all of a VM's vCPUs (the module's file). */
#define ES_VCPU_ALL	UINT32_MAX

/* What a snapshot's rows carry besides the count. */
#define ES_SNAP_NS	(1u << 0)	/* time_ns and hist (the BPF collector) */
#define ES_SNAP_CYCLES	(1u << 1)	/* cycles in KVM (exitscope's module) */
#define ES_SNAP_VCPUS	(1u << 2)	/* one row per vCPU, not ES_VCPU_ALL */
#define ES_SNAP_DETAIL	(1u << 3)	/* the drill-down below the reasons (details) */

struct es_snap_row {
	uint32_t tgid, vcpu, code;	/* code folded (exitscope.h) */
	uint64_t count;
	uint64_t time_ns;		/* ES_SNAP_NS: sum of exit -> entry */
	uint64_t cycles;		/* ES_SNAP_CYCLES */
	uint64_t hist[ES_HIST_BUCKETS];	/* ES_SNAP_NS */
};

/*
 * A VMM's names, where the source knows them (a record does; /proc for the
 * rest): its comm, and the VM's name (vm_name.h), "" if none.
 */
struct es_snap_comm {
	uint32_t tgid;
	char comm[16];
	char vm[ES_VM_NAME_MAX];
};

struct es_snap {
	char source[16];		/* "bpf", "module", "tracefs", "file" */
	char attach[8];			/* bpf: "tp_btf" or "tp" (docs/collector.md); "" */
	enum es_vendor vendor;
	bool vendor_known;		/* a row or the source said which */
	unsigned int has;		/* ES_SNAP_* */
	uint64_t at_ns;			/* CLOCK_MONOTONIC when taken */
	char host_kernel[128];		/* where recorded figures come from; "" live */
	uint64_t health[ES_BPF_NR_HEALTH];	/* the collector's, cumulative */
	struct es_snap_row *rows;
	size_t n, cap;
	bool sorted;
	struct es_snap_comm *comms;
	size_t ncomms;
	struct es_detail *details;	/* ES_SNAP_DETAIL: per VM, reason and key */
	size_t ndetails, capdetails;
	struct es_memslot *memslots;	/* ES_SNAP_DETAIL: the VMs' slots that name regions */
	size_t nmemslots;
};

void es_snap_init(struct es_snap *s);
void es_snap_free(struct es_snap *s);
/* Rows gone, the rest (source, vendor, has) kept. */
void es_snap_clear(struct es_snap *s);
/* A deep copy of @src into @dst (initialized here); -1 out of memory. */
int es_snap_copy(struct es_snap *dst, const struct es_snap *src);
/* Append a row (keys must be new: sources give each once); -1 out of memory. */
int es_snap_add(struct es_snap *s, const struct es_snap_row *row);
/* Append a drill-down key's count (keys new, as rows'); -1 out of memory. */
int es_snap_add_detail(struct es_snap *s, const struct es_detail *d);
/* Remember @m, in place of the same slot's older one; -1 out of memory. */
int es_snap_set_memslot(struct es_snap *s, const struct es_memslot *m);
/* The row of a key, added zeroed if absent (slow: for small snapshots). */
struct es_snap_row *es_snap_get(struct es_snap *s, uint32_t tgid, uint32_t vcpu,
				uint32_t code);
/* Remember @comm as @tgid's name; -1 out of memory. */
int es_snap_set_comm(struct es_snap *s, uint32_t tgid, const char *comm);
/* Remember @vm as the name of @tgid's VM; -1 out of memory. */
int es_snap_set_vm(struct es_snap *s, uint32_t tgid, const char *vm);
/* @tgid's comm, or NULL. */
const char *es_snap_comm(const struct es_snap *s, uint32_t tgid);
/* @tgid's VM's name, or NULL. */
const char *es_snap_vm(const struct es_snap *s, uint32_t tgid);
/* By tgid, vcpu, code. */
void es_snap_sort(struct es_snap *s);
/* @dst += @src (count, times, hist), saturating at 2^63-1; false if it did. */
bool es_snap_row_add(struct es_snap_row *dst, const struct es_snap_row *src);
/*
 * Rows of equal keys summed into one, for a source that finds a key in
 * more than one place (the BPF collector: a block and a hash row); sorts
 * @s. false when a sum saturated.
 */
bool es_snap_merge(struct es_snap *s);

/*
 * @after - @before into @out (initialized here), row by row: what happened
 * between the two. A row missing from @before counts whole; a row whose
 * count went backwards (its VM ended and another took its pid, the module
 * reloaded) counts whole too. Rows only in @before (VMs gone) are left
 * out, and so are rows that did not change. The drill-down's keys alike.
 * -1 out of memory.
 */
int es_snap_diff(const struct es_snap *before, const struct es_snap *after,
		 struct es_snap *out);

/*
 * @in summed into @out (initialized here): rows of @tgid only (0: all),
 * vCPUs summed into ES_VCPU_ALL unless @per_vcpu, VMs summed into tgid 0
 * when @all_vms (the drill-down's keys too). -1 out of memory.
 */
int es_snap_fold(const struct es_snap *in, uint32_t tgid, bool per_vcpu,
		 bool all_vms, struct es_snap *out);

#endif
