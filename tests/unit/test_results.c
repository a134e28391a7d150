// SPDX-License-Identifier: GPL-2.0-only
/*
 * The parsers of what a lab run leaves behind (tools/lib/parse*.c,
 * query_doc.c) and the results directory loader (labdir.c): real layouts
 * accepted, and every kind of damage refused with file, line and reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "parse/labdir.h"
#include "parse/parse.h"
#include "query/query_doc.h"
#include "fixtures.h"

static int stats(const char *s, struct es_run *run, enum es_vendor *v, struct es_err *e)
{
	memset(run, 0, sizeof(*run));
	return es_parse_stats("stats-x-1.txt", s, strlen(s), run, v, e);
}

static void run_free(struct es_run *run)
{
	free(run->rows);
	free(run->kvm);
	es_verdict_free(&run->verdict);
}

/* The new layout: six figures per row, names with spaces, "other". */
static void test_stats_new(void **state)
{
	static const char s[] =
		"# isa svm mode cycles exits 160 cycles 9000 halted 70 vmm 3400 preempted 5 sleep 6\n"
		"#   reason name                         count               cycles               halted                  vmm            preempted                sleep\n"
		"      0x13 write_cr3                       82                 4000                    0                    0                    0                    0\n"
		"      0x4e PF excp                         51                 3000                    0                 3400                    5                    6\n"
		"         0 read_cr0                         0                    0                    0                    0                    0                    0\n"
		"     0x400 npf                             20                 1500                   70                    0                    0                    0\n"
		"0xffffffff invalid_guest_state              0                    0                    0                    0                    0                    0\n"
		"     other other                            7                  500                    0                    0                    0                    0\n";
	struct es_run run;
	enum es_vendor v;
	struct es_err e;

	(void)state;
	assert_int_equal(stats(s, &run, &v, &e), 0);
	assert_int_equal(v, ES_AMD);
	assert_true(run.sources & ES_SRC_TIMES);
	assert_string_equal(run.accounting, "cycles");
	assert_int_equal(run.nrows, 6);
	assert_string_equal(es_run_find(&run, 0x4e)->name, "PF excp");
	assert_int_equal(es_run_find(&run, 0x4e)->f.t[ES_VMM], 3400);
	assert_int_equal(es_run_find(&run, 0x4e)->f.t[ES_SLEEP], 6);
	assert_int_equal(es_run_find(&run, 0x400)->f.t[ES_HALTED], 70);
	assert_int_equal(es_run_find(&run, ES_CODE_OTHER)->f.count, 7);
	assert_non_null(es_run_find(&run, 0xffffffff));
	assert_non_null(es_run_find(&run, 0));
	assert_int_equal(run.total.count, 160);
	assert_int_equal(run.total.t[ES_PREEMPTED], 5);
	run_free(&run);
}

/* The layout of kernels before the time-away columns; VMX decimal codes. */
static void test_stats_old(void **state)
{
	static const char s[] =
		"# isa vmx mode counts exits 9 cycles 0\n"
		"#   reason name                              count               cycles\n"
		"        10 CPUID                                 5                    0\n"
		"0x80000000 FAILED_VMENTRY                        4                    0\n";
	struct es_run run;
	enum es_vendor v;
	struct es_err e;

	(void)state;
	assert_int_equal(stats(s, &run, &v, &e), 0);
	assert_int_equal(v, ES_INTEL);
	assert_false(run.sources & ES_SRC_TIMES);
	assert_int_equal(es_run_find(&run, 10)->f.count, 5);
	assert_int_equal(es_run_find(&run, 0x80000000)->f.count, 4);
	run_free(&run);
}

