// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the VMM and its guests agree on: --cpuid's syntax, the signature that
 * tells `exitscope shutdown` it may end the machine, the exit statuses, the
 * flat images' stacks and command line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "abi/cpuid_spec.h"
#include "abi/vmm_abi.h"
#include "query/vmm_detect.h"

static void test_cpuid_spec(void **state)
{
	static const struct { const char *s, *why; } bad[] = {
		{ "", "is not LEAF=EAX,EBX,ECX,EDX" },
		{ "0x4ffffffe", "is not LEAF=EAX,EBX,ECX,EDX" },
		{ "1=2,3,4", "is not LEAF" },
		{ "1=2,3,4,5,6", "EDX '5,6'" },
		{ "1=2,3,,5", "ECX ''" },
		{ "010=0,0,0,0", "LEAF '010': a leading zero" },
		{ "1=0x100000000,0,0,0", "EAX '0x100000000': out of range" },
		{ "1= 2,3,4,5", "EAX ' 2'" },
		{ "1=-2,3,4,5", "EAX '-2'" },
	};
	struct es_cpuid_spec c;
	char why[256];
	size_t i;

	(void)state;
	assert_int_equal(es_cpuid_spec_parse("0x4ffffffe=1,2,0x3,4294967295", &c, why, sizeof(why)), 0);
	assert_int_equal(c.leaf, 0x4ffffffe);
	assert_int_equal(c.eax, 1);
	assert_int_equal(c.ebx, 2);
	assert_int_equal(c.ecx, 3);
	assert_int_equal(c.edx, 0xffffffff);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (es_cpuid_spec_parse(bad[i].s, &c, why, sizeof(why)) != -1 ||
		    !strstr(why, bad[i].why))
			fail_msg("case %zu '%s': wanted '%s', got '%s'", i, bad[i].s, bad[i].why, why);
}

static enum { BARE, OTHER_HV, OURS, OURS_WRONG_EAX } where;

static struct es_cpuid fake_cpuid(uint32_t leaf, uint32_t sub)
{
	struct es_cpuid r = { 0 };

	(void)sub;
	if (leaf == 1)
		r.ecx = where == BARE ? 0 : 1u << 31;
	if (leaf == ES_VMM_CPUID_LEAF) {
		if (where == OURS || where == OURS_WRONG_EAX) {
			r.eax = where == OURS ? ES_VMM_CPUID_LEAF : 0x40000101;
			memcpy(&r.ebx, ES_VMM_SIGNATURE, 4);
			memcpy(&r.ecx, ES_VMM_SIGNATURE + 4, 4);
			memcpy(&r.edx, ES_VMM_SIGNATURE + 8, 4);
		} else if (where == BARE) {
			r = (struct es_cpuid){ 0xd, 0x756e6547, 0x6c65746e, 0x49656e69 };
		}
	}
	return r;
}

/* Only exitscope-vmm's own signature lets shutdown touch the machine. */
static void test_detect(void **state)
{
	char why[256];

	(void)state;
	where = BARE;
	assert_int_equal(es_vmm_detect(fake_cpuid, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "bare machine"));
	where = OTHER_HV;
	assert_int_equal(es_vmm_detect(fake_cpuid, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not exitscope-vmm"));
	where = OURS_WRONG_EAX;
	assert_int_equal(es_vmm_detect(fake_cpuid, why, sizeof(why)), -1);
	where = OURS;
	assert_int_equal(es_vmm_detect(fake_cpuid, why, sizeof(why)), 0);
}

/* Verdicts and the VMM's own statuses never share a number. */
static void test_statuses(void **state)
{
	const int own[] = { ES_VMM_EXIT_USAGE, ES_VMM_EXIT_SETUP, ES_VMM_EXIT_NO_VERDICT,
			    ES_VMM_EXIT_BAD_VERDICT, ES_VMM_EXIT_TIMEOUT, ES_VMM_EXIT_VM_FAILED };
	size_t i, j;

	(void)state;
	assert_int_equal(sizeof(ES_VMM_SIGNATURE) - 1, 12);
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		assert_true(own[i] > ES_VMM_VERDICT_MAX && own[i] < 128);
		for (j = 0; j < i; j++)
			assert_int_not_equal(own[i], own[j]);
		assert_null(strstr(es_vmm_status_str(own[i]), "verdict: "));
	}
	assert_non_null(strstr(es_vmm_status_str(0), "success"));
	assert_non_null(strstr(es_vmm_status_str(ES_VMM_VERDICT_MAX), "the guest's verdict: failure"));
	assert_non_null(strstr(es_vmm_status_str(ES_VMM_EXIT_TIMEOUT), "timeout"));
	assert_non_null(strstr(es_vmm_status_str(137), "signal"));
}

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * The flat layout (vmm_abi.h): each of the 64 vCPUs' stacks 16-byte aligned,
 * in the smallest RAM (--mem 2), apart from every other stack, from the
 * command line's page and from the VMM's tables below 0x5000; the APs'
 * apart from the largest flat image too (vCPU 0's stack lies in it: known).
 */
static void test_flat_layout(void **state)
{
	const uint64_t size = ES_VMM_FLAT_STACK_SIZE, image_max = 0x9fc00 - ES_VMM_FLAT_ADDR;
	uint64_t ti, tj;
	int i, j;

	(void)state;
	assert_int_equal(ES_VMM_FLAT_STACK_TOP(0), 0x9f000);
	assert_int_equal(ES_VMM_FLAT_STACK_TOP(1), 0x104000);
	for (i = 0; i < 64; i++) {
		ti = ES_VMM_FLAT_STACK_TOP(i);
		if (ti % 16 || ti > (2u << 20) || ti - size < 0x5000 ||
		    overlap(ti - size, size, ES_VMM_FLAT_CMDLINE_ADDR, ES_VMM_FLAT_CMDLINE_MAX + 1) ||
		    (i && overlap(ti - size, size, ES_VMM_FLAT_ADDR, image_max)))
			fail_msg("vCPU %d: stack [%#llx, %#llx) misplaced", i,
				 (unsigned long long)(ti - size), (unsigned long long)ti);
		for (j = 0; j < i; j++) {
			tj = ES_VMM_FLAT_STACK_TOP(j);
			if (overlap(ti - size, size, tj - size, size))
				fail_msg("stacks of vCPU %d and %d overlap", i, j);
		}
	}
	assert_true(ES_VMM_FLAT_CMDLINE_ADDR >= 0x5000);
	assert_true(ES_VMM_FLAT_CMDLINE_ADDR + ES_VMM_FLAT_CMDLINE_MAX + 1 <= ES_VMM_FLAT_ADDR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpuid_spec),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_flat_layout),
	};

	return cmocka_run_group_tests_name("vmm_abi", tests, NULL, NULL);
}
