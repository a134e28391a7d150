// SPDX-License-Identifier: GPL-2.0-only
/* See top_table.h. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "top_table.h"
#include "writers.h"

static int by_rate(const void *a, const void *b)
{
	const struct es_top_row *x = a, *y = b;

	if (x->delta != y->delta)
		return x->delta > y->delta ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return x->code < y->code ? -1 : x->code > y->code;
}

static uint64_t timed(const struct es_snap_row *r)
{
	uint64_t t;

	return es_hist_total(r->hist, &t) ? t : 0;
}

int es_top_build(const struct es_snap *first, const struct es_snap *prev,
		 const struct es_snap *cur, uint32_t pid, struct es_top_view *v)
{
	struct es_snap tot, dlt, ft, fd, vms;
	size_t i, j;
	int rc = -1;

	memset(v, 0, sizeof(*v));
	if (es_snap_diff(first, cur, &tot))
		return -1;
	if (es_snap_diff(prev, cur, &dlt)) {
		es_snap_free(&tot);
		return -1;
	}
	es_snap_init(&ft);
	es_snap_init(&fd);
	es_snap_init(&vms);
	if (es_snap_fold(&tot, pid, false, true, &ft) || es_snap_fold(&dlt, pid, false, true, &fd) ||
	    es_snap_fold(&tot, pid, false, false, &vms))
		goto out;
	memcpy(v->source, cur->source, sizeof(v->source));
	v->vendor = cur->vendor;
	v->pid = pid;
	v->interval_ns = cur->at_ns > prev->at_ns ? cur->at_ns - prev->at_ns : 0;
	v->ns = !!(cur->has & ES_SNAP_NS);
	v->lost = tot.health[ES_BPF_STATS_FULL];
	for (i = 0; i < vms.n; i++)
		if (!i || vms.rows[i].tgid != vms.rows[i - 1].tgid)
			v->nvms++;
	v->rows = calloc(ft.n ? ft.n : 1, sizeof(*v->rows));
	if (!v->rows)
		goto out;
	for (i = 0; i < ft.n; i++) {
		struct es_top_row *r = &v->rows[v->n++];

		r->code = ft.rows[i].code;
		r->total = ft.rows[i].count;
		v->total += r->total;
	}
	for (j = 0; j < fd.n; j++) {
		for (i = 0; i < v->n && v->rows[i].code != fd.rows[j].code; i++)
			;
		if (i == v->n)
			continue;	/* cannot be: the interval is in the total */
		v->rows[i].delta = fd.rows[j].count;
		v->rows[i].delta_ns = fd.rows[j].time_ns;
		v->rows[i].delta_timed = timed(&fd.rows[j]);
		v->delta += fd.rows[j].count;
	}
	qsort(v->rows, v->n, sizeof(v->rows[0]), by_rate);
	rc = 0;
out:
	es_snap_free(&tot);
	es_snap_free(&dlt);
	es_snap_free(&ft);
	es_snap_free(&fd);
	es_snap_free(&vms);
	if (rc)
		es_top_free(v);
	return rc;
}

void es_top_free(struct es_top_view *v)
{
	free(v->rows);
	v->rows = NULL;
	v->n = 0;
}

/* Columns, in the order they go when the width shrinks. */
#define W_CODE	10
#define W_TOTAL	12
#define W_RATE	10
#define W_SHARE	6
#define W_TIME	9
#define W_NAME_MIN 6
#define W_NAME_MAX 24

struct layout {
	bool time, share, name, total;
	unsigned int name_w;
};

#define W_NAME_KEEP 12	/* a name this short still keeps share and time */

static unsigned int fixed_width(const struct layout *l)
{
	return W_CODE + (l->total ? 1 + W_TOTAL : 0) + 1 + W_RATE + (l->share ? 1 + W_SHARE : 0) +
	       (l->time ? 1 + W_TIME : 0);
}

