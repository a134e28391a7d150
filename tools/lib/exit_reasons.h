/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exit-reason names and numbers of both vendors, compiled from the kernel's
 * own uapi headers (VMX_EXIT_REASONS, SVM_EXIT_REASONS): the one table every
 * exitscope tool uses.
 */
#ifndef EXITSCOPE_EXIT_REASONS_H
#define EXITSCOPE_EXIT_REASONS_H

#include <stddef.h>
#include <stdint.h>

enum es_vendor { ES_INTEL, ES_AMD };

struct es_reason {
	uint32_t code;
	const char *name;
};

/* The kernel's list for @vendor, in the kernel's order. */
const struct es_reason *es_reasons(enum es_vendor vendor, size_t *n);
/* Name of @code, or NULL when the kernel names no such reason. */
const char *es_reason_name(enum es_vendor vendor, uint32_t code);
/* "vmx" or "svm". */
const char *es_isa_name(enum es_vendor vendor);

#endif
