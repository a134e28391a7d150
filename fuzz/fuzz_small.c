// SPDX-License-Identifier: GPL-2.0-only
/*
 * The small text files of a run and the lab: status (es_parse_status),
 * kvmstat (es_parse_kvmstat), metadata (es_parse_meta). The first byte
 * picks the parser, so one corpus grows for all three.
 */
#include "parse/parse.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct es_err e = { "" };
	struct es_run run = { 0 };
	struct es_meta m;
	int which = size ? data[0] % 3 : 0, st = -1;
	char *buf;

	if (size)
		data++, size--;
	buf = fuzz_copy(data, size);
	switch (which) {
	case 0:
		if (es_parse_status("status-npt-1.txt", buf, size, &st, &e))
			ES_FUZZ_ERR_OK(e, "status-npt-1.txt");
		else
			ES_FUZZ_ASSERT(st >= 0 && st <= 255);
		break;
	case 1:
		if (es_parse_kvmstat("kvmstat-npt-1.txt", buf, size, &run, &e))
			ES_FUZZ_ERR_OK(e, "kvmstat-npt-1.txt");
		else
			ES_FUZZ_ASSERT(es_run_kvm_stat(&run, "exits") &&
				       es_run_kvm_stat(&run, "exits")->value == run.kvm_exits);
		free(run.kvm);
		break;
	case 2:
		if (es_parse_meta("metadata.txt", buf, size, &m, &e))
			ES_FUZZ_ERR_OK(e, "metadata.txt");
		else
			ES_FUZZ_ASSERT(m.nmodes == 2 && m.runs >= 1 && !m.modes[1].nested);
		break;
	}
	free(buf);
	return 0;
}
