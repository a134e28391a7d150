// SPDX-License-Identifier: GPL-2.0-only
/* See text.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/text.h"

int es_errf(struct es_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

bool es_str_eq(struct es_str s, const char *lit)
{
	return s.n == strlen(lit) && !memcmp(s.p, lit, s.n);
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

bool es_str_token(struct es_str *s, struct es_str *tok)
{
	while (s->n && blank(*s->p)) {
		s->p++;
		s->n--;
	}
	tok->p = s->p;
	while (s->n && !blank(*s->p)) {
		s->p++;
		s->n--;
	}
	tok->n = (size_t)(s->p - tok->p);
	return tok->n > 0;
}

struct es_str es_str_trim(struct es_str s)
{
	while (s.n && blank(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && blank(s.p[s.n - 1]))
		s.n--;
	return s;
}

bool es_str_copy(struct es_str s, char *buf, size_t len)
{
	if (s.n >= len)
		return false;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	return true;
}

int es_text_load(const char *path, size_t max, struct es_text *t,
		 struct es_err *e)
{
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd;

	t->data = NULL;
	t->len = 0;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return es_errf(e, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		es_errf(e, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		es_errf(e, "%s: not a regular file", path);
		goto fail;
	}
	if ((uint64_t)st.st_size > max) {
		es_errf(e, "%s: %llu bytes, more than the %zu this file may have",
			path, (unsigned long long)st.st_size, max);
		goto fail;
	}
	t->data = malloc(max + 2);
	if (!t->data) {
		es_errf(e, "%s: out of memory", path);
		goto fail;
	}
	/* The file may grow while we read: never past max + 1 bytes. */
	while (got <= max) {
		n = read(fd, t->data + got, max + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			es_errf(e, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	if (got > max) {
		es_errf(e, "%s: more than the %zu bytes this file may have", path, max);
		goto fail;
	}
	close(fd);
	t->data[got] = '\0';
	t->len = got;
	return 0;
fail:
	close(fd);
	free(t->data);
	t->data = NULL;
	return -1;
}

void es_text_free(struct es_text *t)
{
	free(t->data);
	t->data = NULL;
	t->len = 0;
}

void es_lines_init(struct es_lines *it, const char *name, const char *buf,
		   size_t len, size_t max_len, unsigned int max_lines,
		   unsigned int flags)
{
	it->name = name;
	it->p = buf;
	it->end = buf + len;
	it->line = 0;
	it->max_len = max_len;
	it->max_lines = max_lines;
	it->flags = flags;
}

int es_lines_err(const struct es_lines *it, struct es_err *e,
		 const char *fmt, ...)
{
	char why[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return es_errf(e, "%s:%u: %s", it->name, it->line, why);
}

size_t es_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k, need;
	uint32_t cp, lo;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			need = 1; cp = s[i] & 0x1f; lo = 0x80;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			need = 2; cp = s[i] & 0x0f; lo = 0x800;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			need = 3; cp = s[i] & 0x07; lo = 0x10000;
		} else {
			return i;
		}
		if (n - i <= need)
			return i;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates, past U+10FFFF. */
		if (cp < lo || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return i;
		i += need + 1;
	}
	return n;
}

/* The first byte of @s the flags do not allow, or -1. */
static long bad_byte(const struct es_lines *it, struct es_str s)
{
	const unsigned char *u = (const unsigned char *)s.p;
	size_t i, ok;

	if (it->flags & ES_LINES_ANY) {
		const char *z = memchr(s.p, '\0', s.n);

		return z ? z - s.p : -1;
	}
	for (i = 0; i < s.n; i++)
		if ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f ||
		    (u[i] >= 0x80 && !(it->flags & ES_LINES_UTF8)))
			return (long)i;
	if (it->flags & ES_LINES_UTF8) {
		ok = es_utf8_valid(s.p, s.n);
		if (ok != s.n)
			return (long)ok;
	}
	return -1;
}

int es_lines_next(struct es_lines *it, struct es_str *line, struct es_err *e)
{
	const char *nl;
	size_t room;
	long bad;

	if (it->p >= it->end)
		return 0;
	it->line++;
	if (it->line > it->max_lines)
		return es_lines_err(it, e, "more than %u lines", it->max_lines);
	room = (size_t)(it->end - it->p);
	nl = memchr(it->p, '\n', room);
	line->p = it->p;
	line->n = nl ? (size_t)(nl - it->p) : room;
	if (!nl && !(it->flags & ES_LINES_OPEN_END))
		return es_lines_err(it, e, "no newline at the end (the file was cut short?)");
	it->p = nl ? nl + 1 : it->end;
	if ((it->flags & ES_LINES_CR) && line->n && line->p[line->n - 1] == '\r')
		line->n--;
	if (line->n > it->max_len)
		return es_lines_err(it, e, "longer than %zu bytes", it->max_len);
	bad = bad_byte(it, *line);
	if (bad >= 0)
		return es_lines_err(it, e, "byte 0x%02x at column %ld is not %s",
				    (unsigned char)line->p[bad], bad + 1,
				    it->flags & ES_LINES_ANY ? "allowed (NUL)" :
				    it->flags & ES_LINES_UTF8 ? "UTF-8 text" :
				    "printable ASCII");
	return 1;
}
