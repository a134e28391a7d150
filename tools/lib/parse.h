/* SPDX-License-Identifier: GPL-2.0-only */
/* Numbers from the command line, checked whole: one rule for every tool. */
#ifndef EXITSCOPE_PARSE_H
#define EXITSCOPE_PARSE_H

/*
 * Parse all of @s as a decimal or 0x-prefixed number in [@min, @max].
 * Returns 0, or -1 (no sign, no trailing text, no overflow accepted).
 */
int es_parse_ulong(const char *s, unsigned long min, unsigned long max,
		   unsigned long *v);

#endif
