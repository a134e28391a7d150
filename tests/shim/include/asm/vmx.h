/* SPDX-License-Identifier: GPL-2.0-only */
/* The real uapi definitions: names and numbers come from the kernel. */
#include <uapi/asm/vmx.h>
