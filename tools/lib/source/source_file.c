// SPDX-License-Identifier: GPL-2.0-only
/*
 * The file source, for tests and replays without KVM: records written by
 * `exitscope record --json`. PATH is one record, or a directory of them
 * (*.json, in name order). Each read returns one more record added to
 * what came before, so that a directory replays a sequence of intervals
 * (top shows its rates, the exporter its growing counters); past the last
 * it stays there.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json/record_json.h"
#include "model/record.h"
#include "parse/parse.h"
#include "source/source.h"

#define FILE_MAX_RECORDS	1000

struct file_source {
	char **paths;
	size_t n, next;
	uint32_t pid;
	struct es_snap sum;		/* records 1..next added up */
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int file_read(struct es_source *src, struct es_snap *out, struct es_err *e)
{
	struct file_source *f = src->priv;
	struct es_record r;
	struct es_snap one, merged;
	struct es_text t;
	size_t i;
	int rc;

	if (f->next < f->n) {
		const char *path = f->paths[f->next];

		if (es_text_load(path, ES_JSON_MAX_BYTES, &t, e))
			return -1;
		rc = es_read_record_json(path, t.data, t.len, &r, e);
		es_text_free(&t);
		if (rc)
			return -1;
		rc = es_record_to_snap(&r, &one, e);
		es_record_free(&r);
		if (rc)
			return -1;
		if (f->next && (one.vendor != f->sum.vendor || strcmp(one.source, f->sum.source))) {
			es_snap_free(&one);
			return es_errf(e, "%s: a %s record from %s after %s ones from %s", path,
				       one.source, es_isa_name(one.vendor), f->sum.source,
				       es_isa_name(f->sum.vendor));
		}
		/* Append, then fold equal keys together: the running sum. */
		for (i = 0; i < one.n; i++)
			if (es_snap_add(&f->sum, &one.rows[i])) {
				es_snap_free(&one);
				return es_errf(e, "out of memory");
			}
		for (i = 0; i < one.ndetails; i++)
			if (es_snap_add_detail(&f->sum, &one.details[i])) {
				es_snap_free(&one);
				return es_errf(e, "out of memory");
			}
		memcpy(f->sum.source, one.source, sizeof(one.source));
		memcpy(f->sum.host_kernel, one.host_kernel, sizeof(one.host_kernel));
		f->sum.vendor = one.vendor;
		f->sum.vendor_known = true;
		f->sum.has = one.has;
		f->sum.at_ns += one.at_ns;
		for (i = 0; i < one.ncomms; i++)
			if (es_snap_set_comm(&f->sum, one.comms[i].tgid, one.comms[i].comm) ||
			    es_snap_set_vm(&f->sum, one.comms[i].tgid, one.comms[i].vm)) {
				es_snap_free(&one);
				return es_errf(e, "out of memory");
			}
		/* A later record's slot replaces an earlier one's (the VMM may set it again). */
		for (i = 0; i < one.nmemslots; i++)
			if (es_snap_set_memslot(&f->sum, &one.memslots[i])) {
				es_snap_free(&one);
				return es_errf(e, "out of memory");
			}
		for (i = 0; i < ES_BPF_NR_HEALTH; i++)
			f->sum.health[i] += one.health[i];
		es_snap_free(&one);
		if (es_snap_fold(&f->sum, 0, true, false, &merged))
			return es_errf(e, "out of memory");
		merged.has = f->sum.has;
		es_snap_free(&f->sum);
		f->sum = merged;
		f->next++;
	}
	es_snap_free(out);
	if (es_snap_fold(&f->sum, f->pid, true, false, out))
		return es_errf(e, "out of memory");
	out->has = f->sum.has;
	return 0;
}

static void file_close(struct es_source *src)
{
	struct file_source *f = src->priv;
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++)
		free(f->paths[i]);
	free(f->paths);
	es_snap_free(&f->sum);
	free(f);
	src->priv = NULL;
}

static int add_path(struct file_source *f, const char *dir, const char *name, struct es_err *e)
{
	char **p;

	if (f->n >= FILE_MAX_RECORDS)
		return es_errf(e, "%s: more than %d records", dir, FILE_MAX_RECORDS);
	p = realloc(f->paths, (f->n + 1) * sizeof(*p));
	if (!p)
		return es_errf(e, "out of memory");
	f->paths = p;
	if (name ? asprintf(&p[f->n], "%s/%s", dir, name) < 0 : !(p[f->n] = strdup(dir)))
		return es_errf(e, "out of memory");
	f->n++;
	return 0;
}

int es_source_file_open(const char *path, const struct es_source_opts *o,
			struct es_source *src, struct es_err *e)
{
	struct file_source *f;
	struct dirent *d;
	struct stat st;
	DIR *dp;
	int rc = 0;

	memset(src, 0, sizeof(*src));
	if (stat(path, &st))
		return es_errf(e, "%s: %s", path, strerror(errno));
	f = calloc(1, sizeof(*f));
	if (!f)
		return es_errf(e, "out of memory");
	f->pid = o->pid;
	if (!S_ISDIR(st.st_mode)) {
		rc = add_path(f, path, NULL, e);
	} else if (!(dp = opendir(path))) {
		rc = es_errf(e, "%s: %s", path, strerror(errno));
	} else {
		while (!rc && (d = readdir(dp))) {
			size_t n = strlen(d->d_name);

			if (d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".json"))
				rc = add_path(f, path, d->d_name, e);
		}
		closedir(dp);
		if (!rc && !f->n)
			rc = es_errf(e, "%s: no *.json records in it", path);
		if (!rc)
			qsort(f->paths, f->n, sizeof(f->paths[0]), by_name);
	}
	src->priv = f;
	if (rc) {
		file_close(src);
		return -1;
	}
	snprintf(src->kind, sizeof(src->kind), "file");
	snprintf(src->what, sizeof(src->what), "recorded figures from %s (%zu record(s), one more each read)",
		 path, f->n);
	src->read = file_read;
	src->close = file_close;
	return 0;
}
