// SPDX-License-Identifier: GPL-2.0-only
/* See labdir.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json/record_json.h"
#include "json/results_json.h"
#include "model/record.h"
#include "model/verdict.h"
#include "parse/labdir.h"
#include "parse/parse.h"
#include "query/query_doc.h"
#include "util/num.h"

struct file {
	char path[4096];
	const char *name;		/* the part after the directory */
	struct es_text text;
};

/* Read DIR/NAME; *missing instead of an error when @optional and absent. */
static int load(const char *dir, const char *name, size_t max, bool optional,
		bool *missing, struct file *f, struct es_err *e)
{
	int n = snprintf(f->path, sizeof(f->path), "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= sizeof(f->path))
		return es_errf(e, "%s/%s: path too long", dir, name);
	f->name = f->path + strlen(dir) + 1;
	if (missing)
		*missing = false;
	if (optional) {
		struct stat st;

		if (lstat(f->path, &st) && errno == ENOENT) {
			*missing = true;
			return 0;
		}
	}
	return es_text_load(f->path, max, &f->text, e);
}

static void merge_hist(struct es_run *run, enum es_vendor vendor,
		       const struct es_tallies *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		uint32_t code = t->v[i].code;
		struct es_row *row;

		/*
		 * A code exitscope has no row for: one it has a slot for (named
		 * by the kernel) had no exits by its count; any other it counts
		 * in "other".
		 */
		if (!es_run_find(run, code) && !es_reason_name(vendor, code))
			code = ES_CODE_OTHER;
		row = es_run_row(run, code, es_reason_name(vendor, code));
		if (row)
			row->tracepoint_count += t->v[i].count;
	}
	run->total_tracepoint = t->total;
	run->sources |= ES_SRC_TRACEPOINT;
}

/*
 * collector-MODE-RUN.json: `exitscope record --json` of the BPF collector
 * while the run's VM ran, the only VM in it. Its counts go beside
 * exitscope's and the tracepoint's, folded into the rows the same way.
 */
static int merge_collector(struct es_run *run, enum es_vendor vendor, const char *name,
			   const char *buf, size_t len, struct es_err *e)
{
	struct es_record rec;
	struct es_run *vm;
	size_t i;

	if (es_read_record_json(name, buf, len, &rec, e))
		return -1;
	if (rec.meta.vendor != vendor || rec.nruns > 1) {
		es_errf(e, "%s: not a record of one %s VM (exitscope record --json)", name,
			es_isa_name(vendor));
		es_record_free(&rec);
		return -1;
	}
	run->total_collector = 0;
	vm = rec.nruns ? &rec.runs[0] : NULL;
	for (i = 0; vm && i < vm->nrows; i++) {
		uint32_t code = vm->rows[i].code;
		struct es_row *row;

		if (!es_run_find(run, code) && !es_reason_name(vendor, code))
			code = ES_CODE_OTHER;
		row = es_run_row(run, code, es_reason_name(vendor, code));
		if (!row) {
			es_record_free(&rec);
			return es_errf(e, "%s: out of memory", name);
		}
		row->collector_count += vm->rows[i].f.count;
	}
	run->total_collector = vm ? vm->total.count : 0;
	run->sources |= ES_SRC_COLLECTOR;
	/* Its drill-down (record --detail) becomes the run's: explain reads it. */
	if (rec.meta.sources & ES_SRC_DETAIL) {
		run->sources |= ES_SRC_DETAIL;
		if (vm) {
			free(run->details);
			run->details = vm->details;
			run->ndetails = vm->ndetails;
			vm->details = NULL;
			vm->ndetails = 0;
			free(run->memslots);
			run->memslots = vm->memslots;
			run->nmemslots = vm->nmemslots;
			vm->memslots = NULL;
			vm->nmemslots = 0;
		}
	}
	es_record_free(&rec);
	return 0;
}

static int merge_query(struct es_run *run, const struct es_query_doc *d,
		       enum es_vendor vendor, const char *name, struct es_err *e)
{
	size_t i;

