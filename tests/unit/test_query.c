// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope query's decoding, against a fake CPUID that plays exitscope's
 * KVM, stock KVM (Intel and AMD flavours) and bare metal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/query_doc.h"
#include "query/query_print.h"

/*
 * EXITSCOPE_KVM: the interface on; every CPUID is an exit, counted before
 * it is answered. STOCK_KVM: the leaves answer from the VMM's CPUID table
 * (Intel: the highest basic leaf; AMD: zeros). TABLE_FAKE: a VMM table that
 * holds answers like exitscope's for the figure leaves, but no discovery
 * leaf. BARE_METAL: no hypervisor bit. hv.cycles_off: exitscope's KVM
 * keeping counts only.
 */
enum fake_kind { EXITSCOPE_KVM, STOCK_KVM, TABLE_FAKE, BARE_METAL };

static struct {
	enum fake_kind kind;
	const char *vendor;
	uint64_t count[0x500], cycles[0x500];
	uint64_t failed, other;
	uint64_t total, total_cycles;
	unsigned long calls;
	bool cycles_off;
	uint32_t info_edx_version;	/* 0: version 1 */
} hv;

static bool fake_defined(uint32_t code)
{
	enum es_vendor v = strcmp(hv.vendor, "GenuineIntel") ? ES_AMD : ES_INTEL;

	return es_reason_name(v, code) || (v == ES_AMD && code == 0x8e);
}

static struct es_cpuid fake_cpuid(uint32_t leaf, uint32_t sub)
{
	struct es_cpuid r = { 0 };

	hv.calls++;
	if (hv.kind == EXITSCOPE_KVM)
		hv.total++;		/* this CPUID's own exit */
	if (hv.kind == TABLE_FAKE && leaf >= 0x4ffffffd && leaf <= 0x4fffffff) {
		/* One entry per leaf, any ECX: "undefined", and a fixed total. */
		if (leaf == 0x4fffffff)
			return (struct es_cpuid){ 1000, 0, 0, 0 };
		return (struct es_cpuid){ 0, 0, 0, 0xffffffff };
	}
	if (leaf == 0) {
		memcpy(&r.ebx, hv.vendor, 4);
		memcpy(&r.edx, hv.vendor + 4, 4);
		memcpy(&r.ecx, hv.vendor + 8, 4);
		r.eax = 0x16;
	} else if (leaf == 1) {
		r.ecx = hv.kind == BARE_METAL ? 0 : 1u << 31;
	} else if (leaf == 0x40000000) {
		memcpy(&r.ebx, "KVMKVMKVM\0\0\0", 4);
		memcpy(&r.ecx, "KVMKVMKVM\0\0\0" + 4, 4);
		memcpy(&r.edx, "KVMKVMKVM\0\0\0" + 8, 4);
	} else if (leaf >= 0x4ffffffc && leaf <= 0x4fffffff && hv.kind != EXITSCOPE_KVM) {
		/* Stock KVM: Intel repeats the highest basic leaf, AMD zeros. */
		if (!strcmp(hv.vendor, "GenuineIntel"))
			r = (struct es_cpuid){ 0x1, 0x2, 0x3, 0x4 };
	} else if (leaf == 0x4ffffffc) {
		r = (struct es_cpuid){ 0x4fffffff, 0x74697845, 0x74617453,
				       (hv.info_edx_version ? hv.info_edx_version : 1) |
				       (hv.cycles_off ? 0 : 0x10000) };
	} else if (leaf == 0x4fffffff) {
		r.eax = (uint32_t)hv.total;
		r.edx = hv.total >> 32;
		r.ebx = hv.total_cycles >> 32;
		r.ecx = (uint32_t)hv.total_cycles;
	} else if ((leaf == 0x4ffffffe || leaf == 0x4ffffffd) &&
		   (sub == 0xfffffffe || (sub == 0x80000000 && !strcmp(hv.vendor, "GenuineIntel")))) {
		uint64_t v = sub == 0xfffffffe ? hv.other : hv.failed;

		if (leaf == 0x4ffffffe) {
			r.eax = (uint32_t)v;
			r.ebx = v >> 32;
		}
	} else if (leaf == 0x4ffffffe || leaf == 0x4ffffffd) {
		if (!fake_defined(sub)) {
			r.edx = 0xffffffff;
		} else if (sub < 0x500 && leaf == 0x4ffffffe) {
			r.eax = (uint32_t)hv.count[sub];
			r.ebx = hv.count[sub] >> 32;
		} else if (sub < 0x500) {
			r.ebx = hv.cycles[sub] >> 32;
			r.ecx = (uint32_t)hv.cycles[sub];
		}
	}
	return r;
}

static int reset(void **state)
{
	(void)state;
	memset(&hv, 0, sizeof(hv));
	hv.vendor = "GenuineIntel";
	return 0;
}

