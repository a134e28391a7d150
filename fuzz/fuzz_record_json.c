// SPDX-License-Identifier: GPL-2.0-only
/*
 * A record of `exitscope record --json` (es_read_record_json, through the
 * results reader that dispatches on the schema). What is accepted must
 * write back, read again and write the very same bytes, and convert to a
 * snapshot whose rows are the record's; and explain's rules must run on it
 * (every share within 0-100%) and write their findings as text and JSON.
 */
#include "explain/explain.h"
#include "json/explain_json.h"
#include "json/record_json.h"
#include "json/results_json.h"
#include "model/record.h"
#include "model/verdict.h"
#include "write/writers.h"
#include "fuzz.h"

/* explain on @r: profiles, findings, both outputs; nothing may fail but memory. */
static void explain(const struct es_record *r)
{
	struct es_profile p[ES_MAX_COLS];
	struct es_explained x[ES_MAX_COLS];
	size_t n, i, k;
	FILE *f = fopen("/dev/null", "w");

	ES_FUZZ_ASSERT(f);
	ES_FUZZ_ASSERT(es_profiles(r, p, &n) == 0);
	for (i = 0; i < n; i++) {
		ES_FUZZ_ASSERT(es_explain(&p[i], i ? &p[0] : NULL, &x[i]) == 0);
		for (k = 0; k < x[i].n; k++)
			ES_FUZZ_ASSERT(x[i].f[k].share >= 0.0 && x[i].f[k].share <= 100.0);
	}
	ES_FUZZ_ASSERT(es_write_explained(f, x, n, 80) == 0);
	ES_FUZZ_ASSERT(es_write_explain_json(f, "in", NULL, x, n) == 0);
	for (i = 0; i < n; i++)
		es_explained_free(&x[i]);
	es_profiles_free(p, n);
	fclose(f);
}

static char *dump(const struct es_record *r, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	ES_FUZZ_ASSERT(f);
	ES_FUZZ_ASSERT(es_write_json(f, r) == 0);
	ES_FUZZ_ASSERT(fclose(f) == 0);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct es_record r, again;
	struct es_err e = { "" };
	struct es_snap s;
	char *buf = fuzz_copy(data, size), *j1, *j2;
	size_t l1, l2;

	if (es_read_json("record.json", buf, size, &r, &e)) {
		ES_FUZZ_ERR_OK(e, "record.json");
		free(buf);
		return 0;
	}
	es_verdict_check(&r);
	j1 = dump(&r, &l1);
	ES_FUZZ_ASSERT(es_read_json("again", j1, l1, &again, &e) == 0);
	es_verdict_check(&again);
	j2 = dump(&again, &l2);
	ES_FUZZ_ASSERT(l1 == l2 && !memcmp(j1, j2, l1));
	if (es_meta_is_record(&r.meta)) {
		ES_FUZZ_ASSERT(es_record_to_snap(&r, &s, &e) == 0);
		es_snap_free(&s);
	}
	explain(&r);
	free(j1);
	free(j2);
	es_record_free(&again);
	es_record_free(&r);
	free(buf);
	return 0;
}
