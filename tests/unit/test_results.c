// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parsing what the lab brings back (debugfs exit_stats, kvm_exit hist, the
 * guest's query JSON) and the exitscope-vs-tracepoint comparison.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../tools/lib/results.h"

static FILE *text(const char *s)
{
	return fmemopen((void *)s, strlen(s), "r");
}

static const char svm_stats[] =
	"# isa svm mode cycles exits 160 cycles 9000\n"
	"#   reason name                              count               cycles\n"
	"      0x13 write_cr3                             82                 4000\n"
	"      0x4e PF excp                               51                 3000\n"
	"     0x400 npf                                   20                 1500\n"
	"     other other                                  7                  500\n";

static const char svm_hist[] =
	"# event histogram\n#\n\n"
	"{ exit_reason:         19 } hitcount:         82\n"
	"{ exit_reason:       1024 } hitcount:         20\n"
	"{ exit_reason:         78 } hitcount:         51\n"
	"{ exit_reason:       4660 } hitcount:          7\n"
	"\nTotals:\n    Hits: 160\n    Entries: 4\n    Dropped: 0\n";

/* Rows, names with spaces, the "other" row, the header totals. */
static void test_stats(void **state)
{
	struct es_table t;
	char err[128];
	FILE *f = text(svm_stats);

	(void)state;
	assert_int_equal(es_parse_stats(f, &t, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(t.vendor, ES_AMD);
	assert_int_equal(t.n, 4);
	assert_string_equal(es_table_find(&t, 0x4e)->name, "PF excp");
	assert_int_equal(es_table_find(&t, 0x4e)->cycles, 3000);
	assert_int_equal(es_table_find(&t, ES_CODE_OTHER)->count, 7);
	assert_int_equal(t.total, 160);
}

/* Corrupt files are refused with the line. */
static void test_stats_corrupt(void **state)
{
	static const char *const bad[] = {
		"      0x13 write_cr3 82 4000\n",			/* no header */
		"# isa svm mode cycles exits 5 cycles 0\n 0x13 w 4 0\n",	/* sum */
		"# isa svm mode cycles exits 8 cycles 0\n 0x13 w 4 0\n 0x13 w 4 0\n",
		"# isa svm mode cycles exits 4 cycles 0\n 0x13 w four 0\n",
		"# isa arm mode cycles exits 0 cycles 0\n",
	};
	struct es_table t;
	char err[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = text(bad[i]);

		assert_int_equal(es_parse_stats(f, &t, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "line "));
		fclose(f);
	}
}

/* VMX keys fold: failed entries to 0x80000000, flag bits dropped. */
static void test_hist_vmx_fold(void **state)
{
	static const char h[] =
		"{ exit_reason:         10 } hitcount:          5\n"
		"{ exit_reason:  268435466 } hitcount:          2\n"	/* 0x1000000a */
		"{ exit_reason: 2147483681 } hitcount:          1\n"	/* 0x80000021 */
		"Totals:\n    Hits: 8\n    Dropped: 0\n";
	struct es_table t;
	char err[128];
	FILE *f = text(h);

	(void)state;
	assert_int_equal(es_parse_hist(f, ES_INTEL, &t, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(es_table_find(&t, 10)->count, 7);
	assert_int_equal(es_table_find(&t, 0x80000000)->count, 1);
	assert_int_equal(t.total, 8);
}

/* A histogram that dropped events, or does not add up, is useless. */
static void test_hist_refuses(void **state)
{
	struct es_table t;
	char err[128];
	FILE *f;

	(void)state;
	f = text("{ exit_reason: 1 } hitcount: 5\nTotals:\n    Hits: 5\n    Dropped: 3\n");
	assert_int_equal(es_parse_hist(f, ES_AMD, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "dropped"));
	fclose(f);
	f = text("{ exit_reason: 1 } hitcount: 5\nTotals:\n    Hits: 6\n");
	assert_int_equal(es_parse_hist(f, ES_AMD, &t, err, sizeof(err)), -1);
	fclose(f);
	f = text("nothing here\n");
	assert_int_equal(es_parse_hist(f, ES_AMD, &t, err, sizeof(err)), -1);
	fclose(f);
}

/* Equal figures agree; one exit off anywhere is a mismatch, named. */
static void test_compare(void **state)
{
	struct es_table s, h;
	char err[128], why[512];
	FILE *f;

	(void)state;
	f = text(svm_stats);
	es_parse_stats(f, &s, err, sizeof(err));
	fclose(f);
	f = text(svm_hist);
	assert_int_equal(es_parse_hist(f, ES_AMD, &h, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(es_compare(&s, &h, why, sizeof(why)), 0);
	h.rows[1].count++;	/* npf */
	h.total++;
	assert_int_equal(es_compare(&s, &h, why, sizeof(why)), 2);
	assert_non_null(strstr(why, "reason 0x400 (npf): exitscope 20, tracepoint 21"));
	assert_non_null(strstr(why, "all exits: exitscope 160, tracepoint 161"));
	h.rows[1].count--;
	h.total--;
	h.rows[3].count = 6;	/* the code only "other" can hold */
	h.total = 159;
	assert_true(es_compare(&s, &h, why, sizeof(why)) >= 1);
	assert_non_null(strstr(why, "outside exitscope's rows: tracepoint 6, exitscope 'other' 7"));
}

/* The guest's JSON between the markers of an L2 console log. */
static void test_query_log(void **state)
{
	static const char log[] =
		"Run /init as init process\n"
		"EXITSCOPE-QUERY-BEGIN\n"
		"{\"schema\":\"exitscope.query/1\",\"vendor\":\"amd\",\"isa\":\"svm\",\"total\":{\"count\":28526,\"cycles\":99},"
		"\"query_exits\":194,\"reasons\":[{\"reason\":123,\"name\":\"io\",\"count\":16596,\"cycles\":12},"
		"{\"reason\":78,\"name\":\"PF excp\",\"count\":3,\"cycles\":4}]}\n"
		"EXITSCOPE-QUERY-END\n";
	struct es_table t;
	char err[128];
	FILE *f = text(log);

	(void)state;
	assert_int_equal(es_parse_query_log(f, &t, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(t.vendor, ES_AMD);
	assert_int_equal(t.total, 28526);
	assert_int_equal(t.n, 2);
	assert_int_equal(es_table_find(&t, 123)->count, 16596);
	assert_string_equal(es_table_find(&t, 78)->name, "PF excp");
	f = text("Kernel panic\n");
	assert_int_equal(es_parse_query_log(f, &t, err, sizeof(err)), -1);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_stats_corrupt),
		cmocka_unit_test(test_hist_vmx_fold),
		cmocka_unit_test(test_hist_refuses),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_query_log),
	};

	return cmocka_run_group_tests_name("results", tests, NULL, NULL);
}
