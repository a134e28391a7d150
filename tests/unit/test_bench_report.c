// SPDX-License-Identifier: GPL-2.0-only
/*
 * The benchmark's report (tools/lib/bench.c): vmexit-bench's log read
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

#include "../../tools/lib/bench.h"

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
	struct es_bench_run stock, counts;
	struct es_err e;
	int64_t added;

	(void)state;
	assert_int_equal(parse(good, &stock, &e), 0);
	assert_int_equal(parse(good, &counts, &e), 0);
	counts.cases[0].per_op = 1011;
	assert_true(es_bench_added(&counts, &stock, "cpuid", &added));
	assert_int_equal(added, 10);
	assert_false(es_bench_added(&counts, &stock, "vmcall", &added));	/* skipped */
	assert_false(es_bench_added(&counts, NULL, "cpuid", &added));
	assert_string_equal(es_bench_kind("stock"), "stock");
	assert_string_equal(es_bench_kind("exitscope-counts"), "exitscope");
	assert_string_equal(es_bench_kind("bpftrace-count"), "peer");
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
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_failed_config),
	};

	return cmocka_run_group_tests_name("bench_report", tests, NULL, NULL);
}
