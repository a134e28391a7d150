// SPDX-License-Identifier: GPL-2.0-only
/* See top_table.h. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/hist.h"
#include "write/top_table.h"
#include "write/writers.h"

const char *const es_top_sort_names[ES_TOP_NR_SORTS] = { "rate", "total", "time", "name" };

static int desc(uint64_t x, uint64_t y)
{
	return x == y ? 0 : x > y ? -1 : 1;
}

/* The key asked for first, then as kvm_stat: the interval's, then the total. */
static int by_sort(const void *a, const void *b, void *arg)
{
	const struct es_top_row *x = a, *y = b;
	int c = 0;

	switch (*(const enum es_top_sort *)arg) {
	case ES_TOP_BY_TOTAL: c = desc(x->total, y->total); break;
	case ES_TOP_BY_TIME: c = desc(x->delta_ns, y->delta_ns); break;
	case ES_TOP_BY_NAME: c = strcmp(x->label, y->label); break;
	default: break;
	}
	if (!c)
		c = desc(x->delta, y->delta);
	if (!c)
		c = desc(x->total, y->total);
	if (!c)
		c = x->code != y->code ? (x->code < y->code ? -1 : 1) :
		    x->pid != y->pid ? (x->pid < y->pid ? -1 : 1) :
		    x->vcpu != y->vcpu ? (x->vcpu < y->vcpu ? -1 : 1) : 0;
	return c;
}

static uint64_t timed(const struct es_snap_row *r)
{
	uint64_t t;

	return es_hist_total(r->hist, &t) ? t : 0;
}

/* Whether @hay holds @needle, letters of either case alike. */
static bool contains(const char *hay, const char *needle)
{
	return !*needle || strcasestr(hay, needle);
}

/* A VM's label: its name, else COMM:PID, else the pid. */
static void vm_label(const struct es_snap *s, uint32_t tgid, char *out, size_t len)
{
	const char *vm = es_snap_vm(s, tgid), *comm = es_snap_comm(s, tgid);

	if (vm)
		snprintf(out, len, "%s", vm);
	else if (comm)
		snprintf(out, len, "%s:%u", comm, tgid);
	else
		snprintf(out, len, "%u", tgid);
}

/* The row of key (@code, @pid, @vcpu), added if new; NULL out of memory. */
static struct es_top_row *row_of(struct es_top_view *v, size_t *cap, uint32_t code, uint32_t pid,
				 uint32_t vcpu)
{
	struct es_top_row *r;
	size_t i;

	for (i = v->n; i > 0; i--)
		if (v->rows[i - 1].code == code && v->rows[i - 1].pid == pid &&
		    v->rows[i - 1].vcpu == vcpu)
			return &v->rows[i - 1];
	if (v->n == *cap) {
		r = realloc(v->rows, (*cap ? *cap * 2 : 16) * sizeof(*r));
		if (!r)
			return NULL;
		v->rows = r;
		*cap = *cap ? *cap * 2 : 16;
	}
	r = &v->rows[v->n++];
	memset(r, 0, sizeof(*r));
	r->code = code;
	r->pid = pid;
	r->vcpu = vcpu;
	return r;
}

/*
 * The rows of @snap folded as the view needs (reasons: all VMs in one, or
 * @o->pid's; VMs: a row each; vCPUs: a row each, of all VMs or @o->pid's),
 * its counts added as totals or as the interval's (@interval).
 */
static int add_rows(struct es_top_view *v, size_t *cap, const struct es_snap *snap,
		    const struct es_snap *names, bool interval)
{
	const struct es_top_opts *o = &v->opts;
	bool reasons = o->mode == ES_TOP_REASONS, vcpus = o->mode == ES_TOP_VCPUS;
	struct es_snap f;
	size_t i;

	if (es_snap_fold(snap, o->mode == ES_TOP_VMS ? 0 : o->pid, vcpus, reasons, &f))
		return -1;
	for (i = 0; i < f.n; i++) {
		const struct es_snap_row *sr = &f.rows[i];
		const char *name = es_reason_name(v->vendor, sr->code);
		char vm[ES_VM_NAME_MAX];
		struct es_top_row *r;

		if (reasons && !contains(name ? name : "unnamed", o->filter))
			continue;
		if (!reasons) {
			vm_label(names, sr->tgid, vm, sizeof(vm));
			if (!contains(vm, o->vm_filter))
				continue;
		}
		/* Reasons are summed within a VM's row and within a vCPU's. */
		r = row_of(v, cap, reasons ? sr->code : 0, reasons ? 0 : sr->tgid,
			   vcpus ? sr->vcpu : ES_VCPU_ALL);
		if (!r) {
			es_snap_free(&f);
			return -1;
		}
		if (!r->label[0]) {
			if (!reasons)
				snprintf(r->label, sizeof(r->label), "%s", vm);
			else
				snprintf(r->label, sizeof(r->label), "%s", name ? name : "unnamed");
		}
		if (!interval) {
			r->total += sr->count;
			continue;
		}
		r->delta += sr->count;
		r->delta_ns += sr->time_ns;
		r->delta_timed += timed(sr);
	}
	es_snap_free(&f);
	return 0;
}

