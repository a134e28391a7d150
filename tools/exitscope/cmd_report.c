// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope report: turn a lab results directory into the comparison the
 * seed made: exits per reason with nested paging and with shadow paging.
 * Every run's exitscope figures must equal the kvm_exit tracepoint's;
 * a mismatch fails the report. Writes results.json (docs/json.md),
 * results.csv, report.md and chart.png (gnuplot), prints a table.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/parse.h"
#include "../lib/query_print.h"
#include "../lib/results.h"
#include "cmd.h"

#define MAX_RUNS 20

struct run {
	struct es_table stats, hist, query;
	bool has_query;
	int status;
};

struct lab {
	const char *dir, *cpu, *workload, *kernel;
	enum es_vendor vendor;
	const char *mode[2];		/* "npt"/"ept", "shadow" */
	char l1_release[128];		/* L1's uname -r, "" if not sent */
	char l2_cmdline[1024];		/* L2's kernel command line, "" if not sent */
	int runs;
	struct run run[2][MAX_RUNS];
};

void cmd_report_help(void)
{
	printf("usage: exitscope report --dir DIR --cpu amd|intel [--runs N] [--workload W]\n"
	       "                        [--kernel VERSION] [--json]\n"
	       "\n"
	       "Check and summarize a lab results directory (written by `make lab`):\n"
	       "stats-MODE-RUN.txt (exitscope's debugfs file), hist-MODE-RUN.txt (the\n"
	       "kvm_exit tracepoint's hist), l2-MODE-RUN.log, status-MODE-RUN.txt, with\n"
	       "MODE npt/ept and shadow. Exits 1 if any count differs from the\n"
	       "tracepoint's, a file is missing or corrupt, or an L2 run failed.\n");
}

/* Why a reason's count moves between nested and shadow paging. */
static const struct { const char *name, *why; } notes[] = {
	{ "EXCEPTION_NMI", "#PF: KVM must intercept guest page faults to build its shadow page tables" },
	{ "PF excp", "#PF intercepts: KVM must see guest page faults to build its shadow page tables" },
	{ "CR_ACCESS", "CR3 writes (each process switch and, with PTI, each kernel entry and exit) switch shadow roots" },
	{ "write_cr3", "CR3 writes (each process switch and, with PTI, each kernel entry and exit) switch shadow roots" },
	{ "read_cr3", "CR3 reads must return the guest's value, not the shadow root" },
	{ "INVLPG", "single-page TLB flushes must drop the shadow entry too" },
	{ "invlpg", "single-page TLB flushes must drop the shadow entry too" },
	{ "INVPCID", "PCID-tagged flushes (PTI with PCID) must reach the shadow tables" },
	{ "invpcid", "PCID-tagged flushes (PTI with PCID) must reach the shadow tables" },
	{ "EPT_VIOLATION", "only with EPT: first touches of guest memory fault in the second-level tables" },
	{ "EPT_MISCONFIG", "only with EPT: MMIO is marked by misconfigured EPT entries" },
	{ "npf", "only with NPT: first touches of guest memory fault in the nested page tables" },
	/* Not paging itself: the same work takes longer under shadow paging. */
	{ "INTERRUPT_WINDOW", "a slower guest (shadow paging) spends more time per run, so more interrupts wait for a window" },
	{ "vintr", "a slower guest (shadow paging) spends more time per run, so more interrupts wait for a window" },
	{ "PREEMPTION_TIMER", "the guest's timer (emulated with the preemption timer) fires more often in a longer run" },
	{ "EXTERNAL_INTERRUPT", "a longer run takes more of the host's interrupts" },
	{ "interrupt", "a longer run takes more of the host's interrupts" },
	{ "HLT", "the guest idles (halts) a different amount when its work takes longer" },
	{ "hlt", "the guest idles (halts) a different amount when its work takes longer" },
};

static const char *note_for(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		if (!strcmp(notes[i].name, name))
			return notes[i].why;
	return "changed with the paging mode; no note on this reason yet";
}

