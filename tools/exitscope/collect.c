// SPDX-License-Identifier: GPL-2.0-only
/* See collect.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "util/num.h"
#include "collect.h"

volatile sig_atomic_t collect_stop;

void collect_args_init(struct collect_args *a)
{
	memset(a, 0, sizeof(*a));
	a->spec = "auto";
	a->o.timing = true;
	a->prom.detail_top = ES_DETAIL_TOP;
}

int collect_arg(const char *prog, int c, const char *arg, struct collect_args *a)
{
	uint64_t v;

	switch (c) {
	case 0x100:
		a->spec = arg;
		return 1;
	case 'p':
		if (es_num_arg(prog, "--pid", arg, 1, UINT32_MAX, &v))
			return -1;
		a->o.pid = (uint32_t)v;
		return 1;
	case 0x102:
		a->o.timing = false;
		return 1;
	case 0x103:
		if (es_num_arg(prog, "--max-rows", arg, 16, 1u << 20, &v))
			return -1;
		a->o.max_rows = (uint32_t)v;
		return 1;
	case 'v':
		a->o.verbose = true;
		return 1;
	case 0x108:
		a->o.detail = true;
		return 1;
	case 0x109:
		if (es_num_arg(prog, "--detail-top", arg, 0, ES_PROM_DETAIL_TOP_MAX, &v))
			return -1;
		a->prom.detail_top = (unsigned int)v;
		return 1;
	case 0x106:
		if (a->nrules == COLLECT_MAX_RULES) {
			fprintf(stderr, "%s: at most %d --name-from rules\n", prog, COLLECT_MAX_RULES);
			return -1;
		}
		if (!es_name_rule_parse(arg, &a->rules[a->nrules])) {
			fprintf(stderr, "%s: invalid --name-from: '%s' (arg:OPTION or env:VARIABLE)\n",
				prog, arg);
			return -1;
		}
		a->nrules++;
		return 1;
	}
	return 0;
}

int collect_open(const char *prog, const struct collect_args *a, struct es_source *src)
{
	char notes[4096];
	struct es_err e;

	if (es_source_open(a->spec, &a->o, src, notes, sizeof(notes), &e)) {
		fputs(notes, stderr);
		fprintf(stderr, "%s: %s\n", prog, e.msg);
		return -1;
	}
	fputs(notes, stderr);
	fprintf(stderr, "%s: source %s: %s\n", prog, src->kind, src->what);
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	collect_stop = 1;
}

void collect_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a sleep or a poll returns at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void collect_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (!collect_stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

#define COMM_CACHE	256

const char *collect_comm(uint32_t pid, void *unused)
{
	static struct { uint32_t pid; char comm[17]; } cache[COMM_CACHE];
	static size_t n, next;
	char path[64];
	size_t i, len;
	FILE *f;

	(void)unused;
	for (i = 0; i < n; i++)
		if (cache[i].pid == pid)
			return cache[i].comm;
	i = n < COMM_CACHE ? n++ : next++ % COMM_CACHE;
	cache[i].pid = pid;
	cache[i].comm[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(cache[i].comm, sizeof(cache[i].comm), f)) {
			len = strlen(cache[i].comm);
			if (len && cache[i].comm[len - 1] == '\n')
				cache[i].comm[len - 1] = '\0';
		}
		fclose(f);
	}
	return cache[i].comm;
}

const char *collect_kernel(void)
{
	static struct utsname u;

	if (!u.release[0] && uname(&u))
		return "";
	return u.release;
}
