// SPDX-License-Identifier: GPL-2.0-only
/* Bounded reading: size limits, non-regular files, lines, bytes, UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>

#include "util/text.h"
#include "fixtures.h"

/* A file of exactly the limit loads; one byte more does not. */
static void test_size_limit(void **state)
{
	char *d = fx_tmpdir(), path[4096];
	struct es_text t;
	struct es_err e;

	(void)state;
	fx_put(d, "f", "12345678");
	snprintf(path, sizeof(path), "%s/f", d);
	assert_int_equal(es_text_load(path, 8, &t, &e), 0);
	assert_int_equal(t.len, 8);
	assert_string_equal(t.data, "12345678");
	es_text_free(&t);
	assert_int_equal(es_text_load(path, 7, &t, &e), -1);
	assert_non_null(strstr(e.msg, "8 bytes, more than the 7"));
	assert_null(t.data);
	fx_rmdir(d);
}

/* /dev/zero (a link to it too) and a FIFO are refused at once, never read. */
static void test_not_regular(void **state)
{
	char *d = fx_tmpdir(), path[4096];
	struct es_text t;
	struct es_err e;

	(void)state;
	assert_int_equal(es_text_load("/dev/zero", 1 << 20, &t, &e), -1);
	assert_non_null(strstr(e.msg, "/dev/zero: not a regular file"));
	snprintf(path, sizeof(path), "%s/hist", d);
	assert_int_equal(symlink("/dev/zero", path), 0);
	assert_int_equal(es_text_load(path, 1 << 20, &t, &e), -1);
	assert_non_null(strstr(e.msg, "not a regular file"));
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);	/* no writer: open must not block */
	assert_int_equal(es_text_load(path, 1 << 20, &t, &e), -1);
	assert_non_null(strstr(e.msg, "not a regular file"));
	unlink(path);
	assert_int_equal(es_text_load(d, 1 << 20, &t, &e), -1);	/* a directory */
	assert_int_equal(es_text_load("/nonexistent/x", 10, &t, &e), -1);
	assert_non_null(strstr(e.msg, "/nonexistent/x: No such file or directory"));
	fx_rmdir(d);
}

static int all_lines(const char *buf, size_t max_len, unsigned int max_lines,
		     unsigned int flags, struct es_err *e, unsigned int *n)
{
	struct es_lines it;
	struct es_str s;
	int r;

	*n = 0;
	es_lines_init(&it, "f.txt", buf, strlen(buf), max_len, max_lines, flags);
	while ((r = es_lines_next(&it, &s, e)) > 0)
		(*n)++;
	return r;
}

/* Line length and count limits are inclusive; the message has file:line. */
static void test_line_limits(void **state)
{
	struct es_err e;
	unsigned int n;

	(void)state;
	assert_int_equal(all_lines("1234\nab\n", 4, 2, 0, &e, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(all_lines("12345\n", 4, 2, 0, &e, &n), -1);
	assert_string_equal(e.msg, "f.txt:1: longer than 4 bytes");
	assert_int_equal(all_lines("a\nb\nc\n", 4, 2, 0, &e, &n), -1);
	assert_string_equal(e.msg, "f.txt:3: more than 2 lines");
	/* A file cut short: its last line has no newline. */
	assert_int_equal(all_lines("a\nb", 4, 5, 0, &e, &n), -1);
	assert_non_null(strstr(e.msg, "f.txt:2: no newline at the end"));
	assert_int_equal(all_lines("a\nb", 4, 5, ES_LINES_OPEN_END, &e, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(all_lines("", 4, 5, 0, &e, &n), 0);
	assert_int_equal(n, 0);
}

static void test_bytes(void **state)
{
	struct es_lines it;
	struct es_str s;
	struct es_err e;
	unsigned int n;

	(void)state;
	assert_int_equal(all_lines("a\tb\n", 10, 5, 0, &e, &n), 0);
	assert_int_equal(all_lines("a\x01" "b\n", 10, 5, 0, &e, &n), -1);
	assert_non_null(strstr(e.msg, "f.txt:1: byte 0x01 at column 2"));
	assert_int_equal(all_lines("caf\xc3\xa9\n", 10, 5, 0, &e, &n), -1);	/* ASCII only */
	assert_int_equal(all_lines("caf\xc3\xa9\n", 10, 5, ES_LINES_UTF8, &e, &n), 0);
	assert_int_equal(all_lines("x\xff" "y\n", 10, 5, ES_LINES_UTF8, &e, &n), -1);
	assert_non_null(strstr(e.msg, "byte 0xff at column 2 is not UTF-8 text"));
	assert_int_equal(all_lines("x\r\n", 10, 5, 0, &e, &n), -1);	/* CR is a control byte */
	assert_int_equal(all_lines("x\xff\r\n", 10, 5, ES_LINES_ANY | ES_LINES_CR, &e, &n), 0);
	/* A NUL inside a line is refused even in a console log. */
	es_lines_init(&it, "l.log", "a\0b\n", 4, 10, 5, ES_LINES_ANY);
	assert_int_equal(es_lines_next(&it, &s, &e), -1);
	/* CR dropped before LF only when asked. */
	es_lines_init(&it, "l.log", "ab\r\n", 4, 10, 5, ES_LINES_ANY | ES_LINES_CR);
	assert_int_equal(es_lines_next(&it, &s, &e), 1);
	assert_int_equal(s.n, 2);
}

static void test_utf8(void **state)
{
	(void)state;
	assert_int_equal(es_utf8_valid("abc", 3), 3);
	assert_int_equal(es_utf8_valid("\xe2\x82\xac", 3), 3);		/* euro sign */
	assert_int_equal(es_utf8_valid("\xf0\x9f\x98\x80", 4), 4);	/* emoji */
	assert_int_equal(es_utf8_valid("a\xc0\x80", 3), 1);		/* overlong NUL */
	assert_int_equal(es_utf8_valid("\xed\xa0\x80", 3), 0);		/* surrogate */
	assert_int_equal(es_utf8_valid("\xf4\x90\x80\x80", 4), 0);	/* past U+10FFFF */
	assert_int_equal(es_utf8_valid("\xe2\x82", 2), 0);		/* cut */
	assert_int_equal(es_utf8_valid("\x80", 1), 0);
}

static void test_tokens(void **state)
{
	struct es_str s = { " ab\t cd  ", 9 }, t;
	char buf[3];

	(void)state;
	assert_true(es_str_token(&s, &t));
	assert_true(es_str_eq(t, "ab"));
	assert_true(es_str_token(&s, &t));
	assert_true(es_str_eq(t, "cd"));
	assert_false(es_str_token(&s, &t));
	assert_true(es_str_copy((struct es_str){ "ab", 2 }, buf, sizeof(buf)));
	assert_false(es_str_copy((struct es_str){ "abc", 3 }, buf, sizeof(buf)));
	t = es_str_trim((struct es_str){ "  x y ", 6 });
	assert_true(es_str_eq(t, "x y"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_line_limits),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_tokens),
	};

	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
