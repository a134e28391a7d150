// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope's debugfs file (es_parse_stats), and everything a run's rows
 * then go through: the checks, the summary and every writer, so that
 * hostile names and figures reach the outputs too.
 */
#include "json/results_json.h"
#include "model/summary.h"
#include "model/verdict.h"
#include "parse/parse.h"
#include "write/writers.h"
#include "fuzz.h"

static void render(const struct es_record *r)
{
	struct es_summary s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ES_FUZZ_ASSERT(f);
	if (!es_summary_build(r, &s)) {
		es_write_table(f, r, &s);
		es_write_markdown(f, r, &s, "chart.svg");
		es_summary_free(&s);
	}
	es_write_csv(f, r);
	/* Whatever the stats held, the JSON written reads back. */
	{
		char *js = NULL;
		size_t jlen = 0;
		FILE *jf = open_memstream(&js, &jlen);
		struct es_record back;
		struct es_err e;

		ES_FUZZ_ASSERT(jf);
		if (!es_write_json(jf, r)) {
			fclose(jf);
			if (es_read_json("results.json", js, jlen, &back, &e)) {
				fprintf(stderr, "written JSON does not read back: %s\n", e.msg);
				abort();
			}
			ES_FUZZ_ASSERT(back.nruns == r->nruns);
			es_record_free(&back);
		} else {
			fclose(jf);
		}
		free(js);
	}
	fclose(f);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size);
	struct es_record r;
	struct es_run *run;
	enum es_vendor v = ES_AMD;
	struct es_err e = { "" };

	es_record_init(&r);
	run = es_record_add_run(&r);
	ES_FUZZ_ASSERT(run);
	snprintf(run->mode, sizeof(run->mode), "npt");
	run->index = 1;
	run->vmm_status = 0;
	if (es_parse_stats("stats-npt-1.txt", buf, size, run, &v, &e)) {
		ES_FUZZ_ERR_OK(e, "stats-npt-1.txt");
	} else {
		ES_FUZZ_ASSERT(run->nrows <= ES_MAX_ROWS);
		r.meta.vendor = v;
		snprintf(r.meta.source, sizeof(r.meta.source), "lab");
		es_run_sort(run);
		es_verdict_check(&r);
		render(&r);
	}
	es_record_free(&r);
	free(buf);
	return 0;
}
