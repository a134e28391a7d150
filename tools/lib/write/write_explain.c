// SPDX-License-Identifier: GPL-2.0-only
/* explain's findings and rule table for people (writers.h). */
#include <inttypes.h>
#include <string.h>

#include "write/writers.h"

/*
 * @text after @lead (on the first line) or @indent spaces (after), cut at
 * spaces into lines of at most @width columns (0: one line); a word
 * longer than a line goes on a line of its own.
 */
static void wrap(FILE *out, const char *lead, unsigned int indent, const char *text,
		 unsigned int width)
{
	size_t col = strlen(lead), avail;
	const char *p = text;

	fputs(lead, out);
	for (; col < indent; col++)
		fputc(' ', out);
	if (!width || width <= indent + 20) {
		fprintf(out, "%s\n", text);
		return;
	}
	avail = width - indent;
	while (*p) {
		size_t n = strlen(p), cut = n;

		if (n > avail) {
			for (cut = avail; cut > 0 && p[cut] != ' '; cut--)
				;
			if (!cut)
				cut = strcspn(p, " ");
		}
		fprintf(out, "%.*s\n", (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
		if (*p)
			fprintf(out, "%*s", (int)indent, "");
	}
}

static void finding(FILE *out, const struct es_finding *f, const char *change, unsigned int width)
{
	char lead[96];
	size_t i;

	fprintf(out, "  %s [%s%s%s]  (%s)\n", f->rule->title, es_confidence_str(f->confidence),
		change[0] ? ", " : "", change, f->rule->id);
	wrap(out, "    seen:", 14, f->headline, width);
	for (i = 0; i < f->nev; i++) {
		snprintf(lead, sizeof(lead), "      %-44s", f->ev[i].what);
		fprintf(out, "%s %s\n", lead, f->ev[i].value);
	}
	wrap(out, "    cause:", 14, f->rule->cause, width);
	if (f->advice[0])
		wrap(out, "    advice:", 14, f->advice, width);
	wrap(out, "    action:", 14, f->rule->action, width);
	wrap(out, "    source:", 14, f->rule->sources, width);
}

int es_write_explained(FILE *out, const struct es_explained *x, size_t n, unsigned int width)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		const struct es_profile *p = x[i].p;

		fprintf(out, "%s%s: %" PRIu64 " exits", i ? "\n" : "", p->label, p->total);
		if (p->span_ns)
			fprintf(out, " in %.1fs", (double)p->span_ns / 1e9);
		if (x[i].base)
			fprintf(out, ", against %s", x[i].base->label);
		fprintf(out, ": %zu finding%s%s\n", x[i].n, x[i].n == 1 ? "" : "s",
			p->detail ? "" : " (no drill-down: record --detail says more)");
		for (k = 0; k < x[i].n; k++)
			finding(out, &x[i].f[k], x[i].change ? es_change_str(x[i].change[k]) : "", width);
		for (k = 0; k < x[i].ngone; k++)
			fprintf(out, "  %s [gone]  (%s): in %s, not here\n", x[i].gone[k].rule->title,
				x[i].gone[k].rule->id, x[i].base->label);
	}
	return ferror(out) ? -1 : 0;
}

int es_write_rules_md(FILE *out)
{
	size_t i;

	fputs("| rule | fires on | cause | action | sources |\n|---|---|---|---|---|\n", out);
	for (i = 0; i < es_nrules; i++) {
		const struct es_rule *r = &es_rules[i];

		fprintf(out, "| `%s` (%s) | ", r->id, r->title);
		es_md_cell(out, r->fires);
		fputs(" | ", out);
		es_md_cell(out, r->cause);
		fputs(" | ", out);
		es_md_cell(out, r->action);
		fputs(" | ", out);
		es_md_cell(out, r->sources);
		fputs(" |\n", out);
	}
	return ferror(out) ? -1 : 0;
}

