// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracefs source's kvm_exit hist keyed on thread, vCPU and reason
 * (es_parse_hist_keys); the first byte picks the vendor. Accepted means
 * consistent: the rows add up to Hits, VMX reasons are folded.
 */
#include "model/snapshot.h"
#include "parse/parse.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum es_vendor v = size && (data[0] & 1) ? ES_INTEL : ES_AMD;
	struct es_err e = { "" };
	struct es_snap s;
	uint64_t dropped, sum = 0;
	char *buf;
	size_t i;

	if (size)
		data++, size--;
	buf = fuzz_copy(data, size);
	es_snap_init(&s);
	if (es_parse_hist_keys("hist", buf, size, v, &s, &dropped, &e)) {
		ES_FUZZ_ERR_OK(e, "hist");
	} else {
		for (i = 0; i < s.n; i++) {
			sum += s.rows[i].count;
			if (v == ES_INTEL)
				ES_FUZZ_ASSERT(s.rows[i].code <= 0xffff || s.rows[i].code == 0x80000000);
		}
		ES_FUZZ_ASSERT(sum <= INT64_MAX);
	}
	es_snap_free(&s);
	free(buf);
	return 0;
}
