// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmexit-bench's pure parts on the host: its command line (what it takes,
 * what it refuses and how it says so) and the arithmetic of its figures.
 * The guest's console is replaced by a buffer; the case table by names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../guest/bench/vmexit-bench/bench.h"

const struct bench_case bench_cases[] = {
	{ "cpuid", NULL, NULL, false }, { "vmcall", NULL, NULL, false }, { "hlt", NULL, NULL, false },
	{ "query_code", NULL, NULL, false }, { "tick", NULL, NULL, true },
	{ "pause", NULL, NULL, true },
};
const unsigned int bench_nr_cases = sizeof(bench_cases) / sizeof(bench_cases[0]);

static char console[4096];

void rt_printf(const char *fmt, ...)
{
	size_t n = strlen(console);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(console + n, sizeof(console) - n, fmt, ap);
	va_end(ap);
}

int rt_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

static int parse(const char *s, struct bench_args *a)
{
	console[0] = 0;
	return bench_args_parse(s, a);
}

/* No words: every case but the named-only ones (tick, pause), and the documented defaults. */
static void test_defaults(void **state)
{
	struct bench_args a;
	unsigned int i, named_only = 0;

	(void)state;
	assert_int_equal(parse("", &a), 0);
	for (i = 0; i < bench_nr_cases; i++) {
		assert_true(a.selected[i] == !bench_cases[i].named_only);
		named_only += bench_cases[i].named_only;
	}
	assert_int_equal(named_only, 2);
	assert_int_equal(parse("tick", &a), 0);
	for (i = 0; i < bench_nr_cases; i++)
		assert_true(a.selected[i] == !strcmp(bench_cases[i].name, "tick"));
	assert_int_equal(parse("", &a), 0);
	assert_int_equal(a.budget, 10000000);
	assert_int_equal(a.reps, 5);
	assert_int_equal(a.timer, 1000);
	assert_int_equal(a.ops, 0);	/* the budget decides */
	assert_false(a.solo);
	assert_int_equal(parse(" ,\t, ", &a), 0);
	assert_true(a.selected[0] && a.selected[3]);
	assert_string_equal(console, "");
}

/* Names select, in any order, apart by spaces or commas; options set. */
static void test_selection_and_options(void **state)
{
	struct bench_args a;

	(void)state;
	assert_int_equal(parse("hlt,cpuid budget=0x1000,reps=15\ttimer=1 hlt", &a), 0);
	assert_true(a.selected[0]);
	assert_false(a.selected[1]);
	assert_true(a.selected[2]);
	assert_false(a.selected[3]);
	assert_int_equal(a.budget, 0x1000);
	assert_int_equal(a.reps, 15);
	assert_int_equal(a.timer, 1);
	/* Options alone keep every case. */
	assert_int_equal(parse("budget=1000 reps=1 timer=4294967295", &a), 0);
	assert_true(a.selected[1] && a.selected[2]);
	assert_int_equal(a.budget, 1000);
	assert_int_equal(a.timer, 0xffffffffu);
	assert_int_equal(parse("budget=1099511627776", &a), 0);
	assert_int_equal(a.budget, 1ull << 40);
	/* ops: a fixed count, 1 to 2^32; the last word wins. */
	assert_int_equal(parse("cpuid ops=5000 ops=7000", &a), 0);
	assert_int_equal(a.ops, 7000);
	assert_int_equal(parse("ops=4294967296", &a), 0);
	assert_int_equal(a.ops, 1ull << 32);
	assert_int_equal(parse("ops=0", &a), BENCH_BAD_ARGS);
	assert_int_equal(parse("ops=4294967297", &a), BENCH_BAD_ARGS);
	/* solo: a flag, with or without names. */
	assert_int_equal(parse("solo", &a), 0);
	assert_true(a.solo && a.selected[0] && a.selected[3]);
	assert_int_equal(parse("query_code,solo", &a), 0);
	assert_true(a.solo && a.selected[3]);
	assert_false(a.selected[0]);
}

/* Each bad word is refused with verdict 2 and a message naming it. */
static void test_refused(void **state)
{
	static const struct { const char *in, *msg; } bad[] = {
		{ "frob", "vmexit-bench: unknown case 'frob'\n" },
		{ "cpuid,CPUID", "unknown case 'CPUID'" },
		{ "cpu", "unknown case 'cpu'" },
		{ "frob=1", "unknown option 'frob=1'" },
		{ "=1", "unknown option '=1'" },
		{ "budget=999", "invalid budget: '999' (a number from 1000 to 1099511627776)" },
		{ "budget=1099511627777", "invalid budget: '1099511627777'" },
		{ "budget=99999999999999999999999", "invalid budget: '99999999999999999999999'" },
		{ "budget=", "invalid budget: ''" },
		{ "budget=0x", "invalid budget: '0x'" },
		{ "budget=-5", "invalid budget: '-5'" },
		{ "budget=1e6", "invalid budget: '1e6'" },
		{ "reps=0", "invalid reps: '0' (a number from 1 to 15)" },
		{ "reps=16", "invalid reps: '16'" },
		{ "timer=0", "invalid timer: '0'" },
		{ "timer=4294967296", "invalid timer: '4294967296'" },
		{ "budgets=1000", "unknown option 'budgets=1000'" },
		{ "solo=1", "unknown option 'solo=1'" },
		{ "Solo", "unknown case 'Solo'" },
		{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		  "a word of 65 characters in the command line (at most 64)" },
	};
	struct bench_args a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i].in, &a) != BENCH_BAD_ARGS || !strstr(console, bad[i].msg))
			fail_msg("'%s': wanted verdict %d and '%s', got '%s'", bad[i].in,
				 BENCH_BAD_ARGS, bad[i].msg, console);
	/* An unknown case lists the known ones. */
	parse("frob", &a);
	assert_non_null(strstr(console, "cases: cpuid vmcall hlt query_code tick pause; options: budget=N reps=N timer=N ops=N solo"));
}

static void test_median(void **state)
{
	uint64_t one[] = { 7 }, odd[] = { 5, 1, 9, 3, 7 }, even[] = { 40, 10, 30, 20 };
	uint64_t two[] = { 3, 4 }, same[] = { 2, 2, 2 };

	(void)state;
	assert_int_equal(bench_median(one, 1), 7);
	assert_int_equal(bench_median(odd, 5), 5);
	assert_int_equal(odd[0], 1);		/* sorted in place */
	assert_int_equal(odd[4], 9);
	assert_int_equal(bench_median(even, 4), 25);
	assert_int_equal(bench_median(two, 2), 3);	/* (3 + 4) / 2, rounded down */
	assert_int_equal(bench_median(same, 3), 2);
	assert_int_equal(bench_median(NULL, 0), 0);
}

static void test_per_op(void **state)
{
	(void)state;
	assert_int_equal(bench_per_op(1000, 10), 100);
	assert_int_equal(bench_per_op(10, 4), 3);	/* 2.5: to nearest */
	assert_int_equal(bench_per_op(9, 4), 2);
	assert_int_equal(bench_per_op(5, 0), 0);
	assert_int_equal(bench_per_op(UINT64_MAX / 2, 1), UINT64_MAX / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_selection_and_options),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_per_op),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
