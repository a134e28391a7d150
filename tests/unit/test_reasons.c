// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reason names the tools compile in (Debian's uapi headers, from
 * linux-libc-dev) are those of the cached linux-source the modules are
 * built from (this file is compiled against it: -I$(KSRC)/arch/x86/include),
 * and the one way every output writes a code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <uapi/asm/kvm.h>
#include <uapi/asm/svm.h>
#include <uapi/asm/vmx.h>

#include "model/exit_reasons.h"

struct pair {
	uint32_t code;
	const char *name;
};

static const struct pair ksrc_vmx[] = { VMX_EXIT_REASONS };
static const struct pair ksrc_svm[] = { SVM_EXIT_REASONS };

static void same(enum es_vendor v, const struct pair *k, size_t nk)
{
	const struct es_reason *r;
	size_t n, i;

	r = es_reasons(v, &n);
	assert_int_equal(n, nk);
	for (i = 0; i < n; i++) {
		assert_int_equal(r[i].code, k[i].code);
		assert_string_equal(r[i].name, k[i].name);
	}
}

static void test_same_as_ksrc(void **state)
{
	(void)state;
	same(ES_INTEL, ksrc_vmx, sizeof(ksrc_vmx) / sizeof(ksrc_vmx[0]));
	same(ES_AMD, ksrc_svm, sizeof(ksrc_svm) / sizeof(ksrc_svm[0]));
	/* And the constants the tools take from the uapi headers. */
	assert_int_equal(es_svm_high_base(), SVM_EXIT_NPF);
	assert_int_equal(ES_CODE_FAILED_VMENTRY, VMX_EXIT_REASONS_FAILED_VMENTRY);
}

/* VMX in decimal, SVM in hex, exitscope's rows as the kernel prints them. */
static void test_code_str(void **state)
{
	char b[ES_CODE_STR_LEN];

	(void)state;
	assert_string_equal(es_code_str(b, ES_INTEL, 28), "28");
	assert_string_equal(es_code_str(b, ES_INTEL, 0), "0");
	assert_string_equal(es_code_str(b, ES_INTEL, 0x80000000), "0x80000000");
	assert_string_equal(es_code_str(b, ES_AMD, 0x4e), "0x4e");
	assert_string_equal(es_code_str(b, ES_AMD, 0x400), "0x400");
	assert_string_equal(es_code_str(b, ES_AMD, 0xffffffff), "0xffffffff");
	assert_string_equal(es_code_str(b, ES_AMD, ES_CODE_OTHER), "other");
	assert_string_equal(es_code_str(b, ES_INTEL, ES_CODE_OTHER), "other");
	assert_string_equal(es_reason_name(ES_INTEL, 0x80000000), "FAILED_VMENTRY");
	assert_null(es_reason_name(ES_AMD, 0x80000000));
	assert_string_equal(es_reason_name(ES_AMD, 0xffffffff), "invalid_guest_state");
	assert_string_equal(es_reason_name(ES_AMD, ES_CODE_OTHER), "other");
	assert_string_equal(es_reason_name(ES_AMD, 0x4e), "PF excp");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_ksrc),
		cmocka_unit_test(test_code_str),
	};

	return cmocka_run_group_tests_name("reasons", tests, NULL, NULL);
}