static void test_stats_corrupt(void **state)
{
	static const struct { const char *s, *why; } bad[] = {
		{ "      0x13 write_cr3 82 4000\n", ":1: not the '# isa" },
		{ "", "no '# isa" },
		{ "# isa svm mode cycles exits 5 cycles 0\n", "no '# isa" },
		{ "# isa arm mode cycles exits 0 cycles 0\n#   reason name count cycles\n", "unknown isa 'arm'" },
		{ "# isa svm mode fast exits 0 cycles 0\n#   reason name count cycles\n", "unknown accounting mode" },
		{ "# isa svm mode cycles exits 0 cycles 0\n# reason name count\n", ":2: not the column line" },
		{ "# isa svm mode cycles exits 0 cycles 0\n#   reason name count cycles\n 0x13 w 4\n", ":3: not 'reason name count cycles'" },
		{ "# isa svm mode cycles exits 0 cycles 0\n#   reason name count cycles\n 0x13 w -10 0\n", ":3: count '-10'" },
		{ "# isa svm mode cycles exits 0 cycles 0\n#   reason name count cycles\n 0x13 w 18446744073709551606 0\n", "out of range" },
		{ "# isa svm mode cycles exits 0 cycles 0\n#   reason name count cycles\n 0x13 w four 0\n", ":3: count 'four'" },
		{ "# isa svm mode cycles exits 0 cycles 0\n#   reason name count cycles\n 0x13 w 4 0\n 0x13 w 4 0\n", ":4: reason 0x13 listed twice" },
		{ "# isa svm mode cycles exits 0 cycles 0\n#   reason name count cycles\n 013 w 4 0\n", "reason '013': a leading zero" },
		{ "# isa svm mode cycles exits 0 cycles 0\n#   reason name count cycles\n 0xfffffffe w 4 0\n", "'other' row, written as a number" },
		{ "# isa vmx mode cycles exits 0 cycles 0\n#   reason name count cycles\n 65536 w 4 0\n", "no VMX basic exit reason" },
		{ "# isa svm mode cycles exits 0 cycles 0\n#   reason name count cycles\n other junk 4 0\n", "'other' row is named 'junk'" },
		{ "# isa svm mode cycles exits 0 cycles 0\n#   reason name count cycles\n 0x13 4 0\n", ":3: not 'reason name" },
		{ "# isa svm mode cycles exits 0 cycles 0\n#   reason name count cycles\n 0x13 w 4 0", ":3: no newline at the end" },
		{ "# isa svm mode cycles exits 0 cycles 0 halted 0\n", "not the '# isa" },
		{ "# isa svm mode cycles exits 0 cycles 0\n#   reason name count cycles\n 0x13 w\xff 4 0\n", "byte 0xff" },
	};
	struct es_run run;
	enum es_vendor v;
	struct es_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (stats(bad[i].s, &run, &v, &e) != -1 || !strstr(e.msg, bad[i].why))
			fail_msg("case %zu: wanted '%s', got '%s'", i, bad[i].why, e.msg);
		assert_non_null(strstr(e.msg, "stats-x-1.txt"));
		run_free(&run);
	}
}

static int hist(const char *s, enum es_vendor v, struct es_tallies *t, struct es_err *e)
{
	return es_parse_hist("hist-x-1.txt", s, strlen(s), v, t, e);
}

static uint64_t tally(const struct es_tallies *t, uint32_t code)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].code == code)
			return t->v[i].count;
	return UINT64_MAX;
}

static void test_hist(void **state)
{
	static const char h[] =
		"# event histogram\n#\n# trigger info: hist:keys=exit_reason:vals=hitcount:size=4096 [active]\n#\n\n"
		"{ exit_reason:         10 } hitcount:          5\n"
		"{ exit_reason:  268435466 } hitcount:          2\n"	/* 0x1000000a: flag bit */
		"{ exit_reason: 2147483681 } hitcount:          1\n"	/* 0x80000021: failed entry */
		"\nTotals:\n    Hits: 8\n    Entries: 3\n    Dropped: 0\n";
	struct es_tallies t;
	struct es_err e;

	(void)state;
	assert_int_equal(hist(h, ES_INTEL, &t, &e), 0);
	assert_int_equal(tally(&t, 10), 7);
	assert_int_equal(tally(&t, 0x80000000), 1);
	assert_int_equal(t.total, 8);
	es_tallies_free(&t);
	/* SVM keys are codes as they are. */
	assert_int_equal(hist(h, ES_AMD, &t, &e), 0);
	assert_int_equal(tally(&t, 0x1000000a), 2);
	es_tallies_free(&t);
}

