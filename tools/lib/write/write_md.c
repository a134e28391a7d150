// SPDX-License-Identifier: GPL-2.0-only
/* report.md: what ran, the verdict, the table with why, the spread. */
#include <inttypes.h>
#include <string.h>

#include "model/verdict.h"
#include "write/writers.h"

/* Inline code that cannot be closed early: fenced with more backticks. */
static void code_span(FILE *out, const char *s)
{
	const char *p;
	int run = 0, most = 0, i;

	if (!*s) {
		fputs("unknown", out);
		return;
	}
	for (p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > most)
			most = run;
	}
	for (i = 0; i <= most; i++)
		fputc('`', out);
	fprintf(out, " %s ", s);
	for (i = 0; i <= most; i++)
		fputc('`', out);
}

static void header(FILE *out, const struct es_record *r, const struct es_summary *s)
{
	const struct es_meta *m = &r->meta;
	size_t i;

	fprintf(out, "# exitscope %s: %s (%s), workload ", m->source[0] ? m->source : "results",
		es_cpu_name(m->vendor), es_isa_name(m->vendor));
	es_md_cell(out, m->workload[0] ? m->workload : "unknown");
	fprintf(out, ", linux-source ");
	es_md_cell(out, m->kver[0] ? m->kver : "unknown");
	fprintf(out, "\n\n");
	if (es_verdict_ok(&r->verdict)) {
		fprintf(out, "All checks passed: %s.\n\n", es_checks_passed(r));
	} else {
		fprintf(out, "**FAILED: %zu check(s) failed; these figures cannot be trusted.**\n\n",
			r->verdict.n);
		for (i = 0; i < r->verdict.n; i++) {
			fprintf(out, "- ");
			es_md_cell(out, r->verdict.why[i]);
			fputc('\n', out);
		}
		fputc('\n', out);
	}
	fprintf(out, "Exits per reason of the L2 guest, median of");
	for (i = 0; i < s->ncols; i++)
		fprintf(out, "%s %u %s run(s)", i ? (i + 1 == s->ncols ? " and" : ",") : "",
			s->runs[i], s->col[i]);
	fprintf(out, ". Cycles: host TSC cycles %s.\n\n",
		s->times ? "KVM spent handling the exits; the time away from the guest after them is in its own table" :
		"from each exit to the next entry of that vCPU (time halted and in the VMM included)");
	fprintf(out, "L1 kernel: ");
	code_span(out, m->l1_kernel);
	fprintf(out, ". L2 command line: ");
	code_span(out, m->l2_cmdline);
	fprintf(out, ". Runs per mode: %u, rounds: %u, L2 vCPUs: %u.", m->runs, m->rounds,
		m->l2_cpus);
	for (i = 0; i < m->nmodes; i++)
		fprintf(out, " %s: %s=%s.", m->modes[i].name, m->knob, m->modes[i].param);
	if (m->l1_extra)
		fprintf(out, " The --l1-extra script in L1 exited with status %u (l1-extra.log).",
			m->l1_extra_status);
	fprintf(out, "\n\n");
}

int es_write_markdown(FILE *out, const struct es_record *r, const struct es_summary *s,
		      const char *chart)
{
	char code[ES_CODE_STR_LEN], ratio[24], why[320];
	struct es_whys w;
	size_t i, c, k;

	if (s->record)
		return es_write_record_markdown(out, r, s, chart);
	if (es_whys_init(&w, r))
		return -1;
	header(out, r, s);
	fprintf(out, "| reason | name |");
	for (c = 0; c < s->ncols; c++)
		fprintf(out, " %s |", s->col[c]);
	if (s->ncols == 2)
		fprintf(out, " ratio |");
	for (c = 0; c < s->ncols; c++)
		fprintf(out, " %s cycles |", s->col[c]);
	fprintf(out, "%s\n|---|---|", s->ncols == 2 ? " why |" : "");
	for (c = 0; c < 2 * s->ncols + (s->ncols == 2); c++)
		fprintf(out, "---:|");
	fprintf(out, "%s\n", s->ncols == 2 ? "---|" : "");
	for (i = 0; i < s->n; i++) {
		const struct es_sum_row *row = &s->rows[i];

		fprintf(out, "| %s | ", es_code_str(code, s->vendor, row->code));
		es_md_cell(out, row->name);
		fprintf(out, " |");
		for (c = 0; c < s->ncols; c++)
			fprintf(out, " %" PRIu64 " |", row->c[c].median);
		if (s->ncols == 2)
			fprintf(out, " %s |", es_ratio_str(ratio, sizeof(ratio), row->c[0].median,
							   row->c[1].median));
		for (c = 0; c < s->ncols; c++)
			fprintf(out, " %" PRIu64 " |", row->c[c].t[ES_CYCLES]);
		if (s->ncols == 2) {
			fputc(' ', out);
			if (row->strong)
				es_md_cell(out, es_why(&w, row->name, why, sizeof(why)));
			fputs(" |", out);
		}
		fputc('\n', out);
	}
	es_whys_free(&w);
	if (s->times) {
		fprintf(out, "\nTime away from the guest after the exits of each reason (median host TSC cycles): halted in HLT, back in the VMM, preempted, sleeping in the host.\n\n| reason | name |");
		for (c = 0; c < s->ncols; c++)
			for (k = ES_HALTED; k < ES_NR_TIMES; k++)
				fprintf(out, " %s %s |", s->col[c], es_time_names[k]);
		fprintf(out, "\n|---|---|");
		for (c = 0; c < s->ncols * (ES_NR_TIMES - 1); c++)
			fprintf(out, "---:|");
		fputc('\n', out);
		for (i = 0; i < s->n; i++) {
			fprintf(out, "| %s | ", es_code_str(code, s->vendor, s->rows[i].code));
			es_md_cell(out, s->rows[i].name);
			fprintf(out, " |");
			for (c = 0; c < s->ncols; c++)
				for (k = ES_HALTED; k < ES_NR_TIMES; k++)
					fprintf(out, " %" PRIu64 " |", s->rows[i].c[c].t[k]);
			fputc('\n', out);
		}
	}
	if (es_write_findings_md(out, r))
		return -1;
	for (c = 0; c < s->ncols && s->runs[c] <= 1; c++)
		;
	if (c < s->ncols) {
		fprintf(out, "\nSpread over runs (min / median / max):\n\n| reason |");
		for (c = 0; c < s->ncols; c++)
			fprintf(out, " %s |", s->col[c]);
		fprintf(out, "\n|---|");
		for (c = 0; c < s->ncols; c++)
			fprintf(out, "---|");
		fputc('\n', out);
		for (i = 0; i < s->n; i++) {
			fprintf(out, "| %s |", es_code_str(code, s->vendor, s->rows[i].code));
			for (c = 0; c < s->ncols; c++)
				fprintf(out, " %" PRIu64 " / %" PRIu64 " / %" PRIu64 " |",
					s->rows[i].c[c].min, s->rows[i].c[c].median,
					s->rows[i].c[c].max);
			fputc('\n', out);
		}
	}
	if (chart)
		fprintf(out, "\n![exits per reason](%s)\n", chart);
	return ferror(out) ? -1 : 0;
}
