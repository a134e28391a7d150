/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One summary row per reason, computed once for every writer: the runs of
 * a record grouped into columns (the lab's paging modes, in the order the
 * metadata lists them; later the two records of `report A B`), and per
 * column the spread of counts and the median of each time figure.
 */
#ifndef EXITSCOPE_SUMMARY_H
#define EXITSCOPE_SUMMARY_H

#include "model/model.h"

#define ES_MAX_COLS	ES_MAX_MODES

/*
 * A lab's column shows the median of its runs; a record's (es_meta_is_record)
 * the sum of its VMs, and their histograms merged, so that a host-wide
 * record reads as the host's exits.
 */
struct es_cell {
	uint64_t min, median, max;	/* counts over the column's runs; median: the sum for records */
	uint64_t t[ES_NR_TIMES];	/* medians (sums) of the time figures */
	uint64_t ns;			/* records: exit -> entry time, summed */
	uint64_t hist[ES_HIST_BUCKETS];	/* records: merged histograms */
};

struct es_sum_row {
	uint32_t code;
	char name[ES_NAME_MAX + 1];
	struct es_cell c[ES_MAX_COLS];
	bool strong;			/* two columns: changed strongly */
};

struct es_summary {
	enum es_vendor vendor;
	size_t ncols;
	char col[ES_MAX_COLS][ES_LABEL_MAX];
	unsigned int runs[ES_MAX_COLS];	/* runs per column */
	bool times;			/* every run has the time-away figures */
	bool record;			/* columns are records' labels, cells sums */
	bool ns;			/* every run has ns times and histograms */
	bool cycles;			/* every run has cycles (lab, module records) */
	struct es_sum_row *rows;	/* by code, ascending */
	size_t n;
};

int es_summary_build(const struct es_record *r, struct es_summary *s);
void es_summary_free(struct es_summary *s);

/* At least 4x, and 100 or more exits in one of the two. */
bool es_strong_change(uint64_t a, uint64_t b);
/* "new", "gone", "-" or "7.51x": column 1 against column 0. */
const char *es_ratio_str(char *buf, size_t len, uint64_t before, uint64_t after);
/*
 * How a reason's count moves with the paging mode, and why (the mechanism
 * behind one reason); NULL if there is no note on it.
 */
const char *es_note_for(const char *name);

#endif
