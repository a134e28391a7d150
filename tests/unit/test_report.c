// SPDX-License-Identifier: GPL-2.0-only
/*
 * The results model's checks (verdict.c), its summary, and its writers:
 * Markdown, CSV, the table, JSON both ways, the chart through gnuplot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>

#include "json/results_json.h"
#include "model/summary.h"
#include "model/verdict.h"
#include "parse/labdir.h"
#include "write/writers.h"
#include "fixtures.h"

static void load(const char *dir, struct es_record *r)
{
	struct es_err e;

	if (es_labdir_load(dir, r, &e))
		fail_msg("%s", e.msg);
	es_verdict_check(r);
}

static bool has_failure(const struct es_record *r, const char *what)
{
	size_t i;

	for (i = 0; i < r->verdict.n; i++)
		if (strstr(r->verdict.why[i], what))
			return true;
	return false;
}

static void print_verdict(const struct es_record *r)
{
	size_t i;

	for (i = 0; i < r->verdict.n; i++)
		print_message("  verdict: %s\n", r->verdict.why[i]);
}

/* Change one file of a good AMD directory, load it, check. */
static void with_file(const char *name, const char *content, struct es_record *r)
{
	char *d = fx_amd_dir();

	fx_put(d, name, content);
	load(d, r);
	fx_rmdir(d);
}

static char *replace(const char *s, const char *from, const char *to)
{
	static char buf[8192];
	const char *at = strstr(s, from);

	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
	return buf;
}

static void test_good(void **state)
{
	char *d = fx_amd_dir();
	struct es_record r;

	(void)state;
	load(d, &r);
	print_verdict(&r);
	assert_true(es_verdict_ok(&r.verdict));
	es_record_free(&r);
	fx_rmdir(d);
}

static void test_verdict_rules(void **state)
{
	static const struct { const char *file, *from, *to, *why; } cases[] = {
		/* a count off by one against the tracepoint */
		{ "hist-shadow-1.txt", "hitcount:          3", "hitcount:          4",
		  NULL },
		/* all exits against KVM's statistic */
		{ "kvmstat-npt-1.txt", "exits 223", "exits 224",
		  "run npt 1: all exits: exitscope 223, KVM's exits statistic 224" },
		/* the guest saw more than the VM had */
		{ "l2-npt-1.log", "\"count\":190", "\"count\":200",
		  "run npt 1: reason 0x7b (io): the guest's query saw 200 exits, the VM had 199" },
		{ "l2-npt-1.log", "\"count\":200,", "\"count\":224,",
		  "the guest's query saw 224 exits, more than the 223" },
		/* a failed run */
		{ "status-shadow-1.txt", "0", "68",
		  "run shadow 1: exitscope-vmm exited with status 68: timeout" },
		{ "status-npt-1.txt", "0", "66",
		  "without a verdict" },
		/* the paging parameter disagrees with the mode */
		{ "metadata.txt", "paging.shadow=0", "paging.shadow=1",
		  "mode shadow: kvm_amd.npt was 1 while it ran, not off" },
		{ "metadata.txt", "paging.npt=1", "paging.npt=N",
		  "mode npt: kvm_amd.npt was N while it ran, not on" },
	};
	struct es_record r;
	size_t i;
	char *d;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = fx_amd_dir();
		fx_put(d, cases[i].file, replace(fx_get(d, cases[i].file), cases[i].from, cases[i].to));
		if (i == 0) {	/* keep the hist self-consistent: Hits too */
			fx_put(d, cases[i].file, replace(fx_get(d, cases[i].file), "Hits: 703", "Hits: 704"));
		}
		load(d, &r);
		if (i == 0 && (!has_failure(&r, "run shadow 1: reason 0x72 (cpuid): exitscope 3, tracepoint 4") ||
			       !has_failure(&r, "run shadow 1: all exits: exitscope 703, tracepoint 704")))
			fail_msg("case 0: count off by one not caught");
		if (i && !has_failure(&r, cases[i].why)) {
			print_verdict(&r);
			fail_msg("case %zu: no failure '%s'", i, cases[i].why);
		}
		es_record_free(&r);
		fx_rmdir(d);
	}
}