	if (d->vendor != vendor)
		return es_errf(e, "%s: the guest's query is from %s, the run from %s", name,
			       es_isa_name(d->vendor), es_isa_name(vendor));
	for (i = 0; i < d->n; i++) {
		struct es_row *row = es_run_row(run, d->rows[i].code, d->rows[i].name);

		if (!row)
			return es_errf(e, "%s: out of memory", name);
		row->query_count = d->rows[i].count;
	}
	run->total_query = d->total;
	run->query_exits = d->query_exits;
	run->sources |= ES_SRC_QUERY;
	return 0;
}

static int load_run(const char *dir, const struct es_meta *m, struct es_run *run,
		    struct es_err *e)
{
	struct file f = { 0 };
	struct es_tallies t;
	struct es_query_doc q;
	enum es_vendor vendor;
	char name[64];
	bool missing, found, stock;
	int r;

#define NAME(kind, ext) snprintf(name, sizeof(name), kind "-%s-%u." ext, run->mode, run->index)
	NAME("status", "txt");
	if (load(dir, name, ES_STATUS_MAX_BYTES, false, NULL, &f, e))
		return -1;
	r = es_parse_status(f.name, f.text.data, f.text.len, &run->vmm_status, e);
	es_text_free(&f.text);
	if (r)
		return -1;

	NAME("stats", "txt");
	stock = !strcmp(m->modules, "stock");
	if (load(dir, name, ES_STATS_MAX_BYTES, stock, &missing, &f, e))
		return -1;
	if (stock && !missing) {
		es_text_free(&f.text);
		return es_errf(e, "%s/%s: exitscope's figures from a run of stock KVM (modules=stock in %s)",
			       dir, name, ES_META_FILE);
	}
	vendor = m->vendor;
	if (!stock) {
		r = es_parse_stats(f.name, f.text.data, f.text.len, run, &vendor, e);
		es_text_free(&f.text);
		if (r)
			return -1;
	}
	if (vendor != m->vendor)
		return es_errf(e, "%s/%s is from %s, not %s (cpu=%s in %s)", dir, name,
			       es_isa_name(vendor), es_isa_name(m->vendor),
			       es_cpu_name(m->vendor), ES_META_FILE);

	NAME("hist", "txt");
	if (load(dir, name, ES_HIST_MAX_BYTES, false, NULL, &f, e))
		return -1;
	r = es_parse_hist(f.name, f.text.data, f.text.len, vendor, &t, e);
	es_text_free(&f.text);
	if (r)
		return -1;
	merge_hist(run, vendor, &t);
	es_tallies_free(&t);
	/*
	 * Stock KVM has no exitscope: the run's counts are the tracepoint's
	 * (the BPF collector and KVM's own exits statistic check them).
	 */
	if (stock) {
		size_t i;

		for (i = 0; i < run->nrows; i++)
			run->rows[i].f.count = run->rows[i].tracepoint_count;
		run->total.count = run->total_tracepoint;
		snprintf(run->accounting, sizeof(run->accounting), "stock");
	}

	NAME("collector", "json");
	if (load(dir, name, ES_JSON_MAX_BYTES, true, &missing, &f, e))
		return -1;
	if (!missing) {
		r = merge_collector(run, vendor, f.name, f.text.data, f.text.len, e);
		es_text_free(&f.text);
		if (r)
			return -1;
	}

	NAME("kvmstat", "txt");
	if (load(dir, name, ES_KVMSTAT_MAX_BYTES, true, &missing, &f, e))
		return -1;
	if (!missing) {
		r = es_parse_kvmstat(f.name, f.text.data, f.text.len, run, e);
		es_text_free(&f.text);
		if (r)
			return -1;
	}

	NAME("l2", "log");
	if (load(dir, name, ES_LOG_MAX_BYTES, false, NULL, &f, e))
		return -1;
	r = es_query_log_parse(f.name, f.text.data, f.text.len, &q, &found, e);
	es_text_free(&f.text);
	if (r) {
		es_verdict_add(&run->verdict, "%s", e->msg);
		e->msg[0] = '\0';
	} else if (found) {
		r = merge_query(run, &q, vendor, name, e);
		es_query_doc_free(&q);
		if (r)
			es_verdict_add(&run->verdict, "%s", e->msg);
	}
#undef NAME
	es_run_sort(run);
	return 0;
}

