// SPDX-License-Identifier: GPL-2.0-only
/*
 * results.json read back (es_read_json), then checked, summarized and
 * rendered like `exitscope report results.json` does. What is accepted is
 * written again and must read back.
 */
#include "json/results_json.h"
#include "model/summary.h"
#include "model/verdict.h"
#include "write/writers.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct es_record r, back;
	struct es_summary s;
	struct es_err e = { "" };
	char *buf = fuzz_copy(data, size), *out = NULL;
	size_t len = 0;
	FILE *f;

	if (es_read_json("results.json", buf, size, &r, &e)) {
		ES_FUZZ_ERR_OK(e, "results.json");
		free(buf);
		return 0;
	}
	es_verdict_check(&r);
	f = open_memstream(&out, &len);
	ES_FUZZ_ASSERT(f);
	if (!es_summary_build(&r, &s)) {
		es_write_table(f, &r, &s);
		es_write_markdown(f, &r, &s, NULL);
		es_summary_free(&s);
	}
	es_write_csv(f, &r);
	fclose(f);
	free(out);
	out = NULL;
	f = open_memstream(&out, &len);
	ES_FUZZ_ASSERT(f && !es_write_json(f, &r));
	fclose(f);
	if (es_read_json("again", out, len, &back, &e)) {
		fprintf(stderr, "re-written results.json does not read back: %s\n", e.msg);
		abort();
	}
	ES_FUZZ_ASSERT(back.nruns == r.nruns && back.verdict.n == r.verdict.n);
	es_record_free(&back);
	es_record_free(&r);
	free(out);
	free(buf);
	return 0;
}
