// SPDX-License-Identifier: GPL-2.0-only
/*
 * Boot protocol, e820 and MP table of exitscope-vmm, checked against a real
 * Debian bzImage (EXITSCOPE_VMLINUZ, from the linux-image package).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../../tools/vmm/boot.h"
#include "../../tools/vmm/mptable.h"

static uint8_t *image;
static size_t image_size;

static int load_vmlinuz(void **state)
{
	const char *path = getenv("EXITSCOPE_VMLINUZ");
	FILE *f;

	(void)state;
	if (!path) {
		fprintf(stderr, "EXITSCOPE_VMLINUZ is not set\n");
		return -1;
	}
	f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	image_size = ftell(f);
	fseek(f, 0, SEEK_SET);
	image = malloc(image_size);
	if (!image || fread(image, 1, image_size, f) != image_size)
		return -1;
	fclose(f);
	return 0;
}

static int free_vmlinuz(void **state)
{
	(void)state;
	free(image);
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The header as read field by field from the file's documented offsets. */
static void test_parse_debian_bzimage(void **state)
{
	struct bz_image bz;
	char err[128];
	size_t setup;

	(void)state;
	assert_int_equal(bz_parse(image, image_size, &bz, err, sizeof(err)), 0);
	setup = ((image[0x1f1] ? image[0x1f1] : 4) + 1) * 512;
	assert_int_equal(bz.hdr.setup_sects, image[0x1f1]);
	assert_int_equal(bz.hdr.version, image[0x206] | image[0x207] << 8);
	assert_true(bz.hdr.version >= 0x020f);		/* 6.1 speaks 2.15 */
	assert_true(bz.hdr.loadflags & LOADED_HIGH);
	assert_int_equal(bz.hdr.code32_start, le32(image + 0x214));
	assert_int_equal(bz.hdr.code32_start, BOOT_HIGH_ADDR);
	assert_int_equal(bz.hdr.cmdline_size, le32(image + 0x238));
	assert_int_equal(bz.hdr.init_size, le32(image + 0x260));
	assert_int_equal(bz.hdr.initrd_addr_max, le32(image + 0x22c));
	assert_true(bz.hdr.relocatable_kernel);
	assert_ptr_equal(bz.kernel, image + setup);
	assert_int_equal(bz.kernel_size, image_size - setup);
	/* Decompressing needs more room than the image itself. */
	assert_true(bz_footprint(&bz) == bz.hdr.init_size);
	assert_true(bz_footprint(&bz) > bz.kernel_size);
}

