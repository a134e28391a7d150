// SPDX-License-Identifier: GPL-2.0-only
/*
 * results.json (docs/json.md, exitscope.lab/2) with jansson, both ways.
 * Reading is as strict as writing: every key known, every number an
 * unsigned 64-bit figure below 2^63, figures present exactly where the
 * run's sources say, strings UTF-8 (jansson checks) and within their sizes.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "json/record_json.h"
#include "json/detail_json.h"
#include "json/results_json.h"

/* ---- writing ---- */

static int put(json_t *obj, const char *key, json_t *v)
{
	return v ? json_object_set_new(obj, key, v) : -1;
}

static json_t *fig(uint64_t v)
{
	return v > ES_FIG_MAX ? NULL : json_integer((json_int_t)v);
}

static json_t *verdict_json(const struct es_verdict *v)
{
	json_t *o = json_object(), *a = json_array();
	size_t i;

	if (!o || !a || put(o, "ok", json_boolean(v->n == 0)) || put(o, "failures", a)) {
		json_decref(o);
		return NULL;
	}
	for (i = 0; i < v->n; i++)
		if (json_array_append_new(a, json_string(v->why[i]))) {
			json_decref(o);
			return NULL;
		}
	return o;
}

/* count, the time figures the run has, the other sources' counts. */
static int figs_json(json_t *o, const struct es_run *run, const struct es_figs *f,
		     uint64_t tp, uint64_t q, uint64_t col)
{
	size_t k, nk = run->sources & ES_SRC_TIMES ? ES_NR_TIMES : 1;
	int r = put(o, "count", fig(f->count));

	for (k = 0; k < nk; k++)
		r |= put(o, es_time_names[k], fig(f->t[k]));
	if (run->sources & ES_SRC_TRACEPOINT)
		r |= put(o, "tracepoint_count", fig(tp));
	if (run->sources & ES_SRC_QUERY)
		r |= put(o, "query_count", fig(q));
	if (run->sources & ES_SRC_COLLECTOR)
		r |= put(o, "collector_count", fig(col));
	return r;
}

