/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86 Linux boot protocol, 32-bit entry (Documentation/x86/boot.rst):
 * parse a bzImage, lay out guest memory, build the zero page and e820 map.
 * Pure functions over buffers: no KVM here.
 */
#ifndef EXITSCOPE_VMM_BOOT_H
#define EXITSCOPE_VMM_BOOT_H

#include <asm/bootparam.h>
#include <stddef.h>
#include <stdint.h>

#include "abi/vmm_abi.h"

/* Guest-physical layout. */
#define BOOT_GDT_ADDR		0x500
#define BOOT_PARAMS_ADDR	0x7000
#define BOOT_FLAT_ADDR		ES_VMM_FLAT_ADDR	/* raw images (--flat) */
#define BOOT_CMDLINE_ADDR	0x20000
#define BOOT_EBDA_ADDR		0x9fc00		/* end of low RAM */
#define BOOT_BIOS_ADDR		0xf0000		/* MP table lives here */
#define BOOT_HIGH_ADDR		0x100000	/* protected-mode kernel */
#define BOOT_MEM_MAX		(3ull << 30)	/* below the 32-bit PCI hole */

#define BOOT_MIN_VERSION	0x0206		/* cmdline_size, initrd_addr_max */

/* e820 entry types (the kernel keeps these out of uapi: enum e820_type). */
#define E820_TYPE_RAM		1
#define E820_TYPE_RESERVED	2

struct bz_image {
	struct setup_header hdr;	/* as found in the image */
	size_t hdr_len;			/* bytes of it the image defines */
	const uint8_t *kernel;		/* the protected-mode part */
	size_t kernel_size;
};

/* Validate a bzImage; on error return -1 with a message in @err. */
int bz_parse(const void *image, size_t size, struct bz_image *bz,
	     char *err, size_t len);
/* Bytes from BOOT_HIGH_ADDR the kernel needs while it decompresses. */
uint64_t bz_footprint(const struct bz_image *bz);
/* Fill an e820 map for @mem bytes of RAM; returns the number of entries. */
size_t e820_build(struct boot_e820_entry *tab, size_t max, uint64_t mem);
/*
 * Where to put an initrd of @size bytes: as high as the kernel allows and
 * above the kernel's footprint. -1 with a message when it does not fit.
 */
int initrd_place(const struct bz_image *bz, uint64_t mem, uint64_t size,
		 uint64_t *addr, char *err, size_t len);
/* The zero page for the 32-bit entry. */
void boot_params_build(struct boot_params *bp, const struct bz_image *bz,
		       uint64_t mem, uint32_t initrd_addr,
		       uint32_t initrd_size);

#endif
