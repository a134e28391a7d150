// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workload "paging": the exits shadow paging is known for, in bounded time.
 * - fresh pages: map, touch every page, unmap (guest page faults)
 * - mprotect churn on single pages (TLB flushes of one page: INVLPG/INVPCID)
 * - two processes ping-ponging over pipes (CR3 switches)
 * Usage: paging-stress [ROUNDS]   (default 20)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAP_BYTES	(4u << 20)
#define PINGPONGS	2000

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int fresh_pages(long page)
{
	volatile char *p = mmap(NULL, MAP_BYTES, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t off;

	if (p == MAP_FAILED)
		return -1;
	for (off = 0; off < MAP_BYTES; off += page)
		p[off] = (char)off;
	return munmap((void *)p, MAP_BYTES);
}

static int protect_churn(long page)
{
	char *p = mmap(NULL, 64 * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (p == MAP_FAILED)
		return -1;
	memset(p, 1, 64 * page);
	for (i = 0; i < 64; i++) {
		if (mprotect(p + i * page, page, PROT_READ) ||
		    mprotect(p + i * page, page, PROT_READ | PROT_WRITE))
			return -1;
		p[i * page] = (char)i;
		if (munmap(p + i * page, page))
			return -1;
	}
	return 0;
}

static int ping_pong(void)
{
	int to_child[2], to_parent[2], i, status;
	char c = 0;
	pid_t pid;

	if (pipe(to_child) || pipe(to_parent))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		for (i = 0; i < PINGPONGS; i++)
			if (read(to_child[0], &c, 1) != 1 || write(to_parent[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < PINGPONGS; i++)
		if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1)
			return -1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	return 0;
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE), rounds = 20, r;
	double t0 = now();
	char *end;

	if (argc > 2 || (argc == 2 && ((rounds = strtol(argv[1], &end, 10)) < 1 ||
				       *end || rounds > 100000))) {
		fprintf(stderr, "usage: paging-stress [ROUNDS 1..100000]\n");
		return 2;
	}
	for (r = 0; r < rounds; r++) {
		if (fresh_pages(page) || protect_churn(page) || ping_pong()) {
			fprintf(stderr, "paging-stress: round %ld: %s\n", r, strerror(errno));
			return 1;
		}
	}
	printf("paging-stress: %ld rounds (%u KiB faulted, 64 mprotects, %d round trips each) in %.2f s\n",
	       rounds, MAP_BYTES >> 10, PINGPONGS, now() - t0);
	return 0;
}