bool es_top_expands(const struct es_top_opts *o, enum es_vendor vendor, uint32_t code)
{
	const char *name = es_reason_name(vendor, code);
	char cs[ES_CODE_STR_LEN];

	if (o->mode != ES_TOP_REASONS || !o->expand[0])
		return false;
	return !strcmp(o->expand, "*") || !strcasecmp(o->expand, es_code_str(cs, vendor, code)) ||
	       (name && !strcasecmp(o->expand, name));
}

bool es_top_expand_known(enum es_vendor vendor, const char *expand)
{
	const struct es_reason *r;
	char cs[ES_CODE_STR_LEN];
	size_t n, i;

	if (!expand[0] || !strcmp(expand, "*"))
		return true;
	r = es_reasons(vendor, &n);
	for (i = 0; i < n; i++)
		if (!strcasecmp(expand, r[i].name) ||
		    !strcasecmp(expand, es_code_str(cs, vendor, r[i].code)))
			return true;
	return false;
}

/* By reason, kind and key: where the totals and the interval's meet. */
static int key_order(const void *a, const void *b)
{
	const struct es_top_key *x = a, *y = b;

	if (x->code != y->code)
		return x->code < y->code ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->flags != y->flags)
		return x->flags < y->flags ? -1 : 1;
	return x->value != y->value ? (x->value < y->value ? -1 : 1) : 0;
}

/*
 * Within a reason and kind: the busiest first, in the interval (since top
 * began, when the table is sorted by total), then the other way round.
 */
static int key_busiest(const void *a, const void *b, void *arg)
{
	const struct es_top_key *x = a, *y = b;
	bool by_total = *(const enum es_top_sort *)arg == ES_TOP_BY_TOTAL;
	int c = x->code != y->code ? (x->code < y->code ? -1 : 1) :
		x->kind != y->kind ? (x->kind < y->kind ? -1 : 1) : 0;

	if (!c)
		c = by_total ? desc(x->total, y->total) : desc(x->delta, y->delta);
	if (!c)
		c = by_total ? desc(x->delta, y->delta) : desc(x->total, y->total);
	return c ? c : key_order(a, b);
}

/* The keys of @snap's expanded reasons (of @o->pid, or all VMs), added to @k. */
static int collect_keys(const struct es_top_view *v, const struct es_snap *snap, bool interval,
			struct es_top_key **k, size_t *n, size_t *cap)
{
	struct es_snap f;
	size_t i;

	if (es_snap_fold(snap, v->opts.pid, false, true, &f))
		return -1;
	for (i = 0; i < f.ndetails; i++) {
		const struct es_detail *d = &f.details[i];
		struct es_detail nd;
		struct es_top_key *x;
		char nbuf[64];

		if (!es_top_expands(&v->opts, v->vendor, d->code))
			continue;
		if (*n == *cap) {
			x = realloc(*k, (*cap ? *cap * 2 : 32) * sizeof(*x));
			if (!x) {
				es_snap_free(&f);
				return -1;
			}
			*k = x;
			*cap = *cap ? *cap * 2 : 32;
		}
		x = &(*k)[(*n)++];
		memset(x, 0, sizeof(*x));
		x->code = d->code;
		x->kind = d->kind;
		x->flags = d->flags;
		x->value = d->value;
		/* Named from the snapshot's memslots: those of the VM shown, or that all agree on. */
		nd = *d;
		nd.tgid = v->opts.pid;
		snprintf(x->name, sizeof(x->name), "%s",
			 es_detail_name(nbuf, &nd, snap->memslots, snap->nmemslots));
		if (interval)
			x->delta = d->count;
		else
			x->total = d->count;
	}
	es_snap_free(&f);
	return 0;
}

/* The reason row of @code, or NULL. */
static const struct es_top_row *reason_row(const struct es_top_view *v, uint32_t code)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->rows[i].code == code)
			return &v->rows[i];
	return NULL;
}

/*
 * The lines below the expanded reasons: per reason and kind the busiest
 * ES_TOP_KEYS keys and "(other)" for the rest; then "(no key)" for the
 * reason's exits that no kind keyed, so that the lines add up to the
 * reason's row (as in a record's table, write_detail.c).
 */
