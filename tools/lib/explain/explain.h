/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * exitscope explain: findings on an exit profile (profile.h), each from one
 * rule of one table (rules.c) that says what fires it, on what figures,
 * the cause, the action and where both are documented, with the figures
 * that fired it (evidence) and a confidence. Against a baseline, each
 * finding is new, gone or still there. docs/explain.md is the table.
 */
#ifndef EXITSCOPE_EXPLAIN_H
#define EXITSCOPE_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "explain/profile.h"

enum es_confidence { ES_CONF_LOW, ES_CONF_MEDIUM, ES_CONF_HIGH };

#define ES_EVIDENCE_MAX	6

struct es_evidence {
	char what[64];			/* "#PF, CR3, INVLPG, INVPCID exits" */
	char value[48];			/* "61.2% of exits" */
};

struct es_finding {
	const struct es_rule *rule;
	enum es_confidence confidence;
	char headline[200];		/* what was seen, with its figure */
	char advice[200];		/* the action for this case, where the rule has several */
	struct es_evidence ev[ES_EVIDENCE_MAX];
	size_t nev;
	double share;			/* of all exits the finding is about: its order */
};

struct es_rule {
	const char *id;			/* "shadow-paging": stable, for scripts */
	const char *title;
	const char *fires;		/* on what figures, for docs/explain.md */
	const char *cause;
	const char *action;		/* what to do, in general */
	const char *sources;		/* where cause and action are documented */
	/* Whether @p shows it; if so @f filled (headline, evidence, confidence). */
	bool (*check)(const struct es_profile *p, struct es_finding *f);
	/*
	 * The reasons its findings are about (the kernel's names, both
	 * vendors), NULL-terminated; NULL: no reason in particular (time
	 * outliers). A report's why-line for a reason comes from the first
	 * finding whose rule names it.
	 */
	const char *const *reasons;
};

extern const struct es_rule es_rules[];
extern const size_t es_nrules;

/* What a finding is against the baseline's findings. */
enum es_change { ES_CHANGE_NONE, ES_CHANGE_NEW, ES_CHANGE_STILL, ES_CHANGE_GONE };

struct es_explained {
	const struct es_profile *p;
	struct es_finding *f;		/* by share, largest first */
	size_t n;
	/* Against a baseline: each finding's change, and the baseline's gone ones. */
	const struct es_profile *base;
	enum es_change *change;		/* per f[] */
	struct es_finding *gone;
	size_t ngone;
};

/* Every rule on @p (and against @base's findings, if not NULL); -1 out of memory. */
int es_explain(const struct es_profile *p, const struct es_profile *base, struct es_explained *x);
void es_explained_free(struct es_explained *x);

/* Whether findings of @rule are about the reason the kernel calls @name. */
bool es_rule_covers(const struct es_rule *rule, const char *name);

const char *es_confidence_str(enum es_confidence c);
const char *es_change_str(enum es_change c);
/* "12.3%", "1.2k/s", "41us": figures as findings print them. */
void es_evidence_add(struct es_finding *f, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