/*
 * The widest layout that fits: the whole name; else a shorter name (12 at
 * least) with every column; then time, then share dropped; then the name
 * down to 6; then no name; then no total (reason and rate: 21 columns);
 * narrower than that, lines are cut.
 */
static struct layout fit(const struct es_top_view *v, unsigned int width)
{
	struct layout l = { v->ns, true, true, true, W_NAME_MAX };
	unsigned int f;

	if (!width)
		return l;
	for (;;) {
		f = fixed_width(&l);
		if (f + 2 + W_NAME_MAX <= width)
			return l;
		if (f + 2 + W_NAME_KEEP <= width) {
			l.name_w = width - f - 2;
			return l;
		}
		if (l.time)
			l.time = false;
		else if (l.share)
			l.share = false;
		else
			break;
	}
	if (f + 2 + W_NAME_MIN <= width) {
		l.name_w = width - f - 2;
		return l;
	}
	l.name = false;
	if (f > width)
		l.total = false;
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

int es_top_render(FILE *out, const struct es_top_view *v, unsigned int width,
		  unsigned int max_rows)
{
	struct layout l = fit(v, width);
	char buf[512], code[ES_CODE_STR_LEN], t[16], rate[32];
	double secs = v->interval_ns ? (double)v->interval_ns / 1e9 : 1.0;
	size_t i, shown;
	int lines = 0, n;

	if (v->pid)
		n = snprintf(buf, sizeof(buf), "exitscope top: VM %u, source %s (%s): %.0f exits/s, %" PRIu64 " in all",
			     v->pid, v->source, es_isa_name(v->vendor), (double)v->delta / secs, v->total);
	else
		n = snprintf(buf, sizeof(buf), "exitscope top: %zu VM(s), source %s (%s): %.0f exits/s, %" PRIu64 " in all",
			     v->nvms, v->source, es_isa_name(v->vendor), (double)v->delta / secs, v->total);
	if (v->lost && n > 0 && (size_t)n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - (size_t)n, "; %" PRIu64 " NOT COUNTED (table full)", v->lost);
	line(out, buf, width);
	lines++;
	n = snprintf(buf, sizeof(buf), "%*s", W_CODE, "reason");
	if (l.name)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "  %-*s", (int)l.name_w, "name");
	if (l.total)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %*s", W_TOTAL, "total");
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %*s", W_RATE, "per s");
	if (l.share)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %*s", W_SHARE, "%tot");
	if (l.time)
		snprintf(buf + n, sizeof(buf) - (size_t)n, " %*s", W_TIME, "time");
	line(out, buf, width);
	lines++;
	shown = max_rows && max_rows < v->n ? max_rows : v->n;
	for (i = 0; i < shown; i++) {
		const struct es_top_row *r = &v->rows[i];
		const char *name = es_reason_name(v->vendor, r->code);

		n = snprintf(buf, sizeof(buf), "%*s", W_CODE, es_code_str(code, v->vendor, r->code));
		if (l.name)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, "  %-*.*s", (int)l.name_w,
				      (int)l.name_w, name ? name : "unnamed");
		snprintf(rate, sizeof(rate), "%.0f", (double)r->delta / secs);
		if (l.total)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %*" PRIu64, W_TOTAL, r->total);
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %*s", W_RATE, rate);
		if (l.share)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %*.1f", W_SHARE,
				      v->total ? 100.0 * (double)r->total / (double)v->total : 0.0);
		if (l.time)
			snprintf(buf + n, sizeof(buf) - (size_t)n, " %*s", W_TIME,
				 r->delta_timed ? es_ns_str(t, r->delta_ns / r->delta_timed) : "-");
		line(out, buf, width);
		lines++;
	}
	if (shown < v->n) {
		snprintf(buf, sizeof(buf), "%10s  (%zu more)", "", v->n - shown);
		line(out, buf, width);
		lines++;
	}
	return lines;
}
