// SPDX-License-Identifier: GPL-2.0-only
/* See detail.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/detail.h"
#include "model/names.h"
#include "util/num.h"

static const char *const kinds[ES_BPF_NR_DK] = {
	[ES_BPF_DK_IO] = "io",
	[ES_BPF_DK_MSR] = "msr",
	[ES_BPF_DK_GPA] = "gpa",
	[ES_BPF_DK_MMIO] = "mmio",
	[ES_BPF_DK_VECTOR] = "vector",
	[ES_BPF_DK_HYPERCALL] = "hypercall",
	[ES_BPF_DK_HOST_VECTOR] = "host_vector",
	[ES_BPF_DK_CR] = "cr",
};

const char *es_detail_kind_str(unsigned int kind)
{
	return kind < ES_BPF_NR_DK ? kinds[kind] : NULL;
}

unsigned int es_detail_kind_parse(const char *s)
{
	unsigned int k;

	for (k = 1; k < ES_BPF_NR_DK; k++)
		if (!strcmp(s, kinds[k]))
			return k;
	return ES_BPF_DK_NONE;
}

const char *es_detail_dir_str(unsigned int kind, unsigned int flags)
{
	switch (kind) {
	case ES_BPF_DK_IO:
		return flags & ES_BPF_DF_IN ? "in" : "out";
	case ES_BPF_DK_MSR:
	case ES_BPF_DK_CR:
		return flags & ES_BPF_DF_WRITE ? "write" : "read";
	default:
		return "";
	}
}

int es_detail_dir_parse(unsigned int kind, const char *s)
{
	unsigned int f;

	for (f = 0; f < 2; f++)
		if (!strcmp(s, es_detail_dir_str(kind, f)))
			return (int)f;
	return -1;
}

const char *es_detail_key_str(char buf[24], unsigned int kind, uint64_t value)
{
	switch (kind) {
	case ES_BPF_DK_VECTOR:
	case ES_BPF_DK_HYPERCALL:
	case ES_BPF_DK_HOST_VECTOR:
		snprintf(buf, 24, "%" PRIu64, value);
		break;
	case ES_BPF_DK_CR:
		snprintf(buf, 24, "cr%" PRIu64, value);
		break;
	default:
		snprintf(buf, 24, "0x%" PRIx64, value);
	}
	return buf;
}

int es_detail_key_parse(unsigned int kind, const char *s, uint64_t *value)
{
	switch (kind) {
	case ES_BPF_DK_VECTOR:
	case ES_BPF_DK_HYPERCALL:
	case ES_BPF_DK_HOST_VECTOR:
		return es_num(s, ES_NUM_DEC, 0, UINT64_MAX, value) ? -1 : 0;
	case ES_BPF_DK_CR:
		return strncmp(s, "cr", 2) || es_num(s + 2, ES_NUM_DEC, 0, 15, value) ? -1 : 0;
	default:
		return es_num(s, ES_NUM_HEX, 0, UINT64_MAX, value) ? -1 : 0;
	}
}

const char *es_detail_key_name(char buf[64], unsigned int kind, uint64_t value)
{
	const struct es_port_name *p;
	const char *n = NULL;

	switch (kind) {
	case ES_BPF_DK_IO:
		p = value <= UINT16_MAX ? es_port_name((uint16_t)value) : NULL;
		n = p ? p->name : NULL;
		break;
	case ES_BPF_DK_MSR:
		n = value <= UINT32_MAX ? es_msr_name((uint32_t)value) : NULL;
		break;
	case ES_BPF_DK_VECTOR:
		n = es_vector_name(value);
		break;
	case ES_BPF_DK_HYPERCALL:
		n = es_hypercall_name(value);
		break;
	case ES_BPF_DK_HOST_VECTOR:
		n = es_host_vector_name(value);
		break;
	case ES_BPF_DK_MMIO:
	case ES_BPF_DK_GPA:
		n = es_mmio_name(buf, value);
		break;
	default:
		break;
	}
	return n ? n : "";
}

const char *es_detail_name(char buf[64], const struct es_detail *d, const struct es_memslot *ms,
			   size_t n)
{
	const struct es_memslot *m = NULL;

	if (d->kind == ES_BPF_DK_GPA)
		m = es_memslot_of(ms, n, d->tgid, d->value, 1ull << ES_BPF_GPA_REGION_SHIFT);
	return m ? es_memslot_name(buf, m) : es_detail_key_name(buf, d->kind, d->value);
}

bool es_detail_valid(const struct es_detail *d)
{
	switch (d->kind) {
	case ES_BPF_DK_IO:
		return d->value <= UINT16_MAX && d->flags <= ES_BPF_DF_IN;
	case ES_BPF_DK_MSR:
		return d->value <= UINT32_MAX && d->flags <= ES_BPF_DF_WRITE;
	case ES_BPF_DK_CR:
		return d->value <= 15 && d->flags <= ES_BPF_DF_WRITE;
	case ES_BPF_DK_VECTOR:
	case ES_BPF_DK_HOST_VECTOR:
		return d->value <= 255 && !d->flags;
	case ES_BPF_DK_GPA:
		return !(d->value & 0xfff) && !d->flags;
	case ES_BPF_DK_MMIO:
	case ES_BPF_DK_HYPERCALL:
		return !d->flags;
	default:
		return false;
	}
}

/* The order of the groups: VM, reason, kind. */
static int group_cmp(const struct es_detail *x, const struct es_detail *y)
{
	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->code != y->code)
		return x->code < y->code ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return 0;
}

