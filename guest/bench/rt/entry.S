/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where every vCPU enters (tools/lib/abi/vmm_abi.h): RDI = its index, RSI = the
 * number of vCPUs, RSP = its own stack, 16-byte aligned. rt_start() gets
 * them and the entry RSP as its three arguments.
 */
	.section .text.entry, "ax"
	.code64
	.globl _start
_start:
	cli
	cld
	mov %rsp, %rdx
	call rt_start		/* does not return */
1:	hlt
	jmp 1b

/*
 * rt_load_gdt(gdtr): load it, then CS (by a far return) and the data
 * segment registers (selectors in start.c). GS's base is set afterwards:
 * loading GS clears it.
 */
	.text
	.globl rt_load_gdt
rt_load_gdt:
	lgdt (%rdi)
	pushq $0x08
	leaq 1f(%rip), %rax
	pushq %rax
	lretq
1:	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	ret

	.section .note.GNU-stack, "", @progbits
