// SPDX-License-Identifier: GPL-2.0-only
/* See bench.h. The log's forms are vmexit-bench's (docs/benchmarks.md). */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "util/num.h"

#define BENCH_PREFIX	"vmexit-bench: "
#define LOG_MAX_LINE	4096
#define LOG_MAX_LINES	100000

/* The cases whose every operation is exactly one VM exit (nested paging). */
static const char *const one_exit_cases[] = {
	"cpuid", "vmcall", "pio_kernel", "pio_vmm", "query_total", "query_code",
	"msr_read", "msr_write", "mmio_kernel", "mmio_vmm", "mixed",
};

static bool one_exit(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(one_exit_cases) / sizeof(one_exit_cases[0]); i++)
		if (!strcmp(one_exit_cases[i], name))
			return true;
	return false;
}

const char *es_bench_kind(const char *config)
{
	/* stock-rebuilt: stock's source built as exitscope's: the build's own share */
	if (!strcmp(config, "stock") || !strcmp(config, "stock-rebuilt"))
		return "stock";
	if (!strncmp(config, "exitscope-", 10))
		return "exitscope";
	return "peer";
}

bool es_bench_traces(const char *config)
{
	/* exitscope-bpf, -bpf-counts, and their -tp (the fallback attach mode) */
	return strcmp(es_bench_kind(config), "peer") == 0 ||
	       strncmp(config, "exitscope-bpf", 13) == 0;
}

/* "key=NUMBER" at the front of @s, into @v; false if it is not that. */
static bool field(struct es_str *s, const char *key, uint64_t *v)
{
	struct es_str tok;
	size_t k = strlen(key);

	if (!es_str_token(s, &tok) || tok.n <= k + 1 || memcmp(tok.p, key, k) || tok.p[k] != '=')
		return false;
	return es_num_parse(tok.p + k + 1, tok.n - k - 1, ES_NUM_DEC, 0, UINT64_MAX, v) ==
	       ES_NUM_OK;
}

static bool case_name(struct es_str tok, char *buf)
{
	size_t i;

	if (!tok.n || tok.n > ES_BENCH_NAME_MAX)
		return false;
	for (i = 0; i < tok.n; i++)
		if (!((tok.p[i] >= 'a' && tok.p[i] <= 'z') || (tok.p[i] >= '0' && tok.p[i] <= '9') ||
		      tok.p[i] == '_'))
			return false;
	return es_str_copy(tok, buf, ES_BENCH_NAME_MAX + 1);
}

