// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's reason lists, straight from the uapi headers that Debian's
 * linux-libc-dev installs for the very kernel version the modules are built
 * from (tests/unit/test_reasons.c checks that they equal the cached
 * linux-source's). SVM_EXIT_REASONS uses the exception vectors of asm/kvm.h.
 */
#include <asm/kvm.h>
#include <asm/svm.h>
#include <asm/vmx.h>
#include <stdio.h>

#include "model/exit_reasons.h"

static const struct es_reason vmx_reasons[] = { VMX_EXIT_REASONS };
static const struct es_reason svm_reasons[] = { SVM_EXIT_REASONS };

const struct es_reason *es_reasons(enum es_vendor vendor, size_t *n)
{
	if (vendor == ES_INTEL) {
		*n = sizeof(vmx_reasons) / sizeof(vmx_reasons[0]);
		return vmx_reasons;
	}
	*n = sizeof(svm_reasons) / sizeof(svm_reasons[0]);
	return svm_reasons;
}

const char *es_reason_name(enum es_vendor vendor, uint32_t code)
{
	const struct es_reason *r;
	size_t i, n;

	if (code == ES_CODE_OTHER)
		return "other";
	if (vendor == ES_INTEL && code == VMX_EXIT_REASONS_FAILED_VMENTRY)
		return "FAILED_VMENTRY";
	r = es_reasons(vendor, &n);
	for (i = 0; i < n; i++)
		if (r[i].code == code)
			return r[i].name;
	return NULL;
}

const char *es_isa_name(enum es_vendor vendor)
{
	return vendor == ES_INTEL ? "vmx" : "svm";
}

const char *es_cpu_name(enum es_vendor vendor)
{
	return vendor == ES_INTEL ? "intel" : "amd";
}

const char *es_code_str(char buf[ES_CODE_STR_LEN], enum es_vendor vendor,
			uint32_t code)
{
	if (code == ES_CODE_OTHER)
		snprintf(buf, ES_CODE_STR_LEN, "other");
	else if (vendor == ES_INTEL && code != VMX_EXIT_REASONS_FAILED_VMENTRY)
		snprintf(buf, ES_CODE_STR_LEN, "%u", code);
	else
		snprintf(buf, ES_CODE_STR_LEN, "%#x", code);
	return buf;
}

uint32_t es_svm_high_base(void)
{
	return SVM_EXIT_NPF;
}
