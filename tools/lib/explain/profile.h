/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `exitscope explain` reasons on: one profile per column of a record
 * (a lab's paging mode, or a collector's record), its exits per reason
 * (the median of a lab's runs, the sum of a record's VMs), their times
 * where known, and the drill-down below the reasons, all VMs summed.
 * Reasons are found by the kernel's names (exit_reasons.h), so a rule is
 * written once for both vendors.
 */
#ifndef EXITSCOPE_EXPLAIN_PROFILE_H
#define EXITSCOPE_EXPLAIN_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "model/summary.h"

struct es_profile_reason {
	uint32_t code;
	const char *name;		/* the kernel's, or the record's */
	uint64_t count;
	uint64_t hist[ES_HIST_BUCKETS];	/* exit -> entry times (records of the BPF collector) */
};

struct es_profile {
	char label[ES_LABEL_MAX];	/* the column: "npt", "shadow", a record's label */
	enum es_vendor vendor;
	int nested;			/* nested paging (EPT/NPT) on: 1, off: 0, unknown: -1 */
	uint64_t total;			/* exits of every reason */
	uint64_t span_ns;		/* the span recorded; 0: a lab run (no rates) */
	bool ns;			/* exit -> entry times per reason */
	bool detail;			/* the drill-down below the reasons */
	struct es_profile_reason *r;	/* by code */
	size_t nr;
	struct es_detail *keys;		/* all VMs summed (tgid 0), es_detail_sort()ed */
	size_t nkeys;
};

/* One profile per column of @r into @p (at most ES_MAX_COLS); -1 out of memory. */
int es_profiles(const struct es_record *r, struct es_profile *p, size_t *n);
void es_profiles_free(struct es_profile *p, size_t n);

/* Exits of the reason the kernel calls @name (either vendor's: "HLT", "hlt"); 0 if none. */
uint64_t es_profile_count(const struct es_profile *p, const char *name);
/* The reason called @name, or NULL. */
const struct es_profile_reason *es_profile_reason(const struct es_profile *p, const char *name);
/* Exits below reason @name keyed @value of @kind (ES_BPF_DK_*), both directions summed. */
uint64_t es_profile_key(const struct es_profile *p, const char *name, unsigned int kind,
			uint64_t value);
/* Exits below reason @name with any key of @kind. */
uint64_t es_profile_keyed(const struct es_profile *p, const char *name, unsigned int kind);
/* @part of the profile's exits, in percent (0 when there are none). */
double es_profile_share(const struct es_profile *p, uint64_t part);
/* @count per second of the span; negative when the profile has no span (a lab run). */
double es_profile_rate(const struct es_profile *p, uint64_t count);

#endif