/* One line after "vmexit-bench: "; 1 at the end line. */
static int bench_line(const struct es_lines *it, struct es_str s, struct es_bench_run *run,
		      uint64_t end[3], struct es_err *e)
{
	struct es_str tok, rest;
	struct es_bench_case *c;
	uint64_t v, reps, cpus, running;
	char name[ES_BENCH_NAME_MAX + 1];
	size_t i;

	rest = s;
	if (!es_str_token(&rest, &tok))
		return es_lines_err(it, e, "an empty vmexit-bench line");
	if (es_str_eq(tok, "start")) {
		if (!es_str_token(&rest, &tok) || tok.n < 8 || memcmp(tok.p, "vendor=", 7) ||
		    !es_str_copy((struct es_str){ tok.p + 7, tok.n - 7 }, run->vendor, sizeof(run->vendor)))
			return es_lines_err(it, e, "a start line without vendor=");
		return 0;
	}
	if (es_str_eq(tok, "end")) {
		if (!field(&rest, "ran", &end[0]) || !field(&rest, "skipped", &end[1]) ||
		    !field(&rest, "failed", &end[2]))
			return es_lines_err(it, e, "not 'end ran=N skipped=N failed=N'");
		return 1;
	}
	if (!case_name(tok, name))
		return es_lines_err(it, e, "'%.*s' is no case name", (int)tok.n, tok.p);
	/* A per-vCPU line: its figures are in the summary that follows. */
	tok = es_str_trim(rest);
	if (tok.n > 5 && !memcmp(tok.p, "vcpu=", 5))
		return 0;
	for (i = 0; i < run->ncases; i++)
		if (!strcmp(run->cases[i].name, name))
			return es_lines_err(it, e, "case %s twice", name);
	if (run->ncases == ES_BENCH_MAX_CASES)
		return es_lines_err(it, e, "more than %d cases", ES_BENCH_MAX_CASES);
	c = &run->cases[run->ncases];
	memset(c, 0, sizeof(*c));
	memcpy(c->name, name, sizeof(c->name));
	rest = es_str_trim(rest);
	if (rest.n >= 7 && (!memcmp(rest.p, "skipped", 7) || !memcmp(rest.p, "failed", 6))) {
		c->skipped = rest.p[0] == 's';
		c->failed = !c->skipped;
		es_str_copy((struct es_str){ rest.p, rest.n < sizeof(c->why) - 1 ? rest.n : sizeof(c->why) - 1 },
			    c->why, sizeof(c->why));
		run->ncases++;
		return 0;
	}
	if (!field(&rest, "per_op", &c->per_op) || !field(&rest, "min", &c->min) ||
	    !field(&rest, "max", &c->max) || !field(&rest, "iterations", &c->iterations) ||
	    !field(&rest, "reps", &reps) || !field(&rest, "cpus", &cpus) ||
	    !field(&rest, "running", &running) || es_str_trim(rest).n)
		return es_lines_err(it, e, "not 'NAME per_op=N min=N max=N iterations=N reps=N cpus=N running=N'");
	if (c->min > c->per_op || c->per_op > c->max || !c->iterations)
		return es_lines_err(it, e, "case %s: min %" PRIu64 ", median %" PRIu64 ", max %" PRIu64
				    " are not in order, or no iterations", name, c->min, c->per_op, c->max);
	v = cpus;
	if (!run->vcpus)
		run->vcpus = (unsigned int)v;
	else if (run->vcpus != v)
		return es_lines_err(it, e, "case %s ran with %" PRIu64 " vCPUs, the others %u",
				    name, v, run->vcpus);
	run->ncases++;
	return 0;
}

int es_bench_parse_log(const char *name, const char *buf, size_t len,
		       struct es_bench_run *run, struct es_err *e)
{
	uint64_t end[3] = { 0 }, n[3] = { 0 }, v;
	struct es_lines it;
	struct es_str s, rest, tok;
	bool ended = false;
	size_t i;
	int r;

	run->ncases = 0;
	run->vmm_status = -1;
	es_lines_init(&it, name, buf, len, LOG_MAX_LINE, LOG_MAX_LINES,
		      ES_LINES_ANY | ES_LINES_CR | ES_LINES_OPEN_END);
	while ((r = es_lines_next(&it, &s, e)) > 0) {
		size_t k = strlen(BENCH_PREFIX);

		if (s.n > k && !memcmp(s.p, BENCH_PREFIX, k)) {
			if (ended)
				return es_lines_err(&it, e, "a vmexit-bench line after its end line");
			r = bench_line(&it, (struct es_str){ s.p + k, s.n - k }, run, end, e);
			if (r < 0)
				return -1;
			ended |= r == 1;
			continue;
		}
		/* The lab's own line after the VM: "status N seconds S". */
		rest = s;
		if (es_str_token(&rest, &tok) && es_str_eq(tok, "status") &&
		    es_str_token(&rest, &tok)) {
			if (es_num_parse(tok.p, tok.n, ES_NUM_DEC, 0, 255, &v) != ES_NUM_OK)
				return es_lines_err(&it, e, "status '%.*s' is no exit status",
						    (int)tok.n, tok.p);
			run->vmm_status = (int)v;
		}
	}
	if (r < 0)
		return -1;
	if (!ended)
		return es_errf(e, "%s: no 'vmexit-bench: end' line: the benchmark did not finish", name);
	for (i = 0; i < run->ncases; i++)
		n[run->cases[i].skipped ? 1 : run->cases[i].failed ? 2 : 0]++;
	if (n[0] != end[0] || n[1] != end[1] || n[2] != end[2])
		return es_errf(e, "%s: the end line says ran=%" PRIu64 " skipped=%" PRIu64 " failed=%" PRIu64
			       ", the log has %" PRIu64 ", %" PRIu64 ", %" PRIu64, name, end[0], end[1],
			       end[2], n[0], n[1], n[2]);
	return 0;
}

