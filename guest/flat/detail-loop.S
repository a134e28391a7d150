/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workload "detail-loop": exits whose drill-down keys are known, each with
 * a count of its own, so that a key given another's count fails the lab's
 * check: 1000 OUTs to port 0x80 (I/O, the VMM's), 2000 RDMSRs of
 * IA32_APICBASE (0x1b, KVM's), 3000 hypercalls of number 0x7ff (an unknown
 * one: KVM answers -KVM_ENOSYS in RAX, no fault), VMCALL on Intel, VMMCALL
 * on AMD (CPUID leaf 0's vendor). Long mode, flat.
 */
#include "flat.h"

	.code64
	.globl _start
_start:
	puts start
	mov $1000, %r8d
	mov $0x80, %dx
1:	out %al, %dx
	dec %r8d
	jnz 1b
	mov $2000, %r8d
2:	mov $0x1b, %ecx
	rdmsr
	dec %r8d
	jnz 2b
	/* "AuthenticAMD": EBX = "Auth". */
	xor %eax, %eax
	cpuid
	mov $3000, %r8d
	cmp $0x68747541, %ebx
	je 4f
3:	mov $0x7ff, %eax
	vmcall
	dec %r8d
	jnz 3b
	jmp 5f
4:	mov $0x7ff, %eax
	vmmcall
	dec %r8d
	jnz 4b
5:	puts done
	verdict 0

start:	.asciz "detail-loop: 1000 OUT 0x80, 2000 RDMSR 0x1b, 3000 hypercalls 0x7ff\n"
done:	.asciz "detail-loop: done\n"