static json_t *run_json(const struct es_record *rec, const struct es_run *run)
{
	json_t *o = json_object(), *total = json_object(), *reasons = json_array(), *kvm;
	size_t i;
	int r;

	r = put(o, "paging", json_string(run->mode));
	r |= put(o, "run", json_integer(run->index));
	r |= put(o, "workload", json_string(rec->meta.workload));
	r |= put(o, "l2_exit_status", json_integer(run->vmm_status));
	r |= put(o, "accounting", json_string(run->accounting));
	r |= put(o, "verdict", verdict_json(&run->verdict));
	r |= put(o, "total", total);
	r |= figs_json(total, run, &run->total, run->total_tracepoint, run->total_query,
		       run->total_collector);
	if (run->sources & ES_SRC_QUERY)
		r |= put(total, "query_exits", fig(run->query_exits));
	if (run->sources & ES_SRC_KVM) {
		r |= put(total, "kvm_exits", fig(run->kvm_exits));
		r |= put(o, "kvm_stats", kvm = json_object());
		for (i = 0; !r && i < run->nkvm; i++)
			r |= put(kvm, run->kvm[i].name, fig(run->kvm[i].value));
	}
	/* The collector's drill-down, below the reasons it counted. */
	if (run->sources & ES_SRC_DETAIL) {
		r |= put(o, "detail", json_true());
		r |= put(o, "memslots", es_memslots_json(run));
	}
	r |= put(o, "reasons", reasons);
	for (i = 0; !r && i < run->nrows; i++) {
		const struct es_row *row = &run->rows[i];
		json_t *ro = json_object();

		r |= json_array_append_new(reasons, ro);
		r |= put(ro, "reason", row->code == ES_CODE_OTHER ? json_null() :
			 json_integer(row->code));
		r |= put(ro, "name", json_string(row->name));
		r |= figs_json(ro, run, &row->f, row->tracepoint_count, row->query_count,
			       row->collector_count);
		if (run->sources & ES_SRC_DETAIL)
			r |= put(ro, "detail", es_detail_json(run, row->code, row->collector_count));
	}
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *record_json(const struct es_record *rec)
{
	const struct es_meta *m = &rec->meta;
	json_t *o = json_object(), *modes = json_array(), *runs = json_array();
	size_t i;
	int r;

	r = put(o, "schema", json_string(ES_RESULTS_SCHEMA));
	r |= put(o, "source", json_string(m->source));
	r |= put(o, "cpu", json_string(es_cpu_name(m->vendor)));
	r |= put(o, "isa", json_string(es_isa_name(m->vendor)));
	r |= put(o, "workload", json_string(m->workload));
	r |= put(o, "runs_per_mode", json_integer(m->runs));
	r |= put(o, "rounds", json_integer(m->rounds));
	r |= put(o, "l2_cpus", json_integer(m->l2_cpus));
	r |= put(o, "kernel", json_string(m->kver));
	r |= put(o, "modules", json_string(*m->modules ? m->modules : "exitscope"));
	r |= put(o, "l1_kernel", json_string(m->l1_kernel));
	r |= put(o, "l2_cmdline", json_string(m->l2_cmdline));
	r |= put(o, "l1_extra_status", m->l1_extra ? json_integer(m->l1_extra_status) : json_null());
	r |= put(o, "paging_parameter", json_string(m->knob));
	r |= put(o, "modes", modes);
	for (i = 0; !r && i < m->nmodes; i++)
		r |= json_array_append_new(modes, json_pack("{s:s, s:b, s:s}", "paging",
				m->modes[i].name, "nested", m->modes[i].nested,
				"parameter", m->modes[i].param));
	r |= put(o, "verdict", verdict_json(&rec->verdict));
	r |= put(o, "runs", runs);
	for (i = 0; !r && i < rec->nruns; i++)
		r |= json_array_append_new(runs, run_json(rec, &rec->runs[i]));
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int es_write_json(FILE *out, const struct es_record *r)
{
	json_t *root;
	int ret;

	if (es_meta_is_record(&r->meta))
		return es_write_record_json(out, r);
	root = record_json(r);
	/* A string that is not UTF-8 makes json_string() fail: caught here. */
	if (!root)
		return -1;
	ret = json_dumpf(root, out, JSON_COMPACT);
	json_decref(root);
	if (!ret && fputc('\n', out) == EOF)
		ret = -1;
	return ret ? -1 : 0;
}

/* ---- reading ---- */

struct rd {
	const char *name;
	struct es_err *e;
	char where[96];
};

static int bad(struct rd *rd, const char *fmt, const char *detail)
{
	char why[512];

	snprintf(why, sizeof(why), fmt, detail ? detail : "");
	return es_errf(rd->e, "%s: %s%s%s", rd->name, rd->where, rd->where[0] ? ": " : "", why);
}

static int get_fig(struct rd *rd, json_t *v, const char *key, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		char msg[96];

		snprintf(msg, sizeof(msg), "%s is not a number 0 to 2^63-1", key);
		return bad(rd, "%s", msg);
	}
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int get_str(struct rd *rd, json_t *v, const char *key, char *buf, size_t len)
{
	char msg[96];

	if (json_is_string(v) && json_string_length(v) < len &&
	    !memchr(json_string_value(v), '\0', json_string_length(v))) {
		memcpy(buf, json_string_value(v), json_string_length(v) + 1);
		return 0;
	}
	snprintf(msg, sizeof(msg), "%s is not a string of at most %zu bytes", key, len - 1);
	return bad(rd, "%s", msg);
}

static bool label(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '-'))
			return false;
	return i > 0;
}

static int read_verdict(struct rd *rd, json_t *v, struct es_verdict *out)
{
	json_t *failures, *s;
	json_error_t je;
	int ok;
	size_t i;

	if (json_unpack_ex(v, &je, JSON_STRICT, "{s:b, s:o}", "ok", &ok, "failures", &failures) ||
	    !json_is_array(failures))
		return bad(rd, "verdict is not {ok, failures[]}%s", NULL);
	json_array_foreach(failures, i, s) {
		if (!json_is_string(s) || json_string_length(s) > 4096)
			return bad(rd, "verdict failures are not strings%s", NULL);
		if (!es_verdict_add(out, "%s", json_string_value(s)))
			return bad(rd, "out of memory%s", NULL);
	}
	if (ok != (out->n == 0))
		return bad(rd, "verdict: ok is %s", ok ? "true, with failures" : "false, without failures");
	return 0;
}

