// SPDX-License-Identifier: GPL-2.0-only
/* The two small per-run files: status-MODE-RUN.txt, kvmstat-MODE-RUN.txt. */
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"
#include "util/num.h"

#define KVMSTAT_MAX_LINE	128
#define KVMSTAT_MAX_LINES	512

int es_parse_status(const char *name, const char *buf, size_t len,
		    int *status, struct es_err *e)
{
	enum es_num_error ne;
	struct es_lines it;
	struct es_str line;
	uint64_t v;
	int r;

	es_lines_init(&it, name, buf, len, 16, 1, ES_LINES_ASCII);
	r = es_lines_next(&it, &line, e);
	if (r < 0)
		return -1;
	if (!r)
		return es_errf(e, "%s: empty: no exit status", name);
	ne = es_num_parse(line.p, line.n, ES_NUM_DEC, 0, 255, &v);
	if (ne != ES_NUM_OK)
		return es_lines_err(&it, e, "'%.*s' is no exit status (0 to 255): %s",
				    (int)line.n, line.p, es_num_strerror(ne));
	r = es_lines_next(&it, &line, e);	/* one line only */
	if (r)
		return -1;
	*status = (int)v;
	return 0;
}

static bool stat_name(struct es_str s)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (!((s.p[i] >= 'a' && s.p[i] <= 'z') || (s.p[i] >= '0' && s.p[i] <= '9') ||
		      s.p[i] == '_' || s.p[i] == '-'))
			return false;
	return s.n > 0;
}

int es_parse_kvmstat(const char *name, const char *buf, size_t len,
		     struct es_run *run, struct es_err *e)
{
	struct es_str line, key, val, more;
	enum es_num_error ne;
	struct es_stat *v;
	struct es_lines it;
	uint64_t x;
	size_t i;
	int r;

	es_lines_init(&it, name, buf, len, KVMSTAT_MAX_LINE, KVMSTAT_MAX_LINES, ES_LINES_ASCII);
	while ((r = es_lines_next(&it, &line, e)) > 0) {
		if (!es_str_token(&line, &key) || !es_str_token(&line, &val) ||
		    es_str_token(&line, &more))
			return es_lines_err(&it, e, "not 'NAME VALUE'");
		if (!stat_name(key) || key.n >= sizeof(v->name))
			return es_lines_err(&it, e, "'%.*s' is no KVM statistic's name",
					    (int)key.n, key.p);
		ne = es_num_parse(val.p, val.n, ES_NUM_DEC, 0, ES_FIG_MAX, &x);
		if (ne != ES_NUM_OK)
			return es_lines_err(&it, e, "%.*s: '%.*s': %s", (int)key.n, key.p,
					    (int)val.n, val.p, es_num_strerror(ne));
		for (i = 0; i < run->nkvm; i++)
			if (es_str_eq(key, run->kvm[i].name))
				return es_lines_err(&it, e, "%.*s listed twice", (int)key.n, key.p);
		v = realloc(run->kvm, (run->nkvm + 1) * sizeof(*v));
		if (!v)
			return es_lines_err(&it, e, "out of memory");
		run->kvm = v;
		es_str_copy(key, v[run->nkvm].name, sizeof(v->name));
		v[run->nkvm++].value = x;
	}
	if (r < 0)
		return -1;
	if (!es_run_kvm_stat(run, "exits"))
		return es_errf(e, "%s: no 'exits' line (KVM's count of all exits)", name);
	run->kvm_exits = es_run_kvm_stat(run, "exits")->value;
	run->sources |= ES_SRC_KVM;
	return 0;
}
