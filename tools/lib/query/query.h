/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading exitscope's CPUID leaves from inside a guest (the leaves and codes:
 * asm/kvm_exit_stats.h). The CPUID instruction is passed in, so that tests
 * can play the hypervisor.
 */
#ifndef EXITSCOPE_QUERY_H
#define EXITSCOPE_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/exit_reasons.h"

struct es_cpuid {
	uint32_t eax, ebx, ecx, edx;
};

/* Executes CPUID @leaf with ECX = @subleaf. */
typedef struct es_cpuid (*es_cpuid_fn)(uint32_t leaf, uint32_t subleaf);

struct es_figure {
	uint32_t code;
	const char *name;	/* the kernel's name, "unnamed" or NULL */
	bool defined;		/* false: the hypervisor answered "undefined" */
	uint64_t count;
	uint64_t cycles;
};

struct es_query {
	es_cpuid_fn cpuid;
	unsigned long cpuid_calls;	/* CPUIDs issued: each one is an exit */
	enum es_vendor vendor;
	char cpu_vendor[13];
	char hypervisor[13];
	unsigned int abi_version;	/* of the discovery leaf */
	bool has_cycles;		/* the host keeps cycles (kvm.exit_stats=cycles) */
};

/*
 * Find the CPU vendor and check that the hypervisor answers exitscope's
 * leaves for this guest: its discovery leaf's signature and version.
 * Returns 0, or -1 with a message for people in @why.
 */
int es_query_open(struct es_query *q, es_cpuid_fn cpuid, char *why, size_t len);
/* The figures of one code. */
void es_query_reason(struct es_query *q, uint32_t code, struct es_figure *f);
/* All exits and cycles of the VM. */
void es_query_total(struct es_query *q, uint64_t *count, uint64_t *cycles);
/*
 * The codes worth asking about on this vendor, ascending: every code up to
 * the highest named hardware code (so that one KVM handles without a name
 * in the kernel's list is not missed), every named one, and exitscope's own
 * rows (FAILED_VMENTRY on VMX, other). Returns the number written to
 * @codes (at most @max).
 */
size_t es_query_codes(enum es_vendor vendor, uint32_t *codes, size_t max);

#endif
