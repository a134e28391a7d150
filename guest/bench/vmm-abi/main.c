// SPDX-License-Identifier: GPL-2.0-only
/*
 * Image "vmm-abi": checks what exitscope-vmm promises a flat image
 * (tools/lib/abi/vmm_abi.h) from inside, on every vCPU, and prints
 *   vmm-abi: vcpu I of N rsp 0xRSP x2apic ID cpuid ID
 *   vmm-abi: cmdline LEN bytes 'STR'
 * Verdict 0 when each vCPU's index, x2APIC ID, CPUID APIC ID and entry
 * RSP agree with the ABI, 1 otherwise (the line says what differs).
 */
#include "../rt/rt.h"

#define X2APIC_ID	0x802

int image_main(struct rt_cpu *c)
{
	static volatile int bad;
	const char *cmdline = (const char *)ES_VMM_FLAT_CMDLINE_ADDR;
	uint32_t x2id = c->x2apic ? (uint32_t)rt_rdmsr(X2APIC_ID) : 0xffffffff;
	uint32_t cpuid_id = rt_cpuid(1, 0).ebx >> 24;
	uint64_t want_rsp = ES_VMM_FLAT_STACK_TOP(c->index);
	unsigned int i;

	/* One after the other, in order: the output reads the same each run. */
	for (i = 0; i < rt_nr_cpus; i++) {
		if (i == c->index) {
			rt_printf("vmm-abi: vcpu %u of %u rsp 0x%llx x2apic %u cpuid %u\n", c->index,
				  rt_nr_cpus, (unsigned long long)c->entry_rsp, x2id, cpuid_id);
			if (c->entry_rsp != want_rsp || x2id != c->index || cpuid_id != c->index) {
				rt_printf("vmm-abi: vcpu %u: wanted rsp 0x%llx and APIC IDs %u\n",
					  c->index, (unsigned long long)want_rsp, c->index);
				bad = 1;
			}
		}
		rt_barrier();
	}
	if (c->index == 0)
		rt_printf("vmm-abi: cmdline %u bytes '%s'\n", (unsigned int)strlen(cmdline), cmdline);
	return bad;
}
