// SPDX-License-Identifier: GPL-2.0-only
/*
 * The terminal table and report.md of records (`exitscope record`, and
 * `report A B` of two): per reason the exits of each record (summed over
 * its VMs), the ratio of two, and what each exit cost: the mean and the
 * p50/p90/p99 of exit -> entry time from the merged histograms (BPF), or
 * cycles per exit (the module).
 */
#include <inttypes.h>
#include <string.h>

#include "model/verdict.h"
#include "write/writers.h"

static const char *pct(char buf[16], const struct es_cell *c, double p)
{
	uint64_t v;

	if (!es_hist_percentile(c->hist, p, &v))
		return "-";
	return es_ns_str(buf, v);
}

static const char *mean(char buf[16], const struct es_cell *c)
{
	uint64_t n;

	if (!es_hist_total(c->hist, &n) || !n)
		return "-";
	return es_ns_str(buf, c->ns / n);
}

static size_t vms_of(const struct es_record *r, const char *label)
{
	size_t i, n = 0;

	for (i = 0; i < r->nruns; i++)
		n += !strcmp(r->runs[i].mode, label);
	return n;
}

/* One row's cells: counts, ratio, then per column the cost figures. */
static void row_cells(FILE *out, const struct es_summary *s, const struct es_sum_row *row,
		      bool md)
{
	char a[16], b[16], c[16], d[16], ratio[24];
	size_t k;

	for (k = 0; k < s->ncols; k++)
		fprintf(out, md ? " %" PRIu64 " |" : " %12" PRIu64, row->c[k].median);
	if (s->ncols == 2)
		fprintf(out, md ? " %s |" : " %9s", es_ratio_str(ratio, sizeof(ratio),
			row->c[0].median, row->c[1].median));
	for (k = 0; k < s->ncols; k++) {
		const struct es_cell *cl = &row->c[k];

		if (s->ns)
			fprintf(out, md ? " %s | %s | %s | %s |" : " %9s %9s %9s %9s", mean(a, cl),
				pct(b, cl, 50), pct(c, cl, 90), pct(d, cl, 99));
		if (s->cycles)
			fprintf(out, md ? " %" PRIu64 " |" : " %13" PRIu64,
				cl->median ? cl->t[ES_CYCLES] / cl->median : 0);
	}
}

static void heads(FILE *out, const struct es_summary *s, bool md)
{
	static const char *const t[] = { "mean", "p50", "p90", "p99" };
	char h[ES_LABEL_MAX + 16];
	size_t k, i;

	/* One record: "exits"; several: "LABEL exits" in Markdown, "LABEL" in text. */
	for (k = 0; k < s->ncols; k++)
		if (s->ncols > 1)
			fprintf(out, md ? " %s exits |" : " %12s", s->col[k]);
		else
			fprintf(out, md ? " exits |" : " %12s", "exits");
	if (s->ncols == 2)
		fprintf(out, md ? " ratio |" : " %9s", "ratio");
	for (k = 0; k < s->ncols; k++) {
		for (i = 0; s->ns && i < 4; i++) {
			snprintf(h, sizeof(h), "%s%s%s", s->ncols > 1 ? s->col[k] : "",
				 s->ncols > 1 ? " " : "", t[i]);
			fprintf(out, md ? " %s |" : " %9s", h);
		}
		if (s->cycles) {
			snprintf(h, sizeof(h), "%s%scycles/exit", s->ncols > 1 ? s->col[k] : "",
				 s->ncols > 1 ? " " : "");
			fprintf(out, md ? " %s |" : " %13s", h);
		}
	}
}

static size_t ncells(const struct es_summary *s)
{
	return s->ncols + (s->ncols == 2) + s->ncols * (4 * s->ns + s->cycles);
}

static void intro(FILE *out, const struct es_record *r, const struct es_summary *s, bool md)
{
	char d[16];
	size_t k;

	fprintf(out, "%sexitscope record: %s, %s (%s), host kernel %s\n%s", md ? "# " : "",
		r->meta.source, es_cpu_name(r->meta.vendor), es_isa_name(r->meta.vendor),
		r->meta.host_kernel[0] ? r->meta.host_kernel : "unknown", md ? "\n" : "");
	for (k = 0; k < s->ncols; k++)
		fprintf(out, "%s%s: %zu VM(s)", k ? "; " : "", s->col[k], vms_of(r, s->col[k]));
	fprintf(out, "%s%s recorded%s. Exits per reason, all VMs summed", s->ncols ? ", " : "no VM exited; ",
		es_ns_str(d, r->meta.duration_ns), s->ncols > 1 ? " (the first record's span)" : "");
	if (s->ns)
		fprintf(out, "; time from each exit to the vCPU's next entry (mean, and percentiles from log2 buckets: within a factor of 2)");
	if (s->cycles)
		fprintf(out, "; host TSC cycles KVM spent per exit");
	fprintf(out, ".\n\n");
}