static void test_hist_refuses(void **state)
{
	static const char tail[] = "\nTotals:\n    Hits: 5\n    Entries: 1\n    Dropped: 0\n";
	static const struct { const char *s, *why; } bad[] = {
		{ "{ exit_reason: 1 } hitcount: 5\nTotals:\n    Hits: 5\n    Entries: 1\n    Dropped: 3\n", "dropped 3 events" },
		{ "{ exit_reason: 1 } hitcount: 5\nTotals:\n    Hits: 6\n    Entries: 1\n    Dropped: 0\n", ":3: Hits: 6, but the hitcounts add up to 5" },
		{ "{ exit_reason: 1 } hitcount: 5\nTotals:\n    Hits: 5\n    Entries: 2\n    Dropped: 0\n", "Entries: 2, but 1" },
		{ "{ exit_reason: 1 } hitcount: 5\nTotals:\n    Hits: 5\n    Entries: 1\n", "ends before its 'Dropped:' line" },
		{ "{ exit_reason: 1 } hitcount: 5\n", "ends before its 'Totals:' line" },
		{ "nothing here\n", ":1: 'Totals:' expected" },
		{ "{ exit_reason: 1 } hitcount: 5\nTotals:\n    Hits: 5\n    Entries: 1\n    Dropped: 0\n{ exit_reason: 2 } hitcount: 1\n", ":6: junk after the Totals" },
		{ "{ exit_reason: 1 } hitcount: 2\n{ exit_reason: 1 } hitcount: 3\nTotals:\n    Hits: 5\n    Entries: 2\n    Dropped: 0\n", ":2: exit_reason 1 listed twice" },
		{ "{ exit_reason: -1 } hitcount: 5\nTotals:\n    Hits: 5\n    Entries: 1\n    Dropped: 0\n", ":1: '-1'" },
		{ "{ exit_reason: 1 } hitcount: 5 extra\nTotals:\n    Hits: 5\n    Entries: 1\n    Dropped: 0\n", "junk after the hitcount" },
		{ "{ exit_reason: 1 } hitcount: 5\nTotals:\n    Hits: 5\n    Entries: 1\n    Dropped: 0", "no newline at the end" },
	};
	struct es_tallies t;
	struct es_err e;
	char junk[4200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (hist(bad[i].s, ES_AMD, &t, &e) != -1 || !strstr(e.msg, bad[i].why))
			fail_msg("case %zu: wanted '%s', got '%s'", i, bad[i].why, e.msg);
	/* 4000 random bytes before a valid hist. */
	srand(1);
	for (i = 0; i < 4000; i++)
		junk[i] = (char)(rand() % 255 + 1);
	snprintf(junk + 4000, sizeof(junk) - 4000, "{ exit_reason: 1 } hitcount: 5%s", tail);
	assert_int_equal(hist(junk, ES_AMD, &t, &e), -1);
	assert_non_null(strstr(e.msg, "hist-x-1.txt:1:"));
}

static void test_status(void **state)
{
	static const char *const bad[] = {
		"0x10\n", "0junk\n", "0\n5\n", "99999999999\n", "", "256\n", " 5\n", "+5\n",
		"010\n", "-1\n", "5", "\n",
	};
	struct es_err e;
	size_t i;
	int st = -1;

	(void)state;
	assert_int_equal(es_parse_status("s.txt", "0\n", 2, &st, &e), 0);
	assert_int_equal(st, 0);
	assert_int_equal(es_parse_status("s.txt", "255\n", 4, &st, &e), 0);
	assert_int_equal(st, 255);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st = -7;
		if (es_parse_status("s.txt", bad[i], strlen(bad[i]), &st, &e) != -1)
			fail_msg("status '%s' accepted", bad[i]);
		assert_int_equal(st, -7);
		assert_non_null(strstr(e.msg, "s.txt"));
	}
}

