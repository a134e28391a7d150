// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exporter's request parser (es_http_parse) on any bytes, and on every
 * prefix of them, as they arrive: it must never read past the length, and
 * it may serve only what starts "GET /metrics HTTP/1." or "GET /metrics?"
 * (a query, ignored) and ends the headers; and once it has decided, more
 * bytes must not change its mind (the verdict may not depend on how the
 * request arrives in reads).
 */
#include "export/http.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Unterminated on purpose: a parser relying on a NUL is caught by ASan. */
	char *buf = malloc(size ? size : 1);
	enum es_http_verdict v;
	const char *reason;
	size_t n, m;

	ES_FUZZ_ASSERT(buf);
	memcpy(buf, data, size);
	for (n = 0; n <= size; n++) {
		v = es_http_parse(buf, n);
		if (v == ES_HTTP_METRICS)
			ES_FUZZ_ASSERT(n >= 23 && !memcmp(buf, "GET /metrics", 12) &&	/* "...1.0\n\n" */
				       (buf[12] == '?' || !memcmp(buf + 12, " HTTP/1.", 8)));
		if (v != ES_HTTP_MORE)
			ES_FUZZ_ASSERT(es_http_status(v, &reason) >= 200 && reason[0]);
		if (v == ES_HTTP_MORE)
			continue;
		for (m = n + 1; m <= size && m <= n + 64; m++)
			ES_FUZZ_ASSERT(es_http_parse(buf, m) == v);
		ES_FUZZ_ASSERT(es_http_parse(buf, size) == v);
		break;
	}
	free(buf);
	return 0;
}
