// SPDX-License-Identifier: GPL-2.0-only
/* See num.h. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/num.h"

static int digit(char c, unsigned int base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return d < (int)base ? d : -1;
}

enum es_num_error es_num_parse(const char *s, size_t len, unsigned int bases,
			       uint64_t min, uint64_t max, uint64_t *v)
{
	unsigned int base = 10;
	uint64_t x = 0;
	bool hex;
	size_t i;
	int d;

	*v = 0;
	if (!len)
		return ES_NUM_EMPTY;
	hex = len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	if (len == 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return ES_NUM_SYNTAX;		/* "0x" and no digit */
	if (hex) {
		if (!(bases & ES_NUM_HEX))
			return ES_NUM_NO_HEX;
		s += 2;
		len -= 2;
		base = 16;
	} else {
		if (!(bases & ES_NUM_DEC))
			return ES_NUM_SYNTAX;
		if (len > 1 && s[0] == '0')
			return digit(s[1], 10) >= 0 ? ES_NUM_OCTAL : ES_NUM_SYNTAX;
	}
	for (i = 0; i < len; i++) {
		d = digit(s[i], base);
		if (d < 0)
			return ES_NUM_SYNTAX;
		if (x > (UINT64_MAX - (uint64_t)d) / base)
			return ES_NUM_RANGE;
		x = x * base + (uint64_t)d;
	}
	if (x < min || x > max)
		return ES_NUM_RANGE;
	*v = x;
	return ES_NUM_OK;
}

enum es_num_error es_num(const char *s, unsigned int bases, uint64_t min,
			 uint64_t max, uint64_t *v)
{
	return es_num_parse(s, strlen(s), bases, min, max, v);
}

const char *es_num_strerror(enum es_num_error e)
{
	switch (e) {
	case ES_NUM_OK:		return "no error";
	case ES_NUM_EMPTY:	return "empty";
	case ES_NUM_SYNTAX:	return "not a number (decimal, or 0x hex)";
	case ES_NUM_OCTAL:	return "a leading zero (octal is not taken: write decimal or 0x hex)";
	case ES_NUM_NO_HEX:	return "hex is not taken here (decimal only)";
	case ES_NUM_RANGE:	return "out of range";
	}
	return "?";
}

int es_num_arg(const char *prog, const char *opt, const char *s,
	       uint64_t min, uint64_t max, uint64_t *v)
{
	enum es_num_error e = es_num(s, ES_NUM_ANY, min, max, v);

	if (e == ES_NUM_OK)
		return 0;
	fprintf(stderr, "%s: invalid %s: '%s': %s (%" PRIu64 " to %" PRIu64 ")\n",
		prog, opt, s, es_num_strerror(e), min, max);
	return -1;
}

/* @ns for people: "850ns", "12.3us", "4.10ms", "2.10s". */
const char *es_ns_str(char buf[16], uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, 16, "%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		snprintf(buf, 16, "%.1fus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, 16, "%.2fms", (double)ns / 1e6);
	else
		snprintf(buf, 16, "%.2fs", (double)ns / 1e9);
	return buf;
}
