// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kvm_exit tracepoint's hist (kernel/trace/trace_events_hist.c):
 *
 *   # event histogram
 *   #
 *   # trigger info: hist:keys=exit_reason:vals=hitcount:sort=hitcount:size=4096 [active]
 *   #
 *
 *   { exit_reason:         30 } hitcount:       1604
 *
 *   Totals:
 *       Hits: 1604
 *       Entries: 1
 *       Dropped: 0
 *
 * Nothing else is taken: junk before it, entries after Totals, a missing
 * Hits, Entries or Dropped line (a file cut short), sums that disagree.
 */
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"
#include "util/num.h"

#define HIST_MAX_LINE	256
#define HIST_MAX_ENTRIES 8192		/* the trigger's size=4096, with room */
#define HIST_MAX_LINES	(HIST_MAX_ENTRIES + 16)

/* VMX: the failed-entry bit; exitscope folds every failed entry into one row. */
#define VMX_FAILED_BIT	ES_CODE_FAILED_VMENTRY

static int cut(const struct es_lines *it, struct es_str *s, const char *lit,
	       struct es_err *e)
{
	struct es_str tok;

	if (!es_str_token(s, &tok) || !es_str_eq(tok, lit))
		return es_lines_err(it, e, "'%s' expected (not a kvm_exit hist keyed on exit_reason?)",
				    lit);
	return 0;
}

static int number(const struct es_lines *it, struct es_str *s, uint64_t max,
		  uint64_t *v, struct es_err *e)
{
	enum es_num_error ne;
	struct es_str tok;

	if (!es_str_token(s, &tok))
		return es_lines_err(it, e, "a number expected");
	ne = es_num_parse(tok.p, tok.n, ES_NUM_DEC, 0, max, v);
	if (ne != ES_NUM_OK)
		return es_lines_err(it, e, "'%.*s': %s", (int)tok.n, tok.p, es_num_strerror(ne));
	return 0;
}

static int add(struct es_tallies *t, uint32_t code, uint64_t hits)
{
	struct es_tally *v;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].code == code) {
			if (t->v[i].count > ES_FIG_MAX - hits)
				return -1;
			t->v[i].count += hits;
			return 0;
		}
	v = realloc(t->v, (t->n + 1) * sizeof(*v));
	if (!v)
		return -1;
	t->v = v;
	t->v[t->n].code = code;
	t->v[t->n++].count = hits;
	return 0;
}

/* "{ exit_reason: N } hitcount: N" */
static int entry(const struct es_lines *it, struct es_str s, enum es_vendor vendor,
		 struct es_tallies *t, uint64_t *sum, uint64_t seen[], size_t *nseen,
		 struct es_err *e)
{
	uint64_t key, hits;
	struct es_str tok;
	size_t i;

	if (cut(it, &s, "{", e) || cut(it, &s, "exit_reason:", e) ||
	    number(it, &s, UINT32_MAX, &key, e) || cut(it, &s, "}", e) ||
	    cut(it, &s, "hitcount:", e) || number(it, &s, ES_FIG_MAX, &hits, e))
		return -1;
	if (es_str_token(&s, &tok))
		return es_lines_err(it, e, "junk after the hitcount: '%.*s'", (int)tok.n, tok.p);
	for (i = 0; i < *nseen; i++)
		if (seen[i] == key)
			return es_lines_err(it, e, "exit_reason %llu listed twice",
					    (unsigned long long)key);
	if (*nseen >= HIST_MAX_ENTRIES)
		return es_lines_err(it, e, "more than %d entries", HIST_MAX_ENTRIES);
	seen[(*nseen)++] = key;
	if (vendor == ES_INTEL)
		key = key & VMX_FAILED_BIT ? VMX_FAILED_BIT : key & 0xffff;
	if (*sum > ES_FIG_MAX - hits || add(t, (uint32_t)key, hits))
		return es_lines_err(it, e, "hitcounts overflow, or out of memory");
	*sum += hits;
	return 0;
}

int es_parse_hist(const char *name, const char *buf, size_t len,
		  enum es_vendor vendor, struct es_tallies *t, struct es_err *e)
{
	/* The line expected next; entries come while TOTALS is. */
	enum { TOTALS, HITS, ENTRIES, DROPPED, DONE } at = TOTALS;
	static const char *const want[] = { "Totals:", "Hits:", "Entries:", "Dropped:" };
	uint64_t sum = 0, v, *seen;
	size_t nseen = 0;
	struct es_lines it;
	struct es_str line, s, tok;
	int r;

	memset(t, 0, sizeof(*t));
	seen = malloc(HIST_MAX_ENTRIES * sizeof(*seen));
	if (!seen)
		return es_errf(e, "%s: out of memory", name);
	es_lines_init(&it, name, buf, len, HIST_MAX_LINE, HIST_MAX_LINES, ES_LINES_ASCII);
	while ((r = es_lines_next(&it, &line, e)) > 0) {
		s = line;
		if (!es_str_token(&s, &tok))
			continue;			/* blank */
		if (at == TOTALS && tok.p[0] == '#')
			continue;			/* the comment block */
		if (at == TOTALS && tok.p[0] == '{') {
			if (entry(&it, line, vendor, t, &sum, seen, &nseen, e))
				goto fail;
			continue;
		}
		if (at == DONE) {
			es_lines_err(&it, e, "junk after the Totals: '%.*s'", (int)tok.n, tok.p);
			goto fail;
		}
		if (!es_str_eq(tok, want[at])) {
			es_lines_err(&it, e, "'%s' expected, not '%.*s'", want[at], (int)tok.n, tok.p);
			goto fail;
		}
		if (at == TOTALS) {
			if (es_str_token(&s, &tok)) {
				es_lines_err(&it, e, "junk after 'Totals:'");
				goto fail;
			}
			at++;
			continue;
		}
		if (number(&it, &s, ES_FIG_MAX, &v, e))
			goto fail;
		if (es_str_token(&s, &tok)) {
			es_lines_err(&it, e, "junk after the number: '%.*s'", (int)tok.n, tok.p);
			goto fail;
		}
		if (at == HITS && v != sum) {
			es_lines_err(&it, e, "Hits: %llu, but the hitcounts add up to %llu",
				     (unsigned long long)v, (unsigned long long)sum);
			goto fail;
		}
		if (at == HITS)
			t->total = v;
		if (at == ENTRIES && v != nseen) {
			es_lines_err(&it, e, "Entries: %llu, but %zu entries are listed",
				     (unsigned long long)v, nseen);
			goto fail;
		}
		if (at == DROPPED && v) {
			es_lines_err(&it, e, "the histogram dropped %llu events: its counts are incomplete",
				     (unsigned long long)v);
			goto fail;
		}
		at++;
	}
	if (r < 0)
		goto fail;
	if (at != DONE) {
		es_errf(e, "%s: ends before its '%s' line (cut short, or not a hist output)",
			name, want[at]);
		goto fail;
	}
	free(seen);
	return 0;
fail:
	free(seen);
	es_tallies_free(t);
	return -1;
}

void es_tallies_free(struct es_tallies *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}
