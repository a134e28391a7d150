// SPDX-License-Identifier: GPL-2.0-only
/*
 * The query's JSON must not read /dev/urandom: in a guest right after boot
 * that read waits for the kernel's entropy (1 s in the lab's L2). jansson
 * opens it for its hash seed the first time a process makes an object
 * unless given one, so this test is a process of its own: it stands in
 * for open(2), which jansson calls, and counts the opens of that file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "query/query_print.h"

static int urandom_opens;

/* The process's open(2): counts /dev/urandom, then opens as libc would. */
int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (!strcmp(path, "/dev/urandom"))
		urandom_opens++;
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

/* The stand-in sees what jansson opens (else the test proves nothing). */
static void test_open_seen(void **state)
{
	int before = urandom_opens, fd = open("/dev/urandom", O_RDONLY);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(urandom_opens, before + 1);
	urandom_opens = before;
}

static void test_json_without_urandom(void **state)
{
	struct es_figure figs[] = { { 10, "CPUID", true, 100, 5000 } };
	struct es_report r = {
		.vendor = ES_INTEL, .total = 100, .total_cycles = 5000,
		.query_exits = 3, .figs = figs, .n = 1,
	};
	char *buf = NULL;
	size_t len;
	FILE *f;

	(void)state;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(es_print_json(f, &r, ES_ROWS_NONZERO), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"count\":100"));
	assert_int_equal(urandom_opens, 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_without_urandom),
		cmocka_unit_test(test_open_seen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
