// SPDX-License-Identifier: GPL-2.0-only
/* See snapshot.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "model/snapshot.h"

void es_snap_init(struct es_snap *s)
{
	memset(s, 0, sizeof(*s));
}

void es_snap_free(struct es_snap *s)
{
	free(s->details);
	free(s->comms);
	free(s->memslots);
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

void es_snap_clear(struct es_snap *s)
{
	s->n = 0;
	s->ndetails = 0;
	s->nmemslots = 0;
	s->sorted = false;
	memset(s->health, 0, sizeof(s->health));
}

int es_snap_copy(struct es_snap *dst, const struct es_snap *src)
{
	*dst = *src;
	dst->rows = NULL;
	dst->cap = 0;
	dst->comms = NULL;
	dst->ncomms = 0;
	dst->details = NULL;
	dst->ndetails = dst->capdetails = 0;
	dst->memslots = NULL;
	dst->nmemslots = 0;
	if (src->nmemslots) {
		dst->memslots = malloc(src->nmemslots * sizeof(*dst->memslots));
		if (!dst->memslots) {
			es_snap_init(dst);
			return -1;
		}
		memcpy(dst->memslots, src->memslots, src->nmemslots * sizeof(*dst->memslots));
		dst->nmemslots = src->nmemslots;
	}
	if (src->ndetails) {
		dst->details = malloc(src->ndetails * sizeof(*dst->details));
		if (!dst->details) {
			free(dst->memslots);
			es_snap_init(dst);
			return -1;
		}
		memcpy(dst->details, src->details, src->ndetails * sizeof(*dst->details));
		dst->ndetails = dst->capdetails = src->ndetails;
	}
	if (src->ncomms) {
		dst->comms = malloc(src->ncomms * sizeof(*dst->comms));
		if (!dst->comms) {
			free(dst->details);
			free(dst->memslots);
			es_snap_init(dst);
			return -1;
		}
		memcpy(dst->comms, src->comms, src->ncomms * sizeof(*dst->comms));
		dst->ncomms = src->ncomms;
	}
	if (!src->n)
		return 0;
	dst->rows = malloc(src->n * sizeof(*dst->rows));
	if (!dst->rows) {
		free(dst->details);
		free(dst->comms);
		free(dst->memslots);
		es_snap_init(dst);
		return -1;
	}
	memcpy(dst->rows, src->rows, src->n * sizeof(*dst->rows));
	dst->cap = src->n;
	return 0;
}

int es_snap_add(struct es_snap *s, const struct es_snap_row *row)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct es_snap_row *rows = realloc(s->rows, cap * sizeof(*rows));

		if (!rows)
			return -1;
		s->rows = rows;
		s->cap = cap;
	}
	s->rows[s->n++] = *row;
	s->sorted = false;
	return 0;
}

int es_snap_add_detail(struct es_snap *s, const struct es_detail *d)
{
	if (s->ndetails == s->capdetails) {
		size_t cap = s->capdetails ? 2 * s->capdetails : 64;
		struct es_detail *n = realloc(s->details, cap * sizeof(*n));

		if (!n)
			return -1;
		s->details = n;
		s->capdetails = cap;
	}
	s->details[s->ndetails++] = *d;
	return 0;
}

int es_snap_set_memslot(struct es_snap *s, const struct es_memslot *m)
{
	struct es_memslot *n;
	size_t i;

	for (i = 0; i < s->nmemslots; i++)
		if (!es_memslot_cmp(&s->memslots[i], m)) {
			s->memslots[i] = *m;
			return 0;
		}
	n = realloc(s->memslots, (s->nmemslots + 1) * sizeof(*n));
	if (!n)
		return -1;
	s->memslots = n;
	s->memslots[s->nmemslots++] = *m;
	return 0;
}

struct es_snap_row *es_snap_get(struct es_snap *s, uint32_t tgid, uint32_t vcpu,
				uint32_t code)
{
	struct es_snap_row row = { .tgid = tgid, .vcpu = vcpu, .code = code };
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->rows[i].tgid == tgid && s->rows[i].vcpu == vcpu &&
		    s->rows[i].code == code)
			return &s->rows[i];
	return es_snap_add(s, &row) ? NULL : &s->rows[s->n - 1];
}

/* @tgid's entry of names, made empty if absent and @make; NULL if not. */
static struct es_snap_comm *names_of(struct es_snap *s, uint32_t tgid, bool make)
{
	struct es_snap_comm *c;
	size_t i;

