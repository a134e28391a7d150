// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope explain's rules (tools/lib/explain/rules.c): each must fire on
 * a profile that shows what it is about, and must not on one that only
 * looks like it (a false positive); findings against a baseline; the JSON
 * and the rule table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "explain/explain.h"
#include "json/explain_json.h"
#include "model/names.h"
#include "write/writers.h"

#define MAXR	16
#define MAXK	16

/* A profile built by hand: reasons by the kernel's name, keys, times. */
struct prof {
	struct es_profile p;
	struct es_profile_reason r[MAXR];
	struct es_detail k[MAXK];
};

static void prof_init(struct prof *x, enum es_vendor v, uint64_t span_ns)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->p.label, sizeof(x->p.label), "test");
	x->p.vendor = v;
	x->p.nested = -1;
	x->p.span_ns = span_ns;
	x->p.r = x->r;
	x->p.keys = x->k;
}

/* The reason called @name (its code from the vendor's table), @n exits. */
static struct es_profile_reason *reason(struct prof *x, const char *name, uint64_t n)
{
	const struct es_reason *t;
	struct es_profile_reason *r = &x->r[x->p.nr++];
	size_t nt, i;

	assert_true(x->p.nr <= MAXR);
	t = es_reasons(x->p.vendor, &nt);
	for (i = 0; i < nt && strcmp(t[i].name, name); i++)
		;
	assert_true(i < nt);
	r->code = t[i].code;
	r->name = t[i].name;
	r->count = n;
	x->p.total += n;
	return r;
}

static void key(struct prof *x, const char *name, unsigned int kind, unsigned int flags,
		uint64_t value, uint64_t n)
{
	const struct es_profile_reason *r = es_profile_reason(&x->p, name);
	struct es_detail *d = &x->k[x->p.nkeys++];

	assert_non_null(r);
	assert_true(x->p.nkeys <= MAXK);
	memset(d, 0, sizeof(*d));
	d->code = r->code;
	d->kind = (uint8_t)kind;
	d->flags = (uint16_t)flags;
	d->value = value;
	d->count = n;
	x->p.detail = true;
	es_detail_sort(x->k, x->p.nkeys);
}

/* Exit -> entry times: @n of @r's exits in log2 bucket @b. */
static void times(struct prof *x, struct es_profile_reason *r, unsigned int b, uint64_t n)
{
	x->p.ns = true;
	r->hist[b] += n;
}

/* The finding of rule @id on @x, or NULL (static: one at a time). */
static const struct es_finding *fired(const struct prof *x, const char *id)
{
	static struct es_finding f;
	size_t i;

	for (i = 0; i < es_nrules; i++) {
		if (strcmp(es_rules[i].id, id))
			continue;
		memset(&f, 0, sizeof(f));
		f.rule = &es_rules[i];
		return es_rules[i].check(&x->p, &f) ? &f : NULL;
	}
	fail_msg("no rule %s", id);
	return NULL;
}

static void test_rule_table(void **state)
{
	char *buf = NULL;
	size_t len, i, j, lines = 0;
	FILE *f;

	(void)state;
	assert_true(es_nrules >= 9);
	for (i = 0; i < es_nrules; i++) {
		const struct es_rule *r = &es_rules[i];

		assert_true(r->id[0] && r->title[0] && r->fires[0] && r->cause[0] && r->action[0]);
		/* Every rule cites where its cause and action are documented. */
		assert_true(strstr(r->sources, "Documentation/") || strstr(r->sources, "SDM") ||
			    strstr(r->sources, "APM") || strstr(r->sources, "QEMU"));
		assert_non_null(r->check);
		for (j = 0; j < i; j++)
			assert_string_not_equal(r->id, es_rules[j].id);
	}
	f = open_memstream(&buf, &len);
	assert_int_equal(es_write_rules_md(f), 0);
	fclose(f);
	for (i = 0; i < len; i++)
		lines += buf[i] == '\n';
	assert_int_equal(lines, es_nrules + 2);
	assert_non_null(strstr(buf, "| `shadow-paging` (Shadow paging) | "));
	free(buf);
}