/* Rows must add up to the totals, in every column. */
static void test_sums(void **state)
{
	struct es_record r;

	(void)state;
	with_file("stats-npt-1.txt", replace(fx_svm_stats_npt, "exits 223", "exits 222"), &r);
	assert_true(has_failure(&r, "the rows add up to 223 exits, the total says 222"));
	es_record_free(&r);
	with_file("stats-npt-1.txt", replace(fx_svm_stats_npt, "vmm 900", "vmm 901"), &r);
	assert_true(has_failure(&r, "the rows add up to 900 vmm cycles, the total says 901"));
	es_record_free(&r);
}

/*
 * SVM: the msr row alone may exceed the tracepoint, by exactly the
 * difference of the totals (exits 6.1's tracepoint misses in the fastpath).
 */
static void test_svm_msr(void **state)
{
	static const char stats_msr[] =
		"# isa svm mode cycles exits 10 cycles 0\n#   reason name count cycles\n"
		"      0x7c msr 7 0\n      0x72 cpuid 3 0\n";
	char hist[512];
	struct es_record r;
	char *d;
	int k;

	(void)state;
	for (k = 0; k < 5; k++) {
		/*
		 * tracepoint msr hits: 5 (2 missed, ok), 7 (ok), 6 (1 missed
		 * but totals differ by 2), 8; then 5 on 6.12, whose SVM
		 * tracepoint sees the fastpath's exits: none may be missed.
		 */
		static const int tp_msr[] = { 5, 7, 6, 8, 5 };
		static const int tp_cpuid[] = { 3, 3, 2, 3, 3 };

		d = fx_amd_dir();
		if (k == 4)
			fx_put(d, "metadata.txt", replace(fx_meta_amd, "kver=6.1.192-3\n",
							  "kver=6.12.118-1~deb12u1\n"));
		fx_put(d, "stats-npt-1.txt", stats_msr);
		snprintf(hist, sizeof(hist),
			 "{ exit_reason: 124 } hitcount: %d\n{ exit_reason: 114 } hitcount: %d\n"
			 "Totals:\n    Hits: %d\n    Entries: 2\n    Dropped: 0\n",
			 tp_msr[k], tp_cpuid[k], tp_msr[k] + tp_cpuid[k]);
		fx_put(d, "hist-npt-1.txt", hist);
		fx_put(d, "kvmstat-npt-1.txt", "exits 10\n");
		fx_rm(d, "l2-npt-1.log");
		fx_put(d, "l2-npt-1.log", "flat guest\n");
		load(d, &r);
		switch (k) {
		case 0:
		case 1:
			print_verdict(&r);
			assert_true(es_verdict_ok(&r.verdict));
			break;
		case 2:
			assert_true(has_failure(&r, "reason 0x72 (cpuid): exitscope 3, tracepoint 2"));
			assert_true(has_failure(&r, "reason 0x7c (msr): exitscope 7, tracepoint 6; only fastpath MSR exits"));
			break;
		case 3:
			assert_true(has_failure(&r, "all exits: exitscope 10, tracepoint 11"));
			break;
		case 4:
			assert_true(has_failure(&r, "reason 0x7c (msr): exitscope 7, tracepoint 5"));
			assert_true(has_failure(&r, "all exits: exitscope 10, tracepoint 8"));
			break;
		}
		es_record_free(&r);
		fx_rmdir(d);
	}
	/* On VMX no reason may differ: the same in Intel terms. */
}

/*
 * A code the tracepoint saw that the kernel does not name belongs in
 * exitscope's "other" row; one it names, in its own row (zero if absent).
 */
static void test_other_row(void **state)
{
	static const char stats[] =
		"# isa svm mode cycles exits 10 cycles 0\n#   reason name count cycles\n"
		"      0x72 cpuid 3 0\n     other other 7 0\n";
	char hist[512];
	struct es_record r;
	char *d;
	int k;

	(void)state;
	for (k = 0; k < 3; k++) {
		/* 0x1234: named by no one; 0x7b (io): named, but exitscope has no row */
		static const char *const extra[] = {
			"{ exit_reason: 4660 } hitcount: 7\n",
			"{ exit_reason: 4660 } hitcount: 6\n{ exit_reason: 123 } hitcount: 1\n",
			"{ exit_reason: 4660 } hitcount: 6\n{ exit_reason: 4661 } hitcount: 1\n",
		};

		d = fx_amd_dir();
		fx_put(d, "stats-npt-1.txt", stats);
		snprintf(hist, sizeof(hist), "{ exit_reason: 114 } hitcount: 3\n%s"
			 "Totals:\n    Hits: 10\n    Entries: %d\n    Dropped: 0\n",
			 extra[k], k ? 3 : 2);
		fx_put(d, "hist-npt-1.txt", hist);
		fx_put(d, "kvmstat-npt-1.txt", "exits 10\n");
		fx_put(d, "l2-npt-1.log", "flat guest\n");
		load(d, &r);
		if (k == 1) {
			assert_true(has_failure(&r, "reason 0x7b (io): exitscope 0, tracepoint 1"));
			assert_true(has_failure(&r, "reason other (other): exitscope 7, tracepoint 6"));
		} else {
			print_verdict(&r);
			assert_true(es_verdict_ok(&r.verdict));
		}
		es_record_free(&r);
		fx_rmdir(d);
	}
}