static void test_kvmstat(void **state)
{
	static const struct { const char *s, *why; } bad[] = {
		{ "halt_exits 3\n", "no 'exits' line" },
		{ "exits 3\nexits 4\n", ":2: exits listed twice" },
		{ "exits three\n", ":1: exits: 'three'" },
		{ "exits 3 4\n", ":1: not 'NAME VALUE'" },
		{ "Exits 3\n", "no KVM statistic's name" },
		{ "exits -3\n", ":1: exits: '-3'" },
	};
	static const char ok[] = "exits 160364\nhalt_exits 12\n";
	struct es_run run = { 0 };
	struct es_err e;
	size_t i;

	(void)state;

	assert_int_equal(es_parse_kvmstat("k.txt", ok, strlen(ok), &run, &e), 0);
	assert_int_equal(run.kvm_exits, 160364);
	assert_int_equal(es_run_kvm_stat(&run, "halt_exits")->value, 12);
	assert_true(run.sources & ES_SRC_KVM);
	run_free(&run);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&run, 0, sizeof(run));
		if (es_parse_kvmstat("k.txt", bad[i].s, strlen(bad[i].s), &run, &e) != -1 ||
		    !strstr(e.msg, bad[i].why))
			fail_msg("case %zu: wanted '%s', got '%s'", i, bad[i].why, e.msg);
		run_free(&run);
	}
}

static int meta(const char *s, struct es_meta *m, struct es_err *e)
{
	return es_parse_meta("metadata.txt", s, strlen(s), m, e);
}

/* fx_meta_amd with line @key replaced by @line (NULL: dropped). */
static const char *meta_with(const char *key, const char *line)
{
	static char buf[8192];
	const char *p = fx_meta_amd;
	size_t n = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');

		if (!strncmp(p, key, strlen(key)) && p[strlen(key)] == '=') {
			if (line)
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\n", line);
		} else {
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%.*s\n", (int)(nl - p), p);
		}
		p = nl + 1;
	}
	return buf;
}

static void test_meta(void **state)
{
	char line[300];
	struct es_meta m;
	struct es_err e;

	(void)state;
	assert_int_equal(meta(fx_meta_amd, &m, &e), 0);
	assert_int_equal(m.vendor, ES_AMD);
	assert_string_equal(m.workload, "seed");
	assert_int_equal(m.runs, 1);
	assert_int_equal(m.rounds, 4);
	assert_string_equal(m.l1_kernel, "6.1.192");
	assert_non_null(strstr(m.l2_cmdline, "exitscope.rounds=4"));	/* '=' inside */
	assert_string_equal(m.kver, "6.1.192-3");
	assert_string_equal(m.knob, "kvm_amd.npt");
	assert_int_equal(m.nmodes, 2);
	assert_string_equal(m.modes[0].name, "npt");
	assert_true(m.modes[0].nested);
	assert_string_equal(m.modes[1].param, "0");
	/* The limits are exact: 127 bytes of l1_kernel fit, 128 do not. */
	snprintf(line, sizeof(line), "l1_kernel=%0127d", 0);
	assert_int_equal(meta(meta_with("l1_kernel", line), &m, &e), 0);
	snprintf(line, sizeof(line), "l1_kernel=%0128d", 0);
	assert_int_equal(meta(meta_with("l1_kernel", line), &m, &e), -1);
	assert_non_null(strstr(e.msg, "metadata.txt:6: l1_kernel: longer than 127 bytes"));
	/* A command line with quotes and UTF-8 is text like any other. */
	assert_int_equal(meta(meta_with("l2_cmdline", "l2_cmdline=x=\"a\\b\" caf\xc3\xa9"), &m, &e), 0);
	assert_string_equal(m.l2_cmdline, "x=\"a\\b\" caf\xc3\xa9");
	/* A --l1-extra script's status, when one ran; none by default. */
	assert_false(m.l1_extra);
	assert_int_equal(meta(meta_with("kver", "kver=6.1.192-3\nl1_extra=7"), &m, &e), 0);
	assert_true(m.l1_extra);
	assert_int_equal(m.l1_extra_status, 7);
}

