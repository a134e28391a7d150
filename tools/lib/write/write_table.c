// SPDX-License-Identifier: GPL-2.0-only
/* The terminal table: medians per column, the ratio, cycles, and why. */
#include <inttypes.h>

#include "write/writers.h"

int es_write_table(FILE *out, const struct es_record *r, const struct es_summary *s)
{
	char code[ES_CODE_STR_LEN], ratio[24], head[ES_LABEL_MAX + 8];
	size_t i, c;
	bool any = false;

	if (s->record)
		return es_write_record_table(out, r, s);
	fprintf(out, "%10s  %-22s", "reason", "name");
	for (c = 0; c < s->ncols; c++)
		fprintf(out, " %12s", s->col[c]);
	if (s->ncols == 2)
		fprintf(out, " %9s", "ratio");
	for (c = 0; c < s->ncols; c++) {
		snprintf(head, sizeof(head), "%s cycles", s->col[c]);
		fprintf(out, " %17s", c ? head : "cycles");
	}
	fputc('\n', out);
	for (i = 0; i < s->n; i++) {
		const struct es_sum_row *row = &s->rows[i];

		fprintf(out, "%10s  %-22.22s", es_code_str(code, s->vendor, row->code), row->name);
		for (c = 0; c < s->ncols; c++)
			fprintf(out, " %12" PRIu64, row->c[c].median);
		if (s->ncols == 2)
			fprintf(out, " %9s", es_ratio_str(ratio, sizeof(ratio), row->c[0].median,
							  row->c[1].median));
		for (c = 0; c < s->ncols; c++)
			fprintf(out, " %17" PRIu64, row->c[c].t[ES_CYCLES]);
		fprintf(out, "%s\n", row->strong ? "  *" : "");
		any |= row->strong;
	}
	if (any) {
		struct es_whys w;
		char why[320];

		if (es_whys_init(&w, r))
			return -1;
		fprintf(out, "\n* strongly changed (at least 4x, and 100 or more exits in one mode), and why (exitscope explain):\n");
		for (i = 0; i < s->n; i++)
			if (s->rows[i].strong)
				fprintf(out, "%10s  %s: %s\n",
					es_code_str(code, s->vendor, s->rows[i].code), s->rows[i].name,
					es_why(&w, s->rows[i].name, why, sizeof(why)));
		es_whys_free(&w);
	}
	if (!es_verdict_ok(&r->verdict)) {
		fprintf(out, "\nFAILED: %zu check(s) failed; these figures cannot be trusted:\n",
			r->verdict.n);
		for (i = 0; i < r->verdict.n; i++)
			fprintf(out, "  - %s\n", r->verdict.why[i]);
	}
	return ferror(out) ? -1 : 0;
}
