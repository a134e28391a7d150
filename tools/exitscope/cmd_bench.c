// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope bench-report: the benchmark's results directory (lab/bench.sh)
 * into bench.json (exitscope.bench/1) and the table for people: per case,
 * configuration and vCPU count the ticks per operation, what it adds over
 * stock KVM, and a peer's cost as a multiple of exitscope's counts mode.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "parse/parse.h"
#include "util/num.h"
#include "cmd.h"

#define MAX_LIST	512

void cmd_bench_help(void)
{
	printf("usage: exitscope bench-report DIR\n"
	       "\n"
	       "Reads the benchmark's results in DIR (bench-info.txt, bench-CONFIG-N.log of\n"
	       "each configuration and vCPU count, kvmstat-CONFIG-N.txt, perf-CONFIG-N.txt\n"
	       "(make bench-host), peer-CONFIG.cpu (a tracing peer's own CPU time); with\n"
	       "rounds=R, bench-CONFIG-N-rK.log, peer-CONFIG-rK.cpu and so on for each\n"
	       "round K; failed-CONFIG.txt where a configuration could not run, with the\n"
	       "reason), writes DIR/bench.json (exitscope.bench/1, docs/json.md) and prints\n"
	       "the table. Over several rounds, a case's figure is the median of the\n"
	       "rounds', and what it adds the median of its differences to stock's run of\n"
	       "the same round, printed with no more digits than their spread supports.\n"
	       "Exit status 0, 1 if a benchmark VM failed, a case failed its check, or\n"
	       "stock or one of exitscope's configurations could not run (a peer that\n"
	       "could not run is listed in the table with L1's reason, and is no failure),\n"
	       "3 if the input is missing or corrupt (then bench.json is not written).\n");
}

static int load(const char *dir, const char *file, size_t max, struct es_text *t,
		struct es_err *e)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return es_text_load(path, max, t, e);
}

/* One more run of @config, zeroed; NULL when out of memory. */
static struct es_bench_run *new_run(struct es_bench *b, const char *config)
{
	struct es_bench_run *runs = realloc(b->runs, (b->nruns + 1) * sizeof(*b->runs)), *run;

	if (!runs)
		return NULL;
	b->runs = runs;
	run = &runs[b->nruns++];
	memset(run, 0, sizeof(*run));
	snprintf(run->config, sizeof(run->config), "%s", config);
	return run;
}

/* FILE-CONFIG-N.EXT, with -rK in a sitting of several rounds. */
static void run_file(char *buf, size_t len, const char *file, const struct es_bench *b,
		     const struct es_bench_run *run, const char *v, const char *ext)
{
	if (b->rounds > 1)
		snprintf(buf, len, "%s-%s-%s-r%u.%s", file, run->config, v, run->round, ext);
	else
		snprintf(buf, len, "%s-%s-%s.%s", file, run->config, v, ext);
}

/*
 * One round of a configuration and vCPU count: vmexit-bench's log, KVM's
 * own count of the VM's exits where it was kept, perf's counts where
 * make bench-host took them.
 */
