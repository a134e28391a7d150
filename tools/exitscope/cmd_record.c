// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope record: what the VMs' exits were over a span, as one record of
 * the results model (tools/lib/model/record.h): printed as the report's table,
 * as JSON (exitscope.record/1, which `exitscope report` renders and
 * compares), or as Prometheus text, also written atomically into a
 * node-exporter textfile directory.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "export/openmetrics.h"
#include "json/results_json.h"
#include "model/record.h"
#include "model/summary.h"
#include "model/verdict.h"
#include "util/num.h"
#include "util/outfile.h"
#include "write/writers.h"
#include "cmd.h"
#include "collect.h"

#define RECORD_OK	0
#define RECORD_FAILED	1	/* the figures are incomplete: the verdict says why */
#define RECORD_USAGE	2
#define RECORD_ERROR	3	/* no source, or it failed */

#define PROG "exitscope record"

void cmd_record_help(void)
{
	printf("usage: exitscope record [--duration S] [--pid P] [--json | --prometheus]\n"
	       "                        [--textfile-dir DIR] [--label L] [--detail] [--source S]\n"
	       "\n"
	       "Records the VM exits of every VM (or one) for S seconds (default 10; 0:\n"
	       "until Ctrl-C or SIGTERM, which also end a longer span early) and prints\n"
	       "them per reason: exits, and with the BPF collector the time from each exit\n"
	       "to the vCPU's next entry (mean, p50, p90, p99). The record is in the\n"
	       "results model: `exitscope report FILE` renders a --json record again\n"
	       "(table, Markdown, CSV, chart) and `exitscope report A B` compares two.\n"
	       "It says on stderr which source it reads, and `recording` once it does.\n"
	       "\n"
	       "  -d, --duration S   seconds to record (0: until a signal)\n"
	       "  -j, --json         the record as JSON (exitscope.record/1) on stdout\n"
	       "      --prometheus   Prometheus text on stdout\n"
	       "      --textfile-dir DIR  also write it into DIR/exitscope.prom, atomically\n"
	       "                     (node-exporter's textfile collector)\n"
	       "      --textfile-name NAME  instead of exitscope.prom\n"
	       "      --label L      the record's name in comparisons (default: record)\n"
	       PROM_PER_VCPU_HELP
	       PROM_DETAIL_TOP_HELP
	       PROM_PID_LABEL_HELP
	       COLLECT_HELP
	       "  -h, --help         this text\n"
	       "\n"
	       "Exit status: 0 recorded; 1 recorded, but incomplete (exits not counted or\n"
	       "not timed: the messages say why); 2 bad usage; 3 no source, or it failed.\n"
	       "\n"
	       "EXAMPLES\n"
	       "  exitscope record --duration 5\n"
	       "  exitscope record --pid 4242 --label before --json > before.json\n"
	       "  exitscope report before.json after.json\n"
	       "  exitscope record --duration 60 --textfile-dir /var/lib/prometheus/node-exporter\n");
}

struct out_ctx {
	const struct es_snap *snap;
	uint64_t span_ns;
	const struct es_prom_opts *prom;
};

/* The span's figures: gauges, each write replacing the last span's. */
static int w_prom(FILE *out, const void *ctx)
{
	const struct out_ctx *c = ctx;

	return es_write_prometheus_span(out, c->snap, c->span_ns, c->prom, collect_comm, NULL);
}

/* The span: until @ns passed (0: forever) or a signal came. */
static void wait_span(uint64_t ns)
{
	uint64_t end = es_now_ns() + ns;

	while (!collect_stop && (!ns || es_now_ns() < end)) {
		uint64_t left = ns ? end - es_now_ns() : 200000000u;

		collect_sleep_ms(left > 200000000u ? 200 : (unsigned int)(left / 1000000u) + 1);
	}
}

/* A file source replays its records: all of them, at once. */
static int read_all_records(struct es_source *src, struct es_snap *after, struct es_err *e)
{
	uint64_t prev = UINT64_MAX;

	do {
		prev = after->at_ns;
		if (es_source_read(src, after, e))
			return -1;
	} while (after->at_ns != prev);
	return 0;
}

