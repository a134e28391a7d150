// SPDX-License-Identifier: GPL-2.0-only
/* See vmm_detect.h. */
#include <stdio.h>
#include <string.h>

#include "abi/vmm_abi.h"
#include "query/vmm_detect.h"

int es_vmm_detect(es_cpuid_fn cpuid, char *why, size_t len)
{
	struct es_cpuid r = cpuid(1, 0);
	char sig[13];

	if (!(r.ecx & (1u << 31))) {
		snprintf(why, len, "no hypervisor (CPUID.1:ECX bit 31 clear): this is a bare machine");
		return -1;
	}
	r = cpuid(ES_VMM_CPUID_LEAF, 0);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = '\0';
	if (r.eax != ES_VMM_CPUID_LEAF || memcmp(sig, ES_VMM_SIGNATURE, 12)) {
		snprintf(why, len, "the hypervisor is not exitscope-vmm (no signature '%s' in CPUID leaf %#x)",
			 ES_VMM_SIGNATURE, ES_VMM_CPUID_LEAF);
		return -1;
	}
	return 0;
}