int es_bench_parse_failed(const char *name, const char *buf, size_t len,
			  struct es_bench_run *run, struct es_err *e)
{
	struct es_lines it;
	struct es_str s;
	int r;

	/* L1 cuts the reason at ES_BENCH_WHY_MAX bytes, maybe before its "\n". */
	es_lines_init(&it, name, buf, len, ES_BENCH_WHY_MAX, 1,
		      ES_LINES_ASCII | ES_LINES_OPEN_END);
	r = es_lines_next(&it, &s, e);
	if (r < 0)
		return -1;
	s = r ? es_str_trim(s) : (struct es_str){ "", 0 };
	if (!s.n)
		return es_errf(e, "%s: empty: no reason given", name);
	es_str_copy(s, run->failed, sizeof(run->failed));
	return es_lines_next(&it, &s, e) ? -1 : 0;
}

int es_bench_parse_peer_cpu(const char *name, const char *buf, size_t len, uint64_t *ns,
			    struct es_err *e)
{
	struct es_lines it;
	struct es_str s;
	int r;

	es_lines_init(&it, name, buf, len, 64, 1, ES_LINES_ASCII);
	r = es_lines_next(&it, &s, e);
	if (r < 0)
		return -1;
	if (!r)
		return es_errf(e, "%s: empty", name);
	if (!field(&s, "cpu_ns", ns) || es_str_trim(s).n)
		return es_lines_err(&it, e, "not 'cpu_ns=N'");
	return es_lines_next(&it, &s, e) ? -1 : 0;	/* one line, no more */
}

/* Whether @run is the first of its configuration and vCPU count (its rounds'). */
static bool first_of_group(const struct es_bench *b, const struct es_bench_run *run)
{
	const struct es_bench_run *r;

	for (r = b->runs; r < run; r++)
		if (!strcmp(r->config, run->config) && r->vcpus == run->vcpus)
			return false;
	return true;
}

static unsigned int rounds_of(const struct es_bench *b, const struct es_bench_run *run)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < b->nruns; i++)
		n += !strcmp(b->runs[i].config, run->config) && b->runs[i].vcpus == run->vcpus;
	return n;
}

/* The first run of @config with @run's vCPU count, or NULL. */
static const struct es_bench_run *first_run(const struct es_bench *b, const char *config,
					    const struct es_bench_run *run)
{
	size_t i;

	for (i = 0; i < b->nruns; i++)
		if (!strcmp(b->runs[i].config, config) && b->runs[i].vcpus == run->vcpus)
			return &b->runs[i];
	return NULL;
}

static const char *clock_of(const struct es_bench *b)
{
	return b->clock[0] ? b->clock : "icount";
}

static int put(json_t *o, const char *k, json_t *v)
{
	return v ? json_object_set_new(o, k, v) : -1;
}

/* The VMM's cycles and instructions per exit, where perf counted them. */
static int put_perf(json_t *c, const struct es_bench *b, const struct es_bench_run *run)
{
	struct es_bench_perf_agg cy, in;
	bool has_cy = es_bench_agg_perf(b, run, false, &cy);
	bool has_in = es_bench_agg_perf(b, run, true, &in);
	int r = 0;

	r |= put(c, "cycles_per_exit", has_cy ? json_real(cy.per_exit) : json_null());
	r |= put(c, "instructions_per_exit", has_in ? json_real(in.per_exit) : json_null());
	r |= put(c, "added_cycles_per_exit", has_cy && cy.pairs ? json_real(cy.added) : json_null());
	return r;
}

/* A tracing peer's own CPU while the VMs ran, where it was measured. */
static int put_peer(json_t *c, const struct es_bench *b, const struct es_bench_run *run)
{
	struct es_bench_peer_agg p;
	int r = 0;

	if (!es_bench_agg_peer(b, run, &p))
		return 0;
	r |= put(c, "peer_cpu_ns", json_integer((json_int_t)p.cpu_ns));
	r |= put(c, "peer_cpu_ns_per_exit", p.has_per_exit ? json_real(p.per_exit_ns) : json_null());
	return r;
}

