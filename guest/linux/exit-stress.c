// SPDX-License-Identifier: GPL-2.0-only
/*
 * exit-stress: every vCPU exiting hard at once. Forks one worker per
 * online CPU, pinned to it; each does ITERATIONS rounds of a CPUID (an exit
 * KVM handles), a write to port 0x80 (an exit the VMM handles) and a touch
 * of a fresh page (a #PF exit under shadow paging). The counts must still
 * equal the tracepoint's and KVM's own: no exit lost to a race.
 * Usage: exit-stress [ITERATIONS]   (default 20000)
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void work(long iterations)
{
	long page = sysconf(_SC_PAGESIZE), i;
	unsigned int a, b, c, d;
	char *mem;

	mem = mmap(NULL, (size_t)(iterations * page), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("exit-stress: mmap");
		exit(1);
	}
	for (i = 0; i < iterations; i++) {
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
		outb(0, 0x80);
		mem[i * page] = 1;
	}
	munmap(mem, (size_t)(iterations * page));
}

int main(int argc, char **argv)
{
	long iterations = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), n;
	int status, failed = 0;
	cpu_set_t set;

	if (iterations < 1 || iterations > 10000000 || cpus < 1) {
		fprintf(stderr, "usage: exit-stress [ITERATIONS] (1 to 10000000)\n");
		return 2;
	}
	if (ioperm(0x80, 1, 1)) {
		perror("exit-stress: ioperm 0x80");
		return 1;
	}
	for (n = 0; n < cpus; n++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("exit-stress: fork");
			return 1;
		}
		if (pid == 0) {
			CPU_ZERO(&set);
			CPU_SET(n, &set);
			if (sched_setaffinity(0, sizeof(set), &set))
				perror("exit-stress: sched_setaffinity");
			work(iterations);
			_exit(0);
		}
	}
	while (wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	printf("exit-stress: %ld workers x %ld rounds of CPUID, port 0x80, a fresh page: %s\n",
	       cpus, iterations, failed ? "a worker failed" : "done");
	return failed;
}
