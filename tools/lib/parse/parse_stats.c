// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope's debugfs file (kernel/kvm/exit_stats.c, exit_stats_show()):
 *
 *   # isa svm mode cycles exits 160364 cycles 9416443348[ halted N vmm N preempted N sleep N]
 *   #   reason name                 count      cycles[   halted  vmm  preempted  sleep]
 *         0x13 write_cr3            82932  4435477774[        0    0          0      0]
 *        other other                   12        3400[ ...]
 *
 * Reasons in decimal (VMX) or hex (SVM, and VMX's 0x80000000), names may
 * hold spaces ("PF excp"), so a row is split from both ends.
 */
#include <string.h>

#include "parse/parse.h"
#include "util/num.h"

#define STATS_MAX_LINE	512
#define STATS_MAX_LINES	(ES_MAX_ROWS + 2)

static int number(const struct es_lines *it, struct es_str tok, const char *what,
		  uint64_t *v, struct es_err *e)
{
	enum es_num_error ne = es_num_parse(tok.p, tok.n, ES_NUM_DEC, 0, ES_FIG_MAX, v);

	if (ne != ES_NUM_OK)
		return es_lines_err(it, e, "%s '%.*s': %s", what, (int)tok.n, tok.p,
				    es_num_strerror(ne));
	return 0;
}

/* "# isa I mode M exits N cycles N[ halted N vmm N preempted N sleep N]" */
static int header(const struct es_lines *it, struct es_str s, struct es_run *run,
		  enum es_vendor *vendor, struct es_err *e)
{
	static const char *const keys[] = { "#", "isa", NULL, "mode", NULL, "exits", NULL };
	struct es_str tok[9 + 2 * (ES_NR_TIMES - 1) + 1];
	size_t n = 0, i;

	while (n < sizeof(tok) / sizeof(tok[0]) && es_str_token(&s, &tok[n]))
		n++;
	if (n != 9 && n != 9 + 2 * (ES_NR_TIMES - 1))
		return es_lines_err(it, e, "not the '# isa ... exits N cycles N' header");
	for (i = 0; i < 7; i++)
		if (keys[i] && !es_str_eq(tok[i], keys[i]))
			return es_lines_err(it, e, "not the '# isa ... exits N cycles N' header");
	if (es_str_eq(tok[2], "vmx"))
		*vendor = ES_INTEL;
	else if (es_str_eq(tok[2], "svm"))
		*vendor = ES_AMD;
	else
		return es_lines_err(it, e, "unknown isa '%.*s' (vmx or svm)",
				    (int)tok[2].n, tok[2].p);
	if (!es_str_eq(tok[4], "counts") && !es_str_eq(tok[4], "cycles"))
		return es_lines_err(it, e, "unknown accounting mode '%.*s' (counts or cycles)",
				    (int)tok[4].n, tok[4].p);
	es_str_copy(tok[4], run->accounting, sizeof(run->accounting));
	if (number(it, tok[6], "exits", &run->total.count, e))
		return -1;
	for (i = 0; 7 + 2 * i < n; i++) {
		if (!es_str_eq(tok[7 + 2 * i], es_time_names[i]))
			return es_lines_err(it, e, "'%s N' expected in the header, not '%.*s'",
					    es_time_names[i], (int)tok[7 + 2 * i].n,
					    tok[7 + 2 * i].p);
		if (number(it, tok[8 + 2 * i], es_time_names[i], &run->total.t[i], e))
			return -1;
	}
	run->sources |= ES_SRC_STATS | (i == ES_NR_TIMES ? ES_SRC_TIMES : 0);
	return 0;
}

/* "#   reason name count cycles[ halted vmm preempted sleep]" */
static int columns(const struct es_lines *it, struct es_str s, size_t ntimes,
		   struct es_err *e)
{
	struct es_str tok;
	size_t i;

	if (!es_str_token(&s, &tok) || !es_str_eq(tok, "#") ||
	    !es_str_token(&s, &tok) || !es_str_eq(tok, "reason") ||
	    !es_str_token(&s, &tok) || !es_str_eq(tok, "name") ||
	    !es_str_token(&s, &tok) || !es_str_eq(tok, "count"))
		goto bad;
	for (i = 0; i < ntimes; i++)
		if (!es_str_token(&s, &tok) || !es_str_eq(tok, es_time_names[i]))
			goto bad;
	if (!es_str_token(&s, &tok))
		return 0;
bad:
	return es_lines_err(it, e, "not the column line '# reason name count %s'",
			    ntimes > 1 ? "cycles halted vmm preempted sleep" : "cycles");
}

static int row(const struct es_lines *it, struct es_str s, enum es_vendor vendor,
	       size_t ntimes, struct es_run *run, struct es_err *e)
{
	struct es_str tok[ES_NR_TIMES + 2], name;
	uint64_t code, v[ES_NR_TIMES + 1];
	size_t nnum = 1 + ntimes, i;
	enum es_num_error ne;
	struct es_row *r;
	char nm[ES_NAME_MAX + 1];

	if (!es_str_token(&s, &tok[0]))
		return es_lines_err(it, e, "empty line");
	/* Numbers from the right; what lies between code and them is the name. */
	s = es_str_trim(s);
	for (i = nnum; i > 0; i--) {
		const char *sp = s.p + s.n;

		while (sp > s.p && sp[-1] != ' ' && sp[-1] != '\t')
			sp--;
		tok[i].p = sp;
		tok[i].n = (size_t)(s.p + s.n - sp);
		if (!tok[i].n || sp == s.p)
			return es_lines_err(it, e, "not 'reason name count%s' (%zu numbers after the name)",
					    ntimes > 1 ? " cycles halted vmm preempted sleep" : " cycles",
					    nnum);
		s.n = (size_t)(sp - s.p);
		s = es_str_trim(s);
	}
	name = s;
	if (!name.n || name.n > ES_NAME_MAX)
		return es_lines_err(it, e, "a reason name of 1 to %d characters expected",
				    ES_NAME_MAX);
	for (i = 0; i < nnum; i++)
		if (number(it, tok[i + 1], i ? es_time_names[i - 1] : "count", &v[i], e))
			return -1;
	if (es_str_eq(tok[0], "other")) {
		code = ES_CODE_OTHER;
		if (!es_str_eq(name, "other"))
			return es_lines_err(it, e, "the 'other' row is named '%.*s'",
					    (int)name.n, name.p);
	} else {
		ne = es_num_parse(tok[0].p, tok[0].n, ES_NUM_ANY, 0, UINT32_MAX, &code);
		if (ne != ES_NUM_OK)
			return es_lines_err(it, e, "reason '%.*s': %s", (int)tok[0].n,
					    tok[0].p, es_num_strerror(ne));
		if (code == ES_CODE_OTHER)
			return es_lines_err(it, e, "reason %#x is exitscope's 'other' row, written as a number",
					    ES_CODE_OTHER);
		if (vendor == ES_INTEL && code > 0xffff && code != ES_CODE_FAILED_VMENTRY)
			return es_lines_err(it, e, "reason %#llx is no VMX basic exit reason",
					    (unsigned long long)code);
	}
	if (es_run_find(run, (uint32_t)code))
		return es_lines_err(it, e, "reason %.*s listed twice", (int)tok[0].n, tok[0].p);
	/* Blanks inside the name collapse to one space. */
	for (i = 0; name.n && i < sizeof(nm) - 1; ) {
		struct es_str w;

		if (!es_str_token(&name, &w))
			break;
		if (i)
			nm[i++] = ' ';
		memcpy(nm + i, w.p, w.n);
		i += w.n;
	}
	nm[i] = '\0';
	r = es_run_row(run, (uint32_t)code, nm);
	if (!r)
		return es_lines_err(it, e, "more than %d reasons, or out of memory", ES_MAX_ROWS);
	r->f.count = v[0];
	for (i = 0; i < ntimes; i++)
		r->f.t[i] = v[i + 1];
	return 0;
}

int es_parse_stats(const char *name, const char *buf, size_t len,
		   struct es_run *run, enum es_vendor *vendor, struct es_err *e)
{
	struct es_lines it;
	struct es_str line;
	size_t ntimes = 0;
	int r;

	es_lines_init(&it, name, buf, len, STATS_MAX_LINE, STATS_MAX_LINES, ES_LINES_ASCII);
	while ((r = es_lines_next(&it, &line, e)) > 0) {
		if (it.line == 1) {
			if (header(&it, line, run, vendor, e))
				return -1;
			ntimes = run->sources & ES_SRC_TIMES ? ES_NR_TIMES : 1;
		} else if (it.line == 2) {
			if (columns(&it, line, ntimes, e))
				return -1;
		} else if (row(&it, line, *vendor, ntimes, run, e)) {
			return -1;
		}
	}
	if (r < 0)
		return -1;
	if (it.line < 2)
		return es_errf(e, "%s: no '# isa ... exits N cycles N' header and column line (empty?)",
			       name);
	return 0;
}