/* The figures of a total or a row, as the run's sources say they must be. */
static int read_figs(struct rd *rd, json_t *o, unsigned int sources, struct es_figs *f,
		     uint64_t *tp, uint64_t *q, uint64_t *col)
{
	size_t k, nk = sources & ES_SRC_TIMES ? ES_NR_TIMES : 1;
	json_t *v;

	if (get_fig(rd, json_object_get(o, "count"), "count", &f->count))
		return -1;
	for (k = 0; k < ES_NR_TIMES; k++) {
		v = json_object_get(o, es_time_names[k]);
		if ((k < nk) != !!v)
			return bad(rd, k < nk ? "%s missing" : "%s given, but not in the total",
				   es_time_names[k]);
		if (v && get_fig(rd, v, es_time_names[k], &f->t[k]))
			return -1;
	}
	v = json_object_get(o, "tracepoint_count");
	if (!!v != !!(sources & ES_SRC_TRACEPOINT))
		return bad(rd, "tracepoint_count %s", v ? "given, but not in the total" : "missing");
	if (v && get_fig(rd, v, "tracepoint_count", tp))
		return -1;
	v = json_object_get(o, "query_count");
	if (!!v != !!(sources & ES_SRC_QUERY))
		return bad(rd, "query_count %s", v ? "given, but not in the total" : "missing");
	if (v && get_fig(rd, v, "query_count", q))
		return -1;
	v = json_object_get(o, "collector_count");
	if (!!v != !!(sources & ES_SRC_COLLECTOR))
		return bad(rd, "collector_count %s", v ? "given, but not in the total" : "missing");
	if (v && get_fig(rd, v, "collector_count", col))
		return -1;
	return 0;
}

/* Keys of @o that are none of @known. */
static int unknown_keys(struct rd *rd, json_t *o, const char *const *known)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(o, key, v) {
		for (i = 0; known[i] && strcmp(known[i], key); i++)
			;
		if (!known[i])
			return bad(rd, "unknown key '%s'", key);
	}
	return 0;
}

/* A reason's drill-down, present exactly where its run has one. */
static int read_detail(struct rd *rd, json_t *a, struct es_run *run, const struct es_row *row)
{
	char why[160], at[48];
	size_t n;

	if (!!a != !!(run->sources & ES_SRC_DETAIL))
		return bad(rd, "detail %s", a ? "given, but the run has no detail: true" : "missing");
	if (!a)
		return 0;
	n = strlen(rd->where);
	if (!es_detail_read_json(a, run, row->code, row->collector_count, why, sizeof(why),
				 at, sizeof(at)))
		return 0;
	snprintf(rd->where + n, sizeof(rd->where) - n, ".detail%s", at);
	return bad(rd, "%s", why);
}

