/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the libFuzzer targets (fuzz/fuzz_*.c): each feeds one parser of
 * outside data the bytes libFuzzer makes, as the tools would feed it a
 * file, and checks what must hold of any answer. A crash, a leak, a
 * sanitizer report or a failed ES_FUZZ_ASSERT is a finding.
 */
#ifndef EXITSCOPE_FUZZ_H
#define EXITSCOPE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ES_FUZZ_ASSERT(c) do { \
		if (!(c)) { \
			fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #c); \
			abort(); \
		} \
	} while (0)

/*
 * The input as the loaders hand it over: a NUL-terminated copy (es_text
 * guarantees the NUL), so a parser that reads past the length is caught by
 * ASan, and one that trusts the NUL too.
 */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
	char *p = malloc(size + 1);

	if (!p)
		abort();
	memcpy(p, data, size);
	p[size] = '\0';
	return p;
}

/* An error message must never be empty, and must name the input. */
#define ES_FUZZ_ERR_OK(e, name) ES_FUZZ_ASSERT((e).msg[0] && strstr((e).msg, (name)))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
