// SPDX-License-Identifier: GPL-2.0-only
/* See query_doc.h. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "query/query_doc.h"

void es_query_doc_free(struct es_query_doc *d)
{
	free(d->rows);
	memset(d, 0, sizeof(*d));
}

bool es_query_doc_add(struct es_query_doc *d, uint32_t code, const char *name,
		      uint64_t count, uint64_t cycles)
{
	struct es_qrow *v = realloc(d->rows, (d->n + 1) * sizeof(*v));

	if (!v)
		return false;
	d->rows = v;
	v += d->n++;
	v->code = code;
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->count = count;
	v->cycles = cycles;
	return true;
}

int es_query_doc_write(FILE *out, const struct es_query_doc *d)
{
	json_t *root, *reasons, *row;
	char *s;
	size_t i;
	int r = -1;

	/* JSON numbers (jansson's) are signed 64-bit: larger is no count. */
	if (d->total > ES_FIG_MAX || d->total_cycles > ES_FIG_MAX ||
	    d->query_exits > ES_FIG_MAX)
		return -1;
	for (i = 0; i < d->n; i++)
		if (d->rows[i].count > ES_FIG_MAX || d->rows[i].cycles > ES_FIG_MAX)
			return -1;
	reasons = json_array();
	root = json_pack("{s:s, s:s, s:s, s:{s:I, s:I}, s:I, s:o}",
			 "schema", ES_QUERY_SCHEMA,
			 "vendor", es_cpu_name(d->vendor),
			 "isa", es_isa_name(d->vendor),
			 "total", "count", (json_int_t)d->total,
			 "cycles", (json_int_t)d->total_cycles,
			 "query_exits", (json_int_t)d->query_exits,
			 "reasons", reasons);
	if (!root)
		return -1;
	for (i = 0; i < d->n; i++) {
		const struct es_qrow *q = &d->rows[i];

		row = json_pack("{s:o, s:s, s:I, s:I}",
				"reason", q->code == ES_CODE_OTHER ? json_null() :
					  json_integer(q->code),
				"name", q->name, "count", (json_int_t)q->count,
				"cycles", (json_int_t)q->cycles);
		if (!row || json_array_append_new(reasons, row))
			goto out;
	}
	s = json_dumps(root, JSON_COMPACT);
	if (s) {
		r = fprintf(out, "%s\n", s) < 0 ? -1 : 0;
		free(s);
	}
out:
	json_decref(root);
	return r;
}

static int bad(const char *name, unsigned int line, struct es_err *e,
	       const char *why, const char *detail)
{
	if (line)
		return es_errf(e, "%s:%u: query document: %s%s%s", name, line, why,
			       detail ? ": " : "", detail ? detail : "");
	return es_errf(e, "%s: query document: %s%s%s", name, why,
		       detail ? ": " : "", detail ? detail : "");
}

