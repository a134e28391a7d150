/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The exporter's HTTP, small and strict: a request is read whole (at most
 * ES_HTTP_MAX_REQUEST bytes, request line and headers, no body), and only
 * "GET /metrics" over HTTP/1.0 or 1.1 is served. The parser works on a
 * buffer, apart from the sockets, so that tests and the fuzzer reach it.
 */
#ifndef EXITSCOPE_HTTP_H
#define EXITSCOPE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define ES_HTTP_MAX_REQUEST	8192

enum es_http_verdict {
	ES_HTTP_MORE,		/* no blank line yet: read on */
	ES_HTTP_METRICS,	/* GET /metrics: 200 */
	ES_HTTP_BAD,		/* 400: not HTTP */
	ES_HTTP_NOT_FOUND,	/* 404: another path */
	ES_HTTP_METHOD,		/* 405: not GET */
	ES_HTTP_TOO_BIG,	/* 431: no end within the limit */
	ES_HTTP_VERSION,	/* 505: not HTTP/1.0 or 1.1 */
};

/* What to answer @len bytes of a request with (see above). */
enum es_http_verdict es_http_parse(const char *buf, size_t len);
/* The status line's code and reason for a verdict other than MORE. */
int es_http_status(enum es_http_verdict v, const char **reason);

#endif