static int build_keys(struct es_top_view *v, const struct es_snap *tot, const struct es_snap *dlt)
{
	struct es_top_key *k = NULL, *out;
	size_t n = 0, cap = 0, i, j, g, no = 0;
	uint64_t keyed_total = 0, keyed_delta = 0;

	if (!v->opts.expand[0])
		return 0;
	if (collect_keys(v, tot, false, &k, &n, &cap) || collect_keys(v, dlt, true, &k, &n, &cap))
		goto oom;
	/* One entry per key, its total and its interval's exits together. */
	if (n)
		qsort(k, n, sizeof(*k), key_order);
	for (i = 0, j = 0; i < n; i++) {
		if (j && !key_order(&k[j - 1], &k[i])) {
			k[j - 1].total += k[i].total;
			k[j - 1].delta += k[i].delta;
		} else {
			k[j++] = k[i];
		}
	}
	n = j;
	if (n)
		qsort_r(k, n, sizeof(*k), key_busiest, &v->opts.sort);
	/* At most ES_TOP_KEYS + 2 lines per group out of its keys. */
	out = calloc(3 * n + 1, sizeof(*out));
	if (!out)
		goto oom;
	for (g = 0; g < n; g = i) {
		const struct es_top_row *r = reason_row(v, k[g].code);
		struct es_top_key other = { .code = k[g].code, .kind = k[g].kind, .what = ES_TOP_OTHER };
		struct es_top_key none = { .code = k[g].code, .kind = k[g].kind, .what = ES_TOP_NOKEY };

		if (!g || k[g - 1].code != k[g].code)
			keyed_total = keyed_delta = 0;
		for (i = g; i < n && k[i].code == k[g].code && k[i].kind == k[g].kind; i++) {
			keyed_total += k[i].total;
			keyed_delta += k[i].delta;
			if (i - g < ES_TOP_KEYS) {
				out[no++] = k[i];
				continue;
			}
			other.nkeys++;
			other.total += k[i].total;
			other.delta += k[i].delta;
		}
		if (other.nkeys)
			out[no++] = other;
		/*
		 * After the reason's last kind, its exits that no kind keyed (an
		 * exit has one key at most: a nested page fault's page, or its
		 * MMIO address).
		 */
		if (i < n && k[i].code == k[g].code)
			continue;
		if (r) {
			none.total = r->total > keyed_total ? r->total - keyed_total : 0;
			none.delta = r->delta > keyed_delta ? r->delta - keyed_delta : 0;
		}
		if (none.total || none.delta)
			out[no++] = none;
	}
	free(k);
	v->keys = out;
	v->nkeys = no;
	return 0;
oom:
	free(k);
	return -1;
}

int es_top_build(const struct es_snap *first, const struct es_snap *prev,
		 const struct es_snap *cur, const struct es_top_opts *o, struct es_top_view *v)
{
	struct es_snap tot, dlt;
	size_t i, cap = 0;
	int rc = -1;

	memset(v, 0, sizeof(*v));
	v->opts = *o;
	if (es_snap_diff(first, cur, &tot))
		return -1;
	if (es_snap_diff(prev, cur, &dlt)) {
		es_snap_free(&tot);
		return -1;
	}
	memcpy(v->source, cur->source, sizeof(v->source));
	v->vendor = cur->vendor;
	v->interval_ns = cur->at_ns > prev->at_ns ? cur->at_ns - prev->at_ns : 0;
	v->ns = !!(cur->has & ES_SNAP_NS);
	v->vcpus = !!(cur->has & ES_SNAP_VCPUS);
	v->lost = tot.health[ES_BPF_STATS_FULL];
	v->detail = !!(cur->has & ES_SNAP_DETAIL);
	es_snap_sort(&tot);
	for (i = 0; i < tot.n; i++)
		if (!i || tot.rows[i].tgid != tot.rows[i - 1].tgid)
			v->nvms++;
	if (add_rows(v, &cap, &tot, cur, false) || add_rows(v, &cap, &dlt, cur, true))
		goto out;
	for (i = 0; i < v->n; i++) {
		v->total += v->rows[i].total;
		v->delta += v->rows[i].delta;
		v->delta_ns += v->rows[i].delta_ns;
	}
	qsort_r(v->rows, v->n, sizeof(v->rows[0]), by_sort, &v->opts.sort);
	if (build_keys(v, &tot, &dlt))
		goto out;
	rc = 0;
out:
	es_snap_free(&tot);
	es_snap_free(&dlt);
	if (rc)
		es_top_free(v);
	return rc;
}

