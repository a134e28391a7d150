// SPDX-License-Identifier: GPL-2.0-only
/*
 * The command line of vmexit-bench (exitscope-vmm --cmdline): words apart
 * by spaces or commas, each a case's name or KEY=NUMBER:
 *   budget=N  TSC ticks each repetition of a case runs for (default 10^7)
 *   reps=N    repetitions of each case, 1 to 15 (default 5)
 *   timer=N   the x2APIC timer's initial count in hlt (default 1000)
 *   ops=N     each repetition runs exactly N operations instead, whatever
 *             they take (the same exits on a fast machine and a slow one:
 *             the lab's workloads for `exitscope explain`)
 *   solo      vCPU 0 alone runs the cases, the others halt from the start
 *             (the cost of an exit against the VM's vCPU count, not
 *             against vCPUs exiting at once)
 * No name: every case but those run only when named (tick, pause). Numbers are
 * decimal or 0x hex. Anything else is refused with a message that says
 * what is allowed.
 */
#include "bench.h"

#define WORD_MAX	64

enum key_id { KEY_BUDGET, KEY_REPS, KEY_TIMER, KEY_OPS };

static const struct key {
	const char *name;
	enum key_id id;
	uint64_t min, max;
} keys[] = {
	{ "budget", KEY_BUDGET, 1000, 1ull << 40 },
	{ "reps", KEY_REPS, 1, BENCH_MAX_REPS },
	{ "timer", KEY_TIMER, 1, 0xffffffffu },
	{ "ops", KEY_OPS, 1, 1ull << 32 },
};

static bool is_sep(char c)
{
	return c == ' ' || c == ',' || c == '\t' || c == '\n';
}

/* Decimal or 0x hex, digits only, no overflow. */
static bool number(const char *s, uint64_t *v)
{
	unsigned int base = 10, d;
	uint64_t x = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		if (x > (UINT64_MAX - d) / base)
			return false;
		x = x * base + d;
	}
	*v = x;
	return true;
}

static void list_cases(void)
{
	char line[256];
	size_t pos = 0;
	unsigned int i;

	line[0] = 0;
	for (i = 0; i < bench_nr_cases && pos < sizeof(line); i++)
		pos += rt_snprintf(line + pos, sizeof(line) - pos, "%s%s", i ? " " : "",
				   bench_cases[i].name);
	rt_printf("vmexit-bench: cases: %s; options: budget=N reps=N timer=N ops=N solo\n", line);
}

static int word(const char *w, struct bench_args *a)
{
	const char *eq;
	unsigned int i;
	uint64_t v;

	if (!strcmp(w, "solo")) {
		a->solo = true;
		return 0;
	}
	for (i = 0; i < bench_nr_cases; i++)
		if (!strcmp(w, bench_cases[i].name)) {
			a->selected[i] = true;
			return 0;
		}
	for (eq = w; *eq && *eq != '='; eq++)
		;
	if (!*eq) {
		rt_printf("vmexit-bench: unknown case '%s'\n", w);
		list_cases();
		return BENCH_BAD_ARGS;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strlen(keys[i].name) != (size_t)(eq - w) || strncmp(w, keys[i].name, eq - w))
			continue;
		if (!number(eq + 1, &v) || v < keys[i].min || v > keys[i].max) {
			rt_printf("vmexit-bench: invalid %s: '%s' (a number from %llu to %llu)\n",
				  keys[i].name, eq + 1, (unsigned long long)keys[i].min,
				  (unsigned long long)keys[i].max);
			return BENCH_BAD_ARGS;
		}
		switch (keys[i].id) {
		case KEY_BUDGET: a->budget = v; break;
		case KEY_REPS: a->reps = (unsigned int)v; break;
		case KEY_TIMER: a->timer = (uint32_t)v; break;
		case KEY_OPS: a->ops = v; break;
		}
		return 0;
	}
	rt_printf("vmexit-bench: unknown option '%s'\n", w);
	list_cases();
	return BENCH_BAD_ARGS;
}

int bench_args_parse(const char *s, struct bench_args *a)
{
	char w[WORD_MAX + 1];
	bool any = false;
	unsigned int i;
	size_t n;
	int r;

	*a = (struct bench_args){ .budget = 10000000, .reps = 5, .timer = 1000 };
	while (*s) {
		while (is_sep(*s))
			s++;
		for (n = 0; s[n] && !is_sep(s[n]); n++)
			;
		if (!n)
			break;
		if (n > WORD_MAX) {
			rt_printf("vmexit-bench: a word of %llu characters in the command line (at most %d)\n",
				  (unsigned long long)n, WORD_MAX);
			return BENCH_BAD_ARGS;
		}
		memcpy(w, s, n);
		w[n] = 0;
		s += n;
		r = word(w, a);
		if (r)
			return r;
	}
	for (i = 0; i < bench_nr_cases; i++)
		any |= a->selected[i];
	for (i = 0; !any && i < bench_nr_cases; i++)
		a->selected[i] = !bench_cases[i].named_only;
	return 0;
}
