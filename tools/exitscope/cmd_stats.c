// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope stats: one file of exit figures, as the tools' own parsers read
 * it: exitscope's debugfs file (live under /sys/kernel/debug/kvm/, or the
 * copy exitscope-vmm --stats made), a kvm_exit hist trigger's output, or a
 * guest console log with an `exitscope query` block. Prints a table, or one
 * figure for scripts (--count CODE, --total).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"
#include "query/query_doc.h"
#include "util/num.h"
#include "cmd.h"

void cmd_stats_help(void)
{
	printf("usage: exitscope stats [--vendor intel|amd] [--count CODE | --total] FILE\n"
	       "\n"
	       "Reads FILE with exitscope's parsers and prints its exits per reason:\n"
	       "  exitscope's debugfs file exit_stats (live or copied: the header says the\n"
	       "  vendor), a kvm:kvm_exit hist trigger's output keyed on exit_reason\n"
	       "  (needs --vendor), or a guest console log holding an `exitscope query`\n"
	       "  block. A corrupt file is refused, naming the line.\n"
	       "\n"
	       "  -c, --count CODE   print only that code's count (0 if it has none)\n"
	       "  -t, --total        print only the total\n"
	       "      --vendor V     intel or amd (hist files only)\n"
	       "  -h, --help         this text\n"
	       "\n"
	       "EXAMPLES\n"
	       "  exitscope stats /sys/kernel/debug/kvm/1234-12/exit_stats\n"
	       "  exitscope stats --vendor amd --count 0x72 hist-npt-1.txt\n");
}

/* A file's rows, whatever kind it is: code, name, count. */
struct figures {
	enum es_vendor vendor;
	uint64_t total;
	size_t n;
	struct { uint32_t code; char name[ES_NAME_MAX + 1]; uint64_t count; } *v;
};

static int add(struct figures *f, uint32_t code, const char *name, uint64_t count)
{
	void *p = realloc(f->v, (f->n + 1) * sizeof(f->v[0]));

	if (!p)
		return -1;
	f->v = p;
	f->v[f->n].code = code;
	snprintf(f->v[f->n].name, sizeof(f->v[f->n].name), "%s", name ? name : "");
	f->v[f->n++].count = count;
	return 0;
}

static int load(const char *path, int vendor, struct figures *f, struct es_err *e)
{
	struct es_text t;
	int r = -1;
	size_t i;

	if (es_text_load(path, ES_LOG_MAX_BYTES, &t, e))
		return -1;
	if (!strncmp(t.data, "# isa ", 6)) {
		struct es_run run = { 0 };

		if (!es_parse_stats(path, t.data, t.len, &run, &f->vendor, e)) {
			f->total = run.total.count;
			for (i = 0, r = 0; i < run.nrows && !r; i++)
				r = add(f, run.rows[i].code, run.rows[i].name, run.rows[i].f.count);
		}
		free(run.rows);
	} else if (strstr(t.data, "{ exit_reason:") || strstr(t.data, "hist:keys=exit_reason")) {
		struct es_tallies h = { 0 };

		if (vendor < 0) {
			es_errf(e, "%s: a hist file: say --vendor intel or amd", path);
		} else if (!es_parse_hist(path, t.data, t.len, vendor, &h, e)) {
			f->vendor = vendor;
			f->total = h.total;
			for (i = 0, r = 0; i < h.n && !r; i++)
				r = add(f, h.v[i].code, es_reason_name(vendor, h.v[i].code), h.v[i].count);
		}
		es_tallies_free(&h);
	} else {
		struct es_query_doc d = { 0 };
		bool found = false;

		if (!es_query_log_parse(path, t.data, t.len, &d, &found, e)) {
			if (!found) {
				es_errf(e, "%s: neither an exit_stats file, a kvm_exit hist, nor a log with a query",
					path);
			} else {
				f->vendor = d.vendor;
				f->total = d.total;
				for (i = 0, r = 0; i < d.n && !r; i++)
					r = add(f, d.rows[i].code, d.rows[i].name, d.rows[i].count);
			}
		}
		es_query_doc_free(&d);
	}
	es_text_free(&t);
	return r;
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "total", no_argument, NULL, 't' },
		{ "vendor", required_argument, NULL, 0x100 },	/* -v is --verbose elsewhere */
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct figures f = { 0 };
	bool one = false, total = false;
	char code[ES_CODE_STR_LEN];
	uint64_t want = 0, count = 0;
	int c, vendor = -1, r = 0;
	struct es_err e;
	size_t i;

	while ((c = getopt_long(argc, argv, "c:th", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (es_num_arg("exitscope stats", "--count", optarg, 0, UINT32_MAX, &want))
				return 2;
			one = true;
			break;
		case 't': total = true; break;
		case 0x100:
			if (!strcmp(optarg, "intel")) {
				vendor = ES_INTEL;
			} else if (!strcmp(optarg, "amd")) {
				vendor = ES_AMD;
			} else {
				fprintf(stderr, "exitscope stats: invalid --vendor: '%s' (intel or amd)\n", optarg);
				return 2;
			}
			break;
		case 'h': cmd_stats_help(); return 0;
		default: return 2;
		}
	}
	if (optind != argc - 1 || (one && total)) {
		fprintf(stderr, "exitscope stats: give one FILE, and at most one of --count, --total (see --help)\n");
		return 2;
	}
	if (load(argv[optind], vendor, &f, &e)) {
		fprintf(stderr, "exitscope stats: %s\n", e.msg);
		free(f.v);
		return 3;
	}
	if (one) {
		for (i = 0; i < f.n; i++)
			if (f.v[i].code == want)
				count += f.v[i].count;
		printf("%" PRIu64 "\n", count);
	} else if (total) {
		printf("%" PRIu64 "\n", f.total);
	} else {
		printf("%10s  %-24s %14s\n", "reason", "name", "count");
		for (i = 0; i < f.n; i++)
			printf("%10s  %-24s %14" PRIu64 "\n", es_code_str(code, f.vendor, f.v[i].code),
			       f.v[i].name, f.v[i].count);
		printf("%10s  %-24s %14" PRIu64 "\n", "", "total", f.total);
	}
	if (fflush(stdout) || ferror(stdout))
		r = 1;
	free(f.v);
	return r;
}
