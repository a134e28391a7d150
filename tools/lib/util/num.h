/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one number parser of every tool and every file format: decimal or
 * 0x-prefixed hex, nothing else. No sign, no blanks, no leading zero (C's
 * octal: "010" would silently mean 8), no overflow, range checked.
 */
#ifndef EXITSCOPE_NUM_H
#define EXITSCOPE_NUM_H

#include <stddef.h>
#include <stdint.h>

/* Which spellings a field accepts. */
#define ES_NUM_DEC	1u	/* 0, or [1-9][0-9]* */
#define ES_NUM_HEX	2u	/* 0x[0-9a-fA-F]+ */
#define ES_NUM_ANY	(ES_NUM_DEC | ES_NUM_HEX)

enum es_num_error {
	ES_NUM_OK,
	ES_NUM_EMPTY,		/* no characters at all */
	ES_NUM_SYNTAX,		/* a sign, a blank, a letter... */
	ES_NUM_OCTAL,		/* a leading zero */
	ES_NUM_NO_HEX,		/* 0x where only decimal is taken */
	ES_NUM_RANGE,		/* outside [min, max], or past 2^64 - 1 */
};

/* Parse exactly the @len bytes at @s. */
enum es_num_error es_num_parse(const char *s, size_t len, unsigned int bases,
			       uint64_t min, uint64_t max, uint64_t *v);
/* The same for a NUL-terminated string. */
enum es_num_error es_num(const char *s, unsigned int bases, uint64_t min,
			 uint64_t max, uint64_t *v);
/* Why, for people: "a leading zero (no octal: write 8 or 0x8)"... */
const char *es_num_strerror(enum es_num_error e);

/*
 * A command-line option's number: on error prints
 * "PROG: invalid OPT: 'S': WHY (MIN to MAX)" to stderr and returns -1.
 */
int es_num_arg(const char *prog, const char *opt, const char *s,
	       uint64_t min, uint64_t max, uint64_t *v);

/* @ns for people: "850ns", "12.3us", "4.10ms", "2.10s". */
const char *es_ns_str(char buf[16], uint64_t ns);

#endif
