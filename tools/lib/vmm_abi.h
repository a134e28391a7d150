/* SPDX-License-Identifier: GPL-2.0-only */
/* What a guest, exitscope-vmm and the scripts around it agree on. */
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

#endif
