// SPDX-License-Identifier: GPL-2.0-only
/* See parse.h. */
#include <errno.h>
#include <stdlib.h>

#include "parse.h"

int es_parse_ulong(const char *s, unsigned long min, unsigned long max,
		   unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	if (errno || end == s || *end || *s == '-' || *v < min || *v > max)
		return -1;
	return 0;
}
