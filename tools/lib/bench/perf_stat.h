/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What `perf stat -x, -e cycles,instructions -o FILE` wrote (its CSV form):
 * the two counts of the process it ran, summed over a hybrid CPU's core
 * types. make bench-host divides them by KVM's exits of the VM.
 */
#ifndef EXITSCOPE_PERF_STAT_H
#define EXITSCOPE_PERF_STAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/text.h"

struct es_perf_stat {
	bool has_cycles, has_instructions;	/* counted (not "<not supported>") */
	uint64_t cycles, instructions;
};

/*
 * -1 with @e set on a line that is not perf's CSV form; a count perf could
 * not take ("<not supported>", "<not counted>", as on a machine without a
 * PMU) leaves has_* false and is no error.
 */
int es_perf_stat_parse(const char *name, const char *buf, size_t len,
		       struct es_perf_stat *p, struct es_err *e);

#endif
