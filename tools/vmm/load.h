/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest images into the VM's memory: a Linux bzImage with its initramfs and
 * command line (boot.h's layout and zero page), or a flat image with its
 * arguments (lib/abi/vmm_abi.h). Each sets the entry point and returns 0, or -1
 * after a message (a bad or truncated image, too little memory).
 */
#ifndef EXITSCOPE_VMM_LOAD_H
#define EXITSCOPE_VMM_LOAD_H

#include <stdint.h>

struct vm;

/* @initrd may be NULL. Also writes the MP table for the VM's vCPUs. */
int load_linux(struct vm *vm, const char *kernel, const char *initrd,
	       const char *cmdline, uint64_t *entry);
/* In the VM's flat mode (real or long); @cmdline at ES_VMM_FLAT_CMDLINE_ADDR. */
int load_flat(struct vm *vm, const char *image, const char *cmdline, uint64_t *entry);

#endif
