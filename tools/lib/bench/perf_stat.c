// SPDX-License-Identifier: GPL-2.0-only
/*
 * See perf_stat.h. A line of `perf stat -x,` is
 * VALUE,UNIT,EVENT,RUN-TIME,PERCENT-RUNNING[,METRIC,METRIC-UNIT]; lines
 * starting with '#' and empty lines are perf's comments.
 */
#include <string.h>

#include "bench/perf_stat.h"
#include "util/num.h"

#define PERF_MAX_LINE	512
#define PERF_MAX_LINES	256

/* The event's name without a PMU ("cpu_core/cycles/") or modifiers (":u"). */
static struct es_str event_name(struct es_str ev)
{
	const char *slash = memchr(ev.p, '/', ev.n), *colon;

	if (slash) {
		ev.n -= (size_t)(slash + 1 - ev.p);
		ev.p = slash + 1;
		slash = memchr(ev.p, '/', ev.n);
		if (slash)
			ev.n = (size_t)(slash - ev.p);
	}
	colon = memchr(ev.p, ':', ev.n);
	if (colon)
		ev.n = (size_t)(colon - ev.p);
	return ev;
}

/* Field @i (from 0) of a comma-separated line, or false. */
static bool csv_field(struct es_str s, unsigned int i, struct es_str *f)
{
	const char *comma;

	for (;;) {
		comma = memchr(s.p, ',', s.n);
		if (!i--) {
			*f = (struct es_str){ s.p, comma ? (size_t)(comma - s.p) : s.n };
			return true;
		}
		if (!comma)
			return false;
		s.n -= (size_t)(comma + 1 - s.p);
		s.p = comma + 1;
	}
}

int es_perf_stat_parse(const char *name, const char *buf, size_t len,
		       struct es_perf_stat *p, struct es_err *e)
{
	struct es_str s, value, ev, pct;
	struct es_lines it;
	uint64_t v, *sum;
	bool *has;
	int r;

	memset(p, 0, sizeof(*p));
	es_lines_init(&it, name, buf, len, PERF_MAX_LINE, PERF_MAX_LINES, ES_LINES_ASCII);
	while ((r = es_lines_next(&it, &s, e)) > 0) {
		s = es_str_trim(s);
		if (!s.n || s.p[0] == '#')
			continue;
		if (!csv_field(s, 0, &value) || !csv_field(s, 2, &ev) || !csv_field(s, 4, &pct))
			return es_lines_err(&it, e, "not perf stat's CSV form (VALUE,UNIT,EVENT,...)");
		ev = event_name(ev);
		if (es_str_eq(ev, "cycles")) {
			sum = &p->cycles;
			has = &p->has_cycles;
		} else if (es_str_eq(ev, "instructions")) {
			sum = &p->instructions;
			has = &p->has_instructions;
		} else {
			continue;	/* an event make bench-host did not ask for */
		}
		if (value.n && value.p[0] == '<')
			continue;	/* "<not supported>", "<not counted>" */
		if (es_num_parse(value.p, value.n, ES_NUM_DEC, 0, UINT64_MAX, &v) != ES_NUM_OK)
			return es_lines_err(&it, e, "'%.*s' is no count", (int)value.n, value.p);
		if (*sum > UINT64_MAX - v)
			return es_lines_err(&it, e, "the counts overflow");
		*sum += v;
		*has = true;
	}
	return r < 0 ? -1 : 0;
}
