// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope-vmm's bzImage header parser (bz_parse) and what the VMM then
 * computes from the header: footprint, initrd place, the zero page. The
 * input is copied to a buffer of its exact size, so ASan sees any read
 * past the file.
 */
#include "../tools/vmm/boot.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_params bp;
	uint8_t *img = malloc(size ? size : 1);
	struct bz_image bz;
	uint64_t addr;
	char err[256];

	ES_FUZZ_ASSERT(img);
	memcpy(img, data, size);
	if (!bz_parse(img, size, &bz, err, sizeof(err))) {
		ES_FUZZ_ASSERT(bz.kernel >= img && bz.kernel + bz.kernel_size == img + size);
		ES_FUZZ_ASSERT(bz.hdr_len <= sizeof(bz.hdr) && 0x1f1 + bz.hdr_len <= size);
		if (!initrd_place(&bz, 256ull << 20, 1 << 20, &addr, err, sizeof(err)))
			ES_FUZZ_ASSERT(addr + (1 << 20) <= 256ull << 20 && !(addr & 0xfff));
		boot_params_build(&bp, &bz, 256ull << 20, (uint32_t)addr, 1 << 20);
	} else {
		ES_FUZZ_ASSERT(err[0]);
	}
	free(img);
	return 0;
}
