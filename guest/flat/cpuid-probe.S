/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workload "cpuid-probe": read exitscope's CPUID leaves at CPL 0, then
 * again at CPL 3 (user mode, IOPL 3 so that it can still print), and print
 * each answer as one line
 *   cpuid-probe: cplN LEAF ECX EAX EBX ECX EDX    (hex, 8 digits each)
 * so that the host can tell the VMM's CPUID table from exitscope's figures
 * (and its discovery leaf, 0x4ffffffc), per privilege level. Codes: 10 (VMX CPUID) and 0x72 (SVM cpuid).
 * Long mode, flat image; no interrupts, no exception handlers (a fault is
 * a triple fault: the VMM reports a stop without a verdict).
 */
#include "flat.h"

#define USER_DS		(0x18 | 3)
#define USER_CS		(0x20 | 3)
#define USER_STACK	0x80000

	.code64
	.globl _start
_start:
	lea cpl0(%rip), %r14
	call probes
	/* The identity map becomes user-accessible: U in every level. */
	mov %cr3, %rax
	orq $4, (%rax)			/* PML4[0] */
	mov (%rax), %rax
	and $~0xfff, %rax
	orq $4, (%rax)			/* PDPT[0] */
	mov (%rax), %rax
	and $~0xfff, %rax
	mov $512, %ecx
1:	orq $4, (%rax)			/* PD[0..511], 2 MiB each */
	add $8, %rax
	dec %ecx
	jnz 1b
	mov %cr3, %rax
	mov %rax, %cr3
	lgdt gdtr(%rip)
	pushq $USER_DS
	pushq $USER_STACK
	pushq $0x3002			/* IOPL 3, interrupts off */
	pushq $USER_CS
	lea user(%rip), %rax
	push %rax
	iretq

user:	lea cpl3(%rip), %r14
	call probes
	verdict 0

/* The five probes; r14 is the privilege level's label. */
probes:
	mov $0x4ffffffc, %r12d		/* discovery: signature, version */
	xor %r13d, %r13d
	call probe
	mov $0x4ffffffe, %r12d
	mov $10, %r13d
	call probe
	mov $0x72, %r13d
	call probe
	mov $0x4ffffffd, %r12d
	mov $10, %r13d
	call probe
	mov $0x4fffffff, %r12d
	xor %r13d, %r13d
	call probe
	ret

/* CPUID r12d with ECX = r13d, and the line with its answer. */
probe:
	lea label(%rip), %rsi
	call print
	mov %r14, %rsi
	call print
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

/* The NUL-terminated string at rsi on COM1 (clobbers al, dx, rsi). */
print:
	mov $COM1, %dx
1:	lodsb
	test %al, %al
	jz 2f
	out %al, %dx
	jmp 1b
2:	ret

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
cpl0:	.asciz " cpl0"
cpl3:	.asciz " cpl3"

	.balign 8
gdt:	.quad 0
	.quad 0x00af9b000000ffff	/* 0x08 kernel code, 64-bit */
	.quad 0x00cf93000000ffff	/* 0x10 kernel data */
	.quad 0x00cff3000000ffff	/* 0x18 user data */
	.quad 0x00affb000000ffff	/* 0x20 user code, 64-bit */
gdtr:	.word gdtr - gdt - 1
	.quad gdt
