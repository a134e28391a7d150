// SPDX-License-Identifier: GPL-2.0-only
/* See results.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"

#define VMX_FAILED_VMENTRY 0x80000000u

static int bad(char *err, size_t len, int line, const char *what)
{
	snprintf(err, len, "line %d: %s", line, what);
	return -1;
}

static struct es_row *row_for(struct es_table *t, uint64_t code)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (t->rows[i].code == code)
			return &t->rows[i];
	if (t->n == ES_MAX_ROWS)
		return NULL;
	memset(&t->rows[t->n], 0, sizeof(t->rows[0]));
	t->rows[t->n].code = code;
	return &t->rows[t->n++];
}

const struct es_row *es_table_find(const struct es_table *t, uint64_t code)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (t->rows[i].code == code)
			return &t->rows[i];
	return NULL;
}

/* Split "CODE NAME WORDS... COUNT CYCLES" from both ends. */
static int split_row(char *line, char *code, size_t clen, char *name,
		     size_t nlen, uint64_t *count, uint64_t *cycles)
{
	char *tok[16], *end, *save;
	int n = 0, i;
	size_t used = 0;

	for (tok[n] = strtok_r(line, " \t\n", &save); tok[n] && n < 15;
	     tok[++n] = strtok_r(NULL, " \t\n", &save))
		;
	if (n < 4)
		return -1;
	errno = 0;
	*count = strtoull(tok[n - 2], &end, 10);
	if (errno || *end)
		return -1;
	*cycles = strtoull(tok[n - 1], &end, 10);
	if (errno || *end)
		return -1;
	snprintf(code, clen, "%s", tok[0]);
	name[0] = '\0';
	for (i = 1; i < n - 2; i++)
		used += snprintf(name + used, used < nlen ? nlen - used : 0, "%s%s",
				 i > 1 ? " " : "", tok[i]);
	return 0;
}

int es_parse_stats(FILE *in, struct es_table *t, char *err, size_t len)
{
	char line[256], isa[8], mode[16], code[24], name[64];
	uint64_t count, cycles, sum = 0, v;
	bool header = false;
	struct es_row *r;
	int ln = 0;
	char *end;

	memset(t, 0, sizeof(*t));
	while (fgets(line, sizeof(line), in)) {
		ln++;
		if (!strchr(line, '\n') && !feof(in))
			return bad(err, len, ln, "line too long");
		if (line[0] == '#') {
			if (sscanf(line, "# isa %7s mode %15s exits %" SCNu64 " cycles %" SCNu64,
				   isa, mode, &t->total, &t->total_cycles) == 4) {
				if (strcmp(isa, "vmx") && strcmp(isa, "svm"))
					return bad(err, len, ln, "unknown isa");
				t->vendor = strcmp(isa, "vmx") ? ES_AMD : ES_INTEL;
				header = true;
			}
			continue;
		}
		/* "reason name... count cycles": SVM names contain spaces. */
		if (split_row(line, code, sizeof(code), name, sizeof(name),
			      &count, &cycles))
			return bad(err, len, ln, "not 'reason name count cycles'");
		if (!strcmp(code, "other")) {
			v = ES_CODE_OTHER;
		} else {
			errno = 0;
			v = strtoull(code, &end, 0);
			if (errno || *end || v > UINT32_MAX)
				return bad(err, len, ln, "bad reason");
		}
		r = row_for(t, v);
		if (!r || r->count)
			return bad(err, len, ln, r ? "reason listed twice" : "too many rows");
		snprintf(r->name, sizeof(r->name), "%s", name);
		r->count = count;
		r->cycles = cycles;
		sum += count;
	}
	if (!header)
		return bad(err, len, ln, "no '# isa ... exits N cycles N' header");
	if (sum != t->total)
		return bad(err, len, ln, "rows do not add up to the header's exits");
	return 0;
}

int es_parse_hist(FILE *in, enum es_vendor vendor, struct es_table *t,
		  char *err, size_t len)
{
	uint64_t key, hits, dropped = 0, sum = 0;
	bool totals = false;
	char line[256];
	struct es_row *r;
	int ln = 0;

	memset(t, 0, sizeof(*t));
	t->vendor = vendor;
	while (fgets(line, sizeof(line), in)) {
		ln++;
		if (sscanf(line, "{ exit_reason: %" SCNu64 " } hitcount: %" SCNu64,
			   &key, &hits) == 2) {
			if (key > UINT32_MAX)
				return bad(err, len, ln, "bad exit_reason");
			if (vendor == ES_INTEL)
				key = key & VMX_FAILED_VMENTRY ? VMX_FAILED_VMENTRY : key & 0xffff;
			r = row_for(t, key);
			if (!r)
				return bad(err, len, ln, "too many rows");
			r->count += hits;
			sum += hits;
		} else if (sscanf(line, " Hits: %" SCNu64, &t->total) == 1) {
			totals = true;
		} else if (sscanf(line, " Dropped: %" SCNu64, &dropped) == 1 && dropped) {
			return bad(err, len, ln, "the histogram dropped events");
		}
	}
	if (!totals)
		return bad(err, len, ln, "no 'Totals: Hits:' (not a hist output?)");
	if (sum != t->total)
		return bad(err, len, ln, "hitcounts do not add up to Hits");
	return 0;
}