static int read_run(const char *dir, const struct es_bench *b, struct es_bench_run *run,
		    const char *v, struct es_err *e)
{
	char name[160];
	struct es_text t;
	int r;

	run->vcpus = 0;
	run_file(name, sizeof(name), "bench", b, run, v, "log");
	if (load(dir, name, 16u << 20, &t, e))
		return -1;
	r = es_bench_parse_log(name, t.data, t.len, run, e);
	es_text_free(&t);
	if (r)
		return -1;
	if (!run->vcpus || (unsigned long)run->vcpus != strtoul(v, NULL, 10))
		return es_errf(e, "%s: ran with %u vCPUs, not %s", name, run->vcpus, v);
	run_file(name, sizeof(name), "kvmstat", b, run, v, "txt");
	if (!load(dir, name, ES_KVMSTAT_MAX_BYTES, &t, e)) {
		struct es_run kr = { 0 };

		if (!es_parse_kvmstat(name, t.data, t.len, &kr, e))
			run->kvm_exits = kr.kvm_exits;
		free(kr.kvm);
		es_text_free(&t);
	}
	/* A tracing peer's own CPU: one file per configuration and round. */
	if (b->rounds > 1)
		snprintf(name, sizeof(name), "peer-%s-r%u.cpu", run->config, run->round);
	else
		snprintf(name, sizeof(name), "peer-%s.cpu", run->config);
	if (!load(dir, name, 4096, &t, e)) {
		r = es_bench_parse_peer_cpu(name, t.data, t.len, &run->peer_cpu_ns, e);
		es_text_free(&t);
		if (r)
			return -1;
		run->has_peer_cpu = true;
	}
	run_file(name, sizeof(name), "perf", b, run, v, "txt");
	if (!load(dir, name, 64 * 1024, &t, e)) {
		r = es_perf_stat_parse(name, t.data, t.len, &run->perf, e);
		es_text_free(&t);
		if (r)
			return -1;
	}
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	char configs[MAX_LIST], vcpus[MAX_LIST], tvcpus[MAX_LIST], name[128], path[4096];
	struct es_bench b = { 0 };
	struct es_text t;
	struct es_err e;
	char *c, *v, *sc, *sv;
	int failed = 0, r = 3;
	size_t i;
	FILE *out;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cmd_bench_help();
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "exitscope bench-report: give the results directory (see --help)\n");
		return 2;
	}
	if (load(argv[1], "bench-info.txt", 4096, &t, &e)) {
		fprintf(stderr, "exitscope bench-report: %s\n", e.msg);
		return 3;
	}
	if (es_bench_parse_info("bench-info.txt", t.data, t.len, &b, configs, sizeof(configs),
				vcpus, sizeof(vcpus), tvcpus, sizeof(tvcpus), &e)) {
		es_text_free(&t);
		fprintf(stderr, "exitscope bench-report: %s\n", e.msg);
		return 3;
	}
	es_text_free(&t);
	for (c = strtok_r(configs, ",", &sc); c; c = strtok_r(NULL, ",", &sc)) {
		char vlist[MAX_LIST];
		bool told = false;

		snprintf(vlist, sizeof(vlist), "%s", es_bench_traces(c) ? tvcpus : vcpus);
		for (v = strtok_r(vlist, ",", &sv); v; v = strtok_r(NULL, ",", &sv)) {
			struct es_bench_run *run = new_run(&b, c);
			unsigned int k;

			if (!run)
				goto oom;
			run->vcpus = (unsigned int)strtoul(v, NULL, 10);
			/* A configuration L1 could not run: listed, with L1's reason. */
			snprintf(name, sizeof(name), "failed-%s.txt", c);
			snprintf(path, sizeof(path), "%s/%s", argv[1], name);
			if (!access(path, F_OK)) {
				if (load(argv[1], name, 4096, &t, &e))
					goto bad;
				r = es_bench_parse_failed(name, t.data, t.len, run, &e);
				es_text_free(&t);
				if (r)
					goto bad;
				if (!told)
					fprintf(stderr, "exitscope bench-report: %s could not run: %s\n",
						c, run->failed);
				told = true;
				/*
				 * A peer that cannot run here (bcc's kvmexit on
				 * AMD) is a fact in the table; only exitscope's
				 * own configurations and stock fail the benchmark.
				 */
				if (strcmp(es_bench_kind(c), "peer"))
					failed = 1;
				continue;
			}
			for (k = 1; k <= b.rounds; k++) {
				if (k > 1 && !(run = new_run(&b, c)))
					goto oom;
				run->round = k;
				if (read_run(argv[1], &b, run, v, &e))
					goto bad;
				if (run->vmm_status) {
					fprintf(stderr, "exitscope bench-report: %s with %u vCPU(s), round %u: exitscope-vmm exited %d\n",
						c, run->vcpus, k, run->vmm_status);
					failed = 1;
				}
				for (i = 0; i < run->ncases; i++)
					if (run->cases[i].failed) {
						fprintf(stderr, "exitscope bench-report: %s, %u vCPU(s), round %u: %s %s\n",
							c, run->vcpus, k, run->cases[i].name, run->cases[i].why);
						failed = 1;
					}
			}
		}
	}
	snprintf(path, sizeof(path), "%s/bench.json", argv[1]);
	out = fopen(path, "w");
	if (!out || es_bench_write_json(out, &b) || fclose(out)) {
		fprintf(stderr, "exitscope bench-report: %s: %s\n", path, strerror(errno));
		remove(path);
		r = 3;
		goto out;
	}
	es_bench_write_table(stdout, &b);
	r = failed;
	goto out;
oom:
	es_errf(&e, "out of memory");
bad:
	fprintf(stderr, "exitscope bench-report: %s\n", e.msg);
	r = 3;
out:
	free(b.runs);
	return r;
}
