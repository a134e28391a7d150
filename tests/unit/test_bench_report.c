// SPDX-License-Identifier: GPL-2.0-only
/*
 * The benchmark's report (tools/lib/bench/bench.c): vmexit-bench's log read
 * strictly, what a configuration adds over stock, bench.json's fields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "bench/bench.h"

static const char good[] =
	"exitscope-vmm: starting\n"
	"vmexit-bench: start vendor=amd cpus=2 running=2 budget=1000 reps=5 timer=1000 cases=cpuid,vmcall,pf\n"
	"vmexit-bench: cpuid vcpu=0 per_op=1000 min=990 max=1010 iterations=50\n"
	"vmexit-bench: cpuid vcpu=1 per_op=1002 min=991 max=1012 iterations=50\n"
	"vmexit-bench: cpuid per_op=1001 min=990 max=1012 iterations=100 reps=5 cpus=2 running=2\n"
	"vmexit-bench: vmcall skipped (no x2APIC)\n"
	"vmexit-bench: pf per_op=5000 min=4900 max=5100 iterations=20 reps=5 cpus=2 running=2\n"
	"vmexit-bench: end ran=2 skipped=1 failed=0\n"
	"exitscope-vmm: guest verdict 0\n"
	"status 0 seconds 1.5\n";

static int parse(const char *text, struct es_bench_run *run, struct es_err *e)
{
	memset(run, 0, sizeof(*run));
	return es_bench_parse_log("bench-x-2.log", text, strlen(text), run, e);
}

/* A whole log: its cases, their figures, the VM's status and vCPUs. */
static void test_parse_good(void **state)
{
	struct es_bench_run run;
	struct es_err e;

	(void)state;
	assert_int_equal(parse(good, &run, &e), 0);
	assert_int_equal(run.ncases, 3);
	assert_int_equal(run.vcpus, 2);
	assert_int_equal(run.vmm_status, 0);
	assert_string_equal(run.vendor, "amd");
	assert_string_equal(run.cases[0].name, "cpuid");
	assert_int_equal(run.cases[0].per_op, 1001);
	assert_int_equal(run.cases[0].min, 990);
	assert_int_equal(run.cases[0].max, 1012);
	assert_true(run.cases[1].skipped);
	assert_non_null(strstr(run.cases[1].why, "no x2APIC"));
	assert_int_equal(run.cases[2].per_op, 5000);
}

/* What is off is refused, with the file and the line. */
static void test_parse_refused(void **state)
{
	static const struct { const char *from, *to, *why; } edits[] = {
		{ "end ran=2", "end ran=3", "the end line says" },
		{ "vmexit-bench: end ran=2 skipped=1 failed=0\n", "", "no 'vmexit-bench: end'" },
		{ "pf per_op=5000 min=4900", "pf per_op=5000 min=5001", "not in order" },
		{ "pf per_op=5000", "cpuid per_op=5000", "case cpuid twice" },
		{ "iterations=20 reps=5 cpus=2", "iterations=20 reps=5 cpus=3", "ran with 3 vCPUs" },
		{ "per_op=5000", "per_op=-5000", "not 'NAME per_op" },
		{ "status 0 seconds", "status 0x1 seconds", "no exit status" },
		{ "pf per_op", "p!f per_op", "no case name" },
	};
	struct es_bench_run run;
	char text[2048], *at;
	struct es_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		at = strstr(good, edits[i].from);
		assert_non_null(at);
		snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - good), good, edits[i].to,
			 at + strlen(edits[i].from));
		if (parse(text, &run, &e) == 0 || !strstr(e.msg, edits[i].why) ||
		    !strstr(e.msg, "bench-x-2.log"))
			fail_msg("edit %zu: wanted a refusal with '%s', got '%s'", i, edits[i].why,
				 e.msg);
	}
}