/* One summary row per reason, medians over runs, strong changes marked. */
static void test_summary(void **state)
{
	struct es_record r;
	struct es_summary s;
	char *d = fx_amd_dir();
	size_t i;

	(void)state;
	load(d, &r);
	assert_int_equal(es_summary_build(&r, &s), 0);
	assert_int_equal(s.ncols, 2);
	assert_string_equal(s.col[0], "npt");
	assert_string_equal(s.col[1], "shadow");
	assert_true(s.times);
	assert_int_equal(s.n, 5);	/* 0x4e 0x72 0x78 0x7b 0x400 */
	for (i = 1; i < s.n; i++)
		assert_true(s.rows[i - 1].code < s.rows[i].code);
	assert_int_equal(s.rows[0].code, 0x4e);
	assert_int_equal(s.rows[0].c[0].median, 0);
	assert_int_equal(s.rows[0].c[1].median, 500);
	assert_true(s.rows[0].strong);
	assert_int_equal(s.rows[3].code, 0x7b);
	assert_false(s.rows[3].strong);
	assert_int_equal(s.rows[3].c[0].t[ES_VMM], 900);
	assert_int_equal(s.rows[4].code, 0x400);
	assert_false(s.rows[4].strong);		/* 20 -> 0: under 100 */
	es_summary_free(&s);
	es_record_free(&r);
	fx_rmdir(d);
	assert_true(es_strong_change(25, 100));
	assert_false(es_strong_change(26, 100));
	assert_false(es_strong_change(0, 99));
	assert_true(es_strong_change(UINT64_MAX / 4, UINT64_MAX));
}

/* Three runs a mode: min, median, max; two runs: the mean of the middle. */
static void test_summary_spread(void **state)
{
	static const int cpuid[2][3] = { { 30, 10, 20 }, { 7, 21, 0 } };
	struct es_record r;
	struct es_summary s;
	char name[64], stats[512], *d;
	int m, k, runs;

	(void)state;
	for (runs = 2; runs <= 3; runs++) {
		d = fx_amd_dir();
		fx_put(d, "metadata.txt", replace(fx_meta_amd, "runs=1", runs == 3 ? "runs=3" : "runs=2"));
		for (m = 0; m < 2; m++)
			for (k = 0; k < runs; k++) {
				const char *mode = m ? "shadow" : "npt";

				snprintf(stats, sizeof(stats),
					 "# isa svm mode counts exits %d cycles 0\n#   reason name count cycles\n"
					 "      0x72 cpuid %d 0\n", cpuid[m][k], cpuid[m][k]);
				snprintf(name, sizeof(name), "stats-%s-%d.txt", mode, k + 1);
				fx_put(d, name, stats);
				snprintf(stats, sizeof(stats), "{ exit_reason: 114 } hitcount: %d\n"
					 "Totals:\n    Hits: %d\n    Entries: 1\n    Dropped: 0\n",
					 cpuid[m][k], cpuid[m][k]);
				snprintf(name, sizeof(name), "hist-%s-%d.txt", mode, k + 1);
				fx_put(d, name, stats);
				snprintf(name, sizeof(name), "status-%s-%d.txt", mode, k + 1);
				fx_put(d, name, "0\n");
				snprintf(name, sizeof(name), "l2-%s-%d.log", mode, k + 1);
				fx_put(d, name, "flat\n");
				snprintf(name, sizeof(name), "kvmstat-%s-%d.txt", mode, k + 1);
				fx_rm(d, name);
			}
		load(d, &r);
		print_verdict(&r);
		assert_true(es_verdict_ok(&r.verdict));
		assert_int_equal(es_summary_build(&r, &s), 0);
		assert_int_equal(s.n, 1);
		assert_int_equal(s.runs[0], runs);
		assert_false(s.times);
		if (runs == 3) {
			assert_int_equal(s.rows[0].c[0].min, 10);
			assert_int_equal(s.rows[0].c[0].median, 20);
			assert_int_equal(s.rows[0].c[0].max, 30);
			assert_int_equal(s.rows[0].c[1].median, 7);
		} else {
			assert_int_equal(s.rows[0].c[0].median, 20);	/* (30 + 10) / 2 */
			assert_int_equal(s.rows[0].c[1].median, 14);	/* (7 + 21) / 2 */
			assert_int_equal(s.rows[0].c[1].min, 7);
		}
		es_summary_free(&s);
		es_record_free(&r);
		fx_rmdir(d);
	}
}

