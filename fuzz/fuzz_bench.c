// SPDX-License-Identifier: GPL-2.0-only
/*
 * The benchmark's inputs: a VM's console log with vmexit-bench's lines
 * (es_bench_parse_log) and bench-info.txt (es_bench_parse_info). The first
 * byte picks the parser.
 */
#include "../tools/lib/bench.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct es_bench_run run;
	struct es_err e = { "" };
	struct es_bench b = { 0 };
	char configs[512], vcpus[512];
	int which = size ? data[0] % 2 : 0;
	size_t i;
	char *buf;

	if (size)
		data++, size--;
	buf = fuzz_copy(data, size);
	if (which == 0) {
		if (es_bench_parse_log("bench-stock-1.log", buf, size, &run, &e)) {
			ES_FUZZ_ERR_OK(e, "bench-stock-1.log");
		} else {
			ES_FUZZ_ASSERT(run.ncases <= ES_BENCH_MAX_CASES);
			for (i = 0; i < run.ncases; i++)
				ES_FUZZ_ASSERT(run.cases[i].skipped || run.cases[i].failed ||
					       (run.cases[i].min <= run.cases[i].per_op &&
						run.cases[i].per_op <= run.cases[i].max));
		}
	} else if (es_bench_parse_info("bench-info.txt", buf, size, &b, configs, sizeof(configs),
				       vcpus, sizeof(vcpus), &e)) {
		ES_FUZZ_ERR_OK(e, "bench-info.txt");
	}
	free(buf);
	return 0;
}
