/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the flat workloads: console output and the verdict port. */
#define COM1		0x3f8
#define EXIT_PORT	0x501	/* tools/lib/abi/vmm_abi.h */

/* Print the NUL-terminated string at \str on COM1 (clobbers al, dx, rsi). */
.macro puts str
	lea \str(%rip), %rsi
	mov $COM1, %dx
1:	lodsb
	test %al, %al
	jz 2f
	out %al, %dx
	jmp 1b
2:
.endm

/* End the VM with verdict \status. */
.macro verdict status
	mov $EXIT_PORT, %dx
	mov $\status, %al
	out %al, %dx
3:	hlt
	jmp 3b
.endm