/* Vendor found; the interface recognized. */
static void test_open_exitscope_kvm(void **state)
{
	struct es_query q;
	char why[256];

	(void)state;
	assert_int_equal(es_query_open(&q, fake_cpuid, why, sizeof(why)), 0);
	assert_int_equal(q.vendor, ES_INTEL);
	assert_string_equal(q.hypervisor, "KVMKVMKVM");
	hv.vendor = "AuthenticAMD";
	assert_int_equal(es_query_open(&q, fake_cpuid, why, sizeof(why)), 0);
	assert_int_equal(q.vendor, ES_AMD);
}

/* Absent interface: a clear reason, never garbage figures. */
static void test_open_refuses(void **state)
{
	const char *vendors[] = { "GenuineIntel", "AuthenticAMD" };
	struct es_query q;
	char why[256];
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		hv.vendor = vendors[i];
		hv.kind = STOCK_KVM;
		assert_int_equal(es_query_open(&q, fake_cpuid, why, sizeof(why)), -1);
		assert_non_null(strstr(why, "does not answer CPUID leaves 0x4ffffffc..0x4fffffff (no signature at 0x4ffffffc)"));
		/* A table with figure-like answers but no discovery leaf. */
		hv.kind = TABLE_FAKE;
		assert_int_equal(es_query_open(&q, fake_cpuid, why, sizeof(why)), -1);
		assert_non_null(strstr(why, "does not answer"));
		hv.kind = BARE_METAL;
		assert_int_equal(es_query_open(&q, fake_cpuid, why, sizeof(why)), -1);
		assert_non_null(strstr(why, "no hypervisor"));
	}
	/* The signature with version 0 is no interface; a later one is. */
	hv.vendor = "GenuineIntel";
	hv.kind = EXITSCOPE_KVM;
	hv.info_edx_version = 0x10000;
	assert_int_equal(es_query_open(&q, fake_cpuid, why, sizeof(why)), -1);
	hv.info_edx_version = 7;
	assert_int_equal(es_query_open(&q, fake_cpuid, why, sizeof(why)), 0);
	assert_int_equal(q.abi_version, 7);
	hv.vendor = "HygonGenuine";
	assert_int_equal(es_query_open(&q, fake_cpuid, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "unknown CPU vendor 'HygonGenuine'"));
}

/* 64-bit figures reassembled from their register halves. */
static void test_decode_64bit(void **state)
{
	struct es_figure f;
	struct es_query q;
	uint64_t t, tc;
	char why[256];

	(void)state;
	hv.count[28] = 0x2000000007ull;
	hv.cycles[28] = 0x300000000bull;
	hv.total = 0x500000000aull;
	hv.total_cycles = 0x60000000ffull;
	assert_int_equal(es_query_open(&q, fake_cpuid, why, sizeof(why)), 0);
	es_query_reason(&q, 28, &f);
	assert_true(f.defined);
	assert_string_equal(f.name, "CR_ACCESS");
	assert_true(f.count == 0x2000000007ull);
	assert_true(f.cycles == 0x300000000bull);
	es_query_total(&q, &t, &tc);
	/* Each of the query's CPUIDs was an exit of its own, counted in. */
	assert_true(t == 0x500000000aull + hv.calls && tc == 0x60000000ffull);
	assert_int_equal(q.cpuid_calls, hv.calls);
}

/* Undefined codes say so; zero counts do not cost a cycles query. */
static void test_undefined_and_zero(void **state)
{
	struct es_figure f;
	struct es_query q;
	unsigned long before;
	char why[256];

	(void)state;
	assert_int_equal(es_query_open(&q, fake_cpuid, why, sizeof(why)), 0);
	es_query_reason(&q, 35, &f);
	assert_false(f.defined);
	before = q.cpuid_calls;
	es_query_reason(&q, 12, &f);
	assert_true(f.defined);
	assert_true(f.count == 0 && f.cycles == 0);
	assert_int_equal(q.cpuid_calls - before, 1);
	/* A host keeping counts only: no cycles asked for, none reported. */
	hv.count[12] = 5;
	hv.cycles[12] = 99;
	before = q.cpuid_calls;
	es_query_reason(&q, 12, &f);
	assert_int_equal(q.cpuid_calls - before, 2);
	hv.cycles_off = true;
	assert_int_equal(es_query_open(&q, fake_cpuid, why, sizeof(why)), 0);
	assert_false(q.has_cycles);
	before = q.cpuid_calls;
	es_query_reason(&q, 12, &f);
	assert_true(f.count == 5 && f.cycles == 0);
	assert_int_equal(q.cpuid_calls - before, 1);
}

