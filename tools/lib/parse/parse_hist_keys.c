// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracefs source's kvm_exit hist, keyed on thread, vCPU and reason
 * (kernel/trace/trace_events_hist.c prints numeric keys so):
 *
 *   { common_pid:       1234, vcpu_id:          0, exit_reason:         30 } hitcount:       1604
 *   ...
 *   Totals:
 *       Hits: 1604
 *       Entries: 1
 *       Dropped: 0
 *
 * Rows go into a snapshot with the thread id in tgid (the caller maps
 * threads to their VMM), reasons folded as exitscope counts them. Dropped
 * events are no error here: the caller reports them.
 */
#include <string.h>

#include "model/snapshot.h"
#include "parse/parse.h"
#include "util/num.h"

#define KEYS_MAX_LINE	256
#define KEYS_MAX_LINES	(16384 + 16)	/* the trigger's size=16384, with room */

static const char *const key_names[] = { "common_pid:", "vcpu_id:", "exit_reason:" };

/* "NUMBER" or "NUMBER," */
static int key_value(const struct es_lines *it, struct es_str *s, bool comma, uint64_t *v,
		     struct es_err *e)
{
	struct es_str tok;
	enum es_num_error ne;

	if (!es_str_token(s, &tok))
		return es_lines_err(it, e, "a number expected");
	if (comma) {
		if (!tok.n || tok.p[tok.n - 1] != ',')
			return es_lines_err(it, e, "'%.*s': a ',' expected after it", (int)tok.n, tok.p);
		tok.n--;
	}
	ne = es_num_parse(tok.p, tok.n, ES_NUM_DEC, 0, UINT32_MAX, v);
	if (ne != ES_NUM_OK)
		return es_lines_err(it, e, "'%.*s': %s", (int)tok.n, tok.p, es_num_strerror(ne));
	return 0;
}

static int entry(const struct es_lines *it, struct es_str s, enum es_vendor vendor,
		 struct es_snap *out, uint64_t *sum, struct es_err *e)
{
	uint64_t k[3], hits;
	struct es_str tok;
	struct es_snap_row *r;
	enum es_num_error ne;
	size_t i;

	if (!es_str_token(&s, &tok) || !es_str_eq(tok, "{"))
		return es_lines_err(it, e, "'{' expected");
	for (i = 0; i < 3; i++) {
		if (!es_str_token(&s, &tok) || !es_str_eq(tok, key_names[i]))
			return es_lines_err(it, e, "'%s' expected (not the hist exitscope set?)",
					    key_names[i]);
		if (key_value(it, &s, i < 2, &k[i], e))
			return -1;
	}
	if (!es_str_token(&s, &tok) || !es_str_eq(tok, "}") ||
	    !es_str_token(&s, &tok) || !es_str_eq(tok, "hitcount:") || !es_str_token(&s, &tok))
		return es_lines_err(it, e, "'} hitcount: N' expected");
	ne = es_num_parse(tok.p, tok.n, ES_NUM_DEC, 0, ES_FIG_MAX, &hits);
	if (ne != ES_NUM_OK)
		return es_lines_err(it, e, "hitcount '%.*s': %s", (int)tok.n, tok.p, es_num_strerror(ne));
	if (es_str_token(&s, &tok))
		return es_lines_err(it, e, "junk after the hitcount: '%.*s'", (int)tok.n, tok.p);
	if (vendor == ES_INTEL)
		k[2] = es_bpf_fold_reason(ES_BPF_ISA_VMX, (uint32_t)k[2]);
	r = es_snap_get(out, (uint32_t)k[0], (uint32_t)k[1], (uint32_t)k[2]);
	if (!r)
		return es_lines_err(it, e, "out of memory");
	if (*sum > ES_FIG_MAX - hits || r->count > ES_FIG_MAX - hits)
		return es_lines_err(it, e, "hitcounts overflow");
	/* VMX keys that fold together (flag bits) add up. */
	r->count += hits;
	*sum += hits;
	return 0;
}

int es_parse_hist_keys(const char *name, const char *buf, size_t len, enum es_vendor vendor,
		       struct es_snap *out, uint64_t *dropped, struct es_err *e)
{
	enum { TOTALS, HITS, ENTRIES, DROPPED, DONE } at = TOTALS;
	static const char *const want[] = { "Totals:", "Hits:", "Entries:", "Dropped:" };
	struct es_str line, s, tok;
	struct es_lines it;
	uint64_t sum = 0, v;
	int r;

	*dropped = 0;
	es_lines_init(&it, name, buf, len, KEYS_MAX_LINE, KEYS_MAX_LINES, ES_LINES_ASCII);
	while ((r = es_lines_next(&it, &line, e)) > 0) {
		s = line;
		if (!es_str_token(&s, &tok))
			continue;
		if (at == TOTALS && tok.p[0] == '#')
			continue;
		if (at == TOTALS && tok.p[0] == '{') {
			if (entry(&it, line, vendor, out, &sum, e))
				return -1;
			continue;
		}
		if (at == DONE)
			return es_lines_err(&it, e, "junk after the Totals: '%.*s'", (int)tok.n, tok.p);
		if (!es_str_eq(tok, want[at]))
			return es_lines_err(&it, e, "'%s' expected, not '%.*s'", want[at],
					    (int)tok.n, tok.p);
		if (at == TOTALS) {
			at++;
			continue;
		}
		if (!es_str_token(&s, &tok) ||
		    es_num_parse(tok.p, tok.n, ES_NUM_DEC, 0, ES_FIG_MAX, &v) != ES_NUM_OK)
			return es_lines_err(&it, e, "a number expected after '%s'", want[at]);
		if (at == HITS && v != sum)
			return es_lines_err(&it, e, "Hits: %llu, but the hitcounts add up to %llu",
					    (unsigned long long)v, (unsigned long long)sum);
		if (at == DROPPED)
			*dropped = v;
		at++;
	}
	if (r < 0)
		return -1;
	if (at != DONE)
		return es_errf(e, "%s: ends before its '%s' line (cut short, or not a hist output)",
			       name, want[at]);
	return 0;
}
