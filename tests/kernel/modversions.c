// SPDX-License-Identifier: GPL-2.0-only
/*
 * modversions: print the symbol CRCs a kernel module was built against (its
 * __versions section), one "CRC NAME" line each, so that tests can compare
 * them with the kernel's Module.symvers and with Debian's stock modules.
 * Usage: modversions MODULE.ko
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* As struct modversion_info in include/linux/module.h on 64-bit. */
struct modversion {
	uint64_t crc;
	char name[64 - sizeof(uint64_t)];
};

static unsigned char *slurp(const char *path, size_t *size)
{
	unsigned char *buf = NULL;
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc(n)) &&
	    fread(buf, 1, n, f) == (size_t)n)
		*size = n;
	else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	unsigned char *buf;
	const char *names;
	size_t size = 0, i, j;

	if (argc != 2) {
		fprintf(stderr, "usage: modversions MODULE.ko\n");
		return 2;
	}
	buf = slurp(argv[1], &size);
	if (!buf) {
		fprintf(stderr, "modversions: cannot read '%s'\n", argv[1]);
		return 1;
	}
	eh = (const Elf64_Ehdr *)buf;
	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shoff >= size ||
	    eh->e_shstrndx >= eh->e_shnum ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(*sh) > size) {
		fprintf(stderr, "modversions: '%s' is not a 64-bit ELF module\n", argv[1]);
		return 1;
	}
	sh = (const Elf64_Shdr *)(buf + eh->e_shoff);
	if (sh[eh->e_shstrndx].sh_offset >= size) {
		fprintf(stderr, "modversions: '%s': bad section names\n", argv[1]);
		return 1;
	}
	names = (const char *)buf + sh[eh->e_shstrndx].sh_offset;
	for (i = 0; i < eh->e_shnum; i++) {
		const struct modversion *v;

		if (strcmp(names + sh[i].sh_name, "__versions"))
			continue;
		if (sh[i].sh_offset + sh[i].sh_size > size ||
		    sh[i].sh_size % sizeof(*v)) {
			fprintf(stderr, "modversions: '%s': bad __versions\n", argv[1]);
			return 1;
		}
		v = (const struct modversion *)(buf + sh[i].sh_offset);
		for (j = 0; j < sh[i].sh_size / sizeof(*v); j++)
			printf("0x%08llx %.*s\n", (unsigned long long)v[j].crc,
			       (int)sizeof(v[j].name), v[j].name);
		free(buf);
		return 0;
	}
	fprintf(stderr, "modversions: '%s' has no __versions section\n", argv[1]);
	free(buf);
	return 1;
}