static void test_shadow_paging(void **state)
{
	const struct es_finding *f;
	struct prof x;

	(void)state;
	/* SVM: #PF, CR3 and INVLPG intercepts, 55% of exits, no NPF at all. */
	prof_init(&x, ES_AMD, 0);
	reason(&x, "PF excp", 3000);
	reason(&x, "write_cr3", 2000);
	reason(&x, "invlpg", 500);
	reason(&x, "cpuid", 4500);
	f = fired(&x, "shadow-paging");
	assert_non_null(f);
	assert_int_equal(f->confidence, ES_CONF_HIGH);
	assert_true(f->share > 54.9 && f->share < 55.1);
	assert_non_null(strstr(f->headline, "55.0% of exits"));
	/* The lab says nested paging was on: these exits are not shadow paging's. */
	x.p.nested = 1;
	assert_null(fired(&x, "shadow-paging"));
	/* Unknown paging, NPFs beside: still shadow-looking, but only medium. */
	x.p.nested = -1;
	reason(&x, "npf", 100);
	f = fired(&x, "shadow-paging");
	assert_non_null(f);
	assert_int_equal(f->confidence, ES_CONF_MEDIUM);
	/* Known off: high. */
	x.p.nested = 0;
	assert_int_equal(fired(&x, "shadow-paging")->confidence, ES_CONF_HIGH);
	/* Below 20%: nothing. */
	prof_init(&x, ES_AMD, 0);
	reason(&x, "PF excp", 1900);
	reason(&x, "cpuid", 8100);
	assert_null(fired(&x, "shadow-paging"));
	/* VMX: its exception and CR reasons count whole without the drill-down... */
	prof_init(&x, ES_INTEL, 0);
	reason(&x, "EXCEPTION_NMI", 3000);
	reason(&x, "CR_ACCESS", 3000);
	reason(&x, "CPUID", 4000);
	f = fired(&x, "shadow-paging");
	assert_non_null(f);
	assert_string_equal(f->ev[0].what, "exceptions (VMX: all vectors, not keyed)");
	/* ... but with it, #UD exits and CR0/CR4 writes are not shadow paging. */
	key(&x, "EXCEPTION_NMI", ES_BPF_DK_VECTOR, 0, 6, 2950);
	key(&x, "EXCEPTION_NMI", ES_BPF_DK_VECTOR, 0, 14, 50);
	key(&x, "CR_ACCESS", ES_BPF_DK_CR, ES_BPF_DF_WRITE, 4, 2900);
	key(&x, "CR_ACCESS", ES_BPF_DK_CR, ES_BPF_DF_WRITE, 3, 100);
	assert_null(fired(&x, "shadow-paging"));
}

static void test_short_halts(void **state)
{
	const struct es_finding *f;
	struct es_profile_reason *hlt;
	struct prof x;

	(void)state;
	prof_init(&x, ES_AMD, 1000000000u);
	hlt = reason(&x, "hlt", 2000);
	reason(&x, "cpuid", 8000);
	/* No times (a lab run, the module): it may be short halts, low confidence. */
	f = fired(&x, "short-halts");
	assert_non_null(f);
	assert_int_equal(f->confidence, ES_CONF_LOW);
	/* Half of them end within 64-131 us: woken at once. */
	times(&x, hlt, 16, 1500);
	times(&x, hlt, 24, 500);
	f = fired(&x, "short-halts");
	assert_non_null(f);
	assert_int_equal(f->confidence, ES_CONF_HIGH);
	assert_string_equal(f->ev[1].what, "HLT exit -> entry, p50");
	/* Halts of 8-16 ms are idle time: polling would only burn the CPU. */
	memset(hlt->hist, 0, sizeof(hlt->hist));
	times(&x, hlt, 23, 2000);
	assert_null(fired(&x, "short-halts"));
	/* Few halts: nothing, whatever their length. */
	prof_init(&x, ES_AMD, 10000000000u);
	reason(&x, "hlt", 500);
	reason(&x, "cpuid", 9500);
	assert_null(fired(&x, "short-halts"));
}

