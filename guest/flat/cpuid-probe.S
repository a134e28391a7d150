/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workload "cpuid-probe": at CPL 0, read exitscope's three CPUID leaves
 * (code 10, then the total) and print each answer as one line
 *   cpuid-probe: LEAF ECX EAX EBX ECX EDX     (hex, 8 digits each)
 * so the host can tell the VMM's CPUID table from exitscope's figures.
 * Long mode, flat image.
 */
#include "flat.h"

	.code64
	.globl _start
_start:
	mov $0x4ffffffe, %r12d
	mov $10, %r13d
	call probe
	mov $0x4ffffffd, %r12d
	call probe
	mov $0x4fffffff, %r12d
	xor %r13d, %r13d
	call probe
	verdict 0

/* CPUID r12d with ECX = r13d, and the line with its answer. */
probe:
	puts label
	mov %r12d, %ebx
	call hex32
	mov %r13d, %ebx
	call hex32
	mov %r12d, %eax
	mov %r13d, %ecx
	cpuid
	mov %eax, %r8d
	mov %ebx, %r9d
	mov %ecx, %r10d
	mov %edx, %r11d
	mov %r8d, %ebx
	call hex32
	mov %r9d, %ebx
	call hex32
	mov %r10d, %ebx
	call hex32
	mov %r11d, %ebx
	call hex32
	mov $COM1, %dx
	mov $'\n', %al
	out %al, %dx
	ret

/* " " and ebx as 8 hex digits on COM1 (clobbers eax, ecx, edx). */
hex32:
	mov $COM1, %dx
	mov $' ', %al
	out %al, %dx
	mov $8, %ecx
1:	rol $4, %ebx
	mov %ebx, %eax
	and $0xf, %eax
	cmp $10, %eax
	jb 2f
	add $('a' - '0' - 10), %eax
2:	add $'0', %eax
	out %al, %dx
	dec %ecx
	jnz 1b
	ret

label:	.asciz "cpuid-probe:"