/* Added over stock: this case's median minus stock's, same case. */
static void test_added(void **state)
{
	struct es_bench_run runs[2];
	struct es_bench b = { .runs = runs, .nruns = 2 };
	struct es_bench_agg a;
	struct es_err e;

	(void)state;
	assert_int_equal(parse(good, &runs[0], &e), 0);
	assert_int_equal(parse(good, &runs[1], &e), 0);
	strcpy(runs[0].config, "stock");
	strcpy(runs[1].config, "exitscope-counts");
	runs[1].cases[0].per_op = 1011;
	assert_true(es_bench_agg_case(&b, &runs[1], "cpuid", &a));
	assert_int_equal(a.pairs, 1);
	assert_int_equal(a.added, 10);
	assert_int_equal(a.added_lo, 10);
	assert_int_equal(a.added_hi, 10);
	assert_false(es_bench_agg_case(&b, &runs[1], "vmcall", &a));	/* skipped */
	b.nruns = 1;		/* no stock: a figure, nothing added */
	runs[0] = runs[1];
	assert_true(es_bench_agg_case(&b, &runs[0], "cpuid", &a));
	assert_int_equal(a.pairs, 0);
	assert_string_equal(es_bench_kind("stock"), "stock");
	assert_string_equal(es_bench_kind("stock-rebuilt"), "stock");
	assert_false(es_bench_traces("stock-rebuilt"));
	assert_string_equal(es_bench_kind("exitscope-counts"), "exitscope");
	assert_string_equal(es_bench_kind("bpftrace-count"), "peer");
}

/*
 * Rounds: each is paired with stock's run of the same round, so a drift
 * that moves both cancels; the figure is the median of the pairs, the
 * range theirs. Stock drifts by 100 a round here and the configuration
 * adds 10, 12 and 11: a difference of medians would say 10 or 12 by luck
 * of order, the pairs say 11 (10..12).
 */
static void test_rounds(void **state)
{
	static const uint64_t stock_op[3] = { 1000, 1100, 1200 }, counts_op[3] = { 1010, 1112, 1211 };
	struct es_bench_run runs[6];
	struct es_bench b = { .cpu = "amd", .rounds = 3, .runs = runs, .nruns = 6 };
	struct es_bench_agg a;
	struct es_err e;
	unsigned int k;

	(void)state;
	for (k = 0; k < 3; k++) {
		/* Interleaved as a sitting runs them: stock, counts, stock, counts... */
		assert_int_equal(parse(good, &runs[2 * k], &e), 0);
		assert_int_equal(parse(good, &runs[2 * k + 1], &e), 0);
		strcpy(runs[2 * k].config, "stock");
		strcpy(runs[2 * k + 1].config, "exitscope-counts");
		runs[2 * k].round = runs[2 * k + 1].round = k + 1;
		runs[2 * k].cases[0].per_op = stock_op[k];
		runs[2 * k + 1].cases[0].per_op = counts_op[k];
		runs[2 * k].cases[0].min = runs[2 * k + 1].cases[0].min = 900 + k;
		runs[2 * k].cases[0].max = runs[2 * k + 1].cases[0].max = 1300 + k;
	}
	assert_true(es_bench_agg_case(&b, &runs[1], "cpuid", &a));
	assert_int_equal(a.rounds, 3);
	assert_int_equal(a.pairs, 3);
	assert_int_equal(a.per_op, 1112);
	assert_int_equal(a.added, 11);
	assert_int_equal(a.added_lo, 10);
	assert_int_equal(a.added_hi, 12);
	assert_int_equal(a.min, 900);
	assert_int_equal(a.max, 1302);
	assert_int_equal(a.iterations, 300);
	/* A round stock could not run pairs with nothing. */
	strcpy(runs[2].config, "stockless");
	assert_true(es_bench_agg_case(&b, &runs[1], "cpuid", &a));
	assert_int_equal(a.pairs, 2);
	assert_int_equal(a.added, 10);		/* (10 + 11) / 2, rounded down */
}

/* Medians, and no more digits than the spread supports. */
static void test_median_and_digits(void **state)
{
	int64_t odd[] = { 5, -3, 9 }, even[] = { 4, 1, 3, 2 }, neg[] = { -3, -4 };

	(void)state;
	assert_int_equal(es_bench_median(odd, 3), 5);
	assert_int_equal(es_bench_median(even, 4), 2);		/* 2.5, down */
	assert_int_equal(es_bench_median(neg, 2), -4);		/* -3.5, down */
	assert_int_equal(es_bench_median(odd, 0), 0);
	assert_int_equal(es_bench_round_spread(329, 4), 329);
	assert_int_equal(es_bench_round_spread(329, 9), 329);
	assert_int_equal(es_bench_round_spread(329, 10), 330);
	assert_int_equal(es_bench_round_spread(324, 40), 320);
	assert_int_equal(es_bench_round_spread(325, 99), 330);
	assert_int_equal(es_bench_round_spread(-325, 99), -330);
	assert_int_equal(es_bench_round_spread(1549, 150), 1500);
	assert_int_equal(es_bench_round_spread(7, 150), 0);
	assert_int_equal(es_bench_round_spread(INT64_MAX, UINT64_MAX), 9000000000000000000);
}