static void test_meta_refuses(void **state)
{
	static const struct { const char *key, *line, *why; } bad[] = {
		{ "cpu", NULL, "no cpu line" },
		{ "kver", NULL, "no kver line" },
		{ "paging.shadow", NULL, "no paging.shadow line" },
		{ "cpu", "cpu=arm", "cpu: 'arm' (amd or intel)" },
		{ "cpu", "cpu=intel", "paging.npt on a cpu=intel lab" },
		{ "runs", "runs=010", "runs: '010': a leading zero" },
		{ "runs", "runs=0", "runs: '0'" },
		{ "runs", "runs= 5", "runs: ' 5'" },
		{ "rounds", "rounds=", "rounds: ''" },
		{ "workload", "workload=a b", "no workload name" },
		{ "paging.npt", "paging.npt=maybe", "no paging parameter value" },
		{ "paging.npt", "paging.npt=", "no paging parameter value" },
		{ "kver", "kver=6.1\"x", "no package version" },
		{ "l1_kernel", "l1_kernel=bad\xff", "not UTF-8" },
		{ "l1_kernel", "l1_kernel", "not 'key=value'" },
		{ "l1_kernel", "frob=1", "unknown key 'frob'" },
		{ "l1_kernel", "cpu=amd", "cpu given twice" },
		{ "paging.npt", "paging.shadow=0\npaging.npt=1", "paging.shadow before the nested" },
		{ "kver", "kver=1\nl1_extra=256", "l1_extra: '256'" },
		{ "kver", "kver=1\nl1_extra=", "l1_extra: ''" },
		{ "kver", "kver=1\nl1_extra=0\nl1_extra=0", "l1_extra given twice" },
	};
	struct es_meta m;
	struct es_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (meta(meta_with(bad[i].key, bad[i].line), &m, &e) != -1 ||
		    !strstr(e.msg, bad[i].why) || !strstr(e.msg, "metadata.txt"))
			fail_msg("case %zu: wanted '%s', got '%s'", i, bad[i].why, e.msg);
}

static const char q_ok[] =
	"{\"schema\":\"exitscope.query/2\",\"vendor\":\"amd\",\"isa\":\"svm\",\"total\":{\"count\":28526,\"cycles\":99},"
	"\"query_exits\":194,\"reasons\":[{\"reason\":123,\"name\":\"io\",\"count\":16596,\"cycles\":12},"
	"{\"reason\":78,\"name\":\"PF excp\",\"count\":3,\"cycles\":4},"
	"{\"reason\":null,\"name\":\"other\",\"count\":1,\"cycles\":0}]}";

static void test_query_log(void **state)
{
	struct es_query_doc d;
	struct es_err e;
	bool found;
	const char *log = fx_log(q_ok);

	(void)state;
	assert_int_equal(es_query_log_parse("l2.log", log, strlen(log), &d, &found, &e), 0);
	assert_true(found);
	assert_int_equal(d.vendor, ES_AMD);
	assert_int_equal(d.total, 28526);
	assert_int_equal(d.query_exits, 194);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.rows[0].count, 16596);
	assert_string_equal(d.rows[1].name, "PF excp");
	assert_int_equal(d.rows[2].code, ES_CODE_OTHER);
	es_query_doc_free(&d);
	/* No block at all: a flat guest. Found nothing, no error. */
	assert_int_equal(es_query_log_parse("l2.log", "Kernel panic\n", 13, &d, &found, &e), 0);
	assert_false(found);
	/* Binary junk around the block does not matter. */
	{
		char buf[4096];
		int n = snprintf(buf, sizeof(buf), "\xff\x01garbage\r\n%s\xfe", fx_log(q_ok));

		assert_int_equal(es_query_log_parse("l2.log", buf, (size_t)n, &d, &found, &e), 0);
		assert_true(found);
		es_query_doc_free(&d);
	}
}

