/* SPDX-License-Identifier: GPL-2.0-only */
/* Printing a guest's exit figures: a table for people, JSON, the seed's lines. */
#ifndef EXITSCOPE_QUERY_PRINT_H
#define EXITSCOPE_QUERY_PRINT_H

#include <stdio.h>

#include "query/query.h"

struct es_report {
	enum es_vendor vendor;
	uint64_t total, total_cycles;
	unsigned long query_exits;	/* CPUID exits of the query itself */
	struct es_figure *figs;
	size_t n;
};

/*
 * Which rows: those with exits, or every defined reason. exitscope's own
 * rows (FAILED_VMENTRY, other) only ever with exits: they are no reasons.
 */
enum es_rows { ES_ROWS_NONZERO, ES_ROWS_DEFINED };

void es_print_table(FILE *out, const struct es_report *r, enum es_rows rows);
/*
 * One line of exitscope.query/2 JSON (query_doc.h); -1 if it cannot be.
 * Never reads /dev/urandom (jansson is given its hash seed): a guest may
 * query before its kernel has entropy.
 */
int es_print_json(FILE *out, const struct es_report *r, enum es_rows rows);
/* One line per reason asked, undefined ones included, as the seed printed. */
void es_print_raw(FILE *out, const struct es_report *r);

#endif
