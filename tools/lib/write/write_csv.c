// SPDX-License-Identifier: GPL-2.0-only
/*
 * results.csv (RFC 4180 quoting, LF line ends): one line per run and reason. Figures a run has
 * no source for are empty fields, not zeros.
 */
#include <inttypes.h>

#include "write/writers.h"

static void opt(FILE *out, bool have, uint64_t v)
{
	if (have)
		fprintf(out, ",%" PRIu64, v);
	else
		fputc(',', out);
}

int es_write_csv(FILE *out, const struct es_record *r)
{
	char code[ES_CODE_STR_LEN];
	size_t i, j, k;

	if (es_meta_is_record(&r->meta))
		return es_write_record_csv(out, r);
	fprintf(out, "paging,run,reason,name,count");
	for (k = 0; k < ES_NR_TIMES; k++)
		fprintf(out, ",%s", es_time_names[k]);
	fprintf(out, ",tracepoint_count,query_count,collector_count\n");
	for (i = 0; i < r->nruns; i++) {
		const struct es_run *run = &r->runs[i];

		for (j = 0; j < run->nrows; j++) {
			const struct es_row *row = &run->rows[j];

			fprintf(out, "%s,%u,%s,", run->mode, run->index,
				es_code_str(code, r->meta.vendor, row->code));
			es_csv_field(out, row->name);
			fprintf(out, ",%" PRIu64 ",%" PRIu64, row->f.count, row->f.t[ES_CYCLES]);
			for (k = ES_HALTED; k < ES_NR_TIMES; k++)
				opt(out, run->sources & ES_SRC_TIMES, row->f.t[k]);
			opt(out, run->sources & ES_SRC_TRACEPOINT, row->tracepoint_count);
			opt(out, run->sources & ES_SRC_QUERY, row->query_count);
			opt(out, run->sources & ES_SRC_COLLECTOR, row->collector_count);
			fprintf(out, "\n");
		}
	}
	return ferror(out) ? -1 : 0;
}