static void test_query_log_refuses(void **state)
{
	static const struct { const char *log, *why; } bad[] = {
		{ "EXITSCOPE-QUERY-BEGIN\n", "l2.log:1: query block never ends" },
		{ "EXITSCOPE-QUERY-BEGIN\nEXITSCOPE-QUERY-END\n", ":2: query block without a document" },
		{ "EXITSCOPE-QUERY-END\n", ":1: EXITSCOPE-QUERY-END without" },
		{ "EXITSCOPE-QUERY-BEGIN\nexitscope query: hypervisor 'KVMKVMKVM' does not answer\nEXITSCOPE-QUERY-END\n", "l2.log:2: query document: not JSON" },
		{ "EXITSCOPE-QUERY-BEGIN\n{\"schema\":\"exitscope.query/1\"}\nEXITSCOPE-QUERY-END\n", ":2: query document: not an exitscope query" },
		{ "EXITSCOPE-QUERY-BEGIN\n{}\n", "not an exitscope query" },
	};
	struct es_query_doc d;
	struct es_err e;
	bool found;
	char buf[4096];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (es_query_log_parse("l2.log", bad[i].log, strlen(bad[i].log), &d, &found, &e) != -1 ||
		    !strstr(e.msg, bad[i].why))
			fail_msg("case %zu: wanted '%s', got '%s'", i, bad[i].why, e.msg);
	/* A document never closed, and two blocks. */
	n = snprintf(buf, sizeof(buf), "x\nEXITSCOPE-QUERY-BEGIN\n%s\n", q_ok);
	assert_int_equal(es_query_log_parse("l2.log", buf, (size_t)n, &d, &found, &e), -1);
	assert_non_null(strstr(e.msg, "l2.log:2: query block never ends"));
	n = snprintf(buf, sizeof(buf), "%s%s", fx_log(q_ok), "EXITSCOPE-QUERY-BEGIN\n");
	assert_int_equal(es_query_log_parse("l2.log", buf, (size_t)n, &d, &found, &e), -1);
	assert_non_null(strstr(e.msg, "a second query block"));
}

static void test_query_doc_refuses(void **state)
{
	static const struct { const char *from, *to, *why; } bad[] = {
		{ "\"count\":3,", "\"count\":-3,", "count or cycles is not a number" },
		{ "\"count\":3,", "\"count\":3.5,", "count or cycles is not a number" },
		{ "\"count\":3,", "\"count\":\"3\",", "reasons[1]" },
		{ "\"query_exits\":194", "\"query_exits\":194,\"extra\":1", "not an exitscope query" },
		{ "\"reason\":78", "\"reason\":78,\"reason\":79", "not JSON" },
		{ "\"reason\":78", "\"reason\":123", "listed twice" },
		{ "\"reason\":78", "\"reason\":4294967294", "not 0xfffffffe" },
		{ "\"reason\":78", "\"reason\":4294967296", "reason is not null or a code" },
		{ "\"vendor\":\"amd\"", "\"vendor\":\"intel\"", "vendor and isa" },
		{ "\"name\":\"io\"", "\"name\":\"\"", "name is not 1 to 48" },
		{ "\"count\":28526", "\"count\":18446744073709551606", "not JSON" },
	};
	struct es_query_doc d;
	struct es_err e;
	char doc[2048];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *at = strstr(q_ok, bad[i].from);

		assert_non_null(at);
		snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(at - q_ok), q_ok, bad[i].to,
			 at + strlen(bad[i].from));
		if (es_query_doc_parse("l2.log", 7, doc, strlen(doc), &d, &e) != -1 ||
		    !strstr(e.msg, bad[i].why) || !strstr(e.msg, "l2.log:7:"))
			fail_msg("case %zu: wanted '%s', got '%s'", i, bad[i].why, e.msg);
	}
}