int es_write_record_table(FILE *out, const struct es_record *r, const struct es_summary *s)
{
	char code[ES_CODE_STR_LEN];
	size_t i;

	intro(out, r, s, false);
	fprintf(out, "%10s  %-22s", "reason", "name");
	heads(out, s, false);
	fputc('\n', out);
	for (i = 0; i < s->n; i++) {
		fprintf(out, "%10s  %-22.22s", es_code_str(code, s->vendor, s->rows[i].code),
			s->rows[i].name);
		row_cells(out, s, &s->rows[i], false);
		fprintf(out, "%s\n", s->rows[i].strong ? "  *" : "");
	}
	if (!s->n)
		fprintf(out, "(no VM exited)\n");
	for (i = 0; i < s->n && !s->rows[i].strong; i++)
		;
	if (i < s->n)
		fprintf(out, "\n* strongly changed: at least 4x, and 100 or more exits in one record\n");
	if ((r->meta.sources & ES_SRC_DETAIL) && s->ncols == 1 && es_write_detail(out, r, ES_DETAIL_TOP, false))
		return -1;
	if (!es_verdict_ok(&r->verdict)) {
		fprintf(out, "\nFAILED: %zu check(s) failed; these figures cannot be trusted:\n",
			r->verdict.n);
		for (i = 0; i < r->verdict.n; i++)
			fprintf(out, "  - %s\n", r->verdict.why[i]);
	}
	return ferror(out) ? -1 : 0;
}

int es_write_record_markdown(FILE *out, const struct es_record *r, const struct es_summary *s,
			     const char *chart)
{
	char code[ES_CODE_STR_LEN];
	size_t i;

	intro(out, r, s, true);
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
	fprintf(out, "| reason | name |");
	heads(out, s, true);
	fprintf(out, "\n|---|---|");
	for (i = 0; i < ncells(s); i++)
		fprintf(out, "---:|");
	fputc('\n', out);
	for (i = 0; i < s->n; i++) {
		fprintf(out, "| %s | ", es_code_str(code, s->vendor, s->rows[i].code));
		es_md_cell(out, s->rows[i].name);
		fprintf(out, " |");
		row_cells(out, s, &s->rows[i], true);
		fputc('\n', out);
	}
	if ((r->meta.sources & ES_SRC_DETAIL) && s->ncols == 1 && es_write_detail(out, r, ES_DETAIL_TOP, true))
		return -1;
	if (es_write_findings_md(out, r))
		return -1;
	fprintf(out, "\nVMs:\n\n| record | pid | VMM | vCPUs | exits |\n|---|---:|---|---:|---:|\n");
	for (i = 0; i < r->nruns; i++) {
		fprintf(out, "| %s | %u | ", r->runs[i].mode, r->runs[i].pid);
		es_md_cell(out, r->runs[i].comm[0] ? r->runs[i].comm : "?");
		fprintf(out, " | %zu | %" PRIu64 " |\n", r->runs[i].nvcpus, r->runs[i].total.count);
	}
	if (chart)
		fprintf(out, "\n![exits per reason](%s)\n", chart);
	return ferror(out) ? -1 : 0;
}

static void csv_rows(FILE *out, const struct es_record *r, const struct es_run *vm,
		     const struct es_run *run, bool vcpu)
{
	char code[ES_CODE_STR_LEN];
	size_t j, k;

	for (j = 0; j < run->nrows; j++) {
		const struct es_row *row = &run->rows[j];
		uint64_t p;

		fprintf(out, "%s,%u,", vm->mode, vm->pid);
		es_csv_field(out, vm->comm);
		fputc(',', out);
		if (vcpu)
			fprintf(out, "%u", run->index);
		fprintf(out, ",%s,", es_code_str(code, r->meta.vendor, row->code));
		es_csv_field(out, row->name);
		fprintf(out, ",%" PRIu64 ",", row->f.count);
		if (run->sources & ES_SRC_STATS)
			fprintf(out, "%" PRIu64, row->f.t[ES_CYCLES]);
		fputc(',', out);
		if (run->sources & ES_SRC_NS)
			fprintf(out, "%" PRIu64, row->f.ns);
		for (k = 0; k < 3; k++) {
			static const double ps[] = { 50, 90, 99 };

			fputc(',', out);
			if ((run->sources & ES_SRC_NS) && es_hist_percentile(row->hist, ps[k], &p))
				fprintf(out, "%" PRIu64, p);
		}
		fputc('\n', out);
	}
}

int es_write_record_csv(FILE *out, const struct es_record *r)
{
	size_t i, v;

	fprintf(out, "record,pid,comm,vcpu,reason,name,count,cycles,time_ns,p50_ns,p90_ns,p99_ns\n");
	for (i = 0; i < r->nruns; i++) {
		csv_rows(out, r, &r->runs[i], &r->runs[i], false);
		for (v = 0; v < r->runs[i].nvcpus; v++)
			csv_rows(out, r, &r->runs[i], &r->runs[i].vcpus[v], true);
	}
	return ferror(out) ? -1 : 0;
}