static int read_run(struct rd *rd, json_t *o, struct es_record *rec, struct es_run *run,
		    size_t idx)
{
	static const char *const run_keys[] = { "paging", "run", "workload", "l2_exit_status",
		"accounting", "verdict", "total", "kvm_stats", "detail", "memslots", "reasons", NULL };
	static const char *const total_keys[] = { "count", "cycles", "halted", "vmm",
		"preempted", "sleep", "tracepoint_count", "query_count", "query_exits",
		"kvm_exits", "collector_count", NULL };
	static const char *const row_keys[] = { "reason", "name", "count", "cycles", "halted",
		"vmm", "preempted", "sleep", "tracepoint_count", "query_count", "collector_count",
		"detail", NULL };
	json_t *total, *reasons, *kvm, *v;
	char workload[64];
	const char *key;
	uint64_t x;
	size_t i;

	snprintf(rd->where, sizeof(rd->where), "runs[%zu]", idx);
	if (!json_is_object(o) || unknown_keys(rd, o, run_keys))
		return json_is_object(o) ? -1 : bad(rd, "not an object%s", NULL);
	if (get_str(rd, json_object_get(o, "paging"), "paging", run->mode, sizeof(run->mode)) ||
	    get_fig(rd, json_object_get(o, "run"), "run", &x))
		return -1;
	if (!label(run->mode) || !x || x > ES_MAX_RUNS)
		return bad(rd, "paging is no mode name, or run not 1 to 64%s", NULL);
	run->index = (unsigned int)x;
	if (get_str(rd, json_object_get(o, "workload"), "workload", workload, sizeof(workload)) ||
	    get_fig(rd, json_object_get(o, "l2_exit_status"), "l2_exit_status", &x))
		return -1;
	if (strcmp(workload, rec->meta.workload) || x > 255)
		return bad(rd, "workload differs from the record's, or l2_exit_status is over 255%s", NULL);
	run->vmm_status = (int)x;
	if (get_str(rd, json_object_get(o, "accounting"), "accounting", run->accounting,
		    sizeof(run->accounting)) ||
	    read_verdict(rd, json_object_get(o, "verdict"), &run->verdict))
		return -1;
	total = json_object_get(o, "total");
	reasons = json_object_get(o, "reasons");
	kvm = json_object_get(o, "kvm_stats");
	if (!json_is_object(total) || !json_is_array(reasons) || (kvm && !json_is_object(kvm)))
		return bad(rd, "total, reasons or kvm_stats missing or of the wrong type%s", NULL);
	if (unknown_keys(rd, total, total_keys))
		return -1;
	/* The total's keys say which sources the run has. */
	run->sources = ES_SRC_STATS;
	if (json_object_get(total, "halted"))
		run->sources |= ES_SRC_TIMES;
	if (json_object_get(total, "tracepoint_count"))
		run->sources |= ES_SRC_TRACEPOINT;
	if (json_object_get(total, "query_count"))
		run->sources |= ES_SRC_QUERY;
	if (json_object_get(total, "kvm_exits"))
		run->sources |= ES_SRC_KVM;
	if (json_object_get(total, "collector_count"))
		run->sources |= ES_SRC_COLLECTOR;
	if (!!kvm != !!(run->sources & ES_SRC_KVM) ||
	    !!json_object_get(total, "query_exits") != !!(run->sources & ES_SRC_QUERY))
		return bad(rd, "kvm_stats and total.kvm_exits, or query_count and query_exits, come together%s", NULL);
	/* Added to exitscope.lab/2 later: absent, no drill-down. */
	v = json_object_get(o, "detail");
	if (v && (!json_is_true(v) || !(run->sources & ES_SRC_COLLECTOR)))
		return bad(rd, "detail is not true, or given without the collector's counts%s", NULL);
	if (v)
		run->sources |= ES_SRC_DETAIL;
	/* Added later still: optional with the drill-down, refused without. */
	v = json_object_get(o, "memslots");
	if (v && !(run->sources & ES_SRC_DETAIL))
		return bad(rd, "memslots given without detail: true%s", NULL);
	if (v) {
		char why[160], at[24];

		if (es_memslots_read_json(v, run, why, sizeof(why), at, sizeof(at))) {
			snprintf(rd->where, sizeof(rd->where), "runs[%zu].memslots%s", idx, at);
			return bad(rd, "%s", why);
		}
	}
	snprintf(rd->where, sizeof(rd->where), "runs[%zu].total", idx);
	if (read_figs(rd, total, run->sources, &run->total, &run->total_tracepoint,
		      &run->total_query, &run->total_collector))
		return -1;
	if (run->sources & ES_SRC_QUERY &&
	    get_fig(rd, json_object_get(total, "query_exits"), "query_exits", &run->query_exits))
		return -1;
	if (run->sources & ES_SRC_KVM) {
		if (get_fig(rd, json_object_get(total, "kvm_exits"), "kvm_exits", &run->kvm_exits))
			return -1;
		snprintf(rd->where, sizeof(rd->where), "runs[%zu].kvm_stats", idx);
		if (json_object_size(kvm) > 512)
			return bad(rd, "more than 512 statistics%s", NULL);
		run->kvm = calloc(json_object_size(kvm) + 1, sizeof(*run->kvm));
		if (!run->kvm)
			return bad(rd, "out of memory%s", NULL);
		json_object_foreach(kvm, key, v) {
			struct es_stat *st = &run->kvm[run->nkvm];

			if (!label(key) || strlen(key) >= sizeof(st->name))
				return bad(rd, "'%s' is no statistic's name", key);
			strcpy(st->name, key);
			if (get_fig(rd, v, key, &st->value))
				return -1;
			run->nkvm++;
		}
		if (!es_run_kvm_stat(run, "exits") ||
		    es_run_kvm_stat(run, "exits")->value != run->kvm_exits)
			return bad(rd, "kvm_stats.exits is not total.kvm_exits%s", NULL);
	}
	if (json_array_size(reasons) > ES_MAX_ROWS)
		return bad(rd, "more than 1024 reasons%s", NULL);
	json_array_foreach(reasons, i, v) {
		char name[ES_NAME_MAX + 1];
		struct es_row *row;
		json_t *code;
		uint64_t c;

		snprintf(rd->where, sizeof(rd->where), "runs[%zu].reasons[%zu]", idx, i);
		if (!json_is_object(v) || unknown_keys(rd, v, row_keys))
			return json_is_object(v) ? -1 : bad(rd, "not an object%s", NULL);
		code = json_object_get(v, "reason");
		if (json_is_null(code)) {
			c = ES_CODE_OTHER;
		} else if (get_fig(rd, code, "reason", &c) || c > UINT32_MAX || c == ES_CODE_OTHER) {
			return bad(rd, "reason is not null or a code 0 to 2^32-1 (not 0xfffffffe)%s", NULL);
		}
		if (get_str(rd, json_object_get(v, "name"), "name", name, sizeof(name)))
			return -1;
		if (!name[0] || es_run_find(run, (uint32_t)c))
			return bad(rd, "an empty name, or a reason listed twice%s", NULL);
		row = es_run_row(run, (uint32_t)c, name);
		if (!row)
			return bad(rd, "out of memory%s", NULL);
		if (read_figs(rd, v, run->sources, &row->f, &row->tracepoint_count, &row->query_count,
			      &row->collector_count) ||
		    read_detail(rd, json_object_get(v, "detail"), run, row))
			return -1;
	}
	rd->where[0] = '\0';
	es_run_sort(run);
	es_detail_sort(run->details, run->ndetails);
	return 0;
}