static int put_case(json_t *o, const struct es_bench *b, const struct es_bench_run *run,
		    const struct es_bench_case *bc)
{
	struct es_bench_agg a;
	int r = 0;

	r |= put(o, "name", json_string(bc->name));
	if (bc->skipped || bc->failed || !es_bench_agg_case(b, run, bc->name, &a))
		return r | put(o, bc->failed ? "failed" : "skipped", json_string(bc->why));
	r |= put(o, "per_op", json_integer((json_int_t)a.per_op));
	r |= put(o, "min", json_integer((json_int_t)a.min));
	r |= put(o, "max", json_integer((json_int_t)a.max));
	r |= put(o, "iterations", json_integer((json_int_t)a.iterations));
	if (a.pairs) {
		r |= put(o, "added_per_op", json_integer(a.added));
		r |= put(o, "added_per_exit", one_exit(bc->name) ? json_integer(a.added) : json_null());
		r |= put(o, "added_min", json_integer(a.added_lo));
		r |= put(o, "added_max", json_integer(a.added_hi));
	} else {
		r |= put(o, "added_per_op", json_null());
		r |= put(o, "added_per_exit", json_null());
	}
	return r;
}

int es_bench_write_json(FILE *out, const struct es_bench *b)
{
	json_t *root = json_object(), *configs = json_array();
	bool cycles = !strcmp(clock_of(b), "cycles");
	size_t i, j;
	int r = 0;

	if (!root || !configs) {
		json_decref(root);
		json_decref(configs);
		return -1;
	}
	r |= put(root, "schema", json_string(ES_BENCH_SCHEMA));
	r |= put(root, "cpu", json_string(b->cpu));
	r |= put(root, "emulator", json_string(b->emulator));
	r |= put(root, "l1_kernel", json_string(b->l1_kernel));
	r |= put(root, "kernel", json_string(b->kver));
	r |= put(root, "unit", json_string(cycles ? "TSC ticks per operation" :
					   "emulated TSC ticks per operation"));
	r |= put(root, "clock", json_string(clock_of(b)));
	r |= put(root, "rounds", json_integer(b->rounds ? b->rounds : 1));
	for (i = 0; i < b->nruns && !r; i++) {
		const struct es_bench_run *run = &b->runs[i];
		json_t *c, *list;

		if (!first_of_group(b, run))
			continue;	/* its rounds are in the first's figures */
		c = json_object();
		list = json_array();
		if (!c || !list) {
			json_decref(c);
			json_decref(list);
			r = -1;
			break;
		}
		r |= put(c, "name", json_string(run->config));
		r |= put(c, "kind", json_string(es_bench_kind(run->config)));
		r |= put(c, "cpu", json_string(b->cpu));
		r |= put(c, "vcpus", json_integer(run->vcpus));
		r |= put(c, "rounds", json_integer(rounds_of(b, run)));
		r |= put(c, "kvm_exits", json_integer((json_int_t)run->kvm_exits));
		if (cycles)
			r |= put_perf(c, b, run);
		r |= put_peer(c, b, run);
		if (run->failed[0])
			r |= put(c, "failed", json_string(run->failed));
		for (j = 0; j < run->ncases && !r; j++) {
			json_t *o = json_object();

			if (!o) {
				r = -1;
				break;
			}
			r |= put_case(o, b, run, &run->cases[j]);
			r |= json_array_append_new(list, o);
		}
		r |= put(c, "benchmarks", list);
		r |= json_array_append_new(configs, c);
	}
	r |= put(root, "configs", configs);
	if (!r && (json_dumpf(root, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER) || fputc('\n', out) == EOF))
		r = -1;
	json_decref(root);
	return r ? -1 : 0;
}

/*
 * bench-info.txt: what the sitting was, key=value a line: cpu, l1_kernel,
 * configs (comma-separated, in order), vcpus (likewise) and tracer_vcpus
 * (the vCPU counts of the tracing configurations) from L1; emulator, kver
 * from the host.
 */
