// SPDX-License-Identifier: GPL-2.0-only
/*
 * The query's one format: an L2 console log (es_query_log_parse), whose
 * block holds the JSON document (es_query_doc_parse). What is accepted
 * is written again and must read back the same.
 */
#include "query/query_doc.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct es_query_doc d, back;
	struct es_err e = { "" };
	char *buf = fuzz_copy(data, size), *out = NULL;
	size_t len = 0, i;
	bool found;
	FILE *f;

	if (es_query_log_parse("l2-npt-1.log", buf, size, &d, &found, &e)) {
		ES_FUZZ_ERR_OK(e, "l2-npt-1.log");
	} else if (found) {
		f = open_memstream(&out, &len);
		ES_FUZZ_ASSERT(f && !es_query_doc_write(f, &d));
		fclose(f);
		ES_FUZZ_ASSERT(!es_query_doc_parse("again", 1, out, len - 1, &back, &e));
		ES_FUZZ_ASSERT(back.n == d.n && back.total == d.total && back.vendor == d.vendor);
		for (i = 0; i < d.n; i++)
			ES_FUZZ_ASSERT(back.rows[i].code == d.rows[i].code &&
				       back.rows[i].count == d.rows[i].count &&
				       !strcmp(back.rows[i].name, d.rows[i].name));
		es_query_doc_free(&back);
		es_query_doc_free(&d);
		free(out);
	}
	free(buf);
	return 0;
}