static int read_meta(struct rd *rd, json_t *root, struct es_meta *m)
{
	static const char *const keys[] = { "schema", "source", "cpu", "isa", "workload",
		"runs_per_mode", "rounds", "l2_cpus", "kernel", "modules", "l1_kernel", "l2_cmdline",
		"l1_extra_status", "paging_parameter", "modes", "verdict", "runs", NULL };
	char cpu[8], isa[8], schema[32];
	json_t *modes, *v;
	json_error_t je;
	uint64_t x[3];
	size_t i;

	if (unknown_keys(rd, root, keys))
		return -1;
	if (get_str(rd, json_object_get(root, "schema"), "schema", schema, sizeof(schema)))
		return -1;
	if (strcmp(schema, ES_RESULTS_SCHEMA))
		return bad(rd, "schema '%s', not " ES_RESULTS_SCHEMA " (results of another exitscope version: run `exitscope report DIR` on the results directory again)",
			   schema);
	if (get_str(rd, json_object_get(root, "source"), "source", m->source, sizeof(m->source)) ||
	    get_str(rd, json_object_get(root, "cpu"), "cpu", cpu, sizeof(cpu)) ||
	    get_str(rd, json_object_get(root, "isa"), "isa", isa, sizeof(isa)) ||
	    get_str(rd, json_object_get(root, "workload"), "workload", m->workload, sizeof(m->workload)) ||
	    get_fig(rd, json_object_get(root, "runs_per_mode"), "runs_per_mode", &x[0]) ||
	    get_fig(rd, json_object_get(root, "rounds"), "rounds", &x[1]) ||
	    get_fig(rd, json_object_get(root, "l2_cpus"), "l2_cpus", &x[2]) ||
	    get_str(rd, json_object_get(root, "kernel"), "kernel", m->kver, sizeof(m->kver)) ||
	    /* Added to exitscope.lab/2 later: absent means exitscope's. */
	    (json_object_get(root, "modules") &&
	     get_str(rd, json_object_get(root, "modules"), "modules", m->modules, sizeof(m->modules))) ||
	    get_str(rd, json_object_get(root, "l1_kernel"), "l1_kernel", m->l1_kernel, sizeof(m->l1_kernel)) ||
	    get_str(rd, json_object_get(root, "l2_cmdline"), "l2_cmdline", m->l2_cmdline, sizeof(m->l2_cmdline)) ||
	    get_str(rd, json_object_get(root, "paging_parameter"), "paging_parameter", m->knob, sizeof(m->knob)))
		return -1;
	if (!json_object_get(root, "modules"))
		snprintf(m->modules, sizeof(m->modules), "exitscope");
	/* Added to exitscope.lab/2 later too: absent or null, no script ran. */
	v = json_object_get(root, "l1_extra_status");
	if (v && !json_is_null(v)) {
		uint64_t status;

		if (get_fig(rd, v, "l1_extra_status", &status))
			return -1;
		if (status > 255)
			return bad(rd, "l1_extra_status is no exit status (0-255)%s", NULL);
		m->l1_extra = true;
		m->l1_extra_status = (unsigned int)status;
	}
	if (strcmp(m->modules, "exitscope") && strcmp(m->modules, "stock"))
		return bad(rd, "modules is neither exitscope nor stock%s", NULL);
	if (!strcmp(cpu, "intel") && !strcmp(isa, "vmx"))
		m->vendor = ES_INTEL;
	else if (!strcmp(cpu, "amd") && !strcmp(isa, "svm"))
		m->vendor = ES_AMD;
	else
		return bad(rd, "cpu and isa are not intel/vmx or amd/svm%s", NULL);
	if (x[0] > ES_MAX_RUNS || x[1] > 1000000 || x[2] > 64)
		return bad(rd, "runs_per_mode, rounds or l2_cpus out of range%s", NULL);
	m->runs = (unsigned int)x[0];
	m->rounds = (unsigned int)x[1];
	m->l2_cpus = (unsigned int)x[2];
	modes = json_object_get(root, "modes");
	if (!json_is_array(modes) || json_array_size(modes) > ES_MAX_MODES)
		return bad(rd, "modes is not an array of at most 4%s", NULL);
	json_array_foreach(modes, i, v) {
		const char *name, *param;
		int nested;

		snprintf(rd->where, sizeof(rd->where), "modes[%zu]", i);
		if (json_unpack_ex(v, &je, JSON_STRICT, "{s:s, s:b, s:s}", "paging", &name,
				   "nested", &nested, "parameter", &param))
			return bad(rd, "%s", je.text);
		if (strlen(name) >= sizeof(m->modes[i].name) || !label(name) ||
		    strlen(param) >= sizeof(m->modes[i].param) || es_meta_mode(m, name))
			return bad(rd, "paging or parameter too long, not a word, or twice%s", NULL);
		strcpy(m->modes[i].name, name);
		strcpy(m->modes[i].param, param);
		m->modes[i].nested = nested;
		m->nmodes++;
	}
	rd->where[0] = '\0';
	return 0;
}