int es_bench_parse_info(const char *name, const char *buf, size_t len, struct es_bench *b,
			char *configs, size_t clen, char *vcpus, size_t vlen,
			char *tracer_vcpus, size_t tlen, struct es_err *e)
{
	static const char *const keys[] = { "cpu", "l1_kernel", "configs", "vcpus", "emulator",
					    "kver", "tracer_vcpus", "clock", "rounds" };
	enum { NKEYS = sizeof(keys) / sizeof(keys[0]), NREQUIRED = NKEYS - 2 };
	char rounds[8] = "1";
	uint64_t nr;
	bool seen[NKEYS] = { false };
	struct es_lines it;
	struct es_str s, k, v;
	const char *eq;
	size_t i;
	int r;

	es_lines_init(&it, name, buf, len, 1024, 16, ES_LINES_ASCII);
	while ((r = es_lines_next(&it, &s, e)) > 0) {
		char *dst[NKEYS] = { b->cpu, b->l1_kernel, configs, vcpus, b->emulator, b->kver,
				     tracer_vcpus, b->clock, rounds };
		size_t dlen[NKEYS] = { sizeof(b->cpu), sizeof(b->l1_kernel), clen, vlen,
				       sizeof(b->emulator), sizeof(b->kver), tlen, sizeof(b->clock),
				       sizeof(rounds) };

		if (!(eq = memchr(s.p, '=', s.n)))
			return es_lines_err(&it, e, "not 'key=value'");
		k = (struct es_str){ s.p, (size_t)(eq - s.p) };
		v = (struct es_str){ eq + 1, s.n - k.n - 1 };
		for (i = 0; i < NKEYS && !es_str_eq(k, keys[i]); i++)
			;
		if (i == NKEYS)
			return es_lines_err(&it, e, "unknown key '%.*s'", (int)k.n, k.p);
		if (seen[i])
			return es_lines_err(&it, e, "%s given twice", keys[i]);
		seen[i] = true;
		if (!es_str_copy(v, dst[i], dlen[i]))
			return es_lines_err(&it, e, "%s: longer than %zu bytes", keys[i], dlen[i] - 1);
	}
	if (r < 0)
		return -1;
	for (i = 0; i < NREQUIRED; i++)
		if (!seen[i])
			return es_errf(e, "%s: no %s line", name, keys[i]);
	if (strcmp(b->cpu, "amd") && strcmp(b->cpu, "intel"))
		return es_errf(e, "%s: cpu '%s' (amd or intel)", name, b->cpu);
	if (!seen[7])
		strcpy(b->clock, "icount");
	else if (strcmp(b->clock, "icount") && strcmp(b->clock, "cycles"))
		return es_errf(e, "%s: clock '%s' (icount or cycles)", name, b->clock);
	if (es_num_parse(rounds, strlen(rounds), ES_NUM_DEC, 1, ES_BENCH_MAX_ROUNDS, &nr) != ES_NUM_OK)
		return es_errf(e, "%s: rounds '%s' (1 to %d)", name, rounds, ES_BENCH_MAX_ROUNDS);
	b->rounds = (unsigned int)nr;
	return 0;
}

/* The VMM's cycles and instructions per exit (make bench-host), where perf counted them. */
static void write_perf_table(FILE *out, const struct es_bench *b)
{
	struct es_bench_perf_agg cy, in;
	char a[64], ins[32];
	size_t i;

	fprintf(out, "\n%-20s %5s %14s %14s %30s\n", "config", "vCPUs", "cycles/exit",
		"instr./exit", "added cycles/exit (range)");
	for (i = 0; i < b->nruns; i++) {
		const struct es_bench_run *run = &b->runs[i];

		if (!first_of_group(b, run) || run->failed[0])
			continue;
		if (!es_bench_agg_perf(b, run, false, &cy)) {
			fprintf(out, "%-20s %5u %14s\n", run->config, run->vcpus,
				!run->perf.has_cycles ? "not counted" : "no KVM exits");
			continue;
		}
		a[0] = 0;
		if (cy.pairs && strcmp(run->config, "stock"))
			snprintf(a, sizeof(a), "%+.0f (%+.0f..%+.0f)", cy.added, cy.added_lo, cy.added_hi);
		if (es_bench_agg_perf(b, run, true, &in))
			snprintf(ins, sizeof(ins), "%.0f", in.per_exit);
		else
			snprintf(ins, sizeof(ins), "not counted");
		fprintf(out, "%-20s %5u %14.0f %14s %30s\n", run->config, run->vcpus, cy.per_exit,
			ins, a);
	}
}