static char *render(int (*fn)(FILE *, const struct es_record *, const struct es_summary *),
		    const struct es_record *r, const struct es_summary *s)
{
	static char *buf;
	size_t len;
	FILE *f;

	free(buf);
	f = open_memstream(&buf, &len);
	assert_int_equal(fn(f, r, s), 0);
	fclose(f);
	return buf;
}

static int md(FILE *f, const struct es_record *r, const struct es_summary *s)
{
	return es_write_markdown(f, r, s, "chart.svg");
}

static int csv(FILE *f, const struct es_record *r, const struct es_summary *s)
{
	(void)s;
	return es_write_csv(f, r);
}

static int js(FILE *f, const struct es_record *r, const struct es_summary *s)
{
	(void)s;
	return es_write_json(f, r);
}

/* A passing record says so; a failing one never claims success. */
static void test_markdown(void **state)
{
	struct es_record r;
	struct es_summary s;
	char *d = fx_amd_dir(), *out;

	(void)state;
	load(d, &r);
	es_summary_build(&r, &s);
	out = render(md, &r, &s);
	assert_non_null(strstr(out, "All checks passed: every count equals"));
	assert_non_null(strstr(out, "| 0x4e | PF excp | 0 | 500 | new |"));
	assert_non_null(strstr(out, "#PF intercepts"));
	assert_non_null(strstr(out, "npt halted"));	/* the time-away table */
	assert_null(strstr(out, "FAILED"));
	es_summary_free(&s);
	es_record_free(&r);

	fx_put(d, "status-shadow-1.txt", "1\n");
	load(d, &r);
	es_summary_build(&r, &s);
	out = render(md, &r, &s);
	assert_non_null(strstr(out, "**FAILED: 1 check(s) failed"));
	assert_null(strstr(out, "passed"));
	assert_null(strstr(out, "equals"));
	out = render(es_write_table, &r, &s);
	assert_non_null(strstr(out, "FAILED: 1 check(s) failed"));
	es_summary_free(&s);
	es_record_free(&r);
	fx_rmdir(d);
}

/* Names and text from the files cannot break the formats. */
static void test_hostile_text(void **state)
{
	struct es_record r;
	struct es_summary s;
	char *d = fx_amd_dir(), *out;
	json_error_t je;
	json_t *j;

	(void)state;
	fx_put(d, "stats-npt-1.txt", replace(fx_svm_stats_npt, " io  ", " wr\"ite,|`x  "));
	fx_put(d, "metadata.txt", replace(fx_meta_amd, "l1_kernel=6.1.192", "l1_kernel=6.1 \"q\" \\ `t`"));
	load(d, &r);
	es_summary_build(&r, &s);
	out = render(js, &r, &s);
	j = json_loads(out, 0, &je);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "l1_kernel")), "6.1 \"q\" \\ `t`");
	json_decref(j);
	out = render(csv, &r, &s);
	assert_non_null(strstr(out, ",\"wr\"\"ite,|`x\","));
	out = render(md, &r, &s);
	assert_non_null(strstr(out, "| wr\"ite,\\|\\`x |"));
	assert_non_null(strstr(out, "`` 6.1 \"q\" \\ `t` ``"));
	es_summary_free(&s);
	es_record_free(&r);
	fx_rmdir(d);
}

