// SPDX-License-Identifier: GPL-2.0-only
/* See query_print.h. JSON schema: docs/json.md ("exitscope.query/1"). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "query_print.h"

static bool shown(const struct es_figure *f, enum es_rows rows)
{
	return f->defined && (f->count || rows == ES_ROWS_DEFINED);
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

static void print_code(char *buf, size_t len, enum es_vendor vendor, uint32_t code)
{
	snprintf(buf, len, vendor == ES_INTEL ? "%" PRIu32 : "0x%" PRIx32, code);
}

void es_print_table(FILE *out, const struct es_report *r, enum es_rows rows)
{
	const struct es_figure **v;
	size_t i, n, wname = 4;
	char code[16];

	v = sorted(r, rows, &n);
	if (!v) {
		fprintf(stderr, "exitscope: out of memory\n");
		return;
	}
	for (i = 0; i < n; i++)
		if (strlen(v[i]->name) > wname)
			wname = strlen(v[i]->name);
	fprintf(out, "%" PRIu64 " exits, %" PRIu64 " cycles (%s; %lu of the exits are this query's CPUIDs)\n",
		r->total, r->total_cycles, es_isa_name(r->vendor), r->query_exits);
	fprintf(out, "%10s  %-*s %14s %7s %18s %12s\n", "reason", (int)wname,
		"name", "count", "share", "cycles", "cycles/exit");
	for (i = 0; i < n; i++) {
		const struct es_figure *f = v[i];

		print_code(code, sizeof(code), r->vendor, f->code);
		fprintf(out, "%10s  %-*s %14" PRIu64 " %6.2f%% %18" PRIu64 " %12" PRIu64 "\n",
			code, (int)wname, f->name, f->count,
			r->total ? 100.0 * (double)f->count / (double)r->total : 0.0,
			f->cycles, f->count ? f->cycles / f->count : 0);
	}
	free(v);
}

void es_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

void es_print_json(FILE *out, const struct es_report *r, enum es_rows rows)
{
	const struct es_figure **v;
	size_t i, n;

	v = sorted(r, rows, &n);
	if (!v) {
		fprintf(stderr, "exitscope: out of memory\n");
		return;
	}
	fprintf(out, "{\"schema\":\"exitscope.query/1\",\"vendor\":\"%s\",\"isa\":\"%s\",",
		r->vendor == ES_INTEL ? "intel" : "amd", es_isa_name(r->vendor));
	fprintf(out, "\"total\":{\"count\":%" PRIu64 ",\"cycles\":%" PRIu64 "},\"query_exits\":%lu,\"reasons\":[",
		r->total, r->total_cycles, r->query_exits);
	for (i = 0; i < n; i++) {
		fprintf(out, "%s{\"reason\":%" PRIu32 ",\"name\":", i ? "," : "",
			v[i]->code);
		es_json_string(out, v[i]->name);
		fprintf(out, ",\"count\":%" PRIu64 ",\"cycles\":%" PRIu64 "}",
			v[i]->count, v[i]->cycles);
	}
	fprintf(out, "]}\n");
	free(v);
}

void es_print_raw(FILE *out, const struct es_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct es_figure *f = &r->figs[i];

		if (!f->defined)
			fprintf(out, "exit reason %" PRIu32 ": undefined\n", f->code);
		else
			fprintf(out, "exit reason %" PRIu32 " (%s): %" PRIu64 " exits, %" PRIu64 " cycles\n",
				f->code, f->name, f->count, f->cycles);
	}
	fprintf(out, "all exits: %" PRIu64 ", cycles: %" PRIu64 "\n", r->total,
		r->total_cycles);
}
