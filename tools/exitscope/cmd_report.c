// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope report: check a lab results directory and write its results
 * files, or re-render a results.json. The work is in tools/lib: loading
 * (labdir.c, results_json.c), the checks (verdict.c), one summary row per
 * reason (summary.c), and one writer per output (writers.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json/results_json.h"
#include "model/record.h"
#include "model/summary.h"
#include "model/verdict.h"
#include "parse/labdir.h"
#include "parse/parse.h"
#include "util/outfile.h"
#include "write/writers.h"
#include "cmd.h"

/* Exit statuses. */
#define REPORT_OK	0
#define REPORT_FAILED	1	/* the figures failed their checks */
#define REPORT_USAGE	2
#define REPORT_BAD_INPUT 3	/* missing, unreadable or corrupt input: nothing written */

static const char *const outputs[] = {
	"results.json", "results.csv", "report.md", "chart.png", "chart.svg", "chart.dat",
};

void cmd_report_help(void)
{
	printf("usage: exitscope report [--json] [--out DIR] [--no-chart] SOURCE\n"
	       "       exitscope report [--out DIR] [--no-chart] RECORD-A RECORD-B\n"
	       "\n"
	       "SOURCE is a lab results directory (what `make lab` wrote: metadata.txt,\n"
	       "and per paging mode and run stats-, hist-, status-, l2- and kvmstat-\n"
	       "files), or a results.json written by an earlier report.\n"
	       "\n"
	       "A directory is checked: every count against the kvm_exit tracepoint's and\n"
	       "KVM's own exits statistic, rows against totals, each mode's paging against\n"
	       "the module parameter, every L2 run's exit status. Then results.json,\n"
	       "results.csv, report.md, chart.png and chart.svg are written into it (or\n"
	       "into --out DIR), the verdict included, and the table printed. A\n"
	       "results.json is re-rendered: the table, or the files with --out. So is\n"
	       "a record of `exitscope record --json` (its checks: the rows add up, the\n"
	       "collector lost nothing). Two records are compared: the exits per reason of\n"
	       "each (all VMs summed), their ratio, and the cost per exit of each; they\n"
	       "must span the same time (within 2%%: record both with one --duration).\n"
	       "\n"
	       "  -j, --json       print results.json instead of the table\n"
	       "  -o, --out DIR    write the results files there (made if missing)\n"
	       "      --no-chart   no chart (it needs gnuplot; without it: a warning)\n"
	       "  -h, --help       this text\n"
	       "\n"
	       "Exit status: 0 every check passed; 1 a check failed (the files say which);\n"
	       "2 bad usage; 3 the input is missing, unreadable or corrupt (nothing is\n"
	       "written, and results files an earlier report left in the directory are\n"
	       "removed, so that none claims what the input no longer shows).\n"
	       "\n"
	       "EXAMPLES\n"
	       "  exitscope report results\n"
	       "  exitscope report --out /tmp/again results/results.json\n"
	       "  exitscope report before.json after.json\n");
}

struct doc {
	const struct es_record *r;
	const struct es_summary *s;
	const char *chart;
};

static int w_json(FILE *out, const void *ctx)
{
	return es_write_json(out, ((const struct doc *)ctx)->r);
}

static int w_csv(FILE *out, const void *ctx)
{
	return es_write_csv(out, ((const struct doc *)ctx)->r);
}

static int w_md(FILE *out, const void *ctx)
{
	const struct doc *d = ctx;

	return es_write_markdown(out, d->r, d->s, d->chart);
}

static void remove_outputs(const char *dir)
{
	char path[4096];
	size_t i;

	for (i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++)
		if (snprintf(path, sizeof(path), "%s/%s", dir, outputs[i]) < (int)sizeof(path) &&
		    !unlink(path))
			fprintf(stderr, "exitscope report: removed %s (from an earlier report)\n", path);
}

/* --out DIR and its parents, as `mkdir -p` makes them (0755 under the umask). */
static int make_dir(const char *dir)
{
	char path[4096], *p, c;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
		fprintf(stderr, "exitscope report: --out %s: path too long\n", dir);
		return -1;
	}
	for (p = path + 1; ; p++) {
		if (*p && *p != '/')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			fprintf(stderr, "exitscope report: --out: %s: %s\n", path, strerror(errno));
			return -1;
		}
		*p = c;
		if (!c)
			return 0;
	}
}