/*
 * Per-run files of a mode or run metadata.txt does not list: the
 * directory and what ran disagree (a stale file, or the wrong metadata).
 */
static int stray_files(const char *dir, const struct es_meta *m, struct es_err *e)
{
	static const char *const kinds[] = { "status-", "stats-", "hist-", "kvmstat-", "l2-",
					     "collector-" };
	struct dirent *d;
	DIR *dp = opendir(dir);
	int r = 0;

	if (!dp)
		return es_errf(e, "%s: %s", dir, strerror(errno));
	while (!r && (d = readdir(dp))) {
		const char *p, *dash, *dot;
		uint64_t run;
		size_t k, i;

		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (!strncmp(d->d_name, kinds[k], strlen(kinds[k])))
				break;
		if (k == sizeof(kinds) / sizeof(kinds[0]))
			continue;
		p = d->d_name + strlen(kinds[k]);
		dash = strrchr(p, '-');
		dot = strrchr(p, '.');
		if (!dash || !dot || dot < dash)
			continue;
		if (strcmp(dot, k == 4 ? ".log" : k == 5 ? ".json" : ".txt"))
			continue;
		for (i = 0; i < m->nmodes; i++)
			if ((size_t)(dash - p) == strlen(m->modes[i].name) &&
			    !strncmp(p, m->modes[i].name, (size_t)(dash - p)))
				break;
		if (i < m->nmodes &&
		    es_num_parse(dash + 1, (size_t)(dot - dash - 1), ES_NUM_DEC, 1, m->runs, &run) == ES_NUM_OK)
			continue;
		r = es_errf(e, "%s/%s: a run that %s/%s does not list (%u run(s) of modes %s and %s)",
			    dir, d->d_name, dir, ES_META_FILE, m->runs, m->modes[0].name,
			    m->modes[1].name);
	}
	closedir(dp);
	return r;
}

int es_labdir_load(const char *dir, struct es_record *r, struct es_err *e)
{
	struct file f = { 0 };
	struct stat st;
	bool missing;
	size_t m;
	unsigned int i;
	int rc;

	es_record_init(r);
	if (stat(dir, &st))
		return es_errf(e, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return es_errf(e, "%s: not a directory (a lab results directory, or a results.json file)",
			       dir);
	if (load(dir, ES_META_FILE, ES_META_MAX_BYTES, true, &missing, &f, e))
		return -1;
	if (missing)
		return es_errf(e, "%s/%s: no such file: not a lab results directory (or one from a lab before metadata.txt: run the lab again)",
			       dir, ES_META_FILE);
	rc = es_parse_meta(f.name, f.text.data, f.text.len, &r->meta, e);
	es_text_free(&f.text);
	if (rc || stray_files(dir, &r->meta, e))
		goto fail;
	for (m = 0; m < r->meta.nmodes; m++)
		for (i = 1; i <= r->meta.runs; i++) {
			struct es_run *run = es_record_add_run(r);

			if (!run) {
				es_errf(e, "%s: out of memory", dir);
				goto fail;
			}
			snprintf(run->mode, sizeof(run->mode), "%s", r->meta.modes[m].name);
			run->index = i;
			if (load_run(dir, &r->meta, run, e))
				goto fail;
		}
	return 0;
fail:
	es_record_free(r);
	return -1;
}

int es_figures_load(const char *src, bool *is_dir, struct es_record *r, struct es_err *e)
{
	struct es_text t;
	struct stat st;
	int rc;

	*is_dir = !stat(src, &st) && S_ISDIR(st.st_mode);
	if (*is_dir) {
		rc = es_labdir_load(src, r, e);
	} else {
		rc = es_text_load(src, ES_JSON_MAX_BYTES, &t, e);
		if (!rc) {
			rc = es_read_json(src, t.data, t.len, r, e);
			es_text_free(&t);
		}
	}
	if (rc)
		return -1;
	es_verdict_check(r);
	return 0;
}
