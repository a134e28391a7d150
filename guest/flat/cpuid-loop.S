/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workload "cpuid-loop": 100000 CPUIDs of leaf 0, each an exit handled in
 * the kernel (VMX reason 10, SVM code 0x72). Long mode, flat image.
 */
#include "flat.h"
#define ITERATIONS 100000

	.code64
	.globl _start
_start:
	puts start
	mov $ITERATIONS, %r8d
loop:
	xor %eax, %eax
	xor %ecx, %ecx
	cpuid
	dec %r8d
	jnz loop
	puts done
	verdict 0

start:	.asciz "cpuid-loop: 100000 CPUIDs\n"
done:	.asciz "cpuid-loop: done\n"
