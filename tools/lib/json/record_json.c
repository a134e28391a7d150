// SPDX-License-Identifier: GPL-2.0-only
/*
 * A record of `exitscope record` as JSON, exitscope.record/1
 * (docs/collector.md), with jansson, both ways. The reader is as strict as
 * results_json.c's: every key known, figures where the record's source
 * says they are, percentiles equal to what the histogram gives.
 */
#include <jansson.h>
#include <string.h>

#include "json/detail_json.h"
#include "json/record_json.h"
#include "model/record.h"

static const double pcts[] = { 50, 90, 99 };
static const char *const pct_keys[] = { "p50_ns", "p90_ns", "p99_ns" };

/* ---- writing ---- */

static int put(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

static json_t *fig(uint64_t v)
{
	return v > ES_FIG_MAX ? NULL : json_integer((json_int_t)v);
}

static int figs(json_t *o, unsigned int sources, const struct es_figs *f)
{
	int r = put(o, "count", fig(f->count));

	if (sources & ES_SRC_STATS)
		r |= put(o, "cycles", fig(f->t[ES_CYCLES]));
	if (sources & ES_SRC_NS)
		r |= put(o, "time_ns", fig(f->ns));
	return r;
}

static json_t *reasons_json(const struct es_run *run, bool detail)
{
	json_t *a = json_array();
	size_t i, k;
	int r = !a;

	for (i = 0; !r && i < run->nrows; i++) {
		const struct es_row *row = &run->rows[i];
		json_t *o = json_object(), *h;
		uint64_t p;

		r |= json_array_append_new(a, o);
		r |= put(o, "reason", row->code == ES_CODE_OTHER ? json_null() :
			 json_integer(row->code));
		r |= put(o, "name", json_string(row->name));
		r |= figs(o, run->sources, &row->f);
		if (detail)
			r |= put(o, "detail", es_detail_json(run, row->code, row->f.count));
		if (!(run->sources & ES_SRC_NS))
			continue;
		for (k = 0; k < 3; k++)
			if (es_hist_percentile(row->hist, pcts[k], &p))
				r |= put(o, pct_keys[k], fig(p));
		r |= put(o, "hist", h = json_array());
		for (k = 0; !r && k < ES_HIST_BUCKETS; k++)
			r |= json_array_append_new(h, fig(row->hist[k]));
	}
	if (r) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *vm_json(const struct es_run *run)
{
	json_t *o = json_object(), *t = json_object(), *v;
	size_t i;
	int r = !o || !t;

	r |= put(o, "pid", json_integer(run->pid));
	r |= put(o, "comm", json_string(run->comm));
	if (run->vm[0])
		r |= put(o, "vm", json_string(run->vm));
	r |= put(o, "verdict", json_pack("{s:b, s:[]}", "ok", run->verdict.n == 0, "failures"));
	for (i = 0; !r && i < run->verdict.n; i++)
		r |= json_array_append_new(json_object_get(json_object_get(o, "verdict"), "failures"),
					   json_string(run->verdict.why[i]));
	r |= put(o, "total", t);
	r |= figs(t, run->sources, &run->total);
	r |= put(o, "reasons", reasons_json(run, run->sources & ES_SRC_DETAIL));
	if (run->sources & ES_SRC_DETAIL)
		r |= put(o, "memslots", es_memslots_json(run));
	if (run->nvcpus) {
		r |= put(o, "vcpus", v = json_array());
		for (i = 0; !r && i < run->nvcpus; i++) {
			const struct es_run *c = &run->vcpus[i];
			json_t *co = json_object(), *ct = json_object();

			r |= json_array_append_new(v, co);
			r |= put(co, "vcpu", json_integer(c->index));
			r |= put(co, "total", ct);
			r |= figs(ct, c->sources, &c->total);
			r |= put(co, "reasons", reasons_json(c, false));
		}
	}
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int es_write_record_json(FILE *out, const struct es_record *rec)
{
	const struct es_meta *m = &rec->meta;
	json_t *o = json_object(), *h = json_object(), *vms = json_array(), *fl;
	const char *label = rec->meta.label[0] ? rec->meta.label : "record";
	size_t i;
	int r = !o || !h || !vms, ret;

	r |= put(o, "schema", json_string(ES_RECORD_SCHEMA));
	r |= put(o, "source", json_string(m->source));
	if (m->attach[0])
		r |= put(o, "attach", json_string(m->attach));
	r |= put(o, "label", json_string(label));
	r |= put(o, "cpu", json_string(es_cpu_name(m->vendor)));
	r |= put(o, "isa", json_string(es_isa_name(m->vendor)));
	r |= put(o, "host_kernel", json_string(m->host_kernel));
	r |= put(o, "duration_ns", fig(m->duration_ns));
	r |= put(o, "time", json_string(m->sources & ES_SRC_NS ? "ns" :
					m->sources & ES_SRC_STATS ? "cycles" : "none"));
	if (m->sources & ES_SRC_DETAIL)
		r |= put(o, "detail", json_true());
	r |= put(o, "health", h);
	for (i = 0; i < ES_BPF_NR_HEALTH; i++)
		r |= put(h, es_health_names[i], fig(m->health[i]));
	r |= put(o, "verdict", json_pack("{s:b, s:[]}", "ok", rec->verdict.n == 0, "failures"));
	fl = json_object_get(json_object_get(o, "verdict"), "failures");
	for (i = 0; !r && i < rec->verdict.n; i++)
		r |= json_array_append_new(fl, json_string(rec->verdict.why[i]));
	r |= put(o, "vms", vms);
	for (i = 0; !r && i < rec->nruns; i++)
		r |= json_array_append_new(vms, vm_json(&rec->runs[i]));
	if (r) {
		json_decref(o);
		return -1;
	}
	ret = json_dumpf(o, out, JSON_COMPACT);
	json_decref(o);
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

static int bad(struct rd *rd, const char *what)
{
	return es_errf(rd->e, "%s: %s%s%s", rd->name, rd->where, rd->where[0] ? ": " : "", what);
}

static int known(struct rd *rd, json_t *o, const char *const *keys)
{
	const char *key;
	json_t *v;
	size_t i;
	char msg[128];

	if (!json_is_object(o))
		return bad(rd, "not an object");
	json_object_foreach(o, key, v) {
		for (i = 0; keys[i] && strcmp(keys[i], key); i++)
			;
		if (!keys[i]) {
			snprintf(msg, sizeof(msg), "unknown key '%.64s'", key);
			return bad(rd, msg);
		}
	}
	return 0;
}

static int get_fig(struct rd *rd, json_t *o, const char *key, uint64_t *v)
{
	json_t *x = json_object_get(o, key);
	char msg[128];

	if (!json_is_integer(x) || json_integer_value(x) < 0) {
		snprintf(msg, sizeof(msg), "%s is missing, or not a number 0 to 2^63-1", key);
		return bad(rd, msg);
	}
	*v = (uint64_t)json_integer_value(x);
	return 0;
}

static int get_str(struct rd *rd, json_t *o, const char *key, char *buf, size_t len)
{
	json_t *x = json_object_get(o, key);
	char msg[128];

	if (json_is_string(x) && json_string_length(x) < len &&
	    !memchr(json_string_value(x), '\0', json_string_length(x))) {
		memcpy(buf, json_string_value(x), json_string_length(x) + 1);
		return 0;
	}
	snprintf(msg, sizeof(msg), "%s is missing, or not a string of at most %zu bytes", key, len - 1);
	return bad(rd, msg);
}

/* A key that must be there exactly when @want. */
static int presence(struct rd *rd, json_t *o, const char *key, bool want)
{
	char msg[128];

	if (!!json_object_get(o, key) == want)
		return 0;
	snprintf(msg, sizeof(msg), "%s %s", key, want ? "missing" :
		 "given, but the record's source has no such figure");
	return bad(rd, msg);
}

static int read_figs(struct rd *rd, json_t *o, unsigned int sources, struct es_figs *f)
{
	if (get_fig(rd, o, "count", &f->count) ||
	    presence(rd, o, "cycles", sources & ES_SRC_STATS) ||
	    presence(rd, o, "time_ns", sources & ES_SRC_NS))
		return -1;
	if ((sources & ES_SRC_STATS) && get_fig(rd, o, "cycles", &f->t[ES_CYCLES]))
		return -1;
	if ((sources & ES_SRC_NS) && get_fig(rd, o, "time_ns", &f->ns))
		return -1;
	return 0;
}

static int read_verdict(struct rd *rd, json_t *v, struct es_verdict *out)
{
	json_t *f, *s;
	json_error_t je;
	size_t i;
	int ok;

	if (json_unpack_ex(v, &je, JSON_STRICT, "{s:b, s:o}", "ok", &ok, "failures", &f) ||
	    !json_is_array(f))
		return bad(rd, "verdict is not {ok, failures[]}");
	json_array_foreach(f, i, s) {
		if (!json_is_string(s) || json_string_length(s) > 4096)
			return bad(rd, "verdict failures are not strings");
		if (!es_verdict_add(out, "%s", json_string_value(s)))
			return bad(rd, "out of memory");
	}
	if (ok != (out->n == 0))
		return bad(rd, "verdict: ok and failures disagree");
	return 0;
}

/* A reason's drill-down into @run->details; the sums checked. */
static int read_detail(struct rd *rd, json_t *a, struct es_run *run, const struct es_row *row)
{
	char why[160], at[48], base[sizeof(rd->where)];

	if (!es_detail_read_json(a, run, row->code, row->f.count, why, sizeof(why), at, sizeof(at)))
		return 0;
	snprintf(base, sizeof(base), "%s", rd->where);
	snprintf(rd->where, sizeof(rd->where), "%.40s.detail%s", base, at);
	return bad(rd, why);
}

/* The VM's memslots (with the drill-down; optional: records of before them). */
static int read_memslots(struct rd *rd, json_t *o, struct es_run *run, bool detail)
{
	char why[160], at[24], base[sizeof(rd->where)];
	json_t *a = json_object_get(o, "memslots");

	if (!a)
		return 0;
	if (!detail)
		return bad(rd, "memslots given, but the record has no drill-down");
	if (!es_memslots_read_json(a, run, why, sizeof(why), at, sizeof(at)))
		return 0;
	snprintf(base, sizeof(base), "%s", rd->where);
	snprintf(rd->where, sizeof(rd->where), "%.40s.memslots%s", base, at);
	return bad(rd, why);
}

static int read_reasons(struct rd *rd, json_t *a, struct es_run *run, bool detail)
{
	static const char *const keys[] = { "reason", "name", "count", "cycles", "time_ns",
		"p50_ns", "p90_ns", "p99_ns", "hist", "detail", NULL };
	char base[64], name[ES_NAME_MAX + 1];
	json_t *o, *h, *x;
	uint64_t c, p, q;
	size_t i, k;

	snprintf(base, sizeof(base), "%.63s", rd->where);
	if (!json_is_array(a) || json_array_size(a) > ES_MAX_ROWS)
		return bad(rd, "reasons is not an array of at most 1024");
	json_array_foreach(a, i, o) {
		struct es_row *row;

		snprintf(rd->where, sizeof(rd->where), "%s.reasons[%zu]", base, i);
		if (known(rd, o, keys))
			return -1;
		x = json_object_get(o, "reason");
		if (json_is_null(x)) {
			c = ES_CODE_OTHER;
		} else if (get_fig(rd, o, "reason", &c) || c > UINT32_MAX || c == ES_CODE_OTHER) {
			return bad(rd, "reason is not null or a code 0 to 2^32-1 (not 0xfffffffe)");
		}
		if (get_str(rd, o, "name", name, sizeof(name)))
			return -1;
		if (!name[0] || es_run_find(run, (uint32_t)c))
			return bad(rd, "an empty name, or a reason listed twice");
		row = es_run_row(run, (uint32_t)c, name);
		if (!row)
			return bad(rd, "out of memory");
		if (read_figs(rd, o, run->sources, &row->f) ||
		    presence(rd, o, "hist", run->sources & ES_SRC_NS) ||
		    presence(rd, o, "detail", detail))
			return -1;
		if (detail) {
			char where[sizeof(rd->where)];
			struct es_row copy = *row;

			memcpy(where, rd->where, sizeof(where));
			if (read_detail(rd, json_object_get(o, "detail"), run, &copy))
				return -1;
			memcpy(rd->where, where, sizeof(where));
		}
		if (!(run->sources & ES_SRC_NS)) {
			for (k = 0; k < 3; k++)
				if (presence(rd, o, pct_keys[k], false))
					return -1;
			continue;
		}
		h = json_object_get(o, "hist");
		if (!json_is_array(h) || json_array_size(h) != ES_HIST_BUCKETS)
			return bad(rd, "hist is not an array of 32 numbers");
		for (k = 0; k < ES_HIST_BUCKETS; k++) {
			x = json_array_get(h, k);
			if (!json_is_integer(x) || json_integer_value(x) < 0)
				return bad(rd, "hist is not an array of 32 numbers");
			row->hist[k] = (uint64_t)json_integer_value(x);
		}
		if (!es_hist_total(row->hist, &q))
			return bad(rd, "hist adds up past 2^63");
		/* Percentiles are derived: optional, but right when given. */
		for (k = 0; k < 3; k++) {
			bool have = es_hist_percentile(row->hist, pcts[k], &p);

			if (!json_object_get(o, pct_keys[k]))
				continue;
			if (presence(rd, o, pct_keys[k], have) || get_fig(rd, o, pct_keys[k], &q))
				return -1;
			if (q != p) {
				char msg[128];

				snprintf(msg, sizeof(msg), "%s is %llu, the histogram gives %llu",
					 pct_keys[k], (unsigned long long)q, (unsigned long long)p);
				return bad(rd, msg);
			}
		}
	}
	es_run_sort(run);
	es_detail_sort(run->details, run->ndetails);
	return 0;
}

static int read_total(struct rd *rd, json_t *o, struct es_run *run)
{
	static const char *const keys[] = { "count", "cycles", "time_ns", NULL };
	char base[64];
	json_t *t = json_object_get(o, "total");
	int r;

	snprintf(base, sizeof(base), "%.63s", rd->where);
	snprintf(rd->where, sizeof(rd->where), "%s.total", base);
	r = known(rd, t, keys) || read_figs(rd, t, run->sources, &run->total);
	snprintf(rd->where, sizeof(rd->where), "%s", base);
	return r ? -1 : 0;
}

static int read_vm(struct rd *rd, json_t *o, unsigned int sources, struct es_run *run,
		   size_t idx)
{
	static const char *const keys[] = { "pid", "comm", "vm", "verdict", "total", "reasons",
		"memslots", "vcpus", NULL };
	static const char *const vkeys[] = { "vcpu", "total", "reasons", NULL };
	json_t *vcpus, *v;
	uint64_t x;
	size_t i;

	snprintf(rd->where, sizeof(rd->where), "vms[%zu]", idx);
	if (known(rd, o, keys) || get_fig(rd, o, "pid", &x))
		return -1;
	if (!x || x > UINT32_MAX)
		return bad(rd, "pid is not 1 to 2^32-1");
	run->pid = (uint32_t)x;
	run->sources = sources;
	/* The VM's name: optional (records of before it, VMs without one). */
	if (json_object_get(o, "vm") && get_str(rd, o, "vm", run->vm, sizeof(run->vm)))
		return -1;
	if (get_str(rd, o, "comm", run->comm, sizeof(run->comm)) ||
	    read_memslots(rd, o, run, sources & ES_SRC_DETAIL) ||
	    read_verdict(rd, json_object_get(o, "verdict"), &run->verdict) ||
	    read_total(rd, o, run) ||
	    read_reasons(rd, json_object_get(o, "reasons"), run, sources & ES_SRC_DETAIL))
		return -1;
	snprintf(rd->where, sizeof(rd->where), "vms[%zu]", idx);
	vcpus = json_object_get(o, "vcpus");
	if (!vcpus)
		return 0;
	if (!json_is_array(vcpus) || !json_array_size(vcpus) ||
	    json_array_size(vcpus) > ES_MAX_VCPUS)
		return bad(rd, "vcpus is not an array of 1 to 1024");
	json_array_foreach(vcpus, i, v) {
		struct es_run *c;

		snprintf(rd->where, sizeof(rd->where), "vms[%zu].vcpus[%zu]", idx, i);
		if (known(rd, v, vkeys) || get_fig(rd, v, "vcpu", &x))
			return -1;
		if (x >= UINT32_MAX || (i && x <= run->vcpus[i - 1].index))
			return bad(rd, "vcpu ids are not ascending numbers below 2^32-1");
		c = es_run_add_vcpu(run, (uint32_t)x);
		if (!c)
			return bad(rd, "out of memory");
		if (read_total(rd, v, c) || read_reasons(rd, json_object_get(v, "reasons"), c, false))
			return -1;
	}
	return 0;
}

int es_read_record_json(const char *name, const char *buf, size_t len, struct es_record *r,
			struct es_err *e)
{
	static const char *const keys[] = { "schema", "source", "attach", "label", "cpu", "isa",
		"host_kernel", "duration_ns", "time", "detail", "health", "verdict", "vms", NULL };
	/* es_health_names, NULL-terminated for known(). */
	static const char *const health_keys[ES_BPF_NR_HEALTH + 1] = {
		"stats_full", "pending_failed", "stale", "row_gone", "untimed",
		"reason_unread", "no_state", "detail_full", "memslots_full", NULL };
	struct rd rd = { .name = name, .e = e };
	char schema[32], label[ES_LABEL_MAX], cpu[8], isa[8], time[8];
	unsigned int sources = 0;
	json_error_t je;
	json_t *root, *vms, *h, *v;
	size_t i;

	es_record_init(r);
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return es_errf(e, "%s:%d:%d: not JSON: %s", name, je.line, je.column, je.text);
	if (known(&rd, root, keys) ||
	    get_str(&rd, root, "schema", schema, sizeof(schema)))
		goto fail;
	if (strcmp(schema, ES_RECORD_SCHEMA)) {
		bad(&rd, "schema is not " ES_RECORD_SCHEMA);
		goto fail;
	}
	if (get_str(&rd, root, "source", r->meta.source, sizeof(r->meta.source)) ||
	    get_str(&rd, root, "label", label, sizeof(label)) ||
	    get_str(&rd, root, "cpu", cpu, sizeof(cpu)) ||
	    get_str(&rd, root, "isa", isa, sizeof(isa)) ||
	    get_str(&rd, root, "host_kernel", r->meta.host_kernel, sizeof(r->meta.host_kernel)) ||
	    get_fig(&rd, root, "duration_ns", &r->meta.duration_ns) ||
	    get_str(&rd, root, "time", time, sizeof(time)))
		goto fail;
	if (!es_meta_is_record(&r->meta)) {
		bad(&rd, "source is not bpf, module or tracefs");
		goto fail;
	}
	/* The collector's attach mode: only a bpf record has one (older ones may not). */
	if (json_object_get(root, "attach") &&
	    (get_str(&rd, root, "attach", r->meta.attach, sizeof(r->meta.attach)) ||
	     strcmp(r->meta.source, "bpf") ||
	     (strcmp(r->meta.attach, "tp_btf") && strcmp(r->meta.attach, "tp")))) {
		bad(&rd, "attach is given but is not tp_btf or tp of a bpf record");
		goto fail;
	}
	if (!es_label_ok(label)) {
		bad(&rd, "label is not 1 to 15 of a-z, 0-9, _ and -");
		goto fail;
	}
	memcpy(r->meta.label, label, sizeof(r->meta.label));
	if (!strcmp(cpu, "intel") && !strcmp(isa, "vmx")) {
		r->meta.vendor = ES_INTEL;
	} else if (!strcmp(cpu, "amd") && !strcmp(isa, "svm")) {
		r->meta.vendor = ES_AMD;
	} else {
		bad(&rd, "cpu and isa are not intel/vmx or amd/svm");
		goto fail;
	}
	h = json_object_get(root, "health");
	snprintf(rd.where, sizeof(rd.where), "health");
	/* The counters added since the first release may be absent: 0. */
	if (known(&rd, h, health_keys))
		goto fail;
	for (i = 0; i < ES_BPF_NR_HEALTH; i++) {
		if (i >= ES_BPF_NR_HEALTH_V1 && !json_object_get(h, es_health_names[i]))
			continue;
		if (get_fig(&rd, h, es_health_names[i], &r->meta.health[i]))
			goto fail;
	}
	rd.where[0] = '\0';
	if (read_verdict(&rd, json_object_get(root, "verdict"), &r->verdict))
		goto fail;
	/* What the rows carry: the module's cycles, the collector's ns. */
	if (!strcmp(time, "cycles") && !strcmp(r->meta.source, "module")) {
		sources = ES_SRC_STATS;
	} else if (!strcmp(time, "ns") && !strcmp(r->meta.source, "bpf")) {
		sources = ES_SRC_NS;
	} else if (strcmp(time, "none")) {
		bad(&rd, "time is not none, ns (source bpf) or cycles (source module)");
		goto fail;
	}
	/* The drill-down: a bpf record's, where it was asked for (older ones have none). */
	v = json_object_get(root, "detail");
	if (v && (!json_is_true(v) || strcmp(r->meta.source, "bpf"))) {
		bad(&rd, "detail is given but is not true in a bpf record");
		goto fail;
	}
	if (v)
		sources |= ES_SRC_DETAIL;
	r->meta.sources = sources;
	vms = json_object_get(root, "vms");
	if (!json_is_array(vms) || json_array_size(vms) > ES_MAX_RUNS) {
		bad(&rd, "vms is not an array of at most 64");
		goto fail;
	}
	json_array_foreach(vms, i, v) {
		struct es_run *run = es_record_add_run(r);

		if (!run) {
			bad(&rd, "out of memory");
			goto fail;
		}
		snprintf(run->mode, sizeof(run->mode), "%s", label);
		run->index = (unsigned int)(i + 1);
		if (read_vm(&rd, v, sources, run, i))
			goto fail;
		if (i && run->pid <= r->runs[i - 1].pid) {
			bad(&rd, "vms are not in ascending pid order");
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