/* Within a group: direction, then value. */
static int flags_value_cmp(const struct es_detail *x, const struct es_detail *y)
{
	if (x->flags != y->flags)
		return x->flags < y->flags ? -1 : 1;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return 0;
}

int es_detail_key_cmp(const struct es_detail *x, const struct es_detail *y)
{
	int c = group_cmp(x, y);

	return c ? c : flags_value_cmp(x, y);
}

static int by_key(const void *a, const void *b)
{
	return es_detail_key_cmp(a, b);
}

/* a + b, saturating at the figures' limit (2^63 - 1, what JSON carries). */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
	const uint64_t max = INT64_MAX;

	return a > max - (b > max ? max : b) ? max : a + b;
}

size_t es_detail_merge(struct es_detail *d, size_t n)
{
	size_t i, o = 0;

	if (!n)
		return 0;
	qsort(d, n, sizeof(*d), by_key);
	for (i = 0; i < n; i++) {
		if (o && !es_detail_key_cmp(&d[o - 1], &d[i]))
			d[o - 1].count = sat_add(d[o - 1].count, d[i].count);
		else
			d[o++] = d[i];
	}
	return o;
}

static int by_group_count(const void *a, const void *b)
{
	const struct es_detail *x = a, *y = b;
	int c = group_cmp(x, y);

	if (c)
		return c;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return flags_value_cmp(x, y);
}

void es_detail_sort(struct es_detail *d, size_t n)
{
	if (n)
		qsort(d, n, sizeof(*d), by_group_count);
}

int es_detail_groups(struct es_detail *d, size_t n, size_t top,
		     struct es_detail_group **out, size_t *nout)
{
	struct es_detail_group *g = NULL;
	size_t ng = 0, i, j, k;

	*out = NULL;
	*nout = 0;
	es_detail_sort(d, n);
	for (i = 0; i < n; i = j) {
		struct es_detail_group *grp;
		size_t keep;

		for (j = i + 1; j < n && !group_cmp(&d[i], &d[j]); j++)
			;
		grp = realloc(g, (ng + 1) * sizeof(*g));
		if (!grp)
			goto oom;
		g = grp;
		grp = &g[ng];
		memset(grp, 0, sizeof(*grp));
		grp->tgid = d[i].tgid;
		grp->code = d[i].code;
		grp->kind = d[i].kind;
		ng++;
		keep = top && j - i > top ? top : j - i;
		grp->top = malloc(keep * sizeof(*grp->top));
		if (keep && !grp->top)
			goto oom;
		memcpy(grp->top, &d[i], keep * sizeof(*grp->top));
		grp->ntop = keep;
		for (k = i; k < j; k++) {
			grp->keyed = sat_add(grp->keyed, d[k].count);
			if (k >= i + keep) {
				grp->other = sat_add(grp->other, d[k].count);
				grp->other_keys++;
			}
		}
	}
	*out = g;
	*nout = ng;
	return 0;
oom:
	es_detail_groups_free(g, ng);
	return -1;
}

void es_detail_groups_free(struct es_detail_group *g, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(g[i].top);
	free(g);
}
