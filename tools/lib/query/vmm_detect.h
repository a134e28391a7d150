/* SPDX-License-Identifier: GPL-2.0-only */
/* Is this a guest of exitscope-vmm? Asked before anything ends the machine. */
#ifndef EXITSCOPE_VMM_DETECT_H
#define EXITSCOPE_VMM_DETECT_H

#include <stddef.h>

#include "query/query.h"

/*
 * 0 when CPUID shows a hypervisor and exitscope-vmm's signature leaf
 * (vmm_abi.h); -1 with the reason in @why otherwise. CPUID has no side
 * effects, unlike probing an I/O port on a bare machine.
 */
int es_vmm_detect(es_cpuid_fn cpuid, char *why, size_t len);

#endif
