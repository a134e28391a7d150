/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim: linux 6.12's uapi <asm/kvm.h> includes <linux/bits.h>, which
 * Debian 12's own uapi headers (6.1) lack. Its masks, for the macros that
 * kvm.h defines with them (the tests expand none).
 */
#ifndef SHIM_LINUX_BITS_H
#define SHIM_LINUX_BITS_H

#define __GENMASK(h, l)		((~0UL << (l)) & (~0UL >> (63 - (h))))
#define __GENMASK_ULL(h, l)	((~0ULL << (l)) & (~0ULL >> (63 - (h))))

#endif
