// SPDX-License-Identifier: GPL-2.0-only
/*
 * The drill-down of one reason as JSON, both ways (detail_json.h). The
 * reader is as strict as the documents' own readers: every field known,
 * figures below 2^63, and the sums checked.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/detail_json.h"
#include "util/num.h"

static int put(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

static json_t *fig(uint64_t v)
{
	return v > ES_FIG_MAX ? NULL : json_integer((json_int_t)v);
}

json_t *es_detail_json(const struct es_run *run, uint32_t code, uint64_t count)
{
	json_t *a = json_array(), *g = NULL, *keys = NULL;
	unsigned int kind = ES_BPF_DK_NONE;
	uint64_t keyed = 0;
	char buf[24], name[64];
	const char *what;
	size_t i;
	int r = !a;

	/* The keys are sorted by reason, kind and key: a group is a run of them. */
	for (i = 0; !r && i <= run->ndetails; i++) {
		const struct es_detail *d = i < run->ndetails ? &run->details[i] : NULL;
		json_t *k;

		if (d && d->code != code)
			continue;
		if (g && (!d || d->kind != kind)) {
			r |= put(g, "none", fig(count >= keyed ? count - keyed : 0));
			g = NULL;
		}
		if (!d)
			break;
		if (!g) {
			kind = d->kind;
			keyed = 0;
			r |= json_array_append_new(a, g = json_object());
			r |= put(g, "kind", json_string(es_detail_kind_str(kind)));
			r |= put(g, "keys", keys = json_array());
			if (r)
				break;
		}
		keyed = keyed + d->count > ES_FIG_MAX ? ES_FIG_MAX : keyed + d->count;
		r |= json_array_append_new(keys, k = json_object());
		r |= put(k, "key", json_string(es_detail_key_str(buf, d->kind, d->value)));
		if (es_detail_dir_str(d->kind, d->flags)[0])
			r |= put(k, "dir", json_string(es_detail_dir_str(d->kind, d->flags)));
		what = es_detail_name(name, d, run->memslots, run->nmemslots);
		if (what[0])
			r |= put(k, "name", json_string(what));
		r |= put(k, "count", fig(d->count));
	}
	if (r) {
		json_decref(a);
		return NULL;
	}
	return a;
}