static void test_timer_msr(void **state)
{
	const struct es_finding *f;
	struct prof x;

	(void)state;
	prof_init(&x, ES_AMD, 10000000000u);
	reason(&x, "msr", 2000);
	reason(&x, "cpuid", 8000);
	key(&x, "msr", ES_BPF_DK_MSR, ES_BPF_DF_WRITE, 0x6e0, 1500);
	key(&x, "msr", ES_BPF_DK_MSR, 0, 0x1b, 500);
	f = fired(&x, "timer-msr");
	assert_non_null(f);
	assert_int_equal(f->confidence, ES_CONF_MEDIUM);
	assert_non_null(strstr(f->ev[0].value, "15.0% of exits"));
	/* Reads of the deadline re-arm nothing. */
	x.k[0].flags = 0;
	x.k[1].flags = 0;
	assert_null(fired(&x, "timer-msr"));
	/* VMX, no drill-down, MSR writes 30%: a hint only. */
	prof_init(&x, ES_INTEL, 0);
	reason(&x, "MSR_WRITE", 3000);
	reason(&x, "CPUID", 7000);
	f = fired(&x, "timer-msr");
	assert_non_null(f);
	assert_int_equal(f->confidence, ES_CONF_LOW);
}

static void test_emulated_mmio(void **state)
{
	const struct es_finding *f;
	struct prof x;

	(void)state;
	prof_init(&x, ES_AMD, 0);
	reason(&x, "npf", 2000);
	reason(&x, "cpuid", 8000);
	key(&x, "npf", ES_BPF_DK_MMIO, 0, 0xfee000b0, 1500);
	key(&x, "npf", ES_BPF_DK_GPA, 0, 0x100000, 500);
	f = fired(&x, "emulated-mmio");
	assert_non_null(f);
	assert_int_equal(f->confidence, ES_CONF_HIGH);
	assert_non_null(strstr(f->advice, "APIC"));
	/* The HPET: a clock. */
	for (size_t i = 0; i < x.p.nkeys; i++)
		if (x.k[i].kind == ES_BPF_DK_MMIO)
			x.k[i].value = 0xfed000f0;
	assert_non_null(strstr(fired(&x, "emulated-mmio")->advice, "HPET"));
	/* Pages faulted in are not MMIO. */
	prof_init(&x, ES_AMD, 0);
	reason(&x, "npf", 2000);
	reason(&x, "cpuid", 8000);
	key(&x, "npf", ES_BPF_DK_GPA, 0, 0x100000, 2000);
	assert_null(fired(&x, "emulated-mmio"));
	/* VMX: every EPT misconfiguration is MMIO. */
	prof_init(&x, ES_INTEL, 0);
	reason(&x, "EPT_MISCONFIG", 2000);
	reason(&x, "CPUID", 8000);
	f = fired(&x, "emulated-mmio");
	assert_non_null(f);
	assert_int_equal(f->confidence, ES_CONF_MEDIUM);
	assert_string_equal(f->advice, "");
}

static void test_pause_and_irqs(void **state)
{
	struct prof x;

	(void)state;
	prof_init(&x, ES_INTEL, 10000000000u);
	reason(&x, "PAUSE_INSTRUCTION", 600);
	reason(&x, "EXTERNAL_INTERRUPT", 3000);
	reason(&x, "INTERRUPT_WINDOW", 1000);
	reason(&x, "CPUID", 5400);
	assert_non_null(fired(&x, "pause-loops"));		/* 6% */
	assert_non_null(fired(&x, "host-irqs"));		/* 30% */
	assert_non_null(fired(&x, "irq-windows"));		/* 10% */
	prof_init(&x, ES_INTEL, 10000000000u);
	reason(&x, "PAUSE_INSTRUCTION", 400);
	reason(&x, "EXTERNAL_INTERRUPT", 2900);
	reason(&x, "INTERRUPT_WINDOW", 900);
	reason(&x, "CPUID", 5800);
	assert_null(fired(&x, "pause-loops"));			/* 4%, 40/s */
	assert_null(fired(&x, "host-irqs"));
	assert_null(fired(&x, "irq-windows"));
	/* 50 exits are no finding, however large their share. */
	prof_init(&x, ES_INTEL, 0);
	reason(&x, "PAUSE_INSTRUCTION", 50);
	reason(&x, "CPUID", 10);
	assert_null(fired(&x, "pause-loops"));
	prof_init(&x, ES_INTEL, 10000000000u);
	reason(&x, "PAUSE_INSTRUCTION", 400);
	reason(&x, "EXTERNAL_INTERRUPT", 2900);
	reason(&x, "INTERRUPT_WINDOW", 900);
	reason(&x, "CPUID", 5800);
	/* A short span makes the same counts a rate that matters. */
	x.p.span_ns = 100000000u;
	assert_non_null(fired(&x, "pause-loops"));		/* 4,000/s */
	assert_non_null(fired(&x, "host-irqs"));		/* 29,000/s */
	assert_non_null(fired(&x, "irq-windows"));		/* 9,000/s */
}

