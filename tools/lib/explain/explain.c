// SPDX-License-Identifier: GPL-2.0-only
/* See explain.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain/explain.h"

const char *es_confidence_str(enum es_confidence c)
{
	static const char *const s[] = { "low", "medium", "high" };

	return c <= ES_CONF_HIGH ? s[c] : "?";
}

const char *es_change_str(enum es_change c)
{
	static const char *const s[] = { "", "new", "still", "gone" };

	return c <= ES_CHANGE_GONE ? s[c] : "?";
}

/* Largest share first; equal ones in the table's order. */
static int by_share(const void *a, const void *b)
{
	const struct es_finding *x = a, *y = b;

	if (x->share != y->share)
		return x->share > y->share ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* Every rule that fires on @p, into @f (es_nrules of room), sorted; their number. */
static size_t run_rules(const struct es_profile *p, struct es_finding *f)
{
	size_t i, n = 0;

	for (i = 0; i < es_nrules; i++) {
		memset(&f[n], 0, sizeof(f[n]));
		f[n].rule = &es_rules[i];
		if (es_rules[i].check(p, &f[n]))
			n++;
	}
	qsort(f, n, sizeof(*f), by_share);
	return n;
}

int es_explain(const struct es_profile *p, const struct es_profile *base, struct es_explained *x)
{
	struct es_finding *bf = NULL;
	size_t nb = 0, i, j;

	memset(x, 0, sizeof(*x));
	x->p = p;
	x->base = base;
	x->f = calloc(es_nrules, sizeof(*x->f));
	if (!x->f)
		return -1;
	x->n = run_rules(p, x->f);
	if (!base)
		return 0;
	bf = calloc(es_nrules, sizeof(*bf));
	x->change = calloc(es_nrules, sizeof(*x->change));
	x->gone = calloc(es_nrules, sizeof(*x->gone));
	if (!bf || !x->change || !x->gone) {
		free(bf);
		es_explained_free(x);
		return -1;
	}
	nb = run_rules(base, bf);
	for (i = 0; i < x->n; i++) {
		x->change[i] = ES_CHANGE_NEW;
		for (j = 0; j < nb; j++)
			if (bf[j].rule == x->f[i].rule)
				x->change[i] = ES_CHANGE_STILL;
	}
	for (j = 0; j < nb; j++) {
		for (i = 0; i < x->n && x->f[i].rule != bf[j].rule; i++)
			;
		if (i == x->n)
			x->gone[x->ngone++] = bf[j];
	}
	free(bf);
	return 0;
}

void es_explained_free(struct es_explained *x)
{
	free(x->f);
	free(x->change);
	free(x->gone);
	memset(x, 0, sizeof(*x));
}