int es_read_json(const char *name, const char *buf, size_t len, struct es_record *r,
		 struct es_err *e)
{
	struct rd rd = { .name = name, .e = e };
	json_error_t je;
	json_t *root, *runs, *v;
	size_t i;

	es_record_init(r);
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return es_errf(e, "%s:%d:%d: not JSON: %s", name, je.line, je.column, je.text);
	/* A record of `exitscope record` has a reader of its own. */
	v = json_object_get(root, "schema");
	if (json_is_string(v) && !strcmp(json_string_value(v), ES_RECORD_SCHEMA)) {
		json_decref(root);
		return es_read_record_json(name, buf, len, r, e);
	}
	if (!json_is_object(root)) {
		bad(&rd, "not an exitscope results document%s", NULL);
		goto fail;
	}
	if (read_meta(&rd, root, &r->meta) ||
	    read_verdict(&rd, json_object_get(root, "verdict"), &r->verdict))
		goto fail;
	runs = json_object_get(root, "runs");
	if (!json_is_array(runs) || json_array_size(runs) > ES_MAX_RUNS) {
		bad(&rd, "runs is not an array of at most 64%s", NULL);
		goto fail;
	}
	json_array_foreach(runs, i, v) {
		struct es_run *run = es_record_add_run(r);

		if (!run) {
			bad(&rd, "out of memory%s", NULL);
			goto fail;
		}
		if (read_run(&rd, v, r, run, i))
			goto fail;
		for (size_t j = 0; j + 1 < r->nruns; j++)
			if (!strcmp(r->runs[j].mode, run->mode) && r->runs[j].index == run->index) {
				snprintf(rd.where, sizeof(rd.where), "runs[%zu]", i);
				bad(&rd, "the same paging mode and run number as an earlier run%s", NULL);
				goto fail;
			}
	}
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	es_record_free(r);
	return -1;
}