	for (i = 0; i < s->ncomms; i++)
		if (s->comms[i].tgid == tgid)
			return &s->comms[i];
	if (!make)
		return NULL;
	c = realloc(s->comms, (s->ncomms + 1) * sizeof(*c));
	if (!c)
		return NULL;
	s->comms = c;
	memset(&c[s->ncomms], 0, sizeof(*c));
	c[s->ncomms].tgid = tgid;
	return &c[s->ncomms++];
}

int es_snap_set_comm(struct es_snap *s, uint32_t tgid, const char *comm)
{
	struct es_snap_comm *c = names_of(s, tgid, true);

	if (!c)
		return -1;
	snprintf(c->comm, sizeof(c->comm), "%s", comm);
	return 0;
}

int es_snap_set_vm(struct es_snap *s, uint32_t tgid, const char *vm)
{
	struct es_snap_comm *c = names_of(s, tgid, true);

	if (!c)
		return -1;
	snprintf(c->vm, sizeof(c->vm), "%s", vm);
	return 0;
}

const char *es_snap_comm(const struct es_snap *s, uint32_t tgid)
{
	const struct es_snap_comm *c = names_of((struct es_snap *)s, tgid, false);

	return c && c->comm[0] ? c->comm : NULL;
}

const char *es_snap_vm(const struct es_snap *s, uint32_t tgid)
{
	const struct es_snap_comm *c = names_of((struct es_snap *)s, tgid, false);

	return c && c->vm[0] ? c->vm : NULL;
}

static int key_cmp(const struct es_snap_row *x, const struct es_snap_row *y)
{
	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->vcpu != y->vcpu)
		return x->vcpu < y->vcpu ? -1 : 1;
	if (x->code != y->code)
		return x->code < y->code ? -1 : 1;
	return 0;
}

static int by_key(const void *a, const void *b)
{
	return key_cmp(a, b);
}

void es_snap_sort(struct es_snap *s)
{
	if (!s->sorted && s->n)
		qsort(s->rows, s->n, sizeof(s->rows[0]), by_key);
	s->sorted = true;
}

/* a += b, saturating at ES_FIG_MAX. */
static bool sat_add(uint64_t *a, uint64_t b)
{
	if (b > ES_FIG_MAX || *a > ES_FIG_MAX - b) {
		*a = ES_FIG_MAX;
		return false;
	}
	*a += b;
	return true;
}

bool es_snap_row_add(struct es_snap_row *dst, const struct es_snap_row *src)
{
	bool ok = sat_add(&dst->count, src->count);

	ok &= sat_add(&dst->time_ns, src->time_ns);
	ok &= sat_add(&dst->cycles, src->cycles);
	ok &= es_hist_add(dst->hist, src->hist);
	return ok;
}

/* @s's drill-down by key, equal keys summed. */
static void details_by_key(struct es_snap *s)
{
	s->ndetails = es_detail_merge(s->details, s->ndetails);
}

bool es_snap_merge(struct es_snap *s)
{
	bool ok = true;
	size_t i, o = 0;

	es_snap_sort(s);
	for (i = 0; i < s->n; i++) {
		if (o && !key_cmp(&s->rows[o - 1], &s->rows[i])) {
			ok &= es_snap_row_add(&s->rows[o - 1], &s->rows[i]);
			continue;
		}
		s->rows[o++] = s->rows[i];
	}
	s->n = o;
	details_by_key(s);
	return ok;
}

/* @a - @b where @b <= @a field by field; false if some field went backwards. */
static bool row_sub(struct es_snap_row *d, const struct es_snap_row *a,
		    const struct es_snap_row *b)
{
	unsigned int k;

	if (a->count < b->count || a->time_ns < b->time_ns || a->cycles < b->cycles)
		return false;
	for (k = 0; k < ES_HIST_BUCKETS; k++)
		if (a->hist[k] < b->hist[k])
			return false;
	*d = *a;
	d->count -= b->count;
	d->time_ns -= b->time_ns;
	d->cycles -= b->cycles;
	for (k = 0; k < ES_HIST_BUCKETS; k++)
		d->hist[k] -= b->hist[k];
	return true;
}

static bool row_zero(const struct es_snap_row *r)
{
	unsigned int k;

	if (r->count || r->time_ns || r->cycles)
		return false;
	for (k = 0; k < ES_HIST_BUCKETS; k++)
		if (r->hist[k])
			return false;
	return true;
}

/* @after's drill-down less @before's into @out: as rows are (es_snap_diff). */
static int details_diff(struct es_snap *b, struct es_snap *a, struct es_snap *out)
{
	size_t i = 0, j;

	details_by_key(b);
	details_by_key(a);
	for (j = 0; j < a->ndetails; j++) {
		struct es_detail d = a->details[j];
		int c = 1;

		while (i < b->ndetails && (c = es_detail_key_cmp(&b->details[i], &d)) < 0)
			i++;
		if (i < b->ndetails && c == 0 && b->details[i].count <= d.count)
			d.count -= b->details[i].count;
		if (d.count && es_snap_add_detail(out, &d))
			return -1;
	}
	return 0;
}