static int record(const struct collect_args *a, const char *label, uint64_t span_ns,
		  int format, const char *textdir, const char *textname)
{
	struct es_snap before, after, d;
	struct es_record_info info;
	struct es_source src;
	struct es_summary s;
	struct es_record r;
	struct es_err e;
	struct out_ctx oc;
	bool file;
	size_t i;
	int status = RECORD_ERROR, rc;

	es_snap_init(&before);
	es_snap_init(&after);
	es_snap_init(&d);
	collect_signals();
	if (collect_open(PROG, a, &src))
		return RECORD_ERROR;
	file = !strcmp(src.kind, "file");
	if (!file && es_source_read(&src, &before, &e))
		goto fail;
	if (!file) {
		if (span_ns)
			fprintf(stderr, PROG ": recording for %.3f s (Ctrl-C ends it early)\n",
				(double)span_ns / 1e9);
		else
			fprintf(stderr, PROG ": recording until Ctrl-C or SIGTERM\n");
		wait_span(span_ns);
	}
	rc = file ? read_all_records(&src, &after, &e) : es_source_read(&src, &after, &e);
	if (rc)
		goto fail;
	/* The figures are read: a tracefs trigger can go now, before any output. */
	es_source_close(&src);
	if (es_snap_diff(&before, &after, &d)) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	if (!d.vendor_known)
		d.vendor = es_host_vendor();
	info.label = label;
	/* A replay keeps the kernel its records came from. */
	info.host_kernel = file ? after.host_kernel : collect_kernel();
	info.duration_ns = file ? after.at_ns : after.at_ns - before.at_ns;
	/* A live host's VMs by their names; a replay's come with its records. */
	if (!file && collect_name_vms(&d, a)) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	if (es_record_from_snap(&d, &info, &r, &e)) {
		fprintf(stderr, PROG ": %s\n", e.msg);
		goto out;
	}
	for (i = 0; i < r.nruns; i++)
		if (!r.runs[i].comm[0])
			snprintf(r.runs[i].comm, sizeof(r.runs[i].comm), "%s",
				 collect_comm(r.runs[i].pid, NULL));
	es_verdict_check(&r);
	status = es_verdict_ok(&r.verdict) ? RECORD_OK : RECORD_FAILED;
	oc.snap = &d;
	oc.span_ns = info.duration_ns;
	oc.prom = &a->prom;
	if (textdir && es_write_file(textdir, textname, w_prom, &oc, &e)) {
		fprintf(stderr, PROG ": %s\n", e.msg);
		status = RECORD_ERROR;
	} else if (textdir) {
		fprintf(stderr, PROG ": wrote %s/%s\n", textdir, textname);
	}
	if (format == 'j') {
		rc = es_write_json(stdout, &r);
	} else if (format == 'P') {
		rc = w_prom(stdout, &oc);
	} else if ((rc = es_summary_build(&r, &s)) == 0) {
		rc = es_write_table(stdout, &r, &s);
		es_summary_free(&s);
	}
	if (rc || fflush(stdout)) {
		fprintf(stderr, PROG ": cannot write the output\n");
		status = RECORD_ERROR;
	}
	for (i = 0; format && i < r.verdict.n; i++)
		fprintf(stderr, PROG ": INCOMPLETE: %s\n", r.verdict.why[i]);
	es_record_free(&r);
	goto out;
fail:
	fprintf(stderr, PROG ": %s\n", e.msg);
	es_source_close(&src);
out:
	es_snap_free(&before);
	es_snap_free(&after);
	es_snap_free(&d);
	return status;
}

int cmd_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'P' },
		{ "textfile-dir", required_argument, NULL, 0x200 },
		{ "textfile-name", required_argument, NULL, 0x201 },
		{ "label", required_argument, NULL, 0x202 },
		PROM_DETAIL_TOP_OPTION,
		PROM_PER_VCPU_OPTION,
		PROM_PID_LABEL_OPTION,
		{ "help", no_argument, NULL, 'h' },
		COLLECT_OPTIONS,
		{ 0 }
	};
	const char *label = "record", *textdir = NULL, *textname = "exitscope.prom";
	struct collect_args a;
	uint64_t secs = 10;
	int c, r, format = 0;
	size_t n;

	collect_args_init(&a);
	while ((c = getopt_long(argc, argv, "d:jp:hv", opts, NULL)) != -1) {
		r = collect_arg(PROG, c, optarg, &a);
		if (r < 0)
			return RECORD_USAGE;
		if (r)
			continue;
		switch (c) {
		case 'd':
			if (es_num_arg(PROG, "--duration", optarg, 0, 86400 * 365, &secs))
				return RECORD_USAGE;
			break;
		case 'j':
		case 'P':
			if (format && format != c) {
				fprintf(stderr, PROG ": --json or --prometheus, not both\n");
				return RECORD_USAGE;
			}
			format = c;
			break;
		case 0x200: textdir = optarg; break;
		case 0x201: textname = optarg; break;
		case 0x202: label = optarg; break;
		case 0x104: a.prom.per_vcpu = true; break;
		case 0x107: a.prom.pid_label = true; break;
		case 'h': cmd_record_help(); return RECORD_OK;
		default:
			fprintf(stderr, PROG ": see --help\n");
			return RECORD_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, PROG ": unexpected argument '%s' (see --help)\n", argv[optind]);
		return RECORD_USAGE;
	}
	if (!es_label_ok(label)) {
		fprintf(stderr, PROG ": invalid --label: '%s' (1 to 15 of a-z, 0-9, _ and -)\n", label);
		return RECORD_USAGE;
	}
	n = strlen(textname);
	if (strchr(textname, '/') || textname[0] == '.' || n < 6 || strcmp(textname + n - 5, ".prom")) {
		fprintf(stderr, PROG ": invalid --textfile-name: '%s' (a file name ending in .prom)\n",
			textname);
		return RECORD_USAGE;
	}
	return record(&a, label, secs * 1000000000u, format, textdir, textname);
}