static void test_csv(void **state)
{
	struct es_record r;
	char *d = fx_amd_dir(), *out;

	(void)state;
	load(d, &r);
	out = render(csv, &r, NULL);
	assert_true(!strncmp(out, "paging,run,reason,name,count,cycles,halted,vmm,preempted,sleep,tracepoint_count,query_count,collector_count\n", 108));
	assert_non_null(strstr(out, "\nnpt,1,0x7b,\"io\",199,1800,0,900,0,0,199,190,\n"));
	assert_non_null(strstr(out, "\nshadow,1,0x4e,\"PF excp\",500,5000,0,0,0,0,500,500,\n"));
	es_record_free(&r);
	/* Sources a run lacks are empty fields, not zeros. */
	fx_put(d, "l2-npt-1.log", "no query\n");
	load(d, &r);
	out = render(csv, &r, NULL);
	assert_non_null(strstr(out, "\nnpt,1,0x7b,\"io\",199,1800,0,900,0,0,199,,\n"));
	es_record_free(&r);
	fx_rmdir(d);
}

/* results.json read back is the record written: same JSON again. */
static void test_json_round_trip(void **state)
{
	struct es_record r, back;
	struct es_err e;
	char *d = fx_amd_dir(), *first;

	(void)state;
	fx_put(d, "status-shadow-1.txt", "3\n");	/* a verdict to carry */
	load(d, &r);
	first = strdup(render(js, &r, NULL));
	if (es_read_json("results.json", first, strlen(first), &back, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(back.nruns, 2);
	assert_int_equal(back.verdict.n, r.verdict.n);
	assert_int_equal(back.runs[1].vmm_status, 3);
	assert_int_equal(back.runs[0].sources, r.runs[0].sources);
	es_verdict_check(&back);			/* adds nothing new */
	assert_int_equal(back.verdict.n, r.verdict.n);
	assert_string_equal(render(js, &back, NULL), first);
	es_record_free(&back);
	es_record_free(&r);
	free(first);
	fx_rmdir(d);
}

/*
 * A lab run's drill-down (lab --collector records with it) in results.json,
 * both ways: below each reason the collector counted, the keys and "none"
 * adding up to its count; refused where the run says it has none, where a
 * reason lacks it, or where it does not add up.
 */
static void test_json_detail(void **state)
{
	static const struct { const char *from, *to, *why; } bad[] = {
		{ "\"detail\":true,\"memslots\":[],", "", "runs[0].reasons[0]: detail given, but the run has no detail: true" },
		{ "\"detail\":true,", "", "runs[0]: memslots given without detail: true" },
		{ "\"memslots\":[]", "\"memslots\":{}", "runs[0].memslots: memslots is not an array" },
		{ "\"memslots\":[]", "\"memslots\":[{\"as_id\":0,\"slot\":0,\"gpa\":\"0x0\",\"size\":\"0x10\",\"mapping\":\"\"}]",
		  "runs[0].memslots[0]: gpa and size are not 0x hex, page-aligned" },
		{ "\"detail\":[{\"kind", "\"detail_\":[{\"kind", "runs[0].reasons[2]: unknown key 'detail_'" },
		{ "\"detail\":true,", "\"detail\":1,", "runs[0]: detail is not true" },
		{ ",\"detail\":[]}", "}", "runs[0].reasons[0]: detail missing" },
		{ "\"none\":9}", "\"none\":10}", "runs[0].reasons[2].detail[0]: the keys and none do not add up" },
		{ "\"key\":\"0x3f8\"", "\"key\":\"0x10000\"", "detail[0].keys[0]: key out of its kind's range" },
		{ "\"key\":\"0x3f8\",\"dir\":\"out\"", "\"key\":\"0x3f8\"", "detail[0].keys[0]: dir is missing" },
		{ "\"kind\":\"io\"", "\"kind\":\"tcp\"", "kind is not io" },
	};
	struct es_record r, back;
	struct es_err e;
	char *d = fx_amd_dir(), *first, doc[16384];
	const struct es_row *io;
	const char *at;
	size_t i, j;

	(void)state;
	load(d, &r);
	for (i = 0; i < r.nruns; i++) {
		struct es_run *run = &r.runs[i];

		run->sources |= ES_SRC_COLLECTOR | ES_SRC_DETAIL;
		run->total_collector = run->total.count;
		for (j = 0; j < run->nrows; j++)
			run->rows[j].collector_count = run->rows[j].f.count;
	}
	/* Two ports below the nested run's I/O exits (199), 9 of them no key. */
	io = es_run_find(&r.runs[0], 0x7b);
	assert_non_null(io);
	assert_int_equal(io->f.count, 199);
	r.runs[0].details = calloc(2, sizeof(*r.runs[0].details));
	assert_non_null(r.runs[0].details);
	r.runs[0].details[0] = (struct es_detail){ .code = 0x7b, .kind = ES_BPF_DK_IO,
		.value = 0x3f8, .count = 150 };
	r.runs[0].details[1] = (struct es_detail){ .code = 0x7b, .kind = ES_BPF_DK_IO,
		.value = 0x70, .flags = ES_BPF_DF_IN, .count = 40 };
	r.runs[0].ndetails = 2;
	es_detail_sort(r.runs[0].details, 2);
	first = strdup(render(js, &r, NULL));
	assert_non_null(strstr(first, "\"detail\":[{\"kind\":\"io\",\"keys\":[{\"key\":\"0x3f8\",\"dir\":\"out\",\"name\":\"COM1 (8250 UART)\",\"count\":150}"));
	assert_non_null(strstr(first, "\"none\":9}"));
	if (es_read_json("results.json", first, strlen(first), &back, &e))
		fail_msg("%s", e.msg);
	assert_true(back.runs[0].sources & ES_SRC_DETAIL);
	assert_int_equal(back.runs[0].ndetails, 2);
	assert_string_equal(render(js, &back, NULL), first);
	es_record_free(&back);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		at = strstr(first, bad[i].from);
		if (!at)
			fail_msg("case %zu: '%s' not in the document", i, bad[i].from);
		snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(at - first), first, bad[i].to,
			 at + strlen(bad[i].from));
		if (es_read_json("results.json", doc, strlen(doc), &back, &e) != -1 ||
		    !strstr(e.msg, bad[i].why))
			fail_msg("case %zu: wanted '%s', got '%s'", i, bad[i].why, e.msg);
	}
	free(first);
	es_record_free(&r);
	fx_rmdir(d);
}