/* Damaged or foreign images are refused with a reason. */
static void test_parse_rejects(void **state)
{
	uint8_t *copy = malloc(image_size);
	struct bz_image bz;
	char err[128];

	(void)state;
	assert_int_equal(bz_parse(image, 0x100, &bz, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too small"));

	memcpy(copy, image, image_size);
	copy[0x202] = 'X';				/* "HdrS" */
	assert_int_equal(bz_parse(copy, image_size, &bz, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a bzImage"));

	memcpy(copy, image, image_size);
	copy[0x206] = 0x05;				/* version 2.05 */
	copy[0x207] = 0x02;
	assert_int_equal(bz_parse(copy, image_size, &bz, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too old"));

	memcpy(copy, image, image_size);
	copy[0x211] &= ~LOADED_HIGH;
	assert_int_equal(bz_parse(copy, image_size, &bz, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "zImage"));

	assert_int_equal(bz_parse(image, 0x300, &bz, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
	free(copy);
}

/*
 * A header whose jump claims more bytes than the file has: the parser must
 * stop at the end of the buffer. The buffer ends at an inaccessible page,
 * so a read past it faults even without ASan.
 */
static void test_parse_short_header(void **state)
{
	const size_t n = 592, pg = 4096;
	uint8_t *map, *p;
	struct bz_image bz;
	char err[128];

	(void)state;
	map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + pg, pg, PROT_NONE), 0);
	p = map + pg - n;
	memcpy(p, image, n);
	p[0x201] = 0xff;			/* header "ends" at 0x301 */
	assert_int_equal(bz_parse(p, n, &bz, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
	assert_true(bz.hdr_len <= n - 0x1f1);
	munmap(map, 2 * pg);
}

/* A bzImage cut short (a partial copy) is refused by its own syssize. */
static void test_parse_truncated_kernel(void **state)
{
	struct bz_image bz;
	char err[160];

	(void)state;
	assert_int_equal(bz_parse(image, image_size - 1, &bz, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated: the header says"));
	assert_int_equal(bz_parse(image, image_size / 2, &bz, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
}

/* RAM below the EBDA and above 1 MiB; the BIOS area reserved; no overlap. */
static void test_e820_layout(void **state)
{
	struct boot_e820_entry t[8];
	uint64_t mem = 256ull << 20, ram = 0, end = 0;
	size_t n, i;

	(void)state;
	n = e820_build(t, 8, mem);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		assert_true(t[i].addr >= end);		/* sorted, disjoint */
		end = t[i].addr + t[i].size;
		if (t[i].type == E820_TYPE_RAM)
			ram += t[i].size;
	}
	assert_int_equal(t[0].addr, 0);
	assert_int_equal(t[0].type, E820_TYPE_RAM);
	assert_int_equal(t[0].addr + t[0].size, BOOT_EBDA_ADDR);
	assert_int_equal(t[2].type, E820_TYPE_RESERVED);
	assert_true(t[2].addr <= BOOT_BIOS_ADDR);	/* covers the MP table */
	assert_int_equal(t[3].addr, BOOT_HIGH_ADDR);
	assert_int_equal(end, mem);
	assert_int_equal(ram, BOOT_EBDA_ADDR + mem - BOOT_HIGH_ADDR);
	assert_int_equal(e820_build(t, 2, mem), 2);	/* never past @max */
}

/* The zero page carries the header, our fields and the e820 map. */
static void test_boot_params(void **state)
{
	static struct boot_params bp;
	struct bz_image bz;
	char err[128];

	(void)state;
	assert_int_equal(bz_parse(image, image_size, &bz, err, sizeof(err)), 0);
	memset(&bp, 0xa5, sizeof(bp));
	boot_params_build(&bp, &bz, 512ull << 20, 0x1f000000, 0x123456);
	assert_int_equal(sizeof(bp), 4096);
	assert_int_equal(bp.hdr.header, 0x53726448);
	assert_int_equal(bp.hdr.version, bz.hdr.version);
	assert_int_equal(bp.hdr.type_of_loader, 0xff);
	assert_int_equal(bp.hdr.cmd_line_ptr, BOOT_CMDLINE_ADDR);
	assert_int_equal(bp.hdr.ramdisk_image, 0x1f000000);
	assert_int_equal(bp.hdr.ramdisk_size, 0x123456);
	assert_int_equal(bp.e820_entries, 4);
	assert_int_equal(bp.e820_table[3].addr + bp.e820_table[3].size, 512ull << 20);
	assert_int_equal(bp.screen_info.orig_video_isVGA, 0);	/* zeroed */
	assert_int_equal(((uint8_t *)&bp)[0x1e9], 0);		/* eddbuf_entries */
}

/* The initrd goes high, page-aligned, clear of the kernel, or fails. */
static void test_initrd_place(void **state)
{
	uint64_t addr, size = (20 << 20) + 123, mem = 256ull << 20;
	struct bz_image bz;
	char err[160];

	(void)state;
	assert_int_equal(bz_parse(image, image_size, &bz, err, sizeof(err)), 0);
	assert_int_equal(initrd_place(&bz, mem, size, &addr, err, sizeof(err)), 0);
	assert_int_equal(addr & 0xfff, 0);
	assert_true(addr + size <= mem);
	assert_true(addr >= BOOT_HIGH_ADDR + bz_footprint(&bz));
	assert_true(addr + size > mem - 4096 - size);	/* as high as it goes */
	assert_int_equal(initrd_place(&bz, 48ull << 20, 40 << 20, &addr, err,
				      sizeof(err)), -1);
	assert_non_null(strstr(err, "too little memory"));
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* MP table: both checksums, one processor entry per vCPU, BSP flagged. */
static void test_mptable(void **state)
{
	uint8_t buf[4096];
	size_t len, i;
	uint16_t base_len, entries;
	int cpus[] = { 1, 2, 8 };

	(void)state;
	for (i = 0; i < 3; i++) {
		len = mptable_build(buf, sizeof(buf), 0xf0000, cpus[i]);
		assert_true(len > 16 + 44);
		assert_memory_equal(buf, "_MP_", 4);
		assert_int_equal(le32(buf + 4), 0xf0010);
		assert_int_equal(sum(buf, 16), 0);
		assert_memory_equal(buf + 16, "PCMP", 4);
		base_len = buf[20] | buf[21] << 8;
		entries = buf[16 + 34] | buf[16 + 35] << 8;
		assert_int_equal(16 + base_len, len);
		assert_int_equal(sum(buf + 16, base_len), 0);
		assert_int_equal(entries, cpus[i] + 2 + 16 + 2);
		assert_int_equal(buf[16 + 44], 0);		/* processor */
		assert_int_equal(buf[16 + 44 + 3], 3);		/* enabled, BSP */
		if (cpus[i] > 1)
			assert_int_equal(buf[16 + 44 + 20 + 3], 1);
		assert_int_equal(buf[16 + 44 + 20 * cpus[i]], 1);	/* then a bus */
	}
	assert_int_equal(mptable_build(buf, 64, 0xf0000, 1), 0);
	assert_int_equal(mptable_build(buf, sizeof(buf), 0xf0000, 0), 0);
	assert_int_equal(mptable_build(buf, sizeof(buf), 0xf0000, MPTABLE_MAX_CPUS + 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_debian_bzimage),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_parse_short_header),
		cmocka_unit_test(test_parse_truncated_kernel),
		cmocka_unit_test(test_e820_layout),
		cmocka_unit_test(test_boot_params),
		cmocka_unit_test(test_initrd_place),
		cmocka_unit_test(test_mptable),
	};

	return cmocka_run_group_tests_name("vmm_boot", tests, load_vmlinuz, free_vmlinuz);
}
