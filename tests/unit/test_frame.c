// SPDX-License-Identifier: GPL-2.0-only
/* SHA-256 against FIPS 180-4's vectors; the serial framing, good and bad. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame/frame.h"
#include "frame/sha256.h"

static void test_sha256(void **state)
{
	char hex[65], *a;

	(void)state;
	es_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	es_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* 56 bytes: the length no longer fits the first padded block. */
	es_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	a = malloc(1000000);
	memset(a, 'a', 1000000);
	es_sha256_hex(a, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

/* One file framed as l1-init.sh frames it. */
static size_t frame(char *out, size_t len, const char *name, const char *data, size_t n)
{
	char hex[65];

	es_sha256_hex(data, n, hex);
	return (size_t)snprintf(out, len, "EXITSCOPE-FILE %s %zu %s\n%.*sEXITSCOPE-END %s\n",
				name, n, hex, (int)n, data, name);
}

static void test_unframe(void **state)
{
	static const char tricky[] = "EXITSCOPE-FILE x 3 0000\nEXITSCOPE-ALL-SENT\n";
	struct es_frame_file *f;
	struct es_err e;
	char buf[4096];
	size_t n = 0, k;

	(void)state;
	n += frame(buf + n, sizeof(buf) - n, "stats-npt-1.txt", "abc\n", 4);
	n += frame(buf + n, sizeof(buf) - n, "l2-npt-1.log", tricky, strlen(tricky));
	n += frame(buf + n, sizeof(buf) - n, "empty.txt", "", 0);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "EXITSCOPE-ALL-SENT\n");
	assert_int_equal(es_unframe("raw", buf, n, &f, &k, &e), 0);
	assert_int_equal(k, 3);
	assert_string_equal(f[0].name, "stats-npt-1.txt");
	assert_memory_equal(buf + f[0].off, "abc\n", 4);
	assert_int_equal(f[1].size, strlen(tricky));	/* a file may hold frame lines */
	assert_memory_equal(buf + f[1].off, tricky, strlen(tricky));
	assert_int_equal(f[2].size, 0);
	free(f);
}

static void test_unframe_refuses(void **state)
{
	struct es_frame_file *f;
	struct es_err e;
	char good[1024], bad[2048];
	size_t n, k;
	int m;

	(void)state;
	n = frame(good, sizeof(good), "a.txt", "hello\n", 6);
	n += (size_t)snprintf(good + n, sizeof(good) - n, "EXITSCOPE-ALL-SENT\n");
	assert_int_equal(es_unframe("raw", good, n, &f, &k, &e), 0);
	free(f);

	assert_int_equal(es_unframe("raw", "", 0, &f, &k, &e), -1);
	assert_non_null(strstr(e.msg, "empty: L1 sent nothing"));
	/* Cut anywhere: refused. */
	for (k = 1; k < n; k++) {
		size_t got;

		if (!es_unframe("raw", good, k, &f, &got, &e))
			fail_msg("a stream cut at byte %zu accepted", k);
	}
	/* One byte changed anywhere in the data: refused by the digest. */
	memcpy(bad, good, n);
	bad[strchr(good, '\n') - good + 2] ^= 1;
	assert_int_equal(es_unframe("raw", bad, n, &f, &k, &e), -1);
	assert_non_null(strstr(e.msg, "a.txt: SHA-256"));
	/* Junk before the first frame, after the end mark. */
	m = snprintf(bad, sizeof(bad), "x%.*s", (int)n, good);
	assert_int_equal(es_unframe("raw", bad, (size_t)m, &f, &k, &e), -1);
	assert_non_null(strstr(e.msg, "raw: at byte 0: 'EXITSCOPE-FILE NAME BYTES SHA256' expected"));
	m = snprintf(bad, sizeof(bad), "%.*sx", (int)n, good);
	assert_int_equal(es_unframe("raw", bad, (size_t)m, &f, &k, &e), -1);
	assert_non_null(strstr(e.msg, "1 bytes after EXITSCOPE-ALL-SENT"));
	/* Names that would escape the directory or hide. */
	for (k = 0; k < 4; k++) {
		static const char *const names[] = { "../x", ".hidden", "a/b", "" };
		char hex[65];

		es_sha256_hex("", 0, hex);
		m = snprintf(bad, sizeof(bad), "EXITSCOPE-FILE %s 0 %s\nEXITSCOPE-END %s\nEXITSCOPE-ALL-SENT\n",
			     names[k], hex, names[k]);
		assert_int_equal(es_unframe("raw", bad, (size_t)m, &f, &n, &e), -1);
	}
	/* The same file twice; a size past the stream; an END of another name. */
	n = frame(bad, sizeof(bad), "a.txt", "x", 1);
	n += frame(bad + n, sizeof(bad) - n, "a.txt", "y", 1);
	n += (size_t)snprintf(bad + n, sizeof(bad) - n, "EXITSCOPE-ALL-SENT\n");
	assert_int_equal(es_unframe("raw", bad, n, &f, &k, &e), -1);
	assert_non_null(strstr(e.msg, "a.txt sent twice"));
	m = snprintf(bad, sizeof(bad), "EXITSCOPE-FILE a.txt 99 %064d\nx", 0);
	assert_int_equal(es_unframe("raw", bad, (size_t)m, &f, &k, &e), -1);
	assert_non_null(strstr(e.msg, "99 bytes announced"));
	n = frame(bad, sizeof(bad), "a.txt", "x", 1);
	memcpy(strstr(bad, "END a.txt") + 4, "b", 1);
	n += (size_t)snprintf(bad + n, sizeof(bad) - n, "EXITSCOPE-ALL-SENT\n");
	assert_int_equal(es_unframe("raw", bad, n, &f, &k, &e), -1);
	assert_non_null(strstr(e.msg, "'EXITSCOPE-END a.txt' expected"));
	m = snprintf(bad, sizeof(bad), "EXITSCOPE-ALL-SENT\n");
	assert_int_equal(es_unframe("raw", bad, (size_t)m, &f, &k, &e), -1);
	assert_non_null(strstr(e.msg, "no files"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_unframe),
		cmocka_unit_test(test_unframe_refuses),
	};

	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