/* The value after "KEY": in @s, as a number. */
static int json_u64(const char *s, const char *key, uint64_t *v)
{
	const char *p = strstr(s, key);
	char *end;

	if (!p)
		return -1;
	errno = 0;
	*v = strtoull(p + strlen(key), &end, 10);
	return errno || end == p + strlen(key) ? -1 : 0;
}

int es_parse_query_log(FILE *in, struct es_table *t, char *err, size_t len)
{
	char line[65536], *p, *obj, name[40];
	uint64_t code, count, cycles;
	bool inside = false, found = false;
	struct es_row *r;
	int ln = 0;

	memset(t, 0, sizeof(*t));
	while (fgets(line, sizeof(line), in)) {
		ln++;
		if (!strncmp(line, "EXITSCOPE-QUERY-BEGIN", 21)) {
			inside = true;
			continue;
		}
		if (!strncmp(line, "EXITSCOPE-QUERY-END", 19))
			break;
		if (!inside || strncmp(line, "{\"schema\":\"exitscope.query/1\"", 29))
			continue;
		found = true;
		t->vendor = strstr(line, "\"vendor\":\"amd\"") ? ES_AMD : ES_INTEL;
		if (json_u64(line, "\"total\":{\"count\":", &t->total) ||
		    json_u64(line, "\"cycles\":", &t->total_cycles))
			return bad(err, len, ln, "query JSON without totals");
		p = strstr(line, "\"reasons\":[");
		if (!p)
			return bad(err, len, ln, "query JSON without reasons");
		while ((obj = strstr(p, "{\"reason\":"))) {
			if (json_u64(obj, "{\"reason\":", &code) ||
			    sscanf(obj, "{\"reason\":%*u,\"name\":\"%39[^\"]\"", name) != 1 ||
			    json_u64(obj, "\"count\":", &count) ||
			    json_u64(obj, "\"cycles\":", &cycles))
				return bad(err, len, ln, "malformed reason in query JSON");
			r = row_for(t, code);
			if (!r)
				return bad(err, len, ln, "too many rows");
			snprintf(r->name, sizeof(r->name), "%s", name);
			r->count = count;
			r->cycles = cycles;
			p = obj + 1;
		}
	}
	if (!found)
		return bad(err, len, ln, "no exitscope query JSON between EXITSCOPE-QUERY-BEGIN/END");
	return 0;
}

int es_compare(const struct es_table *stats, const struct es_table *hist,
	       char *why, size_t len)
{
	uint64_t unmatched = 0, other = 0;
	const struct es_row *h, *s;
	size_t used = 0;
	int i, bad = 0;

#define NOTE(...) do { \
		if (used < len) \
			used += snprintf(why + used, len - used, __VA_ARGS__); \
		bad++; \
	} while (0)

	if (len)
		why[0] = '\0';
	for (i = 0; i < stats->n; i++) {
		s = &stats->rows[i];
		if (s->code == ES_CODE_OTHER) {
			other = s->count;
			continue;
		}
		h = es_table_find(hist, s->code);
		if ((h ? h->count : 0) != s->count)
			NOTE("reason %#" PRIx64 " (%s): exitscope %" PRIu64 ", tracepoint %" PRIu64 "; ",
			     s->code, s->name, s->count, h ? h->count : 0);
	}
	for (i = 0; i < hist->n; i++) {
		h = &hist->rows[i];
		if (!es_table_find(stats, h->code))
			unmatched += h->count;	/* exitscope's "other" */
	}
	if (unmatched != other)
		NOTE("codes outside exitscope's rows: tracepoint %" PRIu64 ", exitscope 'other' %" PRIu64 "; ",
		     unmatched, other);
	if (stats->total != hist->total)
		NOTE("all exits: exitscope %" PRIu64 ", tracepoint %" PRIu64 "; ",
		     stats->total, hist->total);
#undef NOTE
	return bad;
}
