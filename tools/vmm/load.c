// SPDX-License-Identifier: GPL-2.0-only
/* See load.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"
#include "load.h"
#include "mptable.h"
#include "options.h"
#include "vm.h"

/* The vCPUs' flat stacks lie in RAM whatever --mem (at least 2 MiB) says. */
_Static_assert(ES_VMM_FLAT_STACK_TOP(MPTABLE_MAX_CPUS - 1) <= (2u << 20),
	       "flat stacks above the smallest --mem");
_Static_assert(ES_VMM_FLAT_CMDLINE_ADDR + ES_VMM_FLAT_CMDLINE_MAX + 1 <= BOOT_PARAMS_ADDR,
	       "the flat command line runs into the next page in use");

/* Read a whole file into @buf (allocated); -1 with a message on error. */
static int slurp(const char *path, uint8_t **buf, size_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	size_t got = 0;

	if (fd < 0 || fstat(fd, &st) < 0) {
		pr_err("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*size = st.st_size;
	*buf = malloc(*size ? *size : 1);
	if (!*buf) {
		pr_err("%s: out of memory", path);
		close(fd);
		return -1;
	}
	while (got < *size && (n = read(fd, *buf + got, *size - got)) > 0)
		got += n;
	close(fd);
	if (got != *size) {
		pr_err("%s: short read", path);
		free(*buf);
		return -1;
	}
	return 0;
}

int load_linux(struct vm *vm, const char *kernel_path, const char *initrd_path,
	       const char *cmdline, uint64_t *entry)
{
	uint8_t *kernel = NULL, *initrd = NULL;
	size_t ksize, isize = 0, clen = strlen(cmdline);
	uint64_t initrd_addr = 0;
	struct bz_image bz;
	char err[256];
	int r = -1;

	if (slurp(kernel_path, &kernel, &ksize))
		return -1;
	if (bz_parse(kernel, ksize, &bz, err, sizeof(err))) {
		pr_err("%s: %s", kernel_path, err);
		goto out;
	}
	/* cmdline_size counts the bytes without the terminating NUL. */
	if (clen > bz.hdr.cmdline_size || clen > OPT_CMDLINE_MAX) {
		pr_err("--cmdline: %zu bytes, this kernel takes at most %u", clen,
		       bz.hdr.cmdline_size < OPT_CMDLINE_MAX ? bz.hdr.cmdline_size : OPT_CMDLINE_MAX);
		goto out;
	}
	if (BOOT_HIGH_ADDR + bz_footprint(&bz) > vm->ram_size) {
		pr_err("too little memory: the kernel needs %llu MiB in place, --mem is %llu MiB",
		       (unsigned long long)((BOOT_HIGH_ADDR + bz_footprint(&bz)) >> 20) + 1,
		       (unsigned long long)(vm->ram_size >> 20));
		goto out;
	}
	if (initrd_path) {
		if (slurp(initrd_path, &initrd, &isize))
			goto out;
		if (initrd_place(&bz, vm->ram_size, isize, &initrd_addr, err, sizeof(err))) {
			pr_err("%s", err);
			goto out;
		}
		memcpy(vm_gpa(vm, initrd_addr, isize), initrd, isize);
	}
	memcpy(vm_gpa(vm, BOOT_HIGH_ADDR, bz.kernel_size), bz.kernel, bz.kernel_size);
	memcpy(vm_gpa(vm, BOOT_CMDLINE_ADDR, clen + 1), cmdline, clen + 1);
	boot_params_build(vm_gpa(vm, BOOT_PARAMS_ADDR, sizeof(struct boot_params)),
			  &bz, vm->ram_size, (uint32_t)initrd_addr, (uint32_t)isize);
	if (!mptable_build(vm_gpa(vm, BOOT_BIOS_ADDR, 0x10000), 0x10000,
			   BOOT_BIOS_ADDR, vm->nr_cpus)) {
		pr_err("cannot build the MP table for %d vCPUs", vm->nr_cpus);
		goto out;
	}
	*entry = bz.hdr.code32_start ? bz.hdr.code32_start : BOOT_HIGH_ADDR;
	r = 0;
out:
	free(kernel);
	free(initrd);
	return r;
}

int load_flat(struct vm *vm, const char *path, const char *cmdline, uint64_t *entry)
{
	uint64_t max = vm->mode == BOOT_FLAT_REAL ? 0x10000 : BOOT_EBDA_ADDR - BOOT_FLAT_ADDR;
	size_t size, clen = strlen(cmdline);
	uint8_t *img;

	/* options.c refuses a longer one first; this keeps the page safe anyway. */
	if (clen > ES_VMM_FLAT_CMDLINE_MAX) {
		pr_err("--cmdline: %zu bytes, a flat image takes at most %d", clen,
		       ES_VMM_FLAT_CMDLINE_MAX);
		return -1;
	}
	if (slurp(path, &img, &size))
		return -1;
	if (!size || size > max) {
		pr_err("%s: %zu bytes; a %s-mode flat image takes 1 to %llu", path,
		       size, vm->mode == BOOT_FLAT_REAL ? "real" : "long",
		       (unsigned long long)max);
		free(img);
		return -1;
	}
	memcpy(vm_gpa(vm, BOOT_FLAT_ADDR, size), img, size);
	free(img);
	memcpy(vm_gpa(vm, ES_VMM_FLAT_CMDLINE_ADDR, clen + 1), cmdline, clen + 1);
	*entry = BOOT_FLAT_ADDR;
	return 0;
}
