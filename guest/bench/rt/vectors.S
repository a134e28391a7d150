/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One 16-byte stub per vector, all 256 (an unexpected vector must reach C
 * and be reported, not fault again), and rt_try().
 */
#define TRY_RIP	8	/* offsetof(struct rt_cpu, try_rip), checked in trap.c */
#define TRY_RSP	16

	.text
	.balign 16
	.globl rt_stubs
rt_stubs:
vec = 0
	.rept 256
	.balign 16
stub = .
	/* The CPU pushes an error code for these; a 0 keeps the frame alike. */
	.if vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30
	.else
	pushq $0
	.endif
	pushq $vec
	.byte 0xe9			/* jmp rel32: a fixed size, so that */
	.long trap_common - (. + 4)	/* the check below is constant */
	.if . - stub > 16
	.error "a vector stub is longer than 16 bytes"
	.endif
vec = vec + 1
	.endr

/* struct rt_frame on the stack, rt_trap(frame), back where it says. */
trap_common:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	cld
	mov %rsp, %rdi
	call rt_trap		/* the stack is 16-byte aligned here */
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp		/* vector, error code */
	iretq

/*
 * int rt_try(void (*fn)(void *), void *arg): fn(arg) with the callee-saved
 * registers kept and the place to come back to in the vCPU's data. An
 * exception on the way sends rt_trap() to 2: with RSP as it was at the
 * call and EAX = the vector.
 */
	.globl rt_try
rt_try:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	sub $8, %rsp			/* 16-byte aligned at the call */
	mov %rsp, %gs:TRY_RSP
	leaq 2f(%rip), %rax
	mov %rax, %gs:TRY_RIP
	mov %rdi, %rax
	mov %rsi, %rdi
	call *%rax
	movq $0, %gs:TRY_RIP
	mov $-1, %eax
2:	add $8, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret

	.section .note.GNU-stack, "", @progbits
