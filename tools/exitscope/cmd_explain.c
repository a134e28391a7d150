// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope explain: findings on what a record or a lab run shows, each
 * from one rule of the table in tools/lib/explain/rules.c (docs/explain.md):
 * what was seen, the cause, the action, the sources, and against a
 * baseline what appeared and what went away.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "explain/explain.h"
#include "json/explain_json.h"
#include "parse/labdir.h"
#include "write/writers.h"
#include "cmd.h"

#define PROG "exitscope explain"

#define EXPLAIN_OK	0
#define EXPLAIN_USAGE	2
#define EXPLAIN_BAD	3	/* missing, unreadable or corrupt input */

void cmd_explain_help(void)
{
	printf("usage: exitscope explain [--json] SOURCE [BASELINE]\n"
	       "       exitscope explain --rules\n"
	       "\n"
	       "Says why the VMs exit and what to do about it: findings on the exits per\n"
	       "reason of SOURCE (a record of `exitscope record --json`, a lab results\n"
	       "directory or its results.json), each from one rule of a table with its\n"
	       "sources (docs/explain.md): what was seen, with the figures, the cause,\n"
	       "the action, a confidence (high, medium, low: low where the figures that\n"
	       "would settle it are missing, such as the drill-down of record --detail).\n"
	       "A lab run is explained per paging mode, each against the first. Against\n"
	       "BASELINE (the same kinds of input) each finding is new or still there,\n"
	       "and the baseline's that went away are listed; a profile is compared with\n"
	       "the baseline's of the same label, or its only one.\n"
	       "\n"
	       "  -j, --json   exitscope.explain/1 (docs/json.md) instead of text\n"
	       "      --rules  the rule table (Markdown), and nothing else\n"
	       "  -h, --help   this text\n"
	       "\n"
	       "Exit status: 0 explained (with findings or without); 1 the output could\n"
	       "not be written; 2 bad usage; 3 an input is missing, unreadable or corrupt.\n"
	       "\n"
	       "EXAMPLES\n"
	       "  exitscope record --detail --duration 30 --json > now.json\n"
	       "  exitscope explain now.json\n"
	       "  exitscope explain after.json before.json\n"
	       "  exitscope explain results\n");
}

struct input {
	const char *path;
	struct es_record r;
	struct es_profile p[ES_MAX_COLS];
	size_t n;
	bool loaded;
};

static int load(struct input *in)
{
	struct es_err e;
	bool dir;

	es_record_init(&in->r);
	if (es_figures_load(in->path, &dir, &in->r, &e)) {
		fprintf(stderr, PROG ": %s\n", e.msg);
		return -1;
	}
	in->loaded = true;
	if (es_profiles(&in->r, in->p, &in->n)) {
		fprintf(stderr, PROG ": out of memory\n");
		return -1;
	}
	if (!in->n) {
		fprintf(stderr, PROG ": %s: no exits to explain\n", in->path);
		return -1;
	}
	return 0;
}

static void unload(struct input *in)
{
	es_profiles_free(in->p, in->n);
	if (in->loaded)
		es_record_free(&in->r);
}

/*
 * What profile @i of @in is compared with: the baseline's of the same
 * label, else its only one; without a baseline, a lab's first mode (for
 * the modes after it); NULL: none.
 */
static const struct es_profile *base_of(const struct input *in, size_t i, const struct input *base)
{
	size_t k;

	if (!base)
		return i ? &in->p[0] : NULL;
	for (k = 0; k < base->n; k++)
		if (!strcmp(base->p[k].label, in->p[i].label))
			return &base->p[k];
	return base->n == 1 ? &base->p[0] : NULL;
}

static unsigned int out_width(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
		return ws.ws_col < 160 ? ws.ws_col : 160;
	return 100;
}

static int explain(struct input *in, struct input *base, bool json)
{
	struct es_explained x[ES_MAX_COLS];
	size_t i, n = 0;
	int rc = EXPLAIN_OK;

	for (i = 0; i < in->n; i++, n++)
		if (es_explain(&in->p[i], base_of(in, i, base), &x[i])) {
			fprintf(stderr, PROG ": out of memory\n");
			rc = EXPLAIN_BAD;
			goto out;
		}
	if (json)
		rc = es_write_explain_json(stdout, in->path, base ? base->path : NULL, x, n);
	else
		rc = es_write_explained(stdout, x, n, out_width());
	if (rc || fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, PROG ": standard output: write error\n");
		rc = 1;
	}
out:
	for (i = 0; i < n; i++)
		es_explained_free(&x[i]);
	return rc;
}

int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "rules", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct input in = { 0 }, base = { 0 };
	bool json = false, rules = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'R': rules = true; break;
		case 'h': cmd_explain_help(); return EXPLAIN_OK;
		default:
			fprintf(stderr, PROG ": see --help\n");
			return EXPLAIN_USAGE;
		}
	}
	if (rules) {
		if (optind != argc || json) {
			fprintf(stderr, PROG ": --rules takes nothing else (see --help)\n");
			return EXPLAIN_USAGE;
		}
		return es_write_rules_md(stdout) || fflush(stdout) ? 1 : EXPLAIN_OK;
	}
	if (argc - optind < 1 || argc - optind > 2) {
		fprintf(stderr, PROG ": SOURCE [BASELINE] (see --help)\n");
		return EXPLAIN_USAGE;
	}
	in.path = argv[optind];
	base.path = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (load(&in) || (base.path && load(&base))) {
		rc = EXPLAIN_BAD;
		goto out;
	}
	rc = explain(&in, base.path ? &base : NULL, json);
out:
	unload(&in);
	unload(&base);
	return rc;
}
