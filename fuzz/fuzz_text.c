// SPDX-License-Identifier: GPL-2.0-only
/* The line reader under every parser (es_lines_next), all flag sets. */
#include "util/text.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int flags = size ? data[0] & 0xf : 0, lines = 0;
	size_t max_len = size > 1 ? data[1] : 16;
	struct es_err e = { "" };
	struct es_lines it;
	struct es_str s;
	char *buf;
	int r;

	if (size > 2)
		data += 2, size -= 2;
	else
		size = 0;
	buf = fuzz_copy(data, size);
	es_lines_init(&it, "f.txt", buf, size, max_len, 64, flags);
	while ((r = es_lines_next(&it, &s, &e)) > 0) {
		ES_FUZZ_ASSERT(s.p >= buf && s.p + s.n <= buf + size && s.n <= max_len);
		ES_FUZZ_ASSERT(!memchr(s.p, '\n', s.n) && !memchr(s.p, '\0', s.n));
		if (!(flags & (ES_LINES_ANY | ES_LINES_UTF8)))
			for (size_t i = 0; i < s.n; i++)
				ES_FUZZ_ASSERT((unsigned char)s.p[i] < 0x80);
		if (flags & ES_LINES_UTF8 && !(flags & ES_LINES_ANY))
			ES_FUZZ_ASSERT(es_utf8_valid(s.p, s.n) == s.n);
		lines++;
	}
	if (r < 0)
		ES_FUZZ_ERR_OK(e, "f.txt");
	else
		ES_FUZZ_ASSERT(lines <= 64);
	free(buf);
	return 0;
}