int es_snap_diff(const struct es_snap *before, const struct es_snap *after,
		 struct es_snap *out)
{
	struct es_snap b, a;
	size_t i = 0, j;
	unsigned int k;
	int rc = -1;

	es_snap_init(out);
	if (es_snap_copy(&b, before))
		return -1;
	if (es_snap_copy(&a, after)) {
		es_snap_free(&b);
		return -1;
	}
	es_snap_sort(&b);
	es_snap_sort(&a);
	memcpy(out->source, after->source, sizeof(out->source));
	memcpy(out->attach, after->attach, sizeof(out->attach));
	memcpy(out->host_kernel, after->host_kernel, sizeof(out->host_kernel));
	out->vendor = after->vendor;
	out->vendor_known = after->vendor_known;
	out->has = after->has;
	out->at_ns = after->at_ns;
	for (k = 0; k < after->ncomms; k++)
		if (es_snap_set_comm(out, after->comms[k].tgid, after->comms[k].comm) ||
		    es_snap_set_vm(out, after->comms[k].tgid, after->comms[k].vm))
			goto out;
	for (j = 0; j < after->nmemslots; j++)
		if (es_snap_set_memslot(out, &after->memslots[j]))
			goto out;
	for (k = 0; k < ES_BPF_NR_HEALTH; k++)
		out->health[k] = after->health[k] >= before->health[k] ?
				 after->health[k] - before->health[k] : after->health[k];
	for (j = 0; j < a.n; j++) {
		struct es_snap_row d;
		int c = 1;

		while (i < b.n && (c = key_cmp(&b.rows[i], &a.rows[j])) < 0)
			i++;
		if (i < b.n && c == 0) {
			if (!row_sub(&d, &a.rows[j], &b.rows[i]))
				d = a.rows[j];
		} else {
			d = a.rows[j];
		}
		if (!row_zero(&d) && es_snap_add(out, &d))
			goto out;
	}
	out->sorted = true;
	if (details_diff(&b, &a, out))
		goto out;
	rc = 0;
out:
	es_snap_free(&a);
	es_snap_free(&b);
	if (rc)
		es_snap_free(out);
	return rc;
}

int es_snap_fold(const struct es_snap *in, uint32_t tgid, bool per_vcpu,
		 bool all_vms, struct es_snap *out)
{
	struct es_snap tmp;
	size_t i, j;

	es_snap_init(out);
	if (es_snap_copy(&tmp, in))
		return -1;
	tmp.n = 0;
	for (i = 0; i < in->n; i++) {
		struct es_snap_row r = in->rows[i];

		if (tgid && r.tgid != tgid)
			continue;
		if (!per_vcpu)
			r.vcpu = ES_VCPU_ALL;
		if (all_vms)
			r.tgid = 0;
		tmp.rows[tmp.n++] = r;
	}
	/*
	 * Keys unchanged (every vCPU kept, VMs apart) keep a sorted input's
	 * order: no sort then, which is most of a replay's read at fleet size.
	 */
	tmp.sorted = in->sorted && per_vcpu && !all_vms;
	es_snap_sort(&tmp);
	/* Now equal keys are neighbours: sum them. */
	for (i = 0, j = 0; i < tmp.n; i++) {
		if (j && !key_cmp(&tmp.rows[j - 1], &tmp.rows[i]))
			es_snap_row_add(&tmp.rows[j - 1], &tmp.rows[i]);
		else
			tmp.rows[j++] = tmp.rows[i];
	}
	tmp.n = j;
	for (i = 0, j = 0; i < tmp.ndetails; i++) {
		struct es_detail d = tmp.details[i];

		if (tgid && d.tgid != tgid)
			continue;
		if (all_vms)
			d.tgid = 0;
		tmp.details[j++] = d;
	}
	tmp.ndetails = j;
	details_by_key(&tmp);
	/* A slot is one VM's: VMs summed have none that names their regions. */
	for (i = 0, j = 0; i < tmp.nmemslots; i++)
		if (!all_vms && (!tgid || tmp.memslots[i].tgid == tgid))
			tmp.memslots[j++] = tmp.memslots[i];
	tmp.nmemslots = j;
	if (!per_vcpu)
		tmp.has &= ~ES_SNAP_VCPUS;
	*out = tmp;
	return 0;
}