static int load(const char *dir, const char *kind, const char *mode, int run,
		const char *ext, FILE **f)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s-%s-%d.%s", dir, kind, mode, run, ext);
	*f = fopen(path, "r");
	if (!*f) {
		fprintf(stderr, "exitscope report: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * One line of text L1 sent about the run (l1-release.txt, l2-cmdline.txt);
 * absent in results of older labs: "". A file of several lines is corrupt.
 */
static int load_line(const char *dir, const char *name, char *buf, size_t len)
{
	char path[4096];
	size_t n;
	FILE *f;
	int c;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : -1;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	/* Whatever follows one line, or the part of a line too long, is junk. */
	c = fgetc(f);
	fclose(f);
	n = strcspn(buf, "\n");
	buf[n] = '\0';
	if (c != EOF) {
		fprintf(stderr, "exitscope report: %s: not one line of at most %zu bytes\n",
			path, len - 1);
		return -1;
	}
	return 0;
}

static int load_run(struct lab *lab, int m, int r)
{
	struct run *run = &lab->run[m][r];
	const char *mode = lab->mode[m];
	char err[256];
	FILE *f;
	int rc;

	if (load(lab->dir, "status", mode, r + 1, "txt", &f))
		return -1;
	rc = fscanf(f, "%d", &run->status);
	fclose(f);
	if (rc != 1) {
		fprintf(stderr, "exitscope report: status-%s-%d.txt: no number\n", mode, r + 1);
		return -1;
	}
	if (load(lab->dir, "stats", mode, r + 1, "txt", &f))
		return -1;
	rc = es_parse_stats(f, &run->stats, err, sizeof(err));
	fclose(f);
	if (rc) {
		fprintf(stderr, "exitscope report: stats-%s-%d.txt: %s\n", mode, r + 1, err);
		return -1;
	}
	if (run->stats.vendor != lab->vendor) {
		fprintf(stderr, "exitscope report: stats-%s-%d.txt is from %s, not %s\n",
			mode, r + 1, es_isa_name(run->stats.vendor), es_isa_name(lab->vendor));
		return -1;
	}
	if (load(lab->dir, "hist", mode, r + 1, "txt", &f))
		return -1;
	rc = es_parse_hist(f, lab->vendor, &run->hist, err, sizeof(err));
	fclose(f);
	if (rc) {
		fprintf(stderr, "exitscope report: hist-%s-%d.txt: %s\n", mode, r + 1, err);
		return -1;
	}
	if (load(lab->dir, "l2", mode, r + 1, "log", &f))
		return -1;
	run->has_query = !es_parse_query_log(f, &run->query, err, sizeof(err));
	fclose(f);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* min, median, max of one reason's counts (or cycles) over a mode's runs. */
static void spread(const struct lab *lab, int m, uint64_t code, bool cycles,
		   uint64_t out[3])
{
	uint64_t v[MAX_RUNS];
	const struct es_row *row;
	int r;

	for (r = 0; r < lab->runs; r++) {
		row = es_table_find(&lab->run[m][r].stats, code);
		v[r] = row ? (cycles ? row->cycles : row->count) : 0;
	}
	qsort(v, lab->runs, sizeof(v[0]), cmp_u64);
	out[0] = v[0];
	out[1] = lab->runs % 2 ? v[lab->runs / 2] :
		 (v[lab->runs / 2 - 1] + v[lab->runs / 2]) / 2;
	out[2] = v[lab->runs - 1];
}

/* Every code with exits in any run, ascending, with its name. */
static int all_codes(const struct lab *lab, uint64_t *codes, const char **names)
{
	int m, r, i, j, n = 0;

	for (m = 0; m < 2; m++)
		for (r = 0; r < lab->runs; r++)
			for (i = 0; i < lab->run[m][r].stats.n; i++) {
				const struct es_row *row = &lab->run[m][r].stats.rows[i];

				for (j = 0; j < n && codes[j] != row->code; j++)
					;
				if (j == n && n < ES_MAX_ROWS) {
					codes[n] = row->code;
					names[n++] = row->name;
				}
			}
	for (i = 1; i < n; i++)		/* insertion sort: n is small */
		for (j = i; j > 0 && codes[j - 1] > codes[j]; j--) {
			uint64_t c = codes[j];
			const char *s = names[j];

			codes[j] = codes[j - 1];
			names[j] = names[j - 1];
			codes[j - 1] = c;
			names[j - 1] = s;
		}
	return n;
}

static void code_str(char *buf, size_t len, const struct lab *lab, uint64_t code)
{
	if (code == ES_CODE_OTHER)
		snprintf(buf, len, "other");
	else if (lab->vendor == ES_INTEL && code < 0x10000)
		snprintf(buf, len, "%" PRIu64, code);
	else
		snprintf(buf, len, "0x%" PRIx64, code);
}

static bool strong_change(uint64_t a, uint64_t b)
{
	uint64_t lo = a < b ? a : b, hi = a < b ? b : a;

	return hi >= 100 && hi >= 4 * lo;
}

static void ratio_str(char *buf, size_t len, uint64_t nested, uint64_t shadow)
{
	if (!nested && !shadow)
		snprintf(buf, len, "-");
	else if (!nested)
		snprintf(buf, len, "new");
	else if (!shadow)
		snprintf(buf, len, "gone");
	else
		snprintf(buf, len, "%.2fx", (double)shadow / (double)nested);
}

static void write_json(FILE *f, const struct lab *lab)
{
	int m, r, i;

	fprintf(f, "{\"schema\":\"exitscope.lab/1\",\"cpu\":\"%s\",\"isa\":\"%s\",\"workload\":\"%s\",\"kernel\":\"%s\",\"l1_kernel\":",
		lab->cpu, es_isa_name(lab->vendor), lab->workload, lab->kernel);
	es_json_string(f, lab->l1_release);
	fprintf(f, ",\"l2_cmdline\":");
	es_json_string(f, lab->l2_cmdline);
	fprintf(f, ",\"runs\":[");
	for (m = 0; m < 2; m++)
		for (r = 0; r < lab->runs; r++) {
			const struct run *run = &lab->run[m][r];

			fprintf(f, "%s{\"paging\":\"%s\",\"run\":%d,\"workload\":\"%s\",\"l2_exit_status\":%d,",
				m || r ? "," : "", lab->mode[m], r + 1, lab->workload, run->status);
			fprintf(f, "\"total\":{\"count\":%" PRIu64 ",\"cycles\":%" PRIu64 ",\"tracepoint_count\":%" PRIu64 "},\"reasons\":[",
				run->stats.total, run->stats.total_cycles, run->hist.total);
			for (i = 0; i < run->stats.n; i++) {
				const struct es_row *s = &run->stats.rows[i];
				const struct es_row *h = es_table_find(&run->hist, s->code);
				const struct es_row *q = es_table_find(&run->query, s->code);

				fprintf(f, "%s{\"reason\":", i ? "," : "");
				if (s->code == ES_CODE_OTHER)
					fprintf(f, "null");
				else
					fprintf(f, "%" PRIu64, s->code);
				fprintf(f, ",\"name\":\"%s\",\"count\":%" PRIu64 ",\"cycles\":%" PRIu64 ",\"tracepoint_count\":%" PRIu64,
					s->name, s->count, s->cycles, h ? h->count : 0);
				if (run->has_query)
					fprintf(f, ",\"query_count\":%" PRIu64, q ? q->count : 0);
				fprintf(f, "}");
			}
			fprintf(f, "]}");
		}
	fprintf(f, "]}\n");
}

static int write_outputs(const struct lab *lab, bool json)
{
	uint64_t codes[ES_MAX_ROWS], c[2][3], cy[2][3];
	const char *names[ES_MAX_ROWS];
	char path[4096], code[24], ratio[24];
	FILE *js, *csv, *md, *dat, *out = stdout;
	int n, i, m, r;

	n = all_codes(lab, codes, names);
#define OPEN(f, name) do { \
		snprintf(path, sizeof(path), "%s/%s", lab->dir, name); \
		f = fopen(path, "w"); \
		if (!f) { \
			fprintf(stderr, "exitscope report: %s: %s\n", path, strerror(errno)); \
			return -1; \
		} \
	} while (0)
	OPEN(js, "results.json");
	write_json(js, lab);
	fclose(js);

	OPEN(csv, "results.csv");
	fprintf(csv, "paging,run,reason,name,count,cycles,tracepoint_count\n");
	for (m = 0; m < 2; m++)
		for (r = 0; r < lab->runs; r++)
			for (i = 0; i < lab->run[m][r].stats.n; i++) {
				const struct es_row *s = &lab->run[m][r].stats.rows[i];
				const struct es_row *h = es_table_find(&lab->run[m][r].hist, s->code);

				code_str(code, sizeof(code), lab, s->code);
				fprintf(csv, "%s,%d,%s,\"%s\",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
					lab->mode[m], r + 1, code, s->name, s->count,
					s->cycles, h ? h->count : 0);
			}
	fclose(csv);

	OPEN(md, "report.md");
	OPEN(dat, "chart.dat");
	fprintf(md, "# exitscope lab: %s (%s), workload %s, linux %s\n\n"
		"Exits per reason of the L2 guest, median of %d run(s) per mode; every\n"
		"count equals the `kvm:kvm_exit` tracepoint's. Cycles: host TSC from exit\n"
		"to the next entry of that vCPU.\n\n"
		"L1 kernel: `%s`. L2 command line: `%s`.\n\n"
		"| reason | name | %s | shadow | ratio | %s cycles | shadow cycles | why |\n"
		"|---|---|---:|---:|---:|---:|---:|---|\n",
		lab->cpu, es_isa_name(lab->vendor), lab->workload, lab->kernel,
		lab->runs, *lab->l1_release ? lab->l1_release : "unknown",
		*lab->l2_cmdline ? lab->l2_cmdline : "unknown", lab->mode[0], lab->mode[0]);
	if (!json)
		fprintf(out, "%8s  %-22s %12s %12s %7s %16s %16s\n", "reason", "name",
			lab->mode[0], "shadow", "ratio", "cycles", "shadow cycles");
	for (i = 0; i < n; i++) {
		for (m = 0; m < 2; m++) {
			spread(lab, m, codes[i], false, c[m]);
			spread(lab, m, codes[i], true, cy[m]);
		}
		code_str(code, sizeof(code), lab, codes[i]);
		ratio_str(ratio, sizeof(ratio), c[0][1], c[1][1]);
		fprintf(md, "| %s | %s | %" PRIu64 " | %" PRIu64 " | %s | %" PRIu64 " | %" PRIu64 " | %s |\n",
			code, names[i], c[0][1], c[1][1], ratio, cy[0][1], cy[1][1],
			strong_change(c[0][1], c[1][1]) ? note_for(names[i]) : "");
		fprintf(dat, "\"%s %s\" %" PRIu64 " %" PRIu64 "\n", code, names[i],
			c[0][1] ? c[0][1] : 1, c[1][1] ? c[1][1] : 1);
		if (!json)
			fprintf(out, "%8s  %-22.22s %12" PRIu64 " %12" PRIu64 " %7s %16" PRIu64 " %16" PRIu64 "%s\n",
				code, names[i], c[0][1], c[1][1], ratio, cy[0][1], cy[1][1],
				strong_change(c[0][1], c[1][1]) ? "  *" : "");
	}
	if (lab->runs > 1) {
		fprintf(md, "\nSpread over runs (min / median / max):\n\n| reason | %s | shadow |\n|---|---|---|\n",
			lab->mode[0]);
		for (i = 0; i < n; i++) {
			for (m = 0; m < 2; m++)
				spread(lab, m, codes[i], false, c[m]);
			code_str(code, sizeof(code), lab, codes[i]);
			fprintf(md, "| %s | %" PRIu64 " / %" PRIu64 " / %" PRIu64 " | %" PRIu64 " / %" PRIu64 " / %" PRIu64 " |\n",
				code, c[0][0], c[0][1], c[0][2], c[1][0], c[1][1], c[1][2]);
		}
	}
	fprintf(md, "\n![exits per reason](chart.png)\n");
	fclose(md);
	fclose(dat);
	if (json) {
		write_json(out, lab);
		return 0;
	}
	fprintf(out, "\n* strongly changed (at least 4x, and 100 or more exits in one mode), and why:\n");
	for (i = 0; i < n; i++) {
		for (m = 0; m < 2; m++)
			spread(lab, m, codes[i], false, c[m]);
		if (!strong_change(c[0][1], c[1][1]))
			continue;
		code_str(code, sizeof(code), lab, codes[i]);
		fprintf(out, "%8s  %s: %s\n", code, names[i], note_for(names[i]));
	}
	return 0;
#undef OPEN
}

/* A log-scale bar chart of both modes, drawn by gnuplot. */
static int write_chart(const struct lab *lab)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && gnuplot -e \"set terminal png size 1200,600 noenhanced; set output 'chart.png';"
		 " set style data histograms; set style fill solid; set logscale y;"
		 " set xtics rotate by -45 font ',8'; set ylabel 'exits (median)';"
		 " set title 'exits per reason: %s vs shadow paging (%s)';"
		 " plot 'chart.dat' using 2:xtic(1) title '%s', '' using 3 title 'shadow'\" 2>/dev/null",
		 lab->dir, lab->mode[0], es_isa_name(lab->vendor), lab->mode[0]);
	if (system(cmd)) {
		fprintf(stderr, "exitscope report: gnuplot failed: no chart.png (apt install gnuplot-nox)\n");
		return -1;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "runs", required_argument, NULL, 'n' },
		{ "workload", required_argument, NULL, 'w' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static struct lab lab;
	char why[1024];
	bool json = false;
	int c, m, r, failures = 0;
	unsigned long runs;

	lab = (struct lab){ .workload = "seed", .kernel = "unknown", .runs = 1 };
	while ((c = getopt_long(argc, argv, "d:c:n:w:k:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': lab.dir = optarg; break;
		case 'c': lab.cpu = optarg; break;
		case 'w': lab.workload = optarg; break;
		case 'k': lab.kernel = optarg; break;
		case 'j': json = true; break;
		case 'n':
			if (es_parse_ulong(optarg, 1, MAX_RUNS, &runs)) {
				fprintf(stderr, "exitscope report: invalid --runs: '%s' (1-%d)\n",
					optarg, MAX_RUNS);
				return 2;
			}
			lab.runs = (int)runs;
			break;
		case 'h': cmd_report_help(); return 0;
		default: return 2;
		}
	}
	if (!lab.dir || !lab.cpu) {
		fprintf(stderr, "exitscope report: --dir and --cpu are required\n");
		return 2;
	}
	if (!strcmp(lab.cpu, "amd")) {
		lab.vendor = ES_AMD;
		lab.mode[0] = "npt";
	} else if (!strcmp(lab.cpu, "intel")) {
		lab.vendor = ES_INTEL;
		lab.mode[0] = "ept";
	} else {
		fprintf(stderr, "exitscope report: invalid --cpu: '%s' (amd or intel)\n", lab.cpu);
		return 2;
	}
	lab.mode[1] = "shadow";
	if (load_line(lab.dir, "l1-release.txt", lab.l1_release, sizeof(lab.l1_release)) ||
	    load_line(lab.dir, "l2-cmdline.txt", lab.l2_cmdline, sizeof(lab.l2_cmdline)))
		return 1;
	for (m = 0; m < 2; m++)
		for (r = 0; r < lab.runs; r++) {
			if (load_run(&lab, m, r))
				return 1;
			if (lab.run[m][r].status) {
				fprintf(stderr, "exitscope report: L2 run %s %d ended with status %d (see l2-%s-%d.log)\n",
					lab.mode[m], r + 1, lab.run[m][r].status, lab.mode[m], r + 1);
				failures++;
			}
			if (es_compare(&lab.run[m][r].stats, &lab.run[m][r].hist, why, sizeof(why))) {
				fprintf(stderr, "exitscope report: MISMATCH in run %s %d: %s\n",
					lab.mode[m], r + 1, why);
				failures++;
			}
		}
	if (write_outputs(&lab, json) || write_chart(&lab))
		return 1;
	if (failures) {
		fprintf(stderr, "exitscope report: %d run(s) failed the checks\n", failures);
		return 1;
	}
	fprintf(stderr, "exitscope report: all %d runs agree with the kvm_exit tracepoint; files in %s\n",
		2 * lab.runs, lab.dir);
	return 0;
}