void es_top_free(struct es_top_view *v)
{
	free(v->rows);
	v->rows = NULL;
	v->n = 0;
	free(v->keys);
	v->keys = NULL;
	v->nkeys = 0;
}

/* Columns, in the order they go when the width shrinks. */
#define W_CODE	10
#define W_TOTAL	12
#define W_RATE	10
#define W_SHARE	6
#define W_TIME	9
#define W_TPCT	6
#define W_NAME_MIN 6
#define W_NAME_MAX 24

struct layout {
	bool tpct, time, share, total, name;
	unsigned int name_w;
	unsigned int code_w;	/* W_CODE; PID/VCPU takes up to 7 + 1 + 4 */
};
#define W_PID_VCPU 12

#define W_NAME_KEEP 12	/* a name this short still keeps every column */
#define W_NAME_KEYS 34	/* with keys below a reason: their kind, direction and name */

static unsigned int fixed_width(const struct layout *l)
{
	return l->code_w + (l->total ? 1 + W_TOTAL : 0) + 1 + W_RATE + (l->share ? 1 + W_SHARE : 0) +
	       (l->time ? 1 + W_TIME : 0) + (l->tpct ? 1 + W_TPCT : 0);
}

/*
 * The widest layout that fits: the whole name; else a shorter name (12 at
 * least) with the columns left; columns go in turn (time%, time, share,
 * total), the name before them never: then the name shrinks to 6, then
 * goes (code and rate: 21 columns); narrower than that, lines are cut.
 */
static struct layout fit(const struct es_top_view *v, unsigned int width)
{
	unsigned int want = v->nkeys ? W_NAME_KEYS : W_NAME_MAX, f;
	struct layout l = { v->ns, v->ns, true, true, true, want,
			    v->opts.mode == ES_TOP_VCPUS ? W_PID_VCPU : W_CODE };

	if (!width)
		return l;
	for (;;) {
		f = fixed_width(&l);
		if (f + 2 + want <= width)
			return l;
		if (f + 2 + W_NAME_KEEP <= width) {
			l.name_w = width - f - 2;
			return l;
		}
		if (l.tpct)
			l.tpct = false;
		else if (l.time)
			l.time = false;
		else if (l.share)
			l.share = false;
		else if (l.total)
			l.total = false;
		else
			break;
	}
	if (f + 2 + W_NAME_MIN <= width) {
		l.name_w = width - f - 2;
		return l;
	}
	l.name = false;
	return l;
}

/* @s cut to @width bytes (the header line may be long). */
static void line(FILE *out, const char *s, unsigned int width)
{
	size_t n = strlen(s);

	if (width && n > width)
		n = width;
	fprintf(out, "%.*s\n", (int)n, s);
}

static double pct(uint64_t part, uint64_t all)
{
	return all ? 100.0 * (double)part / (double)all : 0.0;
}

/*
 * A line below an expanded reason: the key where the reason's code is
 * ("0x3f8", "(other)", "(no key)"), in the name's column its kind,
 * direction and name, then the exits as in the reason's line (no times:
 * the collector times a reason, not a key).
 */
static void key_line(FILE *out, const struct es_top_view *v, const struct layout *l,
		     const struct es_top_key *k, double secs, unsigned int width)
{
	char buf[512], key[24], what[128], rate[32];
	const char *kind = es_detail_kind_str(k->kind), *dir = es_detail_dir_str(k->kind, k->flags);
	const char *name;
	int n;

	if (!kind)
		kind = "?";
	if (k->what == ES_TOP_KEY) {
		es_detail_key_str(key, k->kind, k->value);
		name = k->name;
		snprintf(what, sizeof(what), "  %s%s%s%s%s", kind, dir[0] ? " " : "", dir,
			 name[0] ? " " : "", name);
	} else if (k->what == ES_TOP_OTHER) {
		snprintf(key, sizeof(key), "(other)");
		snprintf(what, sizeof(what), "  %s: %zu more key%s", kind, k->nkeys,
			 k->nkeys == 1 ? "" : "s");
	} else {
		snprintf(key, sizeof(key), "(no key)");
		snprintf(what, sizeof(what), "  exits without a key");
	}
	n = snprintf(buf, sizeof(buf), "%*s", (int)l->code_w, key);
	if (l->name)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "  %-*.*s", (int)l->name_w,
			      (int)l->name_w, what);
	snprintf(rate, sizeof(rate), "%.0f", (double)k->delta / secs);
	if (l->total)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %*" PRIu64, W_TOTAL, k->total);
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %*s", W_RATE, rate);
	if (l->share)
		snprintf(buf + n, sizeof(buf) - (size_t)n, " %*.1f", W_SHARE, pct(k->total, v->total));
	line(out, buf, width);
}

