/* SPDX-License-Identifier: GPL-2.0-only */
/* Test image: real mode (link at 0: CS = DS = 0x1000), prints on COM1, verdict 42. */
#include "flat.h"

	.code16
	.globl _start
_start:
	mov $COM1, %dx
	mov $msg, %si
1:	lodsb
	test %al, %al
	jz 2f
	out %al, %dx
	jmp 1b
2:	mov $EXIT_PORT, %dx
	mov $42, %al
	out %al, %dx
	hlt

msg:	.asciz "hello from real mode\n"