/*
 * 4,000 (AMD) or 5,000 (Intel) host-interrupt exits of 10,000, keyed by
 * the host vectors @keys ({vector, exits}, @n of them): host-irqs' finding.
 */
static const struct es_finding *host_irq_case(struct prof *x, enum es_vendor v,
					      const uint64_t (*keys)[2], size_t n)
{
	const char *name = v == ES_AMD ? "interrupt" : "EXTERNAL_INTERRUPT";
	uint64_t all = v == ES_AMD ? 4000 : 5000;
	size_t i;

	prof_init(x, v, 0);
	reason(x, name, all);
	reason(x, v == ES_AMD ? "cpuid" : "CPUID", 10000 - all);
	for (i = 0; i < n; i++)
		key(x, name, ES_BPF_DK_HOST_VECTOR, 0, keys[i][0], keys[i][1]);
	return fired(x, "host-irqs");
}

static void test_host_vectors(void **state)
{
	/* The host's APIC timer, 75%, over two devices' 25%: nohz_full. */
	static const uint64_t timer[][2] = { { 0xec, 3000 }, { 0x22, 600 }, { 0xeb, 400 } };
	/* Devices' vectors are one kind: 0x22 and 0xeb, 60%, outweigh the timer's 40%. */
	static const uint64_t devices[][2] = { { 0xec, 1600 }, { 0x22, 1300 }, { 0xeb, 1100 } };
	/* The three IPI vectors are one kind: the busiest at 40%, not half: medium. */
	static const uint64_t ipis[][2] = { { 0xfd, 1000 }, { 0xfc, 600 }, { 0xfb, 400 },
					    { 0xec, 1500 } };
	const struct es_finding *f;
	struct prof x;

	(void)state;
	/* Without the drill-down: medium, the rule's general action. */
	f = host_irq_case(&x, ES_AMD, NULL, 0);
	assert_non_null(f);
	assert_int_equal(f->confidence, ES_CONF_MEDIUM);
	assert_string_equal(f->advice, "");
	f = host_irq_case(&x, ES_AMD, timer, 3);
	assert_non_null(f);
	assert_int_equal(f->confidence, ES_CONF_HIGH);
	assert_non_null(strstr(f->headline, "75% of them the host's APIC timer"));
	assert_non_null(strstr(f->advice, "nohz_full="));
	f = host_irq_case(&x, ES_AMD, devices, 3);
	assert_non_null(f);
	assert_int_equal(f->confidence, ES_CONF_HIGH);
	assert_non_null(strstr(f->headline, "60% of them a device's interrupt"));
	assert_non_null(strstr(f->advice, "smp_affinity"));
	f = host_irq_case(&x, ES_INTEL, ipis, 4);
	assert_non_null(f);
	assert_int_equal(f->confidence, ES_CONF_MEDIUM);
	assert_non_null(strstr(f->headline, "40% of them IPIs"));
	assert_non_null(strstr(f->advice, "CPUs of their own"));
}

static void test_port_hotspot(void **state)
{
	const struct es_finding *f;
	struct prof x;

	(void)state;
	prof_init(&x, ES_AMD, 0);
	reason(&x, "io", 3000);
	reason(&x, "cpuid", 7000);
	f = fired(&x, "port-hotspot");
	assert_non_null(f);
	assert_int_equal(f->confidence, ES_CONF_LOW);	/* which port: unknown */
	/* The UART's data and status ports are one device, busier than port 0x80. */
	key(&x, "io", ES_BPF_DK_IO, 0, 0x3f8, 1000);
	key(&x, "io", ES_BPF_DK_IO, ES_BPF_DF_IN, 0x3fd, 700);
	key(&x, "io", ES_BPF_DK_IO, 0, 0x80, 1200);
	f = fired(&x, "port-hotspot");
	assert_non_null(f);
	assert_int_equal(f->confidence, ES_CONF_HIGH);
	assert_non_null(strstr(f->headline, "57% of them on ports 0x3f8-0x3ff, COM1"));
	assert_non_null(strstr(f->advice, "serial console"));
	/* Port 0x80 alone busiest: its own advice. */
	x.k[0].count = 1800;	/* sorted: 0x80 first */
	es_detail_sort(x.k, x.p.nkeys);
	f = fired(&x, "port-hotspot");
	assert_non_null(strstr(f->advice, "io_delay=none"));
	/* I/O at 5% of exits: nothing. */
	prof_init(&x, ES_AMD, 0);
	reason(&x, "io", 500);
	reason(&x, "cpuid", 9500);
	assert_null(fired(&x, "port-hotspot"));
}

