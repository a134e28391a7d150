/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workload "io-loop": 100000 writes to port 0x80, each an I/O exit that
 * KVM hands to the VMM (VMX reason 30, SVM code 0x7b). Long mode, flat.
 */
#include "flat.h"
#define ITERATIONS 100000

	.code64
	.globl _start
_start:
	puts start
	mov $ITERATIONS, %r8d
	mov $0x80, %dx
loop:
	out %al, %dx
	dec %r8d
	jnz loop
	puts done
	verdict 0

start:	.asciz "io-loop: 100000 OUTs to port 0x80\n"
done:	.asciz "io-loop: done\n"
