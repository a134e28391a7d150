// SPDX-License-Identifier: GPL-2.0-only
/*
 * The benchmark's inputs: a VM's console log with vmexit-bench's lines
 * (es_bench_parse_log), bench-info.txt (es_bench_parse_info),
 * failed-CONFIG.txt (es_bench_parse_failed), perf stat's CSV of make
 * bench-host (es_perf_stat_parse) and a peer's CPU time
 * (es_bench_parse_peer_cpu). The first byte picks the parser.
 */
#include <string.h>

#include "bench/bench.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct es_bench_run run;
	struct es_err e = { "" };
	struct es_bench b = { 0 };
	char configs[512], vcpus[512], tvcpus[512];
	struct es_perf_stat p;
	uint64_t ns;
	int which = size ? data[0] % 5 : 0;
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
	} else if (which == 2) {
		if (es_bench_parse_failed("failed-x.txt", buf, size, &run, &e))
			ES_FUZZ_ERR_OK(e, "failed-x.txt");
		else
			ES_FUZZ_ASSERT(run.failed[0] && strlen(run.failed) <= ES_BENCH_WHY_MAX);
	} else if (which == 4) {
		if (es_bench_parse_peer_cpu("peer-x.cpu", buf, size, &ns, &e))
			ES_FUZZ_ERR_OK(e, "peer-x.cpu");
	} else if (which == 3) {
		if (es_perf_stat_parse("perf-x.txt", buf, size, &p, &e))
			ES_FUZZ_ERR_OK(e, "perf-x.txt");
		else
			ES_FUZZ_ASSERT((p.has_cycles || !p.cycles) &&
				       (p.has_instructions || !p.instructions));
	} else if (es_bench_parse_info("bench-info.txt", buf, size, &b, configs, sizeof(configs),
				       vcpus, sizeof(vcpus), tvcpus, sizeof(tvcpus), &e)) {
		ES_FUZZ_ERR_OK(e, "bench-info.txt");
	} else {
		ES_FUZZ_ASSERT(b.rounds >= 1 && b.rounds <= ES_BENCH_MAX_ROUNDS);
		ES_FUZZ_ASSERT(!strcmp(b.clock, "icount") || !strcmp(b.clock, "cycles"));
	}
	free(buf);
	return 0;
}