/* One finding as a Markdown list item, with its cause, action and sources below. */
static void finding_md(FILE *out, const struct es_finding *f, const char *change)
{
	fputs("- **", out);
	es_md_cell(out, f->rule->title);
	fprintf(out, "** (%s%s%s; `%s`): ", es_confidence_str(f->confidence), change[0] ? ", " : "",
		change, f->rule->id);
	es_md_cell(out, f->headline);
	fputs(".\n  *Cause:* ", out);
	es_md_cell(out, f->rule->cause);
	if (f->advice[0]) {
		fputs(".\n  *Here:* ", out);
		es_md_cell(out, f->advice);
	}
	fputs(".\n  *Action:* ", out);
	es_md_cell(out, f->rule->action);
	fputs(".\n  *Sources:* ", out);
	es_md_cell(out, f->rule->sources);
	fputs(".\n", out);
}

int es_write_findings_md(FILE *out, const struct es_record *r)
{
	struct es_profile p[ES_MAX_COLS];
	struct es_explained x;
	size_t n, i, k;

	if (es_profiles(r, p, &n))
		return -1;
	fprintf(out, "\n## Why: what `exitscope explain` finds\n\nEach finding comes from one rule of docs/explain.md, with the figures that fired it%s.\n",
		n > 1 ? "; each column after the first is explained against the first" : "");
	for (i = 0; i < n; i++) {
		if (es_explain(&p[i], i ? &p[0] : NULL, &x)) {
			es_profiles_free(p, n);
			return -1;
		}
		fprintf(out, "\n**%s**%s%s:%s\n", p[i].label, i ? " against " : "", i ? p[0].label : "",
			x.n || x.ngone ? "\n" : " no finding.");
		for (k = 0; k < x.n; k++)
			finding_md(out, &x.f[k], x.change ? es_change_str(x.change[k]) : "");
		for (k = 0; k < x.ngone; k++)
			fprintf(out, "- **%s** (gone; `%s`): fired in %s, not here.\n",
				x.gone[k].rule->title, x.gone[k].rule->id, p[0].label);
		es_explained_free(&x);
	}
	es_profiles_free(p, n);
	return ferror(out) ? -1 : 0;
}

int es_whys_init(struct es_whys *w, const struct es_record *r)
{
	if (es_profiles(r, w->p, &w->n))
		return -1;
	for (size_t i = 0; i < w->n; i++) {
		if (es_explain(&w->p[i], NULL, &w->x[i])) {
			while (i--)
				es_explained_free(&w->x[i]);
			es_profiles_free(w->p, w->n);
			return -1;
		}
	}
	return 0;
}

void es_whys_free(struct es_whys *w)
{
	for (size_t i = 0; i < w->n; i++)
		es_explained_free(&w->x[i]);
	es_profiles_free(w->p, w->n);
	w->n = 0;
}

/* "npt 0.0%, shadow 45.9%": reason @name's share of each column's exits. */
static void shares(const struct es_whys *w, const char *name, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < w->n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s %.1f%%", i ? ", " : "",
					 w->p[i].label,
					 es_profile_share(&w->p[i], es_profile_count(&w->p[i], name)));
}

const char *es_why(const struct es_whys *w, const char *name, char *buf, size_t len)
{
	const char *note = es_note_for(name);
	char sh[128];

	shares(w, name, sh, sizeof(sh));
	for (size_t i = 0; i < w->n; i++) {
		for (size_t k = 0; k < w->x[i].n; k++) {
			const struct es_finding *f = &w->x[i].f[k];

			if (!es_rule_covers(f->rule, name))
				continue;
			/* The reason's own mechanism where there is a note, else what the rule saw. */
			snprintf(buf, len, "%s (%s, in %s; of all exits: %s): %s", f->rule->id,
				 es_confidence_str(f->confidence), w->p[i].label, sh,
				 note ? note : f->headline);
			return buf;
		}
	}
	snprintf(buf, len, "no finding (of all exits: %s): %s", sh,
		 note ? note : "changed with the paging mode; no note on this reason");
	return buf;
}
