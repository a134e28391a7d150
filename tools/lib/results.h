/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Parsers for what a lab run leaves behind: KVM's per-VM debugfs file
 * "exit_stats", the kvm_exit tracepoint's hist output, and the JSON that
 * `exitscope query --json` printed inside L2. Each refuses corrupt input
 * with the line it choked on.
 */
#ifndef EXITSCOPE_RESULTS_H
#define EXITSCOPE_RESULTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "exit_reasons.h"

#define ES_MAX_ROWS	512
#define ES_CODE_OTHER	UINT64_MAX	/* the debugfs "other" row */

struct es_row {
	uint64_t code;		/* exit code, or ES_CODE_OTHER */
	char name[40];
	uint64_t count, cycles;
};

struct es_table {
	struct es_row rows[ES_MAX_ROWS];
	int n;
	uint64_t total, total_cycles;	/* header figures (stats), Hits (hist) */
	enum es_vendor vendor;		/* stats: from "# isa" */
};

/* debugfs exit_stats. */
int es_parse_stats(FILE *in, struct es_table *t, char *err, size_t len);
/*
 * hist output of kvm_exit, keys folded as exitscope counts them: on VMX a
 * failed entry (bit 31) is one row 0x80000000, other flag bits dropped.
 */
int es_parse_hist(FILE *in, enum es_vendor vendor, struct es_table *t,
		  char *err, size_t len);
/* The query JSON between EXITSCOPE-QUERY-BEGIN/END lines of an L2 log. */
int es_parse_query_log(FILE *in, struct es_table *t, char *err, size_t len);

/* The row of @code, or NULL. */
const struct es_row *es_table_find(const struct es_table *t, uint64_t code);
/*
 * Check that @stats (exitscope) and @hist (tracepoint) agree on every
 * reason and in total. Returns the number of disagreements; each is
 * described in @why (first ones only).
 */
int es_compare(const struct es_table *stats, const struct es_table *hist,
	       char *why, size_t len);

#endif