/*
 * report's why-lines: the finding of the rule about the reason, with the
 * reason's share of each mode's exits (worked out by hand from the
 * fixture's counts), else "no finding" and the shares.
 */
static void test_whys(void **state)
{
	struct es_record r;
	struct es_whys w;
	char *d = fx_amd_dir(), buf[512];
	const char *want;

	(void)state;
	load(d, &r);
	assert_int_equal(es_whys_init(&w, &r), 0);
	/* #PF: 0 of 223 exits with NPT, 500 of 703 under shadow paging. */
	es_why(&w, "PF excp", buf, sizeof(buf));
	want = "shadow-paging (high, in shadow; of all exits: npt 0.0%, shadow 71.1%): #PF intercepts";
	if (strncmp(buf, want, strlen(want)))
		fail_msg("PF excp: '%s'", buf);
	/* CPUID: 3 of 223, 3 of 703; no rule is about it. */
	es_why(&w, "cpuid", buf, sizeof(buf));
	want = "no finding (of all exits: npt 1.3%, shadow 0.4%): ";
	if (strncmp(buf, want, strlen(want)))
		fail_msg("cpuid: '%s'", buf);
	es_whys_free(&w);
	es_record_free(&r);
	fx_rmdir(d);
}

/* A --l1-extra script that failed fails the run, and says where to look. */
/* kver is a Debian package version: 6.12's backport has a tilde. */
static void test_kver(void **state)
{
	static const char *const bad[] = { "6.1 x", "6.1;x", "", "x6.1", "6.1/x" };
	struct es_record r;
	struct es_err e;
	char *d = fx_amd_dir(), *meta;
	size_t i;

	(void)state;
	fx_put(d, "metadata.txt", replace(fx_meta_amd, "kver=6.1.192-3\n",
					  "kver=6.12.118-1~deb12u1\n"));
	load(d, &r);
	assert_string_equal(r.meta.kver, "6.12.118-1~deb12u1");
	es_record_free(&r);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (asprintf(&meta, "kver=%s\n", bad[i]) < 0)
			fail();
		fx_put(d, "metadata.txt", replace(fx_meta_amd, "kver=6.1.192-3\n", meta));
		free(meta);
		if (!es_labdir_load(d, &r, &e)) {
			es_record_free(&r);
			fail_msg("kver '%s' was taken", bad[i]);
		}
		assert_non_null(strstr(e.msg, "is no package version"));
	}
	fx_rmdir(d);
}