/* perf stat's CSV: counts summed over core types; a count perf could not take is none. */
static void test_perf_stat(void **state)
{
	static const char hw[] = "# started on Sun Dec  6 05:00:00 2026\n\n"
				 "120000,,cycles,1000,100.00,,\n"
				 "90000,,instructions,1000,100.00,0.75,insn per cycle\n";
	static const char hybrid[] = "100,,cpu_core/cycles/,10,100.00,,\n"
				     "20,,cpu_atom/cycles/,10,100.00,,\n"
				     "7,,cpu_core/instructions:u/,10,100.00,,\n";
	static const char nopmu[] = "<not supported>,,cycles,0,100.00,,\n"
				    "<not counted>,,instructions,0,0.00,,\n";
	static const char *const bad[] = { "12abc,,cycles,1,100.00,,\n", "cycles only\n",
					   "1,,cycles\n" };
	struct es_perf_stat p;
	struct es_err e;
	size_t i;

	(void)state;
	assert_int_equal(es_perf_stat_parse("p", hw, strlen(hw), &p, &e), 0);
	assert_true(p.has_cycles && p.has_instructions);
	assert_int_equal(p.cycles, 120000);
	assert_int_equal(p.instructions, 90000);
	assert_int_equal(es_perf_stat_parse("p", hybrid, strlen(hybrid), &p, &e), 0);
	assert_int_equal(p.cycles, 120);
	assert_int_equal(p.instructions, 7);
	assert_int_equal(es_perf_stat_parse("p", nopmu, strlen(nopmu), &p, &e), 0);
	assert_false(p.has_cycles || p.has_instructions);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (es_perf_stat_parse("p", bad[i], strlen(bad[i]), &p, &e) != -1)
			fail_msg("accepted '%s'", bad[i]);
}

/* A peer's own CPU: read strictly; per exit over every VM of its round. */
static void test_peer_cpu(void **state)
{
	static const char *const bad[] = { "", "cpu_ns\n", "cpu_ns=-1\n", "cpu_ns=5 6\n",
					   "cpu=5\n", "cpu_ns 5\n", "cpu_ns=5\ncpu_ns=6\n" };
	struct es_bench_run runs[4];
	struct es_bench b = { .rounds = 2, .runs = runs, .nruns = 4 };
	struct es_bench_peer_agg a;
	struct es_err e;
	uint64_t ns;
	size_t i;

	(void)state;
	assert_int_equal(es_bench_parse_peer_cpu("p", "cpu_ns=1234\n", 12, &ns, &e), 0);
	assert_int_equal(ns, 1234);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (es_bench_parse_peer_cpu("p", bad[i], strlen(bad[i]), &ns, &e) != -1)
			fail_msg("accepted '%s'", bad[i]);
	/* Rounds 1 and 2 of bpftrace-count, 1 and 2 vCPUs in each. */
	memset(runs, 0, sizeof(runs));
	for (i = 0; i < 4; i++) {
		strcpy(runs[i].config, "bpftrace-count");
		runs[i].vcpus = 1 + i % 2;
		runs[i].round = 1 + i / 2;
		runs[i].kvm_exits = 1000;
		runs[i].has_peer_cpu = true;
		runs[i].peer_cpu_ns = i < 2 ? 4000 : 8000;	/* the round's, in each run */
	}
	assert_true(es_bench_agg_peer(&b, &runs[0], &a));
	assert_int_equal(a.rounds, 2);
	assert_int_equal(a.cpu_ns, 6000);
	assert_true(a.has_per_exit);
	assert_true(a.per_exit_ns > 2.99 && a.per_exit_ns < 3.01);	/* 2 and 4 per exit */
	for (i = 0; i < 4; i++)
		runs[i].has_peer_cpu = false;
	assert_false(es_bench_agg_peer(&b, &runs[0], &a));
}

