// SPDX-License-Identifier: GPL-2.0-only
/* See explain_json.h. */
#include <jansson.h>
#include <math.h>

#include "json/explain_json.h"

static int put(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

static json_t *finding_json(const struct es_finding *f, const char *change)
{
	json_t *o = json_object(), *ev = json_array();
	int r = !o || !ev;
	size_t i;

	r |= put(o, "rule", json_string(f->rule->id));
	r |= put(o, "title", json_string(f->rule->title));
	r |= put(o, "confidence", json_string(es_confidence_str(f->confidence)));
	if (change && change[0])
		r |= put(o, "change", json_string(change));
	r |= put(o, "share", json_real(round(f->share * 10.0) / 10.0));
	r |= put(o, "seen", json_string(f->headline));
	r |= put(o, "evidence", ev);
	ev = NULL;
	for (i = 0; !r && i < f->nev; i++) {
		json_t *e = json_object();

		r |= !e || put(e, "what", json_string(f->ev[i].what)) ||
		     put(e, "value", json_string(f->ev[i].value));
		r |= json_array_append_new(json_object_get(o, "evidence"), e);
	}
	r |= put(o, "cause", json_string(f->rule->cause));
	if (f->advice[0])
		r |= put(o, "advice", json_string(f->advice));
	r |= put(o, "action", json_string(f->rule->action));
	r |= put(o, "sources", json_string(f->rule->sources));
	json_decref(ev);
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *profile_json(const struct es_explained *x)
{
	const struct es_profile *p = x->p;
	json_t *o = json_object(), *fs = json_array(), *gone = NULL;
	int r = !o || !fs;
	size_t i;

	r |= put(o, "label", json_string(p->label));
	r |= put(o, "exits", json_integer((json_int_t)p->total));
	if (p->span_ns)
		r |= put(o, "span_ns", json_integer((json_int_t)p->span_ns));
	if (p->nested >= 0)
		r |= put(o, "nested_paging", json_boolean(p->nested));
	r |= put(o, "times", json_boolean(p->ns));
	r |= put(o, "detail", json_boolean(p->detail));
	if (x->base)
		r |= put(o, "against", json_string(x->base->label));
	r |= put(o, "findings", fs);
	for (i = 0; !r && i < x->n; i++)
		r |= json_array_append_new(fs, finding_json(&x->f[i], x->change ?
							     es_change_str(x->change[i]) : NULL));
	if (x->base) {
		r |= put(o, "gone", gone = json_array());
		for (i = 0; !r && i < x->ngone; i++)
			r |= json_array_append_new(gone, finding_json(&x->gone[i], NULL));
	}
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int es_write_explain_json(FILE *out, const char *input, const char *baseline,
			  const struct es_explained *x, size_t n)
{
	json_t *o = json_object(), *ps = json_array();
	int r = !o || !ps, ret;
	size_t i;

	r |= put(o, "schema", json_string(ES_EXPLAIN_SCHEMA));
	r |= put(o, "input", json_string(input));
	if (baseline)
		r |= put(o, "baseline", json_string(baseline));
	r |= put(o, "profiles", ps);
	for (i = 0; !r && i < n; i++)
		r |= json_array_append_new(ps, profile_json(&x[i]));
	if (r) {
		json_decref(o);
		return -1;
	}
	ret = json_dumpf(o, out, JSON_INDENT(1));
	json_decref(o);
	if (!ret && fputc('\n', out) == EOF)
		ret = -1;
	return ret ? -1 : 0;
}
