// SPDX-License-Identifier: GPL-2.0-only
/* The one number parser: decimal or 0x hex, whole, in range; nothing else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "util/num.h"

static enum es_num_error p(const char *s, unsigned int bases, uint64_t min, uint64_t max,
			   uint64_t *v)
{
	return es_num(s, bases, min, max, v);
}

static void test_accepts(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(p("0", ES_NUM_ANY, 0, 10, &v), ES_NUM_OK);
	assert_int_equal(v, 0);
	assert_int_equal(p("10", ES_NUM_ANY, 0, 10, &v), ES_NUM_OK);
	assert_int_equal(v, 10);
	assert_int_equal(p("0x10", ES_NUM_ANY, 0, 100, &v), ES_NUM_OK);
	assert_int_equal(v, 16);
	assert_int_equal(p("0XfF", ES_NUM_ANY, 0, 300, &v), ES_NUM_OK);
	assert_int_equal(v, 255);
	assert_int_equal(p("0x0", ES_NUM_HEX, 0, 0, &v), ES_NUM_OK);
	assert_int_equal(p("18446744073709551615", ES_NUM_DEC, 0, UINT64_MAX, &v), ES_NUM_OK);
	assert_true(v == UINT64_MAX);
	assert_int_equal(p("0xffffffffffffffff", ES_NUM_ANY, 0, UINT64_MAX, &v), ES_NUM_OK);
	assert_true(v == UINT64_MAX);
	/* Limits are inclusive at both ends. */
	assert_int_equal(p("5", ES_NUM_ANY, 5, 5, &v), ES_NUM_OK);
}

/* The cases: octal, blanks, signs, junk, overflow. */
static void test_refuses(void **state)
{
	static const struct { const char *s; enum es_num_error e; } bad[] = {
		{ "", ES_NUM_EMPTY },
		{ "010", ES_NUM_OCTAL },
		{ "00", ES_NUM_OCTAL },
		{ " 5", ES_NUM_SYNTAX },
		{ "5 ", ES_NUM_SYNTAX },
		{ "+5", ES_NUM_SYNTAX },
		{ "-5", ES_NUM_SYNTAX },
		{ "-0", ES_NUM_SYNTAX },
		{ "0junk", ES_NUM_SYNTAX },
		{ "5\n", ES_NUM_SYNTAX },
		{ "0x", ES_NUM_SYNTAX },
		{ "0xg", ES_NUM_SYNTAX },
		{ "0b1", ES_NUM_SYNTAX },
		{ "1e3", ES_NUM_SYNTAX },
		{ "ten", ES_NUM_SYNTAX },
		{ "18446744073709551616", ES_NUM_RANGE },
		{ "0x10000000000000000", ES_NUM_RANGE },
		{ "99999999999999999999999", ES_NUM_RANGE },
	};
	uint64_t v = 7;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 7;
		assert_int_equal(p(bad[i].s, ES_NUM_ANY, 0, UINT64_MAX, &v), bad[i].e);
		assert_int_equal(v, 0);		/* never a half-parsed value */
	}
	assert_int_equal(p("11", ES_NUM_ANY, 0, 10, &v), ES_NUM_RANGE);
	assert_int_equal(p("4", ES_NUM_ANY, 5, 10, &v), ES_NUM_RANGE);
	assert_int_equal(p("0x10", ES_NUM_DEC, 0, 100, &v), ES_NUM_NO_HEX);
	assert_int_equal(p("16", ES_NUM_HEX, 0, 100, &v), ES_NUM_SYNTAX);
	/* Counted, not NUL-terminated: what follows is not read. */
	assert_int_equal(es_num_parse("123456", 3, ES_NUM_DEC, 0, 1000, &v), ES_NUM_OK);
	assert_int_equal(v, 123);
	assert_int_equal(es_num_parse("7x", 1, ES_NUM_DEC, 0, 1000, &v), ES_NUM_OK);
}

/* The message names the option, the text and the range. */
static void test_arg_message(void **state)
{
	char buf[512] = "";
	uint64_t v;
	FILE *old = stderr, *f = fmemopen(buf, sizeof(buf), "w");

	(void)state;
	stderr = f;
	assert_int_equal(es_num_arg("prog", "--timeout", "010", 1, 60, &v), -1);
	stderr = old;
	fclose(f);
	assert_non_null(strstr(buf, "prog: invalid --timeout: '010': a leading zero"));
	assert_non_null(strstr(buf, "(1 to 60)"));
	assert_int_equal(es_num_arg("prog", "--timeout", "0x3c", 1, 60, &v), 0);
	assert_int_equal(v, 60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test(test_arg_message),
	};

	return cmocka_run_group_tests_name("num", tests, NULL, NULL);
}