static bool u64_of(json_t *v, uint64_t max, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

int es_query_doc_parse(const char *name, unsigned int line, const char *buf,
		       size_t len, struct es_query_doc *d, struct es_err *e)
{
	json_t *root, *total, *reasons, *count, *cycles, *qexits, *v, *code, *c, *cy;
	const char *schema, *vendor, *isa, *rname;
	json_error_t je;
	uint64_t x, y, k;
	size_t i;
	char pos[64];

	memset(d, 0, sizeof(*d));
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		snprintf(pos, sizeof(pos), "column %d: ", je.column);
		es_errf(e, "%s:%u: query document: not JSON: %s%s", name, line, pos, je.text);
		return -1;
	}
	if (json_unpack_ex(root, &je, JSON_STRICT, "{s:s, s:s, s:s, s:o, s:o, s:o}",
			   "schema", &schema, "vendor", &vendor, "isa", &isa,
			   "total", &total, "query_exits", &qexits, "reasons", &reasons)) {
		bad(name, line, e, "not an exitscope query", je.text);
		goto fail;
	}
	if (strcmp(schema, ES_QUERY_SCHEMA)) {
		bad(name, line, e, "schema is not " ES_QUERY_SCHEMA, schema);
		goto fail;
	}
	if (!strcmp(vendor, "intel") && !strcmp(isa, "vmx")) {
		d->vendor = ES_INTEL;
	} else if (!strcmp(vendor, "amd") && !strcmp(isa, "svm")) {
		d->vendor = ES_AMD;
	} else {
		bad(name, line, e, "vendor and isa are not intel/vmx or amd/svm", vendor);
		goto fail;
	}
	if (json_unpack_ex(total, &je, JSON_STRICT, "{s:o, s:o}", "count", &count,
			   "cycles", &cycles) ||
	    !u64_of(count, ES_FIG_MAX, &d->total) ||
	    !u64_of(cycles, ES_FIG_MAX, &d->total_cycles)) {
		bad(name, line, e, "total is not {count, cycles} of numbers 0 to 2^63-1", NULL);
		goto fail;
	}
	if (!u64_of(qexits, ES_FIG_MAX, &d->query_exits)) {
		bad(name, line, e, "query_exits is not a number 0 to 2^63-1", NULL);
		goto fail;
	}
	if (!json_is_array(reasons) || json_array_size(reasons) > ES_MAX_ROWS) {
		bad(name, line, e, "reasons is not an array of at most 1024", NULL);
		goto fail;
	}
	json_array_foreach(reasons, i, v) {
		snprintf(pos, sizeof(pos), "reasons[%zu]", i);
		if (json_unpack_ex(v, &je, JSON_STRICT, "{s:o, s:s, s:o, s:o}", "reason", &code,
				   "name", &rname, "count", &c, "cycles", &cy)) {
			bad(name, line, e, pos, je.text);
			goto fail;
		}
		if (json_is_null(code)) {
			k = ES_CODE_OTHER;
		} else if (!u64_of(code, UINT32_MAX, &k) || k == ES_CODE_OTHER) {
			bad(name, line, e, pos, "reason is not null or a code 0 to 2^32-1 (not 0xfffffffe)");
			goto fail;
		}
		if (!*rname || strlen(rname) > ES_NAME_MAX) {
			bad(name, line, e, pos, "name is not 1 to 48 bytes");
			goto fail;
		}
		if (!u64_of(c, ES_FIG_MAX, &x) || !u64_of(cy, ES_FIG_MAX, &y)) {
			bad(name, line, e, pos, "count or cycles is not a number 0 to 2^63-1");
			goto fail;
		}
		for (size_t j = 0; j < d->n; j++)
			if (d->rows[j].code == k) {
				bad(name, line, e, pos, "this reason is listed twice");
				goto fail;
			}
		if (!es_query_doc_add(d, (uint32_t)k, rname, x, y)) {
			bad(name, line, e, "out of memory", NULL);
			goto fail;
		}
	}
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	es_query_doc_free(d);
	return -1;
}

int es_query_log_parse(const char *name, const char *buf, size_t len,
		       struct es_query_doc *d, bool *found, struct es_err *e)
{
	enum { BEFORE, BEGUN, HAVE_DOC, AFTER } at = BEFORE;
	unsigned int begin_line = 0;
	struct es_lines it;
	struct es_str line;
	int r;

	*found = false;
	memset(d, 0, sizeof(*d));
	/* A console log: any bytes, CR LF line ends, possibly cut off. */
	es_lines_init(&it, name, buf, len, len, UINT32_MAX,
		      ES_LINES_ANY | ES_LINES_CR | ES_LINES_OPEN_END);
	while ((r = es_lines_next(&it, &line, e)) > 0) {
		bool begin = es_str_eq(line, ES_QUERY_BEGIN), end = es_str_eq(line, ES_QUERY_END);

		switch (at) {
		case BEFORE:
		case AFTER:
			if (end) {
				es_lines_err(&it, e, "%s without %s", ES_QUERY_END, ES_QUERY_BEGIN);
				goto fail;
			}
			if (begin && at == AFTER) {
				es_lines_err(&it, e, "a second query block");
				goto fail;
			}
			if (begin) {
				at = BEGUN;
				begin_line = it.line;
			}
			break;
		case BEGUN:
			if (begin || end) {
				es_lines_err(&it, e, "query block without a document");
				goto fail;
			}
			if (line.n > ES_QUERY_MAX_LINE) {
				es_lines_err(&it, e, "query document longer than %u bytes",
					     ES_QUERY_MAX_LINE);
				goto fail;
			}
			if (es_query_doc_parse(name, it.line, line.p, line.n, d, e))
				goto fail;
			at = HAVE_DOC;
			break;
		case HAVE_DOC:
			if (!end) {
				es_lines_err(&it, e, "'%s' expected after the query document, not '%.*s'",
					     ES_QUERY_END, line.n > 60 ? 60 : (int)line.n, line.p);
				goto fail;
			}
			at = AFTER;
			break;
		}
	}
	if (r < 0)
		goto fail;
	if (at == BEGUN || at == HAVE_DOC) {
		es_errf(e, "%s:%u: query block never ends (no %s)", name, begin_line, ES_QUERY_END);
		goto fail;
	}
	*found = at == AFTER;
	return 0;
fail:
	es_query_doc_free(d);
	return -1;
}
