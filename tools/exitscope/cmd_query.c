// SPDX-License-Identifier: GPL-2.0-only
/* exitscope query: this VM's exits per reason, read through CPUID. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "query/query_print.h"
#include "util/num.h"
#include "cmd.h"

#define MAX_CODES 512

void cmd_query_help(void)
{
	printf("usage: exitscope query [--all] [--json | --raw] [--reason N]\n"
	       "\n"
	       "Run inside a guest of a KVM with exitscope's accounting: reads this VM's\n"
	       "exit counts and cycles per exit reason (VMX reasons on Intel, SVM exit\n"
	       "codes on AMD) through CPUID leaves 0x4ffffffc..0x4fffffff. Rows\n"
	       "FAILED_VMENTRY (VMX) and other appear when they have exits, so that\n"
	       "the rows add up to the total (the query's own CPUIDs between reads aside).\n"
	       "\n"
	       "  -a, --all        list reasons with no exits too\n"
	       "  -j, --json       JSON for programs (exitscope.query/2, docs/json.md)\n"
	       "  -r, --raw        one plain line per reason asked, as the seed printed\n"
	       "  -R, --reason N   only reason N (decimal, or 0x... hex)\n"
	       "  -h, --help       this text\n"
	       "\n"
	       "Exit status: 0, or 1 when the interface is absent (bare metal, stock KVM,\n"
	       "kvm.exit_stats=off, the guest interface off for this VM), 2 for bad usage.\n"
	       "\n"
	       "EXAMPLES\n"
	       "  exitscope query                 non-zero reasons, most exits first\n"
	       "  exitscope query --reason 0x400  AMD nested page faults only\n"
	       "  exitscope query --all --json > exits.json\n");
}

static struct es_cpuid hw_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct es_cpuid r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

int cmd_query(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "raw", no_argument, NULL, 'r' },
		{ "reason", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct es_figure figs[MAX_CODES];
	uint32_t codes[MAX_CODES], one = 0;
	const char *one_arg = NULL;
	uint64_t v;
	bool json = false, raw = false, single = false;
	enum es_rows rows = ES_ROWS_NONZERO;
	struct es_report rep = { 0 };
	struct es_query q;
	char why[256];
	size_t i, n;
	int c;

	while ((c = getopt_long(argc, argv, "ajrR:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': rows = ES_ROWS_DEFINED; break;
		case 'j': json = true; break;
		case 'r': raw = true; break;
		case 'R':
			if (es_num_arg("exitscope query", "reason", optarg, 0, UINT32_MAX, &v))
				return 2;
			one = (uint32_t)v;
			one_arg = optarg;
			single = true;
			break;
		case 'h': cmd_query_help(); return 0;
		default: return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "exitscope query: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (json && raw) {
		fprintf(stderr, "exitscope query: --json and --raw exclude each other\n");
		return 2;
	}
	if (es_query_open(&q, hw_cpuid, why, sizeof(why))) {
		fprintf(stderr, "exitscope query: %s\n", why);
		return 1;
	}
	if (single) {
		codes[0] = one;
		n = 1;
		rows = ES_ROWS_DEFINED;
	} else {
		n = es_query_codes(q.vendor, codes, MAX_CODES);
	}
	for (i = 0; i < n; i++)
		es_query_reason(&q, codes[i], &figs[i]);
	if (single && !figs[0].defined) {
		fprintf(stderr, "exitscope query: reason %s is not defined on %s\n",
			one_arg, es_isa_name(q.vendor));
		return 2;
	}
	es_query_total(&q, &rep.total, &rep.total_cycles);
	rep.vendor = q.vendor;
	rep.query_exits = q.cpuid_calls;
	rep.figs = figs;
	rep.n = n;
	if (raw) {
		es_print_raw(stdout, &rep);
	} else if (json) {
		if (es_print_json(stdout, &rep, rows)) {
			fprintf(stderr, "exitscope query: cannot write the JSON (out of memory?)\n");
			return 1;
		}
	} else {
		es_print_table(stdout, &rep, rows);
	}
	return fflush(stdout) ? 1 : 0;
}
