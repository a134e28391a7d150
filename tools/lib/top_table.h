/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * exitscope top's table, apart from the terminal: the rows (per reason,
 * all VMs or one summed: the total since top began, the exits of the last
 * interval as a rate, and with BPF the mean exit -> entry time of that
 * interval), sorted as kvm_stat sorts them, and drawn to fit a width.
 */
#ifndef EXITSCOPE_TOP_TABLE_H
#define EXITSCOPE_TOP_TABLE_H

#include <stdio.h>

#include "snapshot.h"

struct es_top_row {
	uint32_t code;
	uint64_t total;			/* since top began */
	uint64_t delta;			/* in the last interval */
	uint64_t delta_ns, delta_timed;	/* time and timed exits in it */
};

struct es_top_view {
	char source[16];
	enum es_vendor vendor;
	uint32_t pid;			/* 0: all VMs */
	size_t nvms;			/* VMs with exits since top began */
	uint64_t interval_ns;		/* of the last interval */
	bool ns;			/* times known */
	uint64_t total, delta;		/* all reasons */
	uint64_t lost;			/* exits not counted since top began */
	struct es_top_row *rows;
	size_t n;
};

/*
 * The view of @cur against @first (totals) and @prev (the interval), all
 * VMs or @pid only. Rows with the most exits in the interval first, then
 * by total. -1 out of memory.
 */
int es_top_build(const struct es_snap *first, const struct es_snap *prev,
		 const struct es_snap *cur, uint32_t pid, struct es_top_view *v);
void es_top_free(struct es_top_view *v);

/*
 * The table in @width columns (0: no limit) and at most @max_rows reason
 * rows (0: all): columns are dropped (time, share), then the name is cut,
 * as the width shrinks; no line is longer than @width. Returns the lines
 * written.
 */
int es_top_render(FILE *out, const struct es_top_view *v, unsigned int width,
		  unsigned int max_rows);

#endif
