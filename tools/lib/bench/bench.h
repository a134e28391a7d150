/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The benchmark's results (lab/bench.sh): per configuration (stock KVM,
 * exitscope in a mode, a tracing peer on stock KVM) and vCPU count, the
 * vmexit-bench figures of each case, in TSC ticks per operation; read from
 * the results directory, compared against stock, written as bench.json
 * (exitscope.bench/1, docs/json.md) and as a table for people.
 */
#ifndef EXITSCOPE_BENCH_H
#define EXITSCOPE_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bench/perf_stat.h"
#include "model/exit_reasons.h"
#include "util/text.h"

#define ES_BENCH_SCHEMA		"exitscope.bench/1"
#define ES_BENCH_NAME_MAX	32
#define ES_BENCH_MAX_CASES	32
#define ES_BENCH_WHY_MAX	200
#define ES_BENCH_MAX_ROUNDS	99

/* One case's figures in one configuration, from its summary line. */
struct es_bench_case {
	char name[ES_BENCH_NAME_MAX + 1];
	bool skipped, failed;
	char why[128];			/* of a skip or a failure */
	uint64_t per_op, min, max;	/* ticks per operation: median, spread */
	uint64_t iterations;
};

/*
 * What vmexit-bench printed in one VM (one configuration, one vCPU count,
 * one round of a sitting that interleaves its configurations).
 */
struct es_bench_run {
	char config[ES_BENCH_NAME_MAX + 1];
	unsigned int vcpus;
	unsigned int round;		/* 1 to es_bench.rounds (0 is read as 1) */
	char vendor[8];			/* from its start line */
	int vmm_status;
	char failed[ES_BENCH_WHY_MAX + 1];	/* why the configuration could not run, or "" */
	uint64_t kvm_exits;		/* KVM's own count for the VM, 0 if unknown */
	struct es_perf_stat perf;	/* the VMM's cycles and instructions (bench-host) */
	bool has_peer_cpu;
	uint64_t peer_cpu_ns;		/* the peer's own threads while this round's VMs ran */
	struct es_bench_case cases[ES_BENCH_MAX_CASES];
	size_t ncases;
};

/*
 * A VM's console log with vmexit-bench's lines (and the lab's trailing
 * "status N seconds S" line). -1 with @e set for anything it does not
 * understand: a line of vmexit-bench that is not one of its forms, a case
 * twice, no "end" line, counts that disagree with the end line.
 */
int es_bench_parse_log(const char *name, const char *buf, size_t len,
		       struct es_bench_run *run, struct es_err *e);

/*
 * failed-CONFIG.txt, written by L1 when a configuration cannot run (its
 * modules do not load, its tool does not attach): one line of printable
 * ASCII, at most ES_BENCH_WHY_MAX bytes, into @run->failed.
 */
int es_bench_parse_failed(const char *name, const char *buf, size_t len,
			  struct es_bench_run *run, struct es_err *e);

/*
 * Whether a configuration traces exits (a peer, exitscope's BPF collectors)
 * rather than being a mode of the modules: it runs with tracer_vcpus, and
 * the table gives its cost as a multiple of exitscope's counts mode.
 */
bool es_bench_traces(const char *config);

/* What a configuration is: "stock", "exitscope" or "peer". */
const char *es_bench_kind(const char *config);

/* The whole sitting: bench.json, and the table. */
struct es_bench {
	char cpu[8];
	char emulator[64];
	char l1_kernel[128];
	char kver[64];
	char clock[16];			/* "icount" (the lab's emulators) or "cycles" (a host) */
	unsigned int rounds;		/* runs of each configuration, interleaved (0 is read as 1) */
	struct es_bench_run *runs;
	size_t nruns;
};

/*
 * peer-CONFIG.cpu (peer-CONFIG-rK.cpu in a sitting of rounds): "cpu_ns=N",
 * the CPU time of a tracing peer's own threads while the benchmark's VMs
 * ran, user and system (lab/bench-peers.sh).
 */
int es_bench_parse_peer_cpu(const char *name, const char *buf, size_t len, uint64_t *ns,
			    struct es_err *e);

/*
 * A peer's own CPU over @run's rounds: the median of the rounds' time, and
 * of that time over the exits of the round's VMs (KVM's count, all the
 * configuration's vCPU counts). false without a figure.
 */
struct es_bench_peer_agg {
	unsigned int rounds;
	uint64_t cpu_ns;
	bool has_per_exit;
	double per_exit_ns;
};
bool es_bench_agg_peer(const struct es_bench *b, const struct es_bench_run *run,
		       struct es_bench_peer_agg *a);

/*
 * One case of a configuration and vCPU count over its rounds: the median
 * of the rounds' medians, the spread of all their repetitions, and what it
 * adds over stock as the median of the paired differences (each round
 * against stock's run of the same round), with their range.
 */
struct es_bench_agg {
	unsigned int rounds;		/* rounds with a figure for the case */
	uint64_t per_op, min, max, iterations;
	unsigned int pairs;		/* rounds where stock has the case too */
	int64_t added, added_lo, added_hi;
};

/* false if no round of @run's configuration and vCPU count has the case. */
bool es_bench_agg_case(const struct es_bench *b, const struct es_bench_run *run,
		       const char *name, struct es_bench_agg *a);

/*
 * The VMM's cycles (@instructions false) or instructions per KVM exit of
 * the VM over @run's rounds: the median, and the median of the paired
 * differences against stock's. false where perf did not count them, or
 * KVM's exits were not kept.
 */
struct es_bench_perf_agg {
	unsigned int rounds, pairs;
	double per_exit, added, added_lo, added_hi;
};
bool es_bench_agg_perf(const struct es_bench *b, const struct es_bench_run *run,
		       bool instructions, struct es_bench_perf_agg *a);

/* The median of @n values (the mean of the middle two for an even @n); sorts @v. */
int64_t es_bench_median(int64_t *v, size_t n);

/*
 * @v with no more digits than a spread of @spread supports: rounded to the
 * largest power of ten that is at most the spread (1 below 10).
 */
int64_t es_bench_round_spread(int64_t v, uint64_t spread);

int es_bench_parse_info(const char *name, const char *buf, size_t len, struct es_bench *b,
			char *configs, size_t clen, char *vcpus, size_t vlen,
			char *tracer_vcpus, size_t tlen, struct es_err *e);
int es_bench_write_json(FILE *out, const struct es_bench *b);
void es_bench_write_table(FILE *out, const struct es_bench *b);

#endif
