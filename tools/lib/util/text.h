/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading outside data safely: a whole file with a size limit (regular
 * files only: a FIFO or /dev/zero is refused, never read forever), lines
 * with a length and a count limit, and errors that name the file, the line
 * and the reason. Every parser of tools/lib works on a buffer through this,
 * so the fuzzers reach exactly the code the tools run.
 */
#ifndef EXITSCOPE_TEXT_H
#define EXITSCOPE_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "FILE:LINE: reason", or "FILE: reason". */
struct es_err {
	char msg[1024];
};

/* Sets @e's message; returns -1, so that `return es_errf(...)` reads well. */
int es_errf(struct es_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A counted string, not NUL-terminated: a piece of a buffer. */
struct es_str {
	const char *p;
	size_t n;
};

bool es_str_eq(struct es_str s, const char *lit);
/* Cut the next blank-separated token off the front of @s. */
bool es_str_token(struct es_str *s, struct es_str *tok);
/* @s with blanks removed at both ends. */
struct es_str es_str_trim(struct es_str s);
/* Copy into @buf (NUL-terminated); false if it does not fit. */
bool es_str_copy(struct es_str s, char *buf, size_t len);

struct es_text {
	char *data;		/* NUL-terminated copy of the file */
	size_t len;
};

/*
 * Read all of @path, at most @max bytes. -1 with @e set for a missing or
 * unreadable file, one that is not a regular file, or one over @max.
 */
int es_text_load(const char *path, size_t max, struct es_text *t,
		 struct es_err *e);
void es_text_free(struct es_text *t);

/* Line flags. */
#define ES_LINES_ASCII	0u	/* printable ASCII and tabs only (default) */
#define ES_LINES_UTF8	1u	/* valid UTF-8 without control characters */
#define ES_LINES_ANY	2u	/* any bytes but NUL (a console log) */
#define ES_LINES_CR	4u	/* a "\r" before the "\n" is dropped */
#define ES_LINES_OPEN_END 8u	/* the last line may lack its "\n" */

struct es_lines {
	const char *name;		/* for messages */
	const char *p, *end;
	unsigned int line;		/* number of the line last returned */
	size_t max_len;
	unsigned int max_lines;
	unsigned int flags;
};

void es_lines_init(struct es_lines *it, const char *name, const char *buf,
		   size_t len, size_t max_len, unsigned int max_lines,
		   unsigned int flags);
/*
 * The next line, without its end: 1, or 0 at the end of the buffer, or -1
 * with @e set (line too long, too many lines, a byte the flags do not
 * allow, no newline at the end: a file cut short).
 */
int es_lines_next(struct es_lines *it, struct es_str *line, struct es_err *e);
/* "NAME:LINE: ..." for the line last returned; returns -1. */
int es_lines_err(const struct es_lines *it, struct es_err *e,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The length of the valid UTF-8 prefix of @s (== @n when all of it is). */
size_t es_utf8_valid(const char *s, size_t n);

#endif