int es_top_render(FILE *out, const struct es_top_view *v, unsigned int width,
		  unsigned int max_rows)
{
	static const char *const views[ES_TOP_NR_MODES] = { "reasons", "VMs", "vCPUs" };
	static const char *const keys[ES_TOP_NR_MODES] = { "reason", "pid", "pid/vcpu" };
	const struct es_top_opts *o = &v->opts;
	bool vms = o->mode == ES_TOP_VMS, reasons = o->mode == ES_TOP_REASONS;
	struct layout l = fit(v, width);
	char buf[512], code[ES_CODE_STR_LEN], key[24], t[16], rate[32];
	double secs = v->interval_ns ? (double)v->interval_ns / 1e9 : 1.0;
	size_t i, k, used, budget;
	int lines = 0, n;

	n = snprintf(buf, sizeof(buf), "exitscope top: %zu VM(s), source %s (%s): %.0f exits/s, %" PRIu64
		     " in all; %s by %s", v->nvms, v->source, es_isa_name(v->vendor),
		     (double)v->delta / secs, v->total, views[o->mode], es_top_sort_names[o->sort]);
	if (!vms && o->pid && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ", VM %u", o->pid);
	if (reasons && o->filter[0] && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ", names with '%s'", o->filter);
	if (!reasons && o->vm_filter[0] && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ", VMs named with '%s'", o->vm_filter);
	if (o->mode == ES_TOP_VCPUS && !v->vcpus && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " (source %s has no vCPUs)", v->source);
	if (reasons && o->expand[0] && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ", expanded: %s%s",
			      strcmp(o->expand, "*") ? o->expand : "all",
			      !es_top_expand_known(v->vendor, o->expand) ? " (no such reason)" :
			      v->detail ? "" : " (the source has no drill-down: --detail)");
	if (v->lost && n > 0 && (size_t)n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - (size_t)n, "; %" PRIu64 " NOT COUNTED (table full)", v->lost);
	line(out, buf, width);
	lines++;
	n = snprintf(buf, sizeof(buf), "%*s", (int)l.code_w, keys[o->mode]);
	if (l.name)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "  %-*s", (int)l.name_w,
			      reasons ? "name" : "vm");
	if (l.total)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %*s", W_TOTAL, "total");
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %*s", W_RATE, "per s");
	if (l.share)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %*s", W_SHARE, "%tot");
	if (l.time)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %*s", W_TIME, "time");
	if (l.tpct)
		snprintf(buf + n, sizeof(buf) - (size_t)n, " %*s", W_TPCT, "time%");
	line(out, buf, width);
	lines++;
	budget = max_rows ? max_rows : SIZE_MAX;
	for (i = 0, used = 0; i < v->n && used < budget; i++, used++) {
		const struct es_top_row *r = &v->rows[i];

		if (reasons)
			snprintf(key, sizeof(key), "%s", es_code_str(code, v->vendor, r->code));
		else if (vms || r->vcpu == ES_VCPU_ALL)
			snprintf(key, sizeof(key), "%u", r->pid);
		else
			snprintf(key, sizeof(key), "%u/%u", r->pid, r->vcpu);
		n = snprintf(buf, sizeof(buf), "%*s", (int)l.code_w, key);
		if (l.name)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, "  %-*.*s", (int)l.name_w,
				      (int)l.name_w, r->label);
		snprintf(rate, sizeof(rate), "%.0f", (double)r->delta / secs);
		if (l.total)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %*" PRIu64, W_TOTAL, r->total);
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %*s", W_RATE, rate);
		if (l.share)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %*.1f", W_SHARE,
				      pct(r->total, v->total));
		if (l.time)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %*s", W_TIME,
				      r->delta_timed ? es_ns_str(t, r->delta_ns / r->delta_timed) : "-");
		if (l.tpct)
			snprintf(buf + n, sizeof(buf) - (size_t)n, " %*.1f", W_TPCT,
				 pct(r->delta_ns, v->delta_ns));
		line(out, buf, width);
		lines++;
		for (k = 0; reasons && k < v->nkeys && used + 1 < budget; k++) {
			if (v->keys[k].code != r->code)
				continue;
			key_line(out, v, &l, &v->keys[k], secs, width);
			lines++;
			used++;
		}
	}
	if (i < v->n) {
		snprintf(buf, sizeof(buf), "%10s  (%zu more)", "", v->n - i);
		line(out, buf, width);
		lines++;
	}
	return lines;
}