static void test_time_outliers(void **state)
{
	const struct es_finding *f;
	struct es_profile_reason *io, *hlt;
	struct prof x;
	uint64_t p99;

	(void)state;
	prof_init(&x, ES_AMD, 1000000000u);
	io = reason(&x, "io", 1000);
	hlt = reason(&x, "hlt", 1000);
	/* I/O: p50 about 1.5 us, 2% take 2-4 ms. */
	times(&x, io, 10, 980);
	times(&x, io, 21, 20);
	f = fired(&x, "time-outliers");
	assert_non_null(f);
	assert_non_null(strstr(f->headline, "of io exits take"));
	assert_int_equal(f->confidence, ES_CONF_HIGH);
	/* The same shape from fewer than 1,000 exits: a p99 of a handful, no finding. */
	io->count = 999;
	assert_null(fired(&x, "time-outliers"));
	io->count = 1000;
	/* A tail under 1 ms is no outlier. */
	io->hist[21] = 0;
	times(&x, io, 18, 20);
	assert_null(fired(&x, "time-outliers"));
	/*
	 * Nor one in the bucket just under 1 ms (524 us to 1.05 ms), 11% of
	 * the exits, whose p99 interpolation puts at 1.0009 ms: "1 ms or
	 * more" must be certain.
	 */
	io->hist[18] = 0;
	io->hist[10] = 890;
	times(&x, io, 19, 110);
	assert_true(es_hist_percentile(io->hist, 99, &p99) && p99 >= 1000000u);
	assert_null(fired(&x, "time-outliers"));
	io->hist[10] = 980;
	io->hist[19] = 0;
	/* A halt's long tail is idle time. */
	times(&x, hlt, 10, 980);
	times(&x, hlt, 24, 20);
	assert_null(fired(&x, "time-outliers"));
	/* Without times: nothing to say. */
	x.p.ns = false;
	assert_null(fired(&x, "time-outliers"));
}

/*
 * A lab run's profile (es_profiles): the drill-down of a mode's runs
 * averaged beside the counts' median, only where every run has one.
 */
static void test_lab_profile_keys(void **state)
{
	struct es_profile p[ES_MAX_COLS];
	struct es_record r;
	size_t n, i;

	(void)state;
	es_record_init(&r);
	snprintf(r.meta.source, sizeof(r.meta.source), "lab");
	r.meta.vendor = ES_AMD;
	r.meta.runs = 2;
	r.meta.nmodes = 1;
	snprintf(r.meta.modes[0].name, sizeof(r.meta.modes[0].name), "npt");
	r.meta.modes[0].nested = true;
	for (i = 0; i < 2; i++) {
		struct es_run *run = es_record_add_run(&r);
		struct es_row *row;

		assert_non_null(run);
		snprintf(run->mode, sizeof(run->mode), "npt");
		run->index = (unsigned int)i + 1;
		run->sources = ES_SRC_STATS | ES_SRC_DETAIL;
		row = es_run_row(run, 0x7b, "io");
		assert_non_null(row);
		row->f.count = 1000;
		run->total.count = 1000;
		run->details = calloc(1, sizeof(*run->details));
		assert_non_null(run->details);
		run->details[0] = (struct es_detail){ .tgid = 1, .code = 0x7b, .kind = ES_BPF_DK_IO,
						      .value = 0x80, .count = i ? 300 : 100 };
		run->ndetails = 1;
	}
	assert_int_equal(es_profiles(&r, p, &n), 0);
	assert_int_equal(n, 1);
	assert_true(p[0].detail);
	assert_int_equal(p[0].total, 1000);
	assert_int_equal(es_profile_key(&p[0], "io", ES_BPF_DK_IO, 0x80), 200);
	es_profiles_free(p, n);
	/* One run without it: the mode has no drill-down. */
	r.runs[1].sources &= ~ES_SRC_DETAIL;
	assert_int_equal(es_profiles(&r, p, &n), 0);
	assert_false(p[0].detail);
	assert_int_equal(p[0].nkeys, 0);
	es_profiles_free(p, n);
	es_record_free(&r);
}

