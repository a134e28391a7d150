/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An Intel MultiProcessor Specification 1.4 table, so that Linux finds every
 * vCPU and the I/O APIC without ACPI. Written into a buffer; pure.
 */
#ifndef EXITSCOPE_VMM_MPTABLE_H
#define EXITSCOPE_VMM_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#define MPTABLE_MAX_CPUS	64

/*
 * Write the floating pointer and the configuration table for @nr_cpus at
 * guest-physical @addr into @buf. Returns the bytes written, or 0 if
 * @len is too small or @nr_cpus out of range.
 */
size_t mptable_build(uint8_t *buf, size_t len, uint32_t addr, int nr_cpus);

#endif
