// SPDX-License-Identifier: GPL-2.0-only
/* The serial framing of L1's files (es_unframe). */
#include "frame/frame.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct es_frame_file *f;
	struct es_err e = { "" };
	char *buf = fuzz_copy(data, size);
	size_t n, i, end = 0;

	if (es_unframe("results.raw", buf, size, &f, &n, &e)) {
		ES_FUZZ_ERR_OK(e, "results.raw");
	} else {
		/* Files lie inside the stream, in order, not overlapping. */
		ES_FUZZ_ASSERT(n >= 1);
		for (i = 0; i < n; i++) {
			ES_FUZZ_ASSERT(f[i].off >= end && f[i].off + f[i].size <= size);
			ES_FUZZ_ASSERT(f[i].name[0] && f[i].name[0] != '.' && !strchr(f[i].name, '/'));
			end = f[i].off + f[i].size;
		}
		free(f);
	}
	free(buf);
	return 0;
}