/* The writer's line is what the parser reads: one format. */
static void test_query_doc_round_trip(void **state)
{
	struct es_query_doc d = { .vendor = ES_INTEL, .total = 1ull << 40, .total_cycles = 7,
				  .query_exits = 9 }, back;
	struct es_err e;
	char *buf = NULL;
	size_t len;
	FILE *f;

	(void)state;
	assert_true(es_query_doc_add(&d, 10, "CPUID", 5, 6));
	assert_true(es_query_doc_add(&d, ES_CODE_FAILED_VMENTRY, "FAILED_VMENTRY", 1, 0));
	assert_true(es_query_doc_add(&d, ES_CODE_OTHER, "other", 2, 3));
	f = open_memstream(&buf, &len);
	assert_int_equal(es_query_doc_write(f, &d), 0);
	fclose(f);
	assert_non_null(strstr(buf, "{\"reason\":null,\"name\":\"other\""));
	assert_int_equal(buf[len - 1], '\n');
	assert_int_equal(es_query_doc_parse("x", 1, buf, len - 1, &back, &e), 0);
	assert_int_equal(back.n, 3);
	assert_true(back.total == 1ull << 40);
	assert_int_equal(back.rows[1].code, ES_CODE_FAILED_VMENTRY);
	assert_int_equal(back.rows[2].code, ES_CODE_OTHER);
	assert_int_equal(back.rows[2].cycles, 3);
	es_query_doc_free(&back);
	free(buf);
	/* A figure JSON cannot hold is refused, not written wrong. */
	d.rows[0].count = UINT64_MAX - 9;
	f = open_memstream(&buf, &len);
	assert_int_equal(es_query_doc_write(f, &d), -1);
	fclose(f);
	free(buf);
	es_query_doc_free(&d);
}

static void test_labdir(void **state)
{
	char *d = fx_amd_dir();
	struct es_record r;
	struct es_err e;
	const struct es_run *run;

	(void)state;
	assert_int_equal(es_labdir_load(d, &r, &e), 0);
	assert_int_equal(r.nruns, 2);
	run = &r.runs[0];
	assert_string_equal(run->mode, "npt");
	assert_int_equal(run->index, 1);
	assert_int_equal(run->vmm_status, 0);
	assert_int_equal(run->sources, ES_SRC_STATS | ES_SRC_TIMES | ES_SRC_TRACEPOINT |
			 ES_SRC_QUERY | ES_SRC_KVM);
	assert_int_equal(run->kvm_exits, 223);
	assert_int_equal(run->total_tracepoint, 223);
	assert_int_equal(run->total_query, 200);
	assert_int_equal(es_run_find(run, 0x400)->tracepoint_count, 20);
	assert_int_equal(es_run_find(run, 0x7b)->query_count, 190);
	assert_true(es_verdict_ok(&run->verdict));
	assert_string_equal(r.runs[1].mode, "shadow");
	es_record_free(&r);
	fx_rmdir(d);
}

