/* SPDX-License-Identifier: GPL-2.0-only */
/* Test image: never stops (for the VMM's timeout). */
	.code64
	.globl _start
_start:
	jmp _start
