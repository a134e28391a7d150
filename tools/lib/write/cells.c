// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cells every writer shares: a Markdown table cell, a CSV field, a
 * time for people. Their own file, so that the writers call down into it
 * and never into each other both ways.
 */
#include <inttypes.h>

#include "write/writers.h"

/*
 * Markdown table cells: a '|' would end the cell, a backtick start code,
 * '*', '[' or '<' emphasis, a link or HTML. (An underscore inside a word
 * is plain text.)
 */
void es_md_cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '`' || *s == '\\' || *s == '*' ||
		    *s == '<' || *s == '[')
			fputc('\\', out);
		fputc(*s, out);
	}
}

/* A CSV field, RFC 4180 quoted. */
void es_csv_field(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