/* Which codes are asked: all of VMX 0..75; SVM's low range and named ones. */
static void test_codes_per_vendor(void **state)
{
	uint32_t c[512];
	size_t n, i;
	bool has_8e = false, has_npf = false, has_err = false, has_other = false, has_failed = false;

	(void)state;
	n = es_query_codes(ES_INTEL, c, 512);
	assert_int_equal(n, 78);
	for (i = 0; i < 76; i++)
		assert_int_equal(c[i], i);
	assert_int_equal(c[76], 0x80000000);	/* exitscope's own rows last */
	assert_int_equal(c[77], 0xfffffffe);
	n = es_query_codes(ES_AMD, c, 512);
	for (i = 0; i < n; i++) {
		has_8e |= c[i] == 0x8e;		/* RDPRU: handled, unnamed */
		has_npf |= c[i] == 0x400;
		has_err |= c[i] == 0xffffffff;
		has_other |= c[i] == 0xfffffffe;
		has_failed |= c[i] == 0x80000000;	/* VMX only */
		if (i)
			assert_true(c[i] > c[i - 1]);
	}
	assert_true(has_8e && has_npf && has_err && has_other && !has_failed);
	assert_true(n < 200);
	assert_int_equal(es_query_codes(ES_AMD, c, 10), 10);
}

static char *capture(void (*print)(FILE *, const struct es_report *, enum es_rows),
		     const struct es_report *r, enum es_rows rows)
{
	static char *buf;
	size_t len;
	FILE *f;

	free(buf);
	f = open_memstream(&buf, &len);
	print(f, r, rows);
	fclose(f);
	return buf;
}

static void json(FILE *f, const struct es_report *r, enum es_rows rows)
{
	assert_int_equal(es_print_json(f, r, rows), 0);
}

static void raw(FILE *f, const struct es_report *r, enum es_rows rows)
{
	(void)rows;
	es_print_raw(f, r);
}

/* The table sorts by count and shows shares; JSON and raw carry the same. */
static void test_print(void **state)
{
	struct es_figure figs[] = {
		{ 10, "CPUID", true, 100, 5000 },
		{ 12, "HLT", true, 0, 0 },
		{ 30, "IO_INSTRUCTION", true, 300, 90000 },
		{ 35, NULL, false, 0, 0 },
		{ 0x80000000, "FAILED_VMENTRY", true, 0, 0 },
		{ 0xfffffffe, "other", true, 2, 10 },
	};
	struct es_report r = { ES_INTEL, 402, 95010, 7, figs, 6 };
	char *out;

	(void)state;
	out = capture(es_print_table, &r, ES_ROWS_NONZERO);
	assert_non_null(strstr(out, "402 exits, 95010 cycles in KVM (vmx; 7 of the exits are this query's CPUIDs)"));
	assert_true(strstr(out, " IO_INSTRUCTION ") < strstr(out, " CPUID "));
	assert_non_null(strstr(out, " 74.63%"));
	assert_null(strstr(out, "HLT"));
	assert_non_null(strstr(out, "     other  other"));
	assert_null(strstr(out, "FAILED_VMENTRY"));	/* own rows: only with exits */
	out = capture(es_print_table, &r, ES_ROWS_DEFINED);
	assert_non_null(strstr(out, "HLT"));
	assert_null(strstr(out, "FAILED_VMENTRY"));
	out = capture(json, &r, ES_ROWS_NONZERO);
	assert_string_equal(out,
		"{\"schema\":\"exitscope.query/2\",\"vendor\":\"intel\",\"isa\":\"vmx\","
		"\"total\":{\"count\":402,\"cycles\":95010},\"query_exits\":7,\"reasons\":["
		"{\"reason\":30,\"name\":\"IO_INSTRUCTION\",\"count\":300,\"cycles\":90000},"
		"{\"reason\":10,\"name\":\"CPUID\",\"count\":100,\"cycles\":5000},"
		"{\"reason\":null,\"name\":\"other\",\"count\":2,\"cycles\":10}]}\n");
	out = capture(raw, &r, ES_ROWS_NONZERO);
	assert_non_null(strstr(out, "exit reason 35: undefined\n"));
	assert_non_null(strstr(out, "exit reason 12 (HLT): 0 exits, 0 cycles\n"));
	assert_non_null(strstr(out, "all exits: 402, cycles: 95010\n"));
}

/* FAILED_VMENTRY (VMX) and other are asked too, so the rows add up. */
static void test_own_rows(void **state)
{
	struct es_figure f;
	struct es_query q;
	char why[256];

	(void)state;
	hv.failed = 4;
	hv.other = 9;
	assert_int_equal(es_query_open(&q, fake_cpuid, why, sizeof(why)), 0);
	es_query_reason(&q, 0x80000000, &f);
	assert_true(f.defined);
	assert_string_equal(f.name, "FAILED_VMENTRY");
	assert_int_equal(f.count, 4);
	es_query_reason(&q, 0xfffffffe, &f);
	assert_string_equal(f.name, "other");
	assert_int_equal(f.count, 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_open_exitscope_kvm, reset),
		cmocka_unit_test_setup(test_open_refuses, reset),
		cmocka_unit_test_setup(test_decode_64bit, reset),
		cmocka_unit_test_setup(test_undefined_and_zero, reset),
		cmocka_unit_test_setup(test_codes_per_vendor, reset),
		cmocka_unit_test_setup(test_print, reset),
		cmocka_unit_test_setup(test_own_rows, reset),
	};

	return cmocka_run_group_tests_name("query", tests, NULL, NULL);
}
