// SPDX-License-Identifier: GPL-2.0-only
/* exitscope: why and how often KVM guests exit. Dispatches to subcommands. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

#ifndef ES_VERSION
#define ES_VERSION "0.1"	/* the Makefile adds the commit */
#endif

static const struct es_cmd commands[] = {
	{ "bench-report", cmd_bench, cmd_bench_help,
	  "on the host: the benchmark's results into bench.json and a table" },
	{ "lab", cmd_lab, cmd_lab_help,
	  "on the host: the seed's experiment in the emulated lab (lab/lab.sh)" },
	{ "query", cmd_query, cmd_query_help,
	  "in a guest: print this VM's exits per reason (CPUID leaves)" },
	{ "top", cmd_top, cmd_top_help,
	  "on the host: live VM exits per reason, every second (like kvm_stat)" },
	{ "record", cmd_record, cmd_record_help,
	  "on the host: record VM exits for a span (table, JSON, Prometheus)" },
	{ "exporter", cmd_exporter, cmd_exporter_help,
	  "on the host: serve VM exit metrics at /metrics for Prometheus" },
	{ "explain", cmd_explain, cmd_explain_help,
	  "on the host: why the VMs of a record or lab run exit, and what to do" },
	{ "report", cmd_report, cmd_report_help,
	  "on the host: check and summarize a lab results directory" },
	{ "shutdown", cmd_shutdown, cmd_shutdown_help,
	  "in a guest of exitscope-vmm: end the VM with an exit status" },
	{ "stats", cmd_stats, cmd_stats_help,
	  "on the host: one file of exit figures (debugfs, hist, query log)" },
	{ "tsc-khz", cmd_tsc, cmd_tsc_help,
	  "this machine's TSC frequency in kHz (to turn cycles into time)" },
	{ "unframe", cmd_unframe, cmd_unframe_help,
	  "on the host: unpack and check the files L1 sent over serial" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: exitscope COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'exitscope COMMAND --help' tells more; 'exitscope --version' the version.\n");
}

/*
 * Whatever a command wrote must have arrived: a write that failed (a full
 * disk, a closed pipe) is an error, not a success with output lost. A
 * closed pipe ends quietly (`exitscope top | head` is no mistake), with a
 * non-zero status all the same.
 */
static int finish(int status)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	/* A command that failed has said why already. */
	if (!status && errno != EPIPE)
		fprintf(stderr, "exitscope: standard output: %s\n",
			errno ? strerror(errno) : "write error (a full disk?)");
	return status ? status : 1;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	/* A write to a closed pipe fails with EPIPE instead of killing us. */
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return finish(0);
	}
	if (!strcmp(argv[1], "--version")) {
		if (argc > 2) {
			fprintf(stderr, "exitscope: unexpected argument '%s'\n", argv[2]);
			return 2;
		}
		printf("exitscope %s\n", ES_VERSION);
		return finish(0);
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return finish(commands[i].run(argc - 1, argv + 1));
	fprintf(stderr, "exitscope: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
