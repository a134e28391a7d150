// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpf-floor [VARIANT]: load the floor (bpf-floor.bpf.c), say "Attaching",
 * count until SIGINT or SIGTERM, then print each reason's exits (all CPUs
 * summed) as "REASON COUNT" lines, hexadecimal reason, and a "total" line.
 * VARIANT (noread, pid, hash16, hash8, storage, ktime) adds one thing to
 * the floor's work, or takes the read away (bpf-floor.bpf.c says what). The
 * benchmark (lab/l1-bench.sh) runs it as a peer. Exit status 0, or 1 with
 * a message when it cannot load or attach.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitscope.h"
#include "source/source.h"
#include "bpf-floor.h"
#include "bpf-floor.skel.h"

static const char *const variants[] = {
	[FLOOR_PLAIN] = "plain", [FLOOR_NOREAD] = "noread", [FLOOR_PID] = "pid",
	[FLOOR_HASH16] = "hash16", [FLOOR_HASH8] = "hash8", [FLOOR_STORAGE] = "storage",
	[FLOOR_KTIME] = "ktime",
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int print_counts(struct bpf_floor_bpf *skel)
{
	int ncpu = libbpf_num_possible_cpus();
	unsigned long long total = 0;
	__u64 *v;
	__u32 k;
	int c;

	if (ncpu <= 0 || !(v = calloc((size_t)ncpu, sizeof(*v))))
		return -1;
	for (k = 0; k < FLOOR_SLOTS; k++) {
		unsigned long long sum = 0;

		if (bpf_map__lookup_elem(skel->maps.floor_counts, &k, sizeof(k), v,
					 (size_t)ncpu * sizeof(*v), 0)) {
			free(v);
			return -1;
		}
		for (c = 0; c < ncpu; c++)
			sum += v[c];
		if (k == FLOOR_SLOTS - 2)	/* the variants' scratch */
			continue;
		if (sum)
			printf("%s%#x %llu\n", k == FLOOR_SLOTS - 1 ? "other " : "", k, sum);
		total += sum;
	}
	printf("total %llu\n", total);
	free(v);
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_floor_bpf *skel;
	sigset_t block, wait_mask;
	int err;

	skel = bpf_floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "bpf-floor: opening the object: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->vendor_isa = es_host_vendor() == ES_INTEL ? ES_BPF_ISA_VMX : ES_BPF_ISA_SVM;
	if (argc == 2) {
		unsigned int i;

		for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
			if (!strcmp(argv[1], variants[i]))
				break;
		if (i == sizeof(variants) / sizeof(variants[0])) {
			fprintf(stderr, "bpf-floor: unknown variant '%s' (plain, noread, pid, hash16, hash8, storage, ktime)\n",
				argv[1]);
			bpf_floor_bpf__destroy(skel);
			return 2;
		}
		skel->rodata->variant = i;
	} else if (argc != 1) {
		fprintf(stderr, "usage: bpf-floor [plain|noread|pid|hash16|hash8|storage|ktime]\n");
		bpf_floor_bpf__destroy(skel);
		return 2;
	}
	err = bpf_floor_bpf__load(skel);
	err = err ?: bpf_floor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "bpf-floor: loading or attaching: %s\n", strerror(-err));
		bpf_floor_bpf__destroy(skel);
		return 1;
	}
	/* Blocked but while waiting: a signal cannot fall between test and wait. */
	sigemptyset(&wait_mask);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("Attaching 1 probe (tp_btf/kvm_exit). Hit Ctrl-C to end.\n");
	fflush(stdout);
	while (!stop)
		sigsuspend(&wait_mask);
	err = print_counts(skel);
	bpf_floor_bpf__destroy(skel);
	if (err) {
		fprintf(stderr, "bpf-floor: reading the counts failed\n");
		return 1;
	}
	return 0;
}