static void test_l1_extra(void **state)
{
	struct es_summary s;
	struct es_record r, back;
	struct es_err e;
	char *d = fx_amd_dir(), *js_text;

	(void)state;
	fx_put(d, "metadata.txt", replace(fx_meta_amd, "kver=6.1.192-3\n",
					  "kver=6.1.192-3\nl1_extra=0\n"));
	load(d, &r);
	print_verdict(&r);
	assert_true(es_verdict_ok(&r.verdict));
	es_record_free(&r);
	fx_put(d, "metadata.txt", replace(fx_meta_amd, "kver=6.1.192-3\n",
					  "kver=6.1.192-3\nl1_extra=3\n"));
	load(d, &r);
	assert_true(has_failure(&r, "the --l1-extra script in L1 exited with status 3 (its output: l1-extra.log)"));
	js_text = strdup(render(js, &r, NULL));
	assert_non_null(strstr(js_text, "\"l1_extra_status\":3"));
	if (es_read_json("results.json", js_text, strlen(js_text), &back, &e))
		fail_msg("%s", e.msg);
	assert_true(back.meta.l1_extra && back.meta.l1_extra_status == 3);
	es_record_free(&back);
	free(js_text);
	es_summary_build(&r, &s);
	assert_non_null(strstr(render(md, &r, &s), "The --l1-extra script in L1 exited with status 3"));
	es_summary_free(&s);
	es_record_free(&r);
	fx_rmdir(d);
}

static void test_json_refuses(void **state)
{
	static const struct { const char *from, *to, *why; } bad[] = {
		{ "\"schema\":\"exitscope.lab/2\"", "\"schema\":\"exitscope.lab/1\"", "schema 'exitscope.lab/1'" },
		{ "\"count\":500", "\"count\":-500", "runs[1].reasons[0]: count is not a number" },
		{ "\"count\":500", "\"count\":5e2", "count is not a number" },
		{ "\"ok\":true", "\"ok\":false", "verdict: ok is false, without failures" },
		{ "\"cpu\":\"amd\"", "\"cpu\":\"amd\",\"frob\":1", "unknown key 'frob'" },
		{ "\"cpu\":\"amd\"", "\"cpu\":\"amd\",\"cpu\":\"intel\"", "not JSON" },
		{ "\"halted\":0,", "", "halted missing" },
		{ "\"tracepoint_count\":500,", "", "tracepoint_count missing" },
		{ "\"paging\":\"shadow\",\"run\":1", "\"paging\":\"npt\",\"run\":1", "the same paging mode and run number" },
		{ "\"reason\":78", "\"reason\":4294967294", "not 0xfffffffe" },
		{ "\"kvm_exits\":703", "\"kvm_exits\":704", "kvm_stats.exits is not total.kvm_exits" },
		{ "\"l1_kernel\":\"6.1.192\"", "\"l1_kernel\":\"6.1\\u0000x\"", "not JSON: \\u0000 is not allowed" },
		{ "{\"schema\"", "[{\"schema\"", "not JSON" },
	};
	struct es_record r, back;
	struct es_err e;
	char *d = fx_amd_dir(), doc[16384];
	const char *good, *at;
	size_t i;

	(void)state;
	load(d, &r);
	good = render(js, &r, NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		at = strstr(good, bad[i].from);
		if (!at)
			fail_msg("case %zu: '%s' not in the document", i, bad[i].from);
		if (i == 6 || i == 7)	/* in the second run's first reason */
			at = strstr(strstr(good, "\"paging\":\"shadow\""), bad[i].from);
		snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(at - good), good, bad[i].to,
			 at + strlen(bad[i].from));
		if (es_read_json("results.json", doc, strlen(doc), &back, &e) != -1 ||
		    !strstr(e.msg, bad[i].why) || strncmp(e.msg, "results.json", 12))
			fail_msg("case %zu: wanted '%s', got '%s'", i, bad[i].why, e.msg);
	}
	es_record_free(&r);
	fx_rmdir(d);
}

