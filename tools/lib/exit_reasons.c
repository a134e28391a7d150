// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's reason lists, straight from the uapi headers of the same
 * linux-source the modules are built from (-I$(KSRC)/arch/x86/include).
 * SVM_EXIT_REASONS uses the exception vectors of uapi asm/kvm.h.
 */
#include <uapi/asm/kvm.h>
#include <uapi/asm/svm.h>
#include <uapi/asm/vmx.h>

#include "exit_reasons.h"

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
