/* SPDX-License-Identifier: GPL-2.0-only */
/* exitscope-vmm's --cpuid LEAF=EAX,EBX,ECX,EDX: one CPUID table entry. */
#ifndef EXITSCOPE_CPUID_SPEC_H
#define EXITSCOPE_CPUID_SPEC_H

#include <stddef.h>
#include <stdint.h>

struct es_cpuid_spec {
	uint32_t leaf;			/* index (subleaf) 0 */
	uint32_t eax, ebx, ecx, edx;
};

/* Five 32-bit numbers, decimal or 0x hex (num.h). -1 with @why on error. */
int es_cpuid_spec_parse(const char *s, struct es_cpuid_spec *spec, char *why,
			size_t len);

#endif
