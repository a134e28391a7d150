// SPDX-License-Identifier: GPL-2.0-only
/* The kvm_exit hist (es_parse_hist); the first byte picks the vendor. */
#include "parse/parse.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum es_vendor v = size && (data[0] & 1) ? ES_INTEL : ES_AMD;
	struct es_tallies t;
	struct es_err e = { "" };
	uint64_t sum = 0;
	char *buf;
	size_t i;

	if (size)
		data++, size--;
	buf = fuzz_copy(data, size);
	if (es_parse_hist("hist-npt-1.txt", buf, size, v, &t, &e)) {
		ES_FUZZ_ERR_OK(e, "hist-npt-1.txt");
	} else {
		/* Accepted means consistent: the folded counts add up to Hits. */
		for (i = 0; i < t.n; i++) {
			sum += t.v[i].count;
			if (v == ES_INTEL)
				ES_FUZZ_ASSERT(t.v[i].code <= 0xffff || t.v[i].code == 0x80000000);
		}
		ES_FUZZ_ASSERT(sum == t.total);
		es_tallies_free(&t);
	}
	free(buf);
	return 0;
}