/* The peers' own CPU, apart from what they add to each exit in the kernel. */
static void write_peer_table(FILE *out, const struct es_bench *b)
{
	struct es_bench_peer_agg p;
	bool header = false;
	char per[32];
	size_t i;

	for (i = 0; i < b->nruns; i++) {
		const struct es_bench_run *run = &b->runs[i];

		if (!first_of_group(b, run) || !es_bench_agg_peer(b, run, &p))
			continue;
		if (!header)
			fprintf(out, "\n%-20s %5s %16s %22s\n", "peer's own CPU", "vCPUs",
				"while VMs ran", "per exit of its VMs");
		header = true;
		if (p.has_per_exit)
			snprintf(per, sizeof(per), "%.0f ns", p.per_exit_ns);
		else
			snprintf(per, sizeof(per), "no KVM exits");
		fprintf(out, "%-20s %5u %13.1f ms %22s\n", run->config, run->vcpus,
			(double)p.cpu_ns / 1e6, per);
	}
}

void es_bench_write_table(FILE *out, const struct es_bench *b)
{
	bool ranges = b->rounds > 1;
	size_t i, j;

	fprintf(out, "%-12s %5s %-20s %12s %12s %12s %20s %9s%s\n", "benchmark", "vCPUs", "config",
		"per op", "min", "max", "added (of stock)", "x counts",
		ranges ? "  added: range over rounds" : "");
	for (i = 0; i < b->nruns; i++) {
		const struct es_bench_run *run = &b->runs[i];
		const struct es_bench_run *counts = first_run(b, "exitscope-counts", run);
		const struct es_bench_run *stock = first_run(b, "stock", run);

		if (!first_of_group(b, run))
			continue;
		if (run->failed[0])
			fprintf(out, "%-12s %5u %-20s could not run: %s\n", "(all)", run->vcpus,
				run->config, run->failed);
		for (j = 0; j < run->ncases; j++) {
			const struct es_bench_case *bc = &run->cases[j];
			struct es_bench_agg ag, ac, as;
			char a[32] = "", x[32] = "", rg[48] = "";
			int64_t added;

			if (bc->skipped || bc->failed || !es_bench_agg_case(b, run, bc->name, &ag)) {
				fprintf(out, "%-12s %5u %-20s %s\n", bc->name, run->vcpus, run->config, bc->why);
				continue;
			}
			if (strcmp(run->config, "stock") && ag.pairs) {
				/* No more digits than the rounds' spread supports. */
				added = es_bench_round_spread(ag.added, (uint64_t)(ag.added_hi - ag.added_lo));
				/* A rounded figure outside what was measured would mislead: keep it. */
				if (added < ag.added_lo || added > ag.added_hi)
					added = ag.added;
				snprintf(a, sizeof(a), "%+" PRId64 " (%.2f%%)", added,
					 stock && es_bench_agg_case(b, stock, bc->name, &as) && as.per_op ?
					 100.0 * (double)ag.added / (double)as.per_op : 0.0);
				if (ranges)
					snprintf(rg, sizeof(rg), "  %+" PRId64 "..%+" PRId64 " (%u)",
						 ag.added_lo, ag.added_hi, ag.pairs);
				if (es_bench_traces(run->config) && counts &&
				    es_bench_agg_case(b, counts, bc->name, &ac) && ac.pairs && ac.added > 0)
					snprintf(x, sizeof(x), "%.0fx", (double)ag.added / (double)ac.added);
			}
			fprintf(out, "%-12s %5u %-20s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %20s %9s%s\n",
				bc->name, run->vcpus, run->config, ag.per_op, ag.min, ag.max, a, x, rg);
		}
	}
	if (!strcmp(clock_of(b), "cycles"))
		write_perf_table(out, b);
	write_peer_table(out, b);
}
