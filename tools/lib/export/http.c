// SPDX-License-Identifier: GPL-2.0-only
/* See http.h. */
#include <string.h>
#include <strings.h>

#include "export/http.h"

/* The end of the header block: "\r\n\r\n" (or bare "\n\n"), or NULL. */
static const char *header_end(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (buf[i] == '\n' && buf[i + 1] == '\n')
			return buf + i + 2;
		if (i + 3 < len && !memcmp(buf + i, "\r\n\r\n", 4))
			return buf + i + 4;
	}
	return NULL;
}

static bool token_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/*
 * Whether a header line of the block [@p, @end) declares a body:
 * Content-Length other than 0, or any Transfer-Encoding.
 */
static bool declares_body(const char *p, const char *end)
{
	static const char cl[] = "content-length:", te[] = "transfer-encoding:";
	const char *eol, *v;
	size_t n;

	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			break;
		n = (size_t)(eol - p);
		if (n >= sizeof(te) - 1 && !strncasecmp(p, te, sizeof(te) - 1))
			return true;
		if (n < sizeof(cl) - 1 || strncasecmp(p, cl, sizeof(cl) - 1))
			continue;
		for (v = p + sizeof(cl) - 1; v < eol; v++)
			if (*v != ' ' && *v != '\t' && *v != '0' && *v != '\r')
				return true;
	}
	return false;
}

enum es_http_verdict es_http_parse(const char *buf, size_t len)
{
	const char *end, *sp1, *sp2, *eol;
	size_t i, n, vlen;

	/*
	 * The verdict is taken on the header block alone, so that it is the
	 * same however the bytes arrive: what follows the blank line is never
	 * looked at (and never served: the answer closes the connection).
	 */
	end = header_end(buf, len > ES_HTTP_MAX_REQUEST ? ES_HTTP_MAX_REQUEST : len);
	/* Only printable ASCII, tabs and line ends: no NUL, no smuggled bytes. */
	for (i = 0; i < (end ? (size_t)(end - buf) : len) && i < ES_HTTP_MAX_REQUEST; i++)
		if (((unsigned char)buf[i] < 0x20 && buf[i] != '\r' && buf[i] != '\n' && buf[i] != '\t') ||
		    (unsigned char)buf[i] >= 0x7f)
			return ES_HTTP_BAD;
	if (!end)
		return len >= ES_HTTP_MAX_REQUEST ? ES_HTTP_TOO_BIG : ES_HTTP_MORE;
	eol = memchr(buf, '\n', (size_t)(end - buf));
	n = (size_t)(eol - buf);
	if (n && buf[n - 1] == '\r')
		n--;
	/* METHOD SP TARGET SP HTTP/1.x */
	sp1 = memchr(buf, ' ', n);
	if (!sp1 || sp1 == buf)
		return ES_HTTP_BAD;
	for (i = 0; buf + i < sp1; i++)
		if (!token_char(buf[i]))
			return ES_HTTP_BAD;
	sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - buf));
	if (!sp2 || sp2 == sp1 + 1 || memchr(sp2 + 1, ' ', n - (size_t)(sp2 + 1 - buf)))
		return ES_HTTP_BAD;
	vlen = (size_t)(buf + n - sp2 - 1);
	if (vlen < 5 || memcmp(sp2 + 1, "HTTP/", 5))
		return ES_HTTP_BAD;
	if (vlen != 8 || memcmp(sp2 + 1, "HTTP/1.", 7))
		return ES_HTTP_VERSION;
	if (sp2[8] != '0' && sp2[8] != '1')
		return ES_HTTP_VERSION;
	if ((size_t)(sp1 - buf) != 3 || memcmp(buf, "GET", 3))
		return ES_HTTP_METHOD;
	/*
	 * /metrics, with or without a query: Prometheus sends a scrape
	 * config's params: as one, and the exporter has no parameters.
	 */
	if ((size_t)(sp2 - sp1 - 1) < 8 || memcmp(sp1 + 1, "/metrics", 8) ||
	    ((size_t)(sp2 - sp1 - 1) > 8 && sp1[9] != '?'))
		return ES_HTTP_NOT_FOUND;
	/* A GET that declares a body is not one a scraper sends. */
	if (declares_body(eol + 1, end))
		return ES_HTTP_BAD;
	return ES_HTTP_METRICS;
}

int es_http_status(enum es_http_verdict v, const char **reason)
{
	switch (v) {
	case ES_HTTP_METRICS:	*reason = "OK"; return 200;
	case ES_HTTP_NOT_FOUND:	*reason = "Not Found"; return 404;
	case ES_HTTP_METHOD:	*reason = "Method Not Allowed"; return 405;
	case ES_HTTP_TOO_BIG:	*reason = "Request Header Fields Too Large"; return 431;
	case ES_HTTP_VERSION:	*reason = "HTTP Version Not Supported"; return 505;
	case ES_HTTP_MORE:
	case ES_HTTP_BAD:
		break;
	}
	*reason = "Bad Request";
	return 400;
}