/* bench-info.txt: clock and rounds are optional, and checked when given. */
static void test_info(void **state)
{
	static const char base[] = "cpu=amd\nl1_kernel=6.1\nconfigs=stock\nvcpus=1\n"
				   "emulator=qemu\nkver=6.1.1\ntracer_vcpus=1\n";
	static const struct { const char *more; int r; const char *clock; unsigned int rounds; } cases[] = {
		{ "", 0, "icount", 1 },
		{ "clock=cycles\nrounds=3\n", 0, "cycles", 3 },
		{ "clock=wall\n", -1, NULL, 0 },
		{ "rounds=0\n", -1, NULL, 0 },
		{ "rounds=100\n", -1, NULL, 0 },
		{ "rounds=x\n", -1, NULL, 0 },
	};
	char text[512], c[64], v[64], t[64];
	struct es_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct es_bench b = { 0 };

		snprintf(text, sizeof(text), "%s%s", base, cases[i].more);
		assert_int_equal(es_bench_parse_info("i", text, strlen(text), &b, c, sizeof(c), v,
						     sizeof(v), t, sizeof(t), &e), cases[i].r);
		if (cases[i].r)
			continue;
		assert_string_equal(b.clock, cases[i].clock);
		assert_int_equal(b.rounds, cases[i].rounds);
	}
}

/* bench.json: the schema's fields, added per exit only for one-exit cases. */
static void test_json(void **state)
{
	struct es_bench_run runs[2];
	struct es_bench b = { .cpu = "amd", .emulator = "qemu", .l1_kernel = "6.1",
			      .kver = "6.1.192-3", .runs = runs, .nruns = 2 };
	json_t *root, *c, *bm;
	json_error_t je;
	struct es_err e;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(parse(good, &runs[0], &e), 0);
	assert_int_equal(parse(good, &runs[1], &e), 0);
	strcpy(runs[0].config, "stock");
	strcpy(runs[1].config, "exitscope-counts");
	runs[1].cases[0].per_op = 1009;
	runs[1].cases[2].per_op = 5050;
	f = open_memstream(&text, &len);
	assert_int_equal(es_bench_write_json(f, &b), 0);
	fclose(f);
	root = json_loadb(text, len, 0, &je);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "schema")), ES_BENCH_SCHEMA);
	c = json_array_get(json_object_get(root, "configs"), 1);
	assert_string_equal(json_string_value(json_object_get(c, "kind")), "exitscope");
	assert_int_equal(json_integer_value(json_object_get(c, "vcpus")), 2);
	bm = json_array_get(json_object_get(c, "benchmarks"), 0);
	assert_int_equal(json_integer_value(json_object_get(bm, "added_per_exit")), 8);
	bm = json_array_get(json_object_get(c, "benchmarks"), 2);
	assert_int_equal(json_integer_value(json_object_get(bm, "added_per_op")), 50);
	assert_true(json_is_null(json_object_get(bm, "added_per_exit")));	/* pf */
	bm = json_array_get(json_object_get(c, "benchmarks"), 1);
	assert_non_null(json_object_get(bm, "skipped"));
	json_decref(root);
	free(text);
}

/* @line, trailing blanks aside, ends with @end. */
static bool ends_with(const char *line, const char *end)
{
	size_t n = strlen(line), m = strlen(end);

	while (n && line[n - 1] == ' ')
		n--;
	return n >= m && !strncmp(line + n - m, end, m);
}

