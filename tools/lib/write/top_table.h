/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * exitscope top's table, apart from the terminal: the rows (per reason, of
 * all VMs or one; per VM; or per vCPU, of all VMs or one), each with the total since top began (or since
 * a reset), the exits of the last interval as a rate, their share, and with
 * BPF the mean exit -> entry time of that interval and its share of all the
 * interval's time; sorted as asked (busiest first, as kvm_stat); drawn to fit
 * a width. A reason expanded shows its drill-down below it (record
 * --detail's keys: ports, MSRs, pages...), the busiest keys of each kind,
 * then the rest as "(other)" and the exits without a key as "(no key)".
 */
#ifndef EXITSCOPE_TOP_TABLE_H
#define EXITSCOPE_TOP_TABLE_H

#include <stdio.h>

#include "model/snapshot.h"
#include "model/vm_name.h"

enum es_top_mode { ES_TOP_REASONS, ES_TOP_VMS, ES_TOP_VCPUS, ES_TOP_NR_MODES };
enum es_top_sort { ES_TOP_BY_RATE, ES_TOP_BY_TOTAL, ES_TOP_BY_TIME, ES_TOP_BY_NAME, ES_TOP_NR_SORTS };
extern const char *const es_top_sort_names[ES_TOP_NR_SORTS];

/* What the user asked to see (top's keys). */
struct es_top_opts {
	enum es_top_mode mode;
	enum es_top_sort sort;
	uint32_t pid;			/* reasons or vCPUs of this VM only; 0: all */
	char filter[32];		/* reasons view: names containing it; "": all */
	char vm_filter[32];		/* VMs, vCPUs views: VM names containing it */
	char expand[32];		/* reasons view: the reason (code or name, any
					 * case) whose keys show below it; "*": every
					 * reason's; "": none */
};

/* A line below an expanded reason: a key, the rest of its kind, or no key. */
enum es_top_key_what { ES_TOP_KEY, ES_TOP_OTHER, ES_TOP_NOKEY };

struct es_top_key {
	uint32_t code;			/* the reason it is below */
	uint8_t kind;			/* ES_BPF_DK_* */
	uint8_t what;			/* enum es_top_key_what */
	uint16_t flags;			/* ES_TOP_KEY: its direction (ES_BPF_DF_*) */
	uint64_t value;			/* ES_TOP_KEY: the port, MSR, address... */
	size_t nkeys;			/* ES_TOP_OTHER: how many keys it sums */
	uint64_t total, delta;		/* exits since top began, in the interval */
	char name[64];			/* ES_TOP_KEY: es_detail_name()'s, or "" */
};

struct es_top_row {
	uint32_t code;			/* reasons: the exit code */
	uint32_t pid;			/* VMs, vCPUs: the VMM's pid */
	uint32_t vcpu;			/* vCPUs: its index (ES_VCPU_ALL: unknown) */
	char label[ES_VM_NAME_MAX];	/* the reason's name, or the VM's */
	uint64_t total;			/* since top began */
	uint64_t delta;			/* in the last interval */
	uint64_t delta_ns, delta_timed;	/* time and timed exits in it */
};

struct es_top_view {
	char source[16];
	enum es_vendor vendor;
	struct es_top_opts opts;
	size_t nvms;			/* VMs with exits since top began */
	bool vcpus;			/* the source tells vCPUs apart */
	uint64_t interval_ns;		/* of the last interval */
	bool ns;			/* times known */
	uint64_t total, delta, delta_ns;	/* the rows' sums */
	uint64_t lost;			/* exits not counted since top began */
	struct es_top_row *rows;
	size_t n;
	bool detail;			/* the source keeps the drill-down */
	struct es_top_key *keys;	/* of the expanded reasons, by code and kind */
	size_t nkeys;
};

/* Keys shown of each kind below an expanded reason (the rest: "(other)"). */
#define ES_TOP_KEYS	ES_DETAIL_TOP

/* Whether @expand names a reason of @vendor, or is "*" or "". */
bool es_top_expand_known(enum es_vendor vendor, const char *expand);
/* Whether @o expands the reason @code of @vendor. */
bool es_top_expands(const struct es_top_opts *o, enum es_vendor vendor, uint32_t code);

/*
 * The view of @cur against @first (totals) and @prev (the interval), as
 * @o asks: -1 out of memory.
 */
int es_top_build(const struct es_snap *first, const struct es_snap *prev,
		 const struct es_snap *cur, const struct es_top_opts *o, struct es_top_view *v);
void es_top_free(struct es_top_view *v);

/*
 * The table in @width columns (0: no limit) and at most @max_rows rows (0:
 * all): columns are dropped (time%, time, share, total), then the name is
 * cut, as the width shrinks; no line is longer than @width. Returns the
 * lines written.
 */
int es_top_render(FILE *out, const struct es_top_view *v, unsigned int width,
		  unsigned int max_rows);

#endif
