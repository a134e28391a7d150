// SPDX-License-Identifier: GPL-2.0-only
/* See query_print.h. */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "query/query_doc.h"
#include "query/query_print.h"

static bool own_row(uint32_t code)
{
	return code == ES_CODE_OTHER || code == ES_CODE_FAILED_VMENTRY;
}

static bool shown(const struct es_figure *f, enum es_rows rows)
{
	if (!f->defined)
		return false;
	return f->count || (rows == ES_ROWS_DEFINED && !own_row(f->code));
}

/* Most exits first; ties by code. */
static int by_count(const void *a, const void *b)
{
	const struct es_figure *x = *(const struct es_figure *const *)a;
	const struct es_figure *y = *(const struct es_figure *const *)b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->code < y->code ? -1 : x->code > y->code;
}

static const struct es_figure **sorted(const struct es_report *r,
				       enum es_rows rows, size_t *n)
{
	const struct es_figure **v = calloc(r->n ? r->n : 1, sizeof(*v));
	size_t i;

	*n = 0;
	if (!v)
		return NULL;
	for (i = 0; i < r->n; i++)
		if (shown(&r->figs[i], rows))
			v[(*n)++] = &r->figs[i];
	qsort(v, *n, sizeof(*v), by_count);
	return v;
}

void es_print_table(FILE *out, const struct es_report *r, enum es_rows rows)
{
	const struct es_figure **v;
	size_t i, n, wname = 4;
	char code[ES_CODE_STR_LEN];

	v = sorted(r, rows, &n);
	if (!v) {
		fprintf(stderr, "exitscope: out of memory\n");
		return;
	}
	for (i = 0; i < n; i++)
		if (strlen(v[i]->name) > wname)
			wname = strlen(v[i]->name);
	fprintf(out, "%" PRIu64 " exits, %" PRIu64 " cycles in KVM (%s; %lu of the exits are this query's CPUIDs)\n",
		r->total, r->total_cycles, es_isa_name(r->vendor), r->query_exits);
	fprintf(out, "%10s  %-*s %14s %7s %18s %12s\n", "reason", (int)wname,
		"name", "count", "share", "cycles", "cycles/exit");
	for (i = 0; i < n; i++) {
		const struct es_figure *f = v[i];

		fprintf(out, "%10s  %-*s %14" PRIu64 " %6.2f%% %18" PRIu64 " %12" PRIu64 "\n",
			es_code_str(code, r->vendor, f->code), (int)wname, f->name, f->count,
			r->total ? 100.0 * (double)f->count / (double)r->total : 0.0,
			f->cycles, f->count ? f->cycles / f->count : 0);
	}
	free(v);
}

int es_print_json(FILE *out, const struct es_report *r, enum es_rows rows)
{
	struct es_query_doc d = {
		.vendor = r->vendor, .total = r->total, .total_cycles = r->total_cycles,
		.query_exits = r->query_exits,
	};
	const struct es_figure **v;
	size_t i, n;
	int ret = -1;

	/*
	 * jansson seeds its hash tables from /dev/urandom unless given a
	 * seed, and a read of /dev/urandom before the kernel's random pool
	 * is ready makes Linux 6.1 gather entropy first: 1 s in the lab's L2,
	 * where the query runs right after boot. The keys are the writer's
	 * own, so a fixed seed costs nothing.
	 */
	json_object_seed(0x65786974u);
	v = sorted(r, rows, &n);
	if (!v)
		return -1;
	for (i = 0; i < n; i++)
		if (!es_query_doc_add(&d, v[i]->code, v[i]->name, v[i]->count, v[i]->cycles))
			goto out;
	ret = es_query_doc_write(out, &d);
out:
	es_query_doc_free(&d);
	free(v);
	return ret;
}

void es_print_raw(FILE *out, const struct es_report *r)
{
	char code[ES_CODE_STR_LEN];
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct es_figure *f = &r->figs[i];

		es_code_str(code, r->vendor, f->code);
		if (!f->defined)
			fprintf(out, "exit reason %s: undefined\n", code);
		else
			fprintf(out, "exit reason %s (%s): %" PRIu64 " exits, %" PRIu64 " cycles\n",
				code, f->name, f->count, f->cycles);
	}
	fprintf(out, "all exits: %" PRIu64 ", cycles: %" PRIu64 "\n", r->total,
		r->total_cycles);
}
