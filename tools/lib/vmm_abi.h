/* SPDX-License-Identifier: GPL-2.0-only */
/* What a guest and exitscope-vmm agree on. */
#ifndef EXITSCOPE_VMM_ABI_H
#define EXITSCOPE_VMM_ABI_H

/*
 * A byte written to this I/O port ends the VM; exitscope-vmm exits with
 * that byte as its status (the guest's verdict). Same port as QEMU's
 * isa-debug-exit, but the value is passed through unchanged.
 */
#define ES_VMM_EXIT_PORT 0x501

#endif
