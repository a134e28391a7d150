// SPDX-License-Identifier: GPL-2.0
/*
 * bpf-jited: the x86 code the kernel's JIT made of one loaded BPF program,
 * for the benchmark's cycle model (scripts/cycle-model.py; lab/bench.sh
 * --jit). It is what `bpftool prog dump jited PROG file FILE` writes, but
 * Debian's bpftool is built without libbfd and refuses that too ("No
 * libbfd support"), so this asks the kernel the same way bpftool does
 * (BPF_OBJ_GET_INFO_BY_FD, twice: the sizes, then the bytes).
 *
 * Usage: bpf-jited ID IMAGE
 * Writes the image (every function of the program, one after the other)
 * to IMAGE, and on stdout one line per function: "func ADDRESS BYTES",
 * the address where the kernel put it (0 when the kernel hides addresses:
 * kptr_restrict). Exit status 0, 1 on any failure (nothing written then),
 * 2 on bad usage. Not part of exitscope: a tool of the benchmark.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#define MAX_FUNCS 64

static int fail(const char *what, int err)
{
	fprintf(stderr, "bpf-jited: %s: %s\n", what, strerror(err));
	return 1;
}

static int write_image(const char *path, const unsigned char *buf, size_t len)
{
	char tmp[4096];
	FILE *f;
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);

	if (n < 0 || (size_t)n >= sizeof(tmp))
		return fail("the image's name", ENAMETOOLONG);
	f = fopen(tmp, "wb");
	if (!f)
		return fail(tmp, errno);
	if (fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		int err = errno;

		unlink(tmp);
		return fail(tmp, err ? err : EIO);
	}
	if (rename(tmp, path) != 0) {
		int err = errno;

		unlink(tmp);
		return fail(path, err);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info), nfuncs, i;
	__u64 ksyms[MAX_FUNCS] = { 0 };
	__u32 lens[MAX_FUNCS] = { 0 };
	unsigned char *image;
	char *end;
	unsigned long id;
	int fd, rc;

	if (argc != 3) {
		fprintf(stderr, "usage: bpf-jited ID IMAGE\n");
		return 2;
	}
	errno = 0;
	id = strtoul(argv[1], &end, 10);
	if (errno || *end || end == argv[1] || id == 0 || id > UINT32_MAX) {
		fprintf(stderr, "bpf-jited: invalid program id '%s'\n", argv[1]);
		return 2;
	}
	fd = bpf_prog_get_fd_by_id((__u32)id);
	if (fd < 0)
		return fail("BPF_PROG_GET_FD_BY_ID", errno);
	/* First the sizes. */
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return fail("BPF_OBJ_GET_INFO_BY_FD", errno);
	if (!info.jited_prog_len) {
		fprintf(stderr, "bpf-jited: program %lu has no JIT image (the JIT is off, or addresses are hidden)\n", id);
		return 1;
	}
	nfuncs = info.nr_jited_ksyms;
	if (nfuncs > MAX_FUNCS || info.nr_jited_func_lens != nfuncs) {
		fprintf(stderr, "bpf-jited: program %lu: %u functions, at most %d\n", id, nfuncs, MAX_FUNCS);
		return 1;
	}
	image = malloc(info.jited_prog_len);
	if (!image)
		return fail("malloc", ENOMEM);
	/* Then the bytes, and where each function sits. */
	{
		__u32 size = info.jited_prog_len;

		memset(&info, 0, sizeof(info));
		info.jited_prog_len = size;
		info.jited_prog_insns = (__u64)(uintptr_t)image;
		info.nr_jited_ksyms = nfuncs;
		info.jited_ksyms = (__u64)(uintptr_t)ksyms;
		info.nr_jited_func_lens = nfuncs;
		info.jited_func_lens = (__u64)(uintptr_t)lens;
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			free(image);
			return fail("BPF_OBJ_GET_INFO_BY_FD", errno);
		}
		if (info.jited_prog_len != size) {
			free(image);
			fprintf(stderr, "bpf-jited: program %lu changed its size while read\n", id);
			return 1;
		}
	}
	rc = write_image(argv[2], image, info.jited_prog_len);
	free(image);
	if (rc)
		return rc;
	if (!nfuncs)		/* an old kernel: the image as one function */
		printf("func 0x0 %u\n", info.jited_prog_len);
	for (i = 0; i < nfuncs; i++)
		printf("func 0x%" PRIx64 " %u\n", (uint64_t)ksyms[i], lens[i]);
	return fflush(stdout) == 0 ? 0 : 1;
}
