/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exit-reason names and numbers of both vendors, compiled from the kernel's
 * uapi headers (VMX_EXIT_REASONS, SVM_EXIT_REASONS): the one table every
 * exitscope tool uses, and the one way to write a code.
 */
#ifndef EXITSCOPE_EXIT_REASONS_H
#define EXITSCOPE_EXIT_REASONS_H

#include <asm/kvm_exit_stats.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum es_vendor { ES_INTEL, ES_AMD };

/* exitscope's catch-all row ("other"): a code no vendor uses. */
#define ES_CODE_OTHER		((uint32_t)KVM_EXIT_STATS_CODE_OTHER)
#define ES_CODE_FAILED_VMENTRY	((uint32_t)KVM_EXIT_STATS_CODE_FAILED_VMENTRY)

struct es_reason {
	uint32_t code;
	const char *name;
};

/* The kernel's list for @vendor, in the kernel's order. */
const struct es_reason *es_reasons(enum es_vendor vendor, size_t *n);
/*
 * Name of @code: the kernel's, "FAILED_VMENTRY" (VMX) or "other" for
 * exitscope's own rows; NULL when the kernel names no such reason.
 */
const char *es_reason_name(enum es_vendor vendor, uint32_t code);
/* "vmx" or "svm". */
const char *es_isa_name(enum es_vendor vendor);
/* "intel" or "amd". */
const char *es_cpu_name(enum es_vendor vendor);

/* Longest code text: "0xffffffff" and its NUL. */
#define ES_CODE_STR_LEN	12
/*
 * @code as the kernel's debugfs file and every exitscope output write it:
 * VMX reasons in decimal (they are documented so), SVM codes and VMX's
 * failed-entry row in hex (SVM's are documented so), "other".
 */
const char *es_code_str(char buf[ES_CODE_STR_LEN], enum es_vendor vendor,
			uint32_t code);
/* SVM_EXIT_NPF: the first SVM code past the dense low range. */
uint32_t es_svm_high_base(void);

#endif
