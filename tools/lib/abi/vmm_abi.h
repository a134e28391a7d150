/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a guest, exitscope-vmm and the scripts around it agree on. Plain
 * numbers up to the C part, so that guest assembly and linker scripts can
 * include it too (with __ASSEMBLER__ defined).
 */
#ifndef EXITSCOPE_VMM_ABI_H
#define EXITSCOPE_VMM_ABI_H

/*
 * A byte written to this I/O port ends the VM with that verdict. Same port
 * as QEMU's isa-debug-exit, but the value is passed through unchanged.
 */
#define ES_VMM_EXIT_PORT	0x501

/*
 * exitscope-vmm's exit status. The guest's verdict keeps its own range, so
 * that no verdict reads as a failure of the VMM or the other way round;
 * 128 + N, as shells show it, is the VMM killed by signal N.
 */
#define ES_VMM_VERDICT_MAX	63	/* 0-63: the guest's verdict (0: success) */
#define ES_VMM_EXIT_USAGE	64	/* bad command line */
#define ES_VMM_EXIT_SETUP	65	/* bad image, no KVM, cannot set the VM up */
#define ES_VMM_EXIT_NO_VERDICT	66	/* the guest stopped without a verdict:
					 * triple fault, reset, halt, power off */
#define ES_VMM_EXIT_BAD_VERDICT	67	/* it wrote a verdict above 63 */
#define ES_VMM_EXIT_TIMEOUT	68	/* --timeout expired */
#define ES_VMM_EXIT_VM_FAILED	69	/* KVM failed the VM (entry failure,
					 * internal error, KVM_RUN error) */

/*
 * Flat images (--flat). Loaded at ES_VMM_FLAT_ADDR. Long mode (the
 * default): paging on with an identity map of the first GiB in 2 MiB pages,
 * a flat 64-bit code segment, interrupts off, RIP = ES_VMM_FLAT_ADDR. Real
 * mode: CS = DS = ES = SS = ES_VMM_FLAT_ADDR >> 4, IP = 0, SP = 0xfffe.
 *
 * In long mode every vCPU enters the image (with --cpus N, all N at once;
 * none waits for another), each with
 *   RDI = its vCPU index, 0 to N - 1: also its APIC ID, its x2APIC ID and
 *         CPUID.1:EBX[31:24];
 *   RSI = N, the number of vCPUs;
 *   RSP = ES_VMM_FLAT_STACK_TOP(index), its own stack of
 *         ES_VMM_FLAT_STACK_SIZE bytes below that (vCPU 0's where it always
 *         was, below the EBDA: an image over 0x8b000 bytes reaches into it;
 *         the others' above 1 MiB, in RAM for any --mem);
 * the other general registers 0. In real mode only vCPU 0 starts; the
 * others wait for INIT and SIPI from it, as on a PC.
 */
#define ES_VMM_FLAT_ADDR	0x10000
#define ES_VMM_FLAT_STACK_SIZE	0x4000
#define ES_VMM_FLAT_STACK0	0x9f000		/* vCPU 0's RSP */
#define ES_VMM_FLAT_STACKS	0x100000	/* vCPU i >= 1: RSP = this + i * size */
#define ES_VMM_FLAT_STACK_TOP(i) \
	((i) ? ES_VMM_FLAT_STACKS + (i) * ES_VMM_FLAT_STACK_SIZE : ES_VMM_FLAT_STACK0)

/*
 * --cmdline with --flat: the string, NUL-terminated, at this guest-physical
 * address (reachable from real mode too); at most ES_VMM_FLAT_CMDLINE_MAX
 * bytes before the NUL, a longer one is refused. Without --cmdline the
 * string is empty: a single NUL.
 */
#define ES_VMM_FLAT_CMDLINE_ADDR	0x6000
#define ES_VMM_FLAT_CMDLINE_MAX		4095	/* one page with its NUL */

#ifndef __ASSEMBLER__
/* For people: what an exit status of exitscope-vmm means. */
static inline const char *es_vmm_status_str(int status)
{
	if (status == 0)
		return "the guest's verdict: success";
	if (status > 0 && status <= ES_VMM_VERDICT_MAX)
		return "the guest's verdict: failure";
	switch (status) {
	case ES_VMM_EXIT_USAGE:		return "exitscope-vmm: bad usage";
	case ES_VMM_EXIT_SETUP:		return "exitscope-vmm could not set the VM up";
	case ES_VMM_EXIT_NO_VERDICT:	return "the guest stopped without a verdict (triple fault, reset, halt or power off)";
	case ES_VMM_EXIT_BAD_VERDICT:	return "the guest wrote a verdict above 63";
	case ES_VMM_EXIT_TIMEOUT:	return "timeout: exitscope-vmm stopped the guest";
	case ES_VMM_EXIT_VM_FAILED:	return "KVM failed the VM";
	case 127:			return "exitscope-vmm not found";
	}
	return status > 128 ? "exitscope-vmm killed by a signal" : "unknown";
}

/*
 * A CPUID leaf exitscope-vmm adds to its guests' table, in the hypervisor
 * range (Linux scans 0x40000000..0x4000ff00 in steps of 0x100 for known
 * signatures; this one it ignores): EAX = the leaf, EBX:ECX:EDX = the
 * signature. How `exitscope shutdown` knows it may end the machine.
 */
#define ES_VMM_CPUID_LEAF	0x40000100u
#define ES_VMM_SIGNATURE	"ExitScopeVMM"	/* 12 bytes */
#endif /* !__ASSEMBLER__ */

#endif
