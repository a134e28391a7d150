// SPDX-License-Identifier: GPL-2.0-only
/*
 * The drill-down of a record for people (below the reasons table of
 * `exitscope record` and `report`): per reason and kind, all VMs summed,
 * the top keys by exits with their share of the reason, the rest summed,
 * and the reason's exits that had no key of that kind.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model/detail.h"
#include "write/writers.h"

/* The reason's exits in @r, all VMs summed. */
static uint64_t reason_count(const struct es_record *r, uint32_t code)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < r->nruns; i++) {
		const struct es_row *row = es_run_find(&r->runs[i], code);

		if (row)
			n += row->f.count;
	}
	return n;
}

static double share(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

/* What a line of the table starts with: its reason, its kind, where they begin. */
struct lead {
	bool reason, kind;
};

static void line(FILE *out, bool md, struct lead lead, const struct es_record *r, uint32_t code,
		 unsigned int kind, const char *key, const char *dir, uint64_t n, uint64_t total,
		 const char *what)
{
	char c[ES_CODE_STR_LEN];
	const char *name = es_reason_name(r->meta.vendor, code);
	const char *cs = lead.reason ? es_code_str(c, r->meta.vendor, code) : "";
	const char *ks = lead.kind ? es_detail_kind_str(kind) : "";

	if (!lead.reason || !name)
		name = "";
	if (md) {
		fprintf(out, "| %s | ", cs);
		es_md_cell(out, name);
		fprintf(out, " | %s | %s | %s | %" PRIu64 " | %.1f%% | ", ks, key, dir, n, share(n, total));
		es_md_cell(out, what);
		fprintf(out, " |\n");
		return;
	}
	fprintf(out, "%10s  %-16.16s %-10s %-18s %-5s %12" PRIu64 " %6.1f%%%s%s\n", cs, name, ks, key,
		dir, n, share(n, total), what[0] ? "  " : "", what);
}

int es_write_detail(FILE *out, const struct es_record *r, size_t top, bool md)
{
	struct es_detail *all = NULL, *grow;
	struct es_detail_group *g = NULL;
	struct es_memslot *slots = NULL;
	size_t n = 0, ng = 0, i, k, nslots = 0;
	char key[24], rest[48], name[64];

	for (i = 0; i < r->nruns; i++) {
		if (r->runs[i].nmemslots) {
			struct es_memslot *m = realloc(slots, (nslots + r->runs[i].nmemslots) *
							   sizeof(*m));

			if (!m) {
				free(all);
				free(slots);
				return -1;
			}
			slots = m;
			memcpy(slots + nslots, r->runs[i].memslots,
			       r->runs[i].nmemslots * sizeof(*m));
			nslots += r->runs[i].nmemslots;
		}
		if (!r->runs[i].ndetails)
			continue;
		grow = realloc(all, (n + r->runs[i].ndetails) * sizeof(*all));
		if (!grow) {
			free(all);
			return -1;
		}
		all = grow;
		for (k = 0; k < r->runs[i].ndetails; k++) {
			all[n] = r->runs[i].details[k];
			all[n++].tgid = 0;
		}
	}
	/* Equal keys of several VMs: one, summed (the groups want each key once). */
	n = es_detail_merge(all, n);
	if (es_detail_groups(all, n, top, &g, &ng)) {
		free(all);
		free(slots);
		return -1;
	}
	fprintf(out, md ? "\nBelow the reasons (all VMs; the top %zu keys of each kind):\n\n"
		"| reason | name | kind | key | dir | exits | share | what |\n"
		"|---|---|---|---|---|---:|---:|---|\n" :
		"\nBelow the reasons (all VMs; the top %zu keys of each kind):\n"
		"%10s  %-16s %-10s %-18s %-5s %12s %7s  %s\n", top, "reason", "name", "kind", "key", "dir",
		"exits", "share", "what");
	if (md && !ng)
		fprintf(out, "| | | | | | | | no exit of a reason with keys |\n");
	else if (!ng)
		fprintf(out, "(no exit of a reason with keys)\n");
	for (i = 0; i < ng; i++) {
		uint64_t total = reason_count(r, g[i].code), keyed = 0;
		struct lead lead = { .reason = !i || g[i - 1].code != g[i].code, .kind = true };

		for (k = 0; k < g[i].ntop; k++) {
			const struct es_detail *d = &g[i].top[k];

			line(out, md, lead, r, d->code, d->kind, es_detail_key_str(key, d->kind, d->value),
			     es_detail_dir_str(d->kind, d->flags), d->count, total,
			     es_detail_name(name, d, slots, nslots));
			lead.reason = lead.kind = false;
		}
		if (g[i].other_keys) {
			snprintf(rest, sizeof(rest), "%zu other key%s", g[i].other_keys,
				 g[i].other_keys == 1 ? "" : "s");
			line(out, md, lead, r, g[i].code, g[i].kind, "(other)", "", g[i].other, total, rest);
		}
		/* After the reason's last kind: its exits that no kind keyed. */
		if (i + 1 < ng && g[i + 1].code == g[i].code)
			continue;
		for (k = i + 1; k-- > 0 && g[k].code == g[i].code;)
			keyed += g[k].keyed;
		lead.reason = lead.kind = false;
		if (total > keyed)
			line(out, md, lead, r, g[i].code, g[i].kind, "(no key)", "", total - keyed, total,
			     "exits of the reason without a key");
	}
	es_detail_groups_free(g, ng);
	free(all);
	free(slots);
	return ferror(out) ? -1 : 0;
}