static int write_outputs(const char *dir, const struct es_record *r,
			 const struct es_summary *s, bool chart)
{
	struct doc d = { r, s, NULL };
	struct es_err e;

	if (make_dir(dir))
		return -1;
	if (chart) {
		if (es_write_chart(dir, r, s, &e))
			fprintf(stderr, "exitscope report: warning: %s\n", e.msg);
		else
			d.chart = "chart.svg";
	}
	/* Two records compared are no one record: no results.json of them. */
	if ((r->meta.nmodes != 2 || !es_meta_is_record(&r->meta)) &&
	    es_write_file(dir, "results.json", w_json, &d, &e)) {
		fprintf(stderr, "exitscope report: %s\n", e.msg);
		return -1;
	}
	if (es_write_file(dir, "results.csv", w_csv, &d, &e) ||
	    es_write_file(dir, "report.md", w_md, &d, &e)) {
		fprintf(stderr, "exitscope report: %s\n", e.msg);
		return -1;
	}
	return 0;
}

/* SOURCE into @r: a directory is loaded and checked, a file read back. */
static int load(const char *src, bool *is_dir, struct es_record *r)
{
	struct es_err e;

	if (es_figures_load(src, is_dir, r, &e)) {
		fprintf(stderr, "exitscope report: %s\n", e.msg);
		return -1;
	}
	return 0;
}

/* Two records of `exitscope record --json` side by side into @r. */
static int compare(const char *a, const char *b, struct es_record *r)
{
	struct es_record ra, rb;
	struct es_err e;
	bool dir;
	int rc;

	if (load(a, &dir, &ra))
		return -1;
	if (load(b, &dir, &rb)) {
		es_record_free(&ra);
		return -1;
	}
	rc = es_record_compare(&ra, &rb, r, &e);
	if (rc)
		fprintf(stderr, "exitscope report: %s\n", e.msg);
	es_record_free(&ra);
	es_record_free(&rb);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "out", required_argument, NULL, 'o' },
		{ "no-chart", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *src = NULL, *out = NULL;
	bool json = false, chart = true, is_dir;
	struct es_summary s;
	struct es_record r;
	size_t i;
	int c, status;

	while ((c = getopt_long(argc, argv, "jo:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'o': out = optarg; break;
		case 'C': chart = false; break;
		case 'h': cmd_report_help(); return REPORT_OK;
		default:
			fprintf(stderr, "exitscope report: see --help (the directory's metadata.txt says what ran: no --cpu, --runs, --workload)\n");
			return REPORT_USAGE;
		}
	}
	if (optind + 1 != argc && optind + 2 != argc) {
		fprintf(stderr, "exitscope report: %s (see --help)\n",
			optind == argc ? "give a results directory or a results.json" :
			"one results directory or results.json, or two records");
		return REPORT_USAGE;
	}
	if (optind + 2 == argc) {
		if (json) {
			fprintf(stderr, "exitscope report: two records compare as a table or files (--out), not as JSON\n");
			return REPORT_USAGE;
		}
		if (compare(argv[optind], argv[optind + 1], &r))
			return REPORT_BAD_INPUT;
		is_dir = false;
	} else if (load(src = argv[optind], &is_dir, &r)) {
		if (is_dir && !out) {
			char meta[4096];

			/* Only in what is a results directory: never elsewhere. */
			snprintf(meta, sizeof(meta), "%s/%s", src, ES_META_FILE);
			if (!access(meta, F_OK))
				remove_outputs(src);
		}
		return REPORT_BAD_INPUT;
	}
	if (!out && is_dir)
		out = src;
	if (es_summary_build(&r, &s)) {
		fprintf(stderr, "exitscope report: out of memory\n");
		es_record_free(&r);
		return REPORT_BAD_INPUT;
	}
	status = es_verdict_ok(&r.verdict) ? REPORT_OK : REPORT_FAILED;
	if (out && write_outputs(out, &r, &s, chart))
		status = REPORT_BAD_INPUT;
	if (json ? es_write_json(stdout, &r) : es_write_table(stdout, &r, &s)) {
		fprintf(stderr, "exitscope report: cannot print the %s\n", json ? "JSON" : "table");
		status = REPORT_BAD_INPUT;
	}
	fflush(stdout);
	if (status == REPORT_FAILED) {
		for (i = 0; json && i < r.verdict.n; i++)
			fprintf(stderr, "exitscope report: FAILED: %s\n", r.verdict.why[i]);
		fprintf(stderr, "exitscope report: %zu check(s) failed%s%s%s\n", r.verdict.n,
			json ? "" : " (listed above)", out ? "; files in " : "", out ? out : "");
	} else if (status == REPORT_OK) {
		fprintf(stderr, "exitscope report: all %zu %s passed: %s%s%s\n", r.nruns,
			es_meta_is_record(&r.meta) ? "VMs" : "runs",
			es_checks_passed(&r), out ? "; files in " : "", out ? out : "");
	}
	es_summary_free(&s);
	es_record_free(&r);
	return status;
}