/* The table: what each adds over stock, and a tracer's added cost as a multiple of counts'. */
static void test_table(void **state)
{
	static const struct { const char *config; uint64_t cpuid; const char *multiple; } cfg[] = {
		{ "stock", 1001, NULL },
		{ "exitscope-counts", 1011, NULL },
		{ "exitscope-cycles", 1031, NULL },
		{ "bpftrace-count", 1501, "50x" },
		{ "exitscope-bpf", 1201, "20x" },
		{ "exitscope-bpf-counts", 1101, "10x" },
	};
	struct es_bench_run runs[6];
	struct es_bench b = { .cpu = "amd", .runs = runs, .nruns = 6 };
	char *text = NULL, *line, want[64];
	struct es_err e;
	size_t len = 0, i;
	FILE *f;

	(void)state;
	for (i = 0; i < 6; i++) {
		assert_int_equal(parse(good, &runs[i], &e), 0);
		strcpy(runs[i].config, cfg[i].config);
		runs[i].cases[0].per_op = cfg[i].cpuid;
	}
	f = open_memstream(&text, &len);
	es_bench_write_table(f, &b);
	fclose(f);
	for (i = 0; i < 6; i++) {
		snprintf(want, sizeof(want), "cpuid            2 %-20s %12llu", cfg[i].config,
			 (unsigned long long)cfg[i].cpuid);
		line = strstr(text, want);
		if (!line)
			fail_msg("no line '%s' in:\n%s", want, text);
		*strchrnul(line, '\n') = 0;
		if (i == 0 && strchr(line, '%'))
			fail_msg("stock adds to itself: '%s'", line);
		if (i == 1 && !strstr(line, "+10 (1.00%)"))
			fail_msg("counts: wanted +10 (1.00%%): '%s'", line);
		if (cfg[i].multiple ? !ends_with(line, cfg[i].multiple) : ends_with(line, "x"))
			fail_msg("%s: wanted multiple '%s': '%s'", cfg[i].config,
				 cfg[i].multiple ? cfg[i].multiple : "none", line);
		line[strlen(line)] = '\n';
	}
	free(text);
}

/* A configuration L1 could not run: its reason read strictly, then listed in both outputs. */
static void test_failed_config(void **state)
{
	static const struct { const char *text, *why; } bad[] = {
		{ "", "empty" },
		{ "  \n", "empty" },
		{ "one\ntwo\n", "line" },
		{ "bell\a\n", "" },
	};
	struct es_bench_run runs[2];
	struct es_bench b = { .cpu = "amd", .runs = runs, .nruns = 2 };
	char *text = NULL, reason[ES_BENCH_WHY_MAX + 1];
	json_t *root, *c;
	json_error_t je;
	struct es_err e;
	size_t len = 0, i;
	FILE *f;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&runs[0], 0, sizeof(runs[0]));
		if (es_bench_parse_failed("failed-x.txt", bad[i].text, strlen(bad[i].text),
					  &runs[0], &e) == 0 || !strstr(e.msg, "failed-x.txt") ||
		    !strstr(e.msg, bad[i].why))
			fail_msg("input %zu: wanted a refusal naming the file and '%s', got '%s'", i,
				 bad[i].why, e.msg);
	}
	/* L1 cuts at ES_BENCH_WHY_MAX bytes: a full-length reason without its newline. */
	memset(reason, 'r', ES_BENCH_WHY_MAX);
	reason[ES_BENCH_WHY_MAX] = 0;
	memset(&runs[0], 0, sizeof(runs[0]));
	assert_int_equal(es_bench_parse_failed("failed-x.txt", reason, ES_BENCH_WHY_MAX, &runs[0], &e), 0);
	assert_string_equal(runs[0].failed, reason);

	assert_int_equal(parse(good, &runs[0], &e), 0);
	strcpy(runs[0].config, "stock");
	memset(&runs[1], 0, sizeof(runs[1]));
	strcpy(runs[1].config, "perf-record");
	runs[1].vcpus = 2;
	assert_int_equal(es_bench_parse_failed("failed-perf-record.txt", "kvm.ko still in use\n", 20,
					       &runs[1], &e), 0);
	f = open_memstream(&text, &len);
	es_bench_write_table(f, &b);
	fclose(f);
	assert_non_null(strstr(text, "(all)            2 perf-record          could not run: kvm.ko still in use\n"));
	free(text);
	text = NULL;
	f = open_memstream(&text, &len);
	assert_int_equal(es_bench_write_json(f, &b), 0);
	fclose(f);
	root = json_loadb(text, len, 0, &je);
	assert_non_null(root);
	c = json_array_get(json_object_get(root, "configs"), 1);
	assert_string_equal(json_string_value(json_object_get(c, "failed")), "kvm.ko still in use");
	assert_int_equal(json_array_size(json_object_get(c, "benchmarks")), 0);
	assert_null(json_object_get(json_array_get(json_object_get(root, "configs"), 0), "failed"));
	json_decref(root);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_added),
		cmocka_unit_test(test_rounds),
		cmocka_unit_test(test_median_and_digits),
		cmocka_unit_test(test_perf_stat),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_peer_cpu),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_failed_config),
	};

	return cmocka_run_group_tests_name("bench_report", tests, NULL, NULL);
}