/* A record edited after its verdict: the checks run again on reading. */
static void test_json_tampered(void **state)
{
	struct es_record r, back;
	struct es_err e;
	char *d = fx_amd_dir(), *doc;

	(void)state;
	load(d, &r);
	doc = replace(render(js, &r, NULL), "\"count\":500,\"cycles\":5000", "\"count\":501,\"cycles\":5000");
	assert_int_equal(es_read_json("results.json", doc, strlen(doc), &back, &e), 0);
	assert_true(es_verdict_ok(&back.verdict));	/* as stored */
	es_verdict_check(&back);
	assert_true(has_failure(&back, "reason 0x4e (PF excp): exitscope 501, tracepoint 500"));
	assert_true(has_failure(&back, "the rows add up to 704 exits"));
	es_record_free(&back);
	es_record_free(&r);
	fx_rmdir(d);
}

/*
 * The chart's script: a log axis from 0.5, so that a reason seen once has a
 * bar; a zero is missing, not drawn as 1; the top 3x the largest count, so
 * no bar is clipped; the workload, CPU and runs in the title; SVG on white.
 */
static void test_chart_script(void **state)
{
	struct es_record r;
	struct es_summary s;
	char *d = fx_amd_dir(), *buf = NULL, want[64];
	uint64_t max = 0;
	size_t len, i, c, zeros = 0;
	FILE *f;

	(void)state;
	load(d, &r);
	es_summary_build(&r, &s);
	for (i = 0; i < s.n; i++)
		for (c = 0; c < s.ncols; c++) {
			if (s.rows[i].c[c].median > max)
				max = s.rows[i].c[c].median;
			zeros += !s.rows[i].c[c].median;
		}
	assert_true(zeros > 0);			/* the fixture has a reason one mode lacks */
	f = open_memstream(&buf, &len);
	es_chart_script(f, &r, &s);
	fclose(f);
	snprintf(want, sizeof(want), "set yrange [0.5:%g]\n", (double)max * 3);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "set datafile missing '?'\n"));
	/* Each zero is missing, not drawn as 1: as many '?' cells as zeros. */
	for (i = 0, c = 0; buf[i]; i++)
		c += buf[i] == ' ' && buf[i + 1] == '?' && (buf[i + 2] == ' ' || buf[i + 2] == '\n');
	assert_int_equal(c, zeros);
	assert_non_null(strstr(buf, "set title \"exits per reason: "));
	assert_non_null(strstr(buf, r.meta.workload));
	assert_non_null(strstr(buf, "median of 1 run per column"));
	assert_non_null(strstr(buf, "set terminal svg size 1200,650 noenhanced background rgb 'white'\n"));
	assert_null(strstr(buf, "multiplot"));		/* a lab: no times per reason */
	free(buf);
	es_summary_free(&s);
	es_record_free(&r);
	fx_rmdir(d);
}

/* gnuplot through fork/exec: a chart, or without gnuplot a warning. */
static void test_chart(void **state)
{
	struct es_record r;
	struct es_summary s;
	struct es_err e;
	char *d = fx_amd_dir(), *path = getenv("PATH");
	char *saved = path ? strdup(path) : NULL;

	(void)state;
	load(d, &r);
	es_summary_build(&r, &s);
	fx_put(d, "chart.png", "stale");
	setenv("PATH", "/nonexistent", 1);
	assert_int_equal(es_write_chart(d, &r, &s, &e), -1);
	assert_non_null(strstr(e.msg, "gnuplot is not installed"));
	assert_false(fx_exists(d, "chart.png"));	/* no stale chart left */
	if (saved)
		setenv("PATH", saved, 1);
	if (!access("/usr/bin/gnuplot", X_OK)) {
		assert_int_equal(es_write_chart(d, &r, &s, &e), 0);
		assert_true(!strncmp(fx_get(d, "chart.png"), "\x89PNG", 4));
		assert_non_null(strstr(fx_get(d, "chart.svg"), "<svg"));
	} else {
		print_message("  (no /usr/bin/gnuplot here: chart drawing not exercised)\n");
	}
	free(saved);
	es_summary_free(&s);
	es_record_free(&r);
	fx_rmdir(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_chart_script),
		cmocka_unit_test(test_verdict_rules),
		cmocka_unit_test(test_sums),
		cmocka_unit_test(test_svm_msr),
		cmocka_unit_test(test_other_row),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_summary_spread),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_detail),
		cmocka_unit_test(test_whys),
		cmocka_unit_test(test_kver),
		cmocka_unit_test(test_l1_extra),
		cmocka_unit_test(test_json_refuses),
		cmocka_unit_test(test_json_tampered),
		cmocka_unit_test(test_chart),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