static void test_labdir_refuses(void **state)
{
	struct es_record r;
	struct es_err e;
	char *d;

	(void)state;
	assert_int_equal(es_labdir_load("/etc/passwd", &r, &e), -1);
	assert_non_null(strstr(e.msg, "/etc/passwd: not a directory"));
	assert_int_equal(es_labdir_load("/nonexistent", &r, &e), -1);
	assert_non_null(strstr(e.msg, "/nonexistent: No such file"));

	d = fx_amd_dir();
	fx_rm(d, "hist-npt-1.txt");
	assert_int_equal(es_labdir_load(d, &r, &e), -1);
	assert_non_null(strstr(e.msg, "hist-npt-1.txt: No such file or directory"));
	fx_rmdir(d);

	d = fx_amd_dir();
	fx_rm(d, "metadata.txt");
	assert_int_equal(es_labdir_load(d, &r, &e), -1);
	assert_non_null(strstr(e.msg, "metadata.txt: no such file: not a lab results directory"));
	fx_rmdir(d);

	d = fx_amd_dir();
	fx_put(d, "stats-shadow-2.txt", fx_svm_stats_shadow);
	assert_int_equal(es_labdir_load(d, &r, &e), -1);
	assert_non_null(strstr(e.msg, "stats-shadow-2.txt: a run that"));
	fx_rmdir(d);

	d = fx_amd_dir();
	fx_put(d, "stats-ept-1.txt", fx_svm_stats_shadow);
	assert_int_equal(es_labdir_load(d, &r, &e), -1);
	assert_non_null(strstr(e.msg, "stats-ept-1.txt: a run that"));
	fx_rmdir(d);

	d = fx_amd_dir();
	fx_put(d, "stats-npt-1.txt", "# isa vmx mode cycles exits 0 cycles 0\n#   reason name count cycles\n");
	assert_int_equal(es_labdir_load(d, &r, &e), -1);
	assert_non_null(strstr(e.msg, "stats-npt-1.txt is from vmx, not svm"));
	fx_rmdir(d);

	d = fx_amd_dir();
	fx_put(d, "status-shadow-1.txt", "0x10\n");
	assert_int_equal(es_labdir_load(d, &r, &e), -1);
	assert_non_null(strstr(e.msg, "status-shadow-1.txt:1: '0x10' is no exit status"));
	fx_rmdir(d);

	/* An oversized file is refused by its size, not read. */
	d = fx_amd_dir();
	{
		char *big = malloc(ES_STATUS_MAX_BYTES + 2);

		memset(big, '0', ES_STATUS_MAX_BYTES + 1);
		big[ES_STATUS_MAX_BYTES + 1] = '\0';
		fx_put(d, "status-npt-1.txt", big);
		free(big);
	}
	assert_int_equal(es_labdir_load(d, &r, &e), -1);
	assert_non_null(strstr(e.msg, "status-npt-1.txt: 65 bytes, more than the 64"));
	fx_rmdir(d);
}

/* The guest's console is no reason to lose the report: a verdict failure. */
static void test_labdir_bad_query(void **state)
{
	char *d = fx_amd_dir();
	struct es_record r;
	struct es_err e;

	(void)state;
	fx_put(d, "l2-shadow-1.log", "EXITSCOPE-QUERY-BEGIN\r\n{\"schema\":\r\nEXITSCOPE-QUERY-END\r\n");
	assert_int_equal(es_labdir_load(d, &r, &e), 0);
	assert_int_equal(r.runs[1].verdict.n, 1);
	assert_non_null(strstr(r.runs[1].verdict.why[0], "l2-shadow-1.log:2: query document: not JSON"));
	assert_false(r.runs[1].sources & ES_SRC_QUERY);
	es_record_free(&r);
	/* No kvmstat file: KVM's figure is simply absent. */
	fx_rm(d, "kvmstat-npt-1.txt");
	assert_int_equal(es_labdir_load(d, &r, &e), 0);
	assert_false(r.runs[0].sources & ES_SRC_KVM);
	es_record_free(&r);
	fx_rmdir(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_new),
		cmocka_unit_test(test_stats_old),
		cmocka_unit_test(test_stats_corrupt),
		cmocka_unit_test(test_hist),
		cmocka_unit_test(test_hist_refuses),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_kvmstat),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_meta_refuses),
		cmocka_unit_test(test_query_log),
		cmocka_unit_test(test_query_log_refuses),
		cmocka_unit_test(test_query_doc_refuses),
		cmocka_unit_test(test_query_doc_round_trip),
		cmocka_unit_test(test_labdir),
		cmocka_unit_test(test_labdir_refuses),
		cmocka_unit_test(test_labdir_bad_query),
	};

	return cmocka_run_group_tests_name("results", tests, NULL, NULL);
}