json_t *es_memslots_json(const struct es_run *run)
{
	json_t *a = json_array(), *o;
	char gpa[24], size[24];
	size_t i;
	int r = !a;

	for (i = 0; !r && i < run->nmemslots; i++) {
		const struct es_memslot *m = &run->memslots[i];

		snprintf(gpa, sizeof(gpa), "0x%" PRIx64, m->gpa);
		snprintf(size, sizeof(size), "0x%" PRIx64, m->size);
		o = json_pack("{s:i, s:i, s:s, s:s, s:s}", "as_id", m->as_id, "slot", m->id,
			      "gpa", gpa, "size", size, "mapping", m->mapping);
		r |= !o || json_array_append_new(a, o);
	}
	if (r) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* ---- reading ---- */

struct rd {
	char *why, *at;
	size_t whylen, atlen;
};

static int bad(struct rd *rd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rd->why, rd->whylen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Each field of @o one of @keys. */
static int known(struct rd *rd, json_t *o, const char *const *keys)
{
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_object(o))
		return bad(rd, "not an object");
	json_object_foreach(o, key, v) {
		for (i = 0; keys[i] && strcmp(keys[i], key); i++)
			;
		if (!keys[i])
			return bad(rd, "unknown key '%.40s'", key);
	}
	return 0;
}

static int get_fig(struct rd *rd, json_t *o, const char *key, uint64_t *v)
{
	json_t *x = json_object_get(o, key);

	if (!json_is_integer(x) || json_integer_value(x) < 0)
		return bad(rd, "%s is missing, or not a number 0 to 2^63-1", key);
	*v = (uint64_t)json_integer_value(x);
	return 0;
}

static int get_str(struct rd *rd, json_t *o, const char *key, char *buf, size_t len)
{
	json_t *x = json_object_get(o, key);

	if (json_is_string(x) && json_string_length(x) < len &&
	    !memchr(json_string_value(x), '\0', json_string_length(x))) {
		memcpy(buf, json_string_value(x), json_string_length(x) + 1);
		return 0;
	}
	return bad(rd, "%s is missing, or not a string of at most %zu bytes", key, len - 1);
}

/* One key of group @kind into @d. */
static int read_key(struct rd *rd, json_t *k, unsigned int kind, struct es_detail *d)
{
	static const char *const kkeys[] = { "key", "dir", "name", "count", NULL };
	char key_s[24], dir_s[8], name[64];
	int dir = 0;

	if (known(rd, k, kkeys) || get_str(rd, k, "key", key_s, sizeof(key_s)) ||
	    get_fig(rd, k, "count", &d->count))
		return -1;
	if (es_detail_key_parse(kind, key_s, &d->value))
		return bad(rd, "key is not one of its kind (0x hex; decimal for vectors and hypercalls; crN)");
	if (es_detail_dir_str(kind, 0)[0]) {
		if (get_str(rd, k, "dir", dir_s, sizeof(dir_s)) ||
		    (dir = es_detail_dir_parse(kind, dir_s)) < 0)
			return bad(rd, "dir is missing, or not the kind's (in/out, read/write)");
	} else if (json_object_get(k, "dir")) {
		return bad(rd, "dir given, but the key's kind has no direction");
	}
	d->flags = (uint16_t)dir;
	/* A name is for people: any short text, checked for shape only. */
	if (json_object_get(k, "name") && get_str(rd, k, "name", name, sizeof(name)))
		return -1;
	if (!es_detail_valid(d))
		return bad(rd, "key out of its kind's range (a port of 16 bits, a vector of 8...)");
	return 0;
}

int es_memslots_read_json(json_t *a, struct es_run *run, char *why, size_t whylen, char *at,
			  size_t atlen)
{
	static const char *const mkeys[] = { "as_id", "slot", "gpa", "size", "mapping", NULL };
	struct rd rd = { .why = why, .at = at, .whylen = whylen, .atlen = atlen };
	char gpa_s[24], size_s[24];
	struct es_memslot m, *n;
	uint64_t as_id, id;
	json_t *o;
	size_t i;

	at[0] = '\0';
	if (!json_is_array(a) || json_array_size(a) > ES_BPF_MEMSLOTS_MAX)
		return bad(&rd, "memslots is not an array of at most %d", ES_BPF_MEMSLOTS_MAX);
	json_array_foreach(a, i, o) {
		memset(&m, 0, sizeof(m));
		snprintf(at, atlen, "[%zu]", i);
		if (known(&rd, o, mkeys) || get_fig(&rd, o, "as_id", &as_id) ||
		    get_fig(&rd, o, "slot", &id) || get_str(&rd, o, "gpa", gpa_s, sizeof(gpa_s)) ||
		    get_str(&rd, o, "size", size_s, sizeof(size_s)) ||
		    get_str(&rd, o, "mapping", m.mapping, sizeof(m.mapping)))
			return -1;
		if (!es_mapping_ok(m.mapping))
			return bad(&rd, "mapping has a byte that is not printable ASCII");
		if (as_id > 1 || id > INT16_MAX)
			return bad(&rd, "as_id is not 0 or 1, or slot not 0 to 32767");
		if (es_num(gpa_s, ES_NUM_HEX, 0, UINT64_MAX, &m.gpa) ||
		    es_num(size_s, ES_NUM_HEX, 1, UINT64_MAX - m.gpa, &m.size) ||
		    (m.gpa | m.size) & 0xfff)
			return bad(&rd, "gpa and size are not 0x hex, page-aligned, size above 0 and within 2^64");
		m.tgid = run->pid;
		m.as_id = (uint16_t)as_id;
		m.id = (uint16_t)id;
		if (i && es_memslot_cmp(&run->memslots[run->nmemslots - 1], &m) >= 0)
			return bad(&rd, "memslots are not in ascending (as_id, slot) order, each once");
		n = realloc(run->memslots, (run->nmemslots + 1) * sizeof(*n));
		if (!n)
			return bad(&rd, "out of memory");
		run->memslots = n;
		run->memslots[run->nmemslots++] = m;
	}
	at[0] = '\0';
	return 0;
}

int es_detail_read_json(json_t *a, struct es_run *run, uint32_t code, uint64_t count,
			char *why, size_t whylen, char *at, size_t atlen)
{
	static const char *const gkeys[] = { "kind", "keys", "none", NULL };
	struct rd rd = { .why = why, .at = at, .whylen = whylen, .atlen = atlen };
	bool seen[ES_BPF_NR_DK] = { false };
	char kind_s[16];
	json_t *g, *keys, *k;
	size_t i, j, first, m;

	at[0] = '\0';
	if (!json_is_array(a))
		return bad(&rd, "detail is not an array");
	json_array_foreach(a, i, g) {
		unsigned int kind;
		uint64_t none, keyed = 0;

		snprintf(at, atlen, "[%zu]", i);
		if (known(&rd, g, gkeys) || get_str(&rd, g, "kind", kind_s, sizeof(kind_s)) ||
		    get_fig(&rd, g, "none", &none))
			return -1;
		kind = es_detail_kind_parse(kind_s);
		if (kind == ES_BPF_DK_NONE || seen[kind])
			return bad(&rd, "kind is not io, msr, gpa, mmio, vector, hypercall, host_vector or cr, or is given twice");
		seen[kind] = true;
		keys = json_object_get(g, "keys");
		if (!json_is_array(keys) || json_array_size(keys) > ES_DETAIL_MAX_KEYS)
			return bad(&rd, "keys is not an array of at most 65536");
		first = run->ndetails;
		json_array_foreach(keys, j, k) {
			struct es_detail d = { .tgid = run->pid, .code = code, .kind = (uint8_t)kind };
			struct es_detail *n;

			snprintf(at, atlen, "[%zu].keys[%zu]", i, j);
			if (read_key(&rd, k, kind, &d))
				return -1;
			for (m = first; m < run->ndetails; m++)
				if (run->details[m].value == d.value && run->details[m].flags == d.flags)
					return bad(&rd, "a key given twice");
			if (d.count > ES_FIG_MAX - keyed)
				return bad(&rd, "the keys' counts add up past 2^63");
			keyed += d.count;
			n = realloc(run->details, (run->ndetails + 1) * sizeof(*n));
			if (!n)
				return bad(&rd, "out of memory");
			run->details = n;
			run->details[run->ndetails++] = d;
		}
		snprintf(at, atlen, "[%zu]", i);
		if (keyed > count || none != count - keyed)
			return bad(&rd, "the keys and none do not add up to the reason's count");
	}
	at[0] = '\0';
	return 0;
}