/* A shadow profile against a nested one: shadow paging new, the port hot spot gone. */
static void test_against_baseline(void **state)
{
	struct prof now, base;
	struct es_explained x;
	char *buf = NULL;
	size_t len;
	json_t *root, *p, *fs;
	json_error_t err;
	FILE *f;

	(void)state;
	prof_init(&base, ES_AMD, 0);
	snprintf(base.p.label, sizeof(base.p.label), "npt");
	base.p.nested = 1;
	reason(&base, "io", 3000);
	reason(&base, "pause", 1000);
	reason(&base, "cpuid", 6000);
	prof_init(&now, ES_AMD, 0);
	snprintf(now.p.label, sizeof(now.p.label), "shadow");
	now.p.nested = 0;
	reason(&now, "io", 3000);
	reason(&now, "write_cr3", 60000);
	reason(&now, "PF excp", 30000);
	reason(&now, "cpuid", 7000);
	reason(&now, "pause", 20000);
	assert_int_equal(es_explain(&now.p, &base.p, &x), 0);
	assert_int_equal(x.n, 2);
	/* Largest share first. */
	assert_string_equal(x.f[0].rule->id, "shadow-paging");
	assert_int_equal(x.change[0], ES_CHANGE_NEW);
	assert_string_equal(x.f[1].rule->id, "pause-loops");
	assert_int_equal(x.change[1], ES_CHANGE_STILL);
	assert_int_equal(x.ngone, 1);
	assert_string_equal(x.gone[0].rule->id, "port-hotspot");
	f = open_memstream(&buf, &len);
	assert_int_equal(es_write_explained(f, &x, 1, 80), 0);
	fclose(f);
	assert_non_null(strstr(buf, "shadow: 120000 exits, against npt: 2 findings"));
	assert_non_null(strstr(buf, "  Shadow paging [high, new]  (shadow-paging)\n"));
	assert_non_null(strstr(buf, "  An I/O port hot spot [gone]  (port-hotspot): in npt, not here\n"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(es_write_explain_json(f, "now.json", "base.json", &x, 1), 0);
	fclose(f);
	root = json_loads(buf, 0, &err);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "schema")), "exitscope.explain/1");
	assert_string_equal(json_string_value(json_object_get(root, "baseline")), "base.json");
	p = json_array_get(json_object_get(root, "profiles"), 0);
	assert_string_equal(json_string_value(json_object_get(p, "against")), "npt");
	assert_true(json_is_false(json_object_get(p, "nested_paging")));
	fs = json_object_get(p, "findings");
	assert_int_equal(json_array_size(fs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(fs, 0), "rule")), "shadow-paging");
	assert_string_equal(json_string_value(json_object_get(json_array_get(fs, 0), "change")), "new");
	assert_string_equal(json_string_value(json_object_get(json_array_get(fs, 0), "confidence")), "high");
	assert_string_equal(json_string_value(json_object_get(json_array_get(fs, 1), "change")), "still");
	/* Shares to one decimal, as the text prints them: 20,000 of 120,000. */
	assert_true(json_real_value(json_object_get(json_array_get(fs, 1), "share")) == 16.7);
	assert_true(json_real_value(json_object_get(json_array_get(fs, 0), "share")) == 75.0);
	assert_int_equal(json_array_size(json_object_get(json_array_get(fs, 0), "evidence")), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(p, "gone"), 0), "rule")), "port-hotspot");
	json_decref(root);
	free(buf);
	es_explained_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_table),
		cmocka_unit_test(test_shadow_paging),
		cmocka_unit_test(test_short_halts),
		cmocka_unit_test(test_timer_msr),
		cmocka_unit_test(test_emulated_mmio),
		cmocka_unit_test(test_pause_and_irqs),
		cmocka_unit_test(test_host_vectors),
		cmocka_unit_test(test_port_hotspot),
		cmocka_unit_test(test_time_outliers),
		cmocka_unit_test(test_lab_profile_keys),
		cmocka_unit_test(test_against_baseline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
