/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The outputs of a record for people and spreadsheets, one file each: a
 * table for the terminal, Markdown, CSV and the chart (chart.c). JSON is
 * json/results_json.h's. Each writes what the record says, verdict included: a
 * record that failed its checks is never presented as one that passed.
 */
#ifndef EXITSCOPE_WRITERS_H
#define EXITSCOPE_WRITERS_H

#include <stdio.h>

#include "explain/explain.h"
#include "model/model.h"
#include "model/summary.h"
#include "util/num.h"
#include "util/text.h"

/* The table, the notes on strongly changed reasons. */
int es_write_table(FILE *out, const struct es_record *r, const struct es_summary *s);
/* report.md; @chart: the chart's file name to show, or NULL. */
int es_write_markdown(FILE *out, const struct es_record *r, const struct es_summary *s,
		      const char *chart);
/* results.csv: one line per run and reason. */
int es_write_csv(FILE *out, const struct es_record *r);

/*
 * chart.png and chart.svg in @dir: gnuplot, run without a shell, the
 * script on its standard input. 0, or -1 with a warning in @warn and no
 * chart files: no gnuplot, or gnuplot failing, is no failed report.
 */
/* The gnuplot script of the chart (its data inline), for es_write_chart(). */
void es_chart_script(FILE *out, const struct es_record *r, const struct es_summary *s);
int es_write_chart(const char *dir, const struct es_record *r, const struct es_summary *s,
		   struct es_err *warn);

/* Records (es_meta_is_record): write_record.c; the above call these. */
int es_write_record_table(FILE *out, const struct es_record *r, const struct es_summary *s);
int es_write_record_markdown(FILE *out, const struct es_record *r, const struct es_summary *s,
			     const char *chart);
int es_write_record_csv(FILE *out, const struct es_record *r);
/*
 * A record's drill-down below the reasons (ES_SRC_DETAIL): the top @top
 * keys of each reason and kind, all VMs summed; a Markdown table if @md.
 */
int es_write_detail(FILE *out, const struct es_record *r, size_t top, bool md);
/*
 * explain's findings for people: per profile its findings (against its
 * baseline: new, still, gone), each with its figures, cause, action and
 * sources, wrapped at @width columns.
 */
int es_write_explained(FILE *out, const struct es_explained *x, size_t n, unsigned int width);
/* report.md's section of explain's findings on @r, each column after the first against the first. */
int es_write_findings_md(FILE *out, const struct es_record *r);
/*
 * The why-lines of a comparison's strongly changed reasons: explain's
 * findings on every column of a record, found once (es_whys_init: -1 out
 * of memory), then per reason the finding whose rule is about it, with
 * its column, confidence and figures, else the reason's note (es_note_for).
 */
struct es_whys {
	struct es_profile p[ES_MAX_COLS];
	struct es_explained x[ES_MAX_COLS];
	size_t n;
};
int es_whys_init(struct es_whys *w, const struct es_record *r);
void es_whys_free(struct es_whys *w);
const char *es_why(const struct es_whys *w, const char *name, char *buf, size_t len);
/* The rule table as Markdown (docs/explain.md holds it). */
int es_write_rules_md(FILE *out);
/* Text in a Markdown table cell, and a CSV field (RFC 4180 quoted). */
void es_md_cell(FILE *out, const char *s);
void es_csv_field(FILE *out, const char *s);

#endif
