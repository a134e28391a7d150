// SPDX-License-Identifier: GPL-2.0-only
/* See boot.h. */
#include <stdio.h>
#include <string.h>

#include "boot.h"

#define SETUP_HDR_OFFSET	0x1f1
#define HDRS_MAGIC		0x53726448	/* "HdrS" */

int bz_parse(const void *image, size_t size, struct bz_image *bz,
	     char *err, size_t len)
{
	const uint8_t *p = image;
	size_t setup_sects, setup_size;

	memset(bz, 0, sizeof(*bz));
	if (size < 0x250) {
		snprintf(err, len, "too small for a bzImage (%zu bytes)", size);
		return -1;
	}
	/*
	 * The header ends where its own jump (at 0x200) lands: never past
	 * what we know of it, nor past the file.
	 */
	bz->hdr_len = 0x202 + p[0x201] - SETUP_HDR_OFFSET;
	if (bz->hdr_len > sizeof(bz->hdr))
		bz->hdr_len = sizeof(bz->hdr);
	if (bz->hdr_len > size - SETUP_HDR_OFFSET)
		bz->hdr_len = size - SETUP_HDR_OFFSET;
	memcpy(&bz->hdr, p + SETUP_HDR_OFFSET, bz->hdr_len);
	if (bz->hdr.boot_flag != 0xaa55 || bz->hdr.header != HDRS_MAGIC) {
		snprintf(err, len, "not a bzImage (no boot flag 0xaa55 and \"HdrS\" magic)");
		return -1;
	}
	if (bz->hdr.version < BOOT_MIN_VERSION) {
		snprintf(err, len, "boot protocol %u.%02u too old (need 2.06)",
			 bz->hdr.version >> 8, bz->hdr.version & 0xff);
		return -1;
	}
	if (!(bz->hdr.loadflags & LOADED_HIGH)) {
		snprintf(err, len, "a zImage (loaded low): only bzImages are supported");
		return -1;
	}
	setup_sects = bz->hdr.setup_sects ? bz->hdr.setup_sects : 4;
	setup_size = (setup_sects + 1) * 512;
	if (setup_size >= size) {
		snprintf(err, len, "truncated: %zu setup bytes of %zu", setup_size, size);
		return -1;
	}
	bz->kernel = p + setup_size;
	bz->kernel_size = size - setup_size;
	/*
	 * syssize: the protected-mode part in 16-byte units. A file shorter
	 * than that was cut (a partial copy): its kernel would fault in its
	 * own decompressor, so refuse it here.
	 */
	if ((uint64_t)bz->hdr.syssize * 16 > bz->kernel_size) {
		snprintf(err, len, "truncated: the header says %llu bytes of kernel, the file has %zu",
			 (unsigned long long)bz->hdr.syssize * 16, bz->kernel_size);
		return -1;
	}
	return 0;
}

uint64_t bz_footprint(const struct bz_image *bz)
{
	/* init_size: what the kernel needs in place to decompress (2.10+). */
	if (bz->hdr.version >= 0x020a && bz->hdr.init_size > bz->kernel_size)
		return bz->hdr.init_size;
	return bz->kernel_size;
}

static size_t e820_add(struct boot_e820_entry *tab, size_t n, size_t max,
		       uint64_t addr, uint64_t size, uint32_t type)
{
	if (n < max) {
		tab[n].addr = addr;
		tab[n].size = size;
		tab[n].type = type;
	}
	return n + 1;
}

size_t e820_build(struct boot_e820_entry *tab, size_t max, uint64_t mem)
{
	size_t n = 0;

	n = e820_add(tab, n, max, 0, BOOT_EBDA_ADDR, E820_TYPE_RAM);
	n = e820_add(tab, n, max, BOOT_EBDA_ADDR, 0xa0000 - BOOT_EBDA_ADDR,
		     E820_TYPE_RESERVED);
	n = e820_add(tab, n, max, BOOT_BIOS_ADDR, BOOT_HIGH_ADDR - BOOT_BIOS_ADDR,
		     E820_TYPE_RESERVED);
	if (mem > BOOT_HIGH_ADDR)
		n = e820_add(tab, n, max, BOOT_HIGH_ADDR, mem - BOOT_HIGH_ADDR,
			     E820_TYPE_RAM);
	return n < max ? n : max;
}

int initrd_place(const struct bz_image *bz, uint64_t mem, uint64_t size,
		 uint64_t *addr, char *err, size_t len)
{
	uint64_t top = mem, low = BOOT_HIGH_ADDR + bz_footprint(bz);

	if (bz->hdr.initrd_addr_max && top > (uint64_t)bz->hdr.initrd_addr_max + 1)
		top = (uint64_t)bz->hdr.initrd_addr_max + 1;
	if (size > top || ((top - size) & ~0xfffull) < low) {
		snprintf(err, len,
			 "too little memory: kernel (%llu KiB in place) and initrd (%llu KiB) need more than %llu MiB",
			 (unsigned long long)(bz_footprint(bz) >> 10),
			 (unsigned long long)(size >> 10),
			 (unsigned long long)(mem >> 20));
		return -1;
	}
	*addr = (top - size) & ~0xfffull;
	return 0;
}

void boot_params_build(struct boot_params *bp, const struct bz_image *bz,
		       uint64_t mem, uint32_t initrd_addr,
		       uint32_t initrd_size)
{
	memset(bp, 0, sizeof(*bp));
	memcpy(&bp->hdr, &bz->hdr, bz->hdr_len);
	bp->hdr.type_of_loader = 0xff;		/* undefined loader */
	bp->hdr.vid_mode = 0xffff;		/* "normal" */
	bp->hdr.cmd_line_ptr = BOOT_CMDLINE_ADDR;	/* NUL-terminated there */
	bp->hdr.ramdisk_image = initrd_addr;
	bp->hdr.ramdisk_size = initrd_size;
	bp->e820_entries = e820_build(bp->e820_table,
				      sizeof(bp->e820_table) / sizeof(bp->e820_table[0]),
				      mem);
}
