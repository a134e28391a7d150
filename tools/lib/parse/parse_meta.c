// SPDX-License-Identifier: GPL-2.0-only
/*
 * metadata.txt: what ran, written by L1 (lab/l1-init.sh) as it runs, the
 * kernel source version added by the host (lab/lab.sh):
 *
 *   cpu=amd
 *   workload=seed
 *   runs=1
 *   rounds=4
 *   l2_cpus=1
 *   l1_kernel=6.1.192
 *   l2_cmdline=console=ttyS0 reboot=t panic=-1 quiet exitscope.workload=seed
 *   paging.npt=1
 *   paging.shadow=0
 *   kver=6.1.192-3
 *   modules=stock       (optional: KVM without exitscope ran; default exitscope)
 *   l1_extra=0          (optional: the exit status of lab --l1-extra's script)
 *
 * The value is everything after the first '=' (a command line holds more).
 */
#include <stdio.h>
#include <string.h>

#include "parse/parse.h"
#include "util/num.h"

#define META_MAX_LINE	4096
#define META_MAX_LINES	32

enum key { CPU, WORKLOAD, RUNS, ROUNDS, L2_CPUS, L1_KERNEL, L2_CMDLINE, KVER,
	   PAGING_NESTED, PAGING_SHADOW, NR_REQUIRED, MODULES = NR_REQUIRED, L1_EXTRA, NR_KEYS };

static const char *const key_names[NR_KEYS] = {
	"cpu", "workload", "runs", "rounds", "l2_cpus", "l1_kernel", "l2_cmdline",
	"kver", "paging.<nested>", "paging.shadow", "modules", "l1_extra",
};

static bool word(struct es_str s)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (!((s.p[i] >= 'a' && s.p[i] <= 'z') || (s.p[i] >= '0' && s.p[i] <= '9') ||
		      s.p[i] == '_' || s.p[i] == '-' || s.p[i] == '.'))
			return false;
	return s.n > 0;
}

/*
 * A Debian package version: [epoch:]upstream[-revision], a digit first,
 * then alphanumerics and . + ~ - : (Debian Policy 5.6.12), e.g.
 * 6.12.118-1~deb12u1 (a backport's tilde).
 */
static bool package_version(struct es_str s)
{
	size_t i;

	if (s.n == 0 || s.p[0] < '0' || s.p[0] > '9')
		return false;
	for (i = 0; i < s.n; i++)
		if (!((s.p[i] >= 'a' && s.p[i] <= 'z') || (s.p[i] >= 'A' && s.p[i] <= 'Z') ||
		      (s.p[i] >= '0' && s.p[i] <= '9') || strchr(".+~-:", s.p[i])))
			return false;
	return true;
}

static int text(const struct es_lines *it, const char *key, struct es_str v,
		char *buf, size_t len, struct es_err *e)
{
	if (!es_str_copy(v, buf, len))
		return es_lines_err(it, e, "%s: longer than %zu bytes", key, len - 1);
	return 0;
}

static int number(const struct es_lines *it, const char *key, struct es_str v,
		  uint64_t min, uint64_t max, unsigned int *out, struct es_err *e)
{
	enum es_num_error ne;
	uint64_t x;

	ne = es_num_parse(v.p, v.n, ES_NUM_DEC, min, max, &x);
	if (ne != ES_NUM_OK)
		return es_lines_err(it, e, "%s: '%.*s': %s (%llu to %llu)", key, (int)v.n, v.p,
				    es_num_strerror(ne), (unsigned long long)min,
				    (unsigned long long)max);
	*out = (unsigned int)x;
	return 0;
}

/* A paging parameter's value as /sys/module/.../parameters shows it. */
static int param(const struct es_lines *it, struct es_str k, struct es_str v,
		 struct es_mode *mode, bool nested, struct es_err *e)
{
	bool on = es_str_eq(v, "1") || es_str_eq(v, "Y");

	if (!on && !es_str_eq(v, "0") && !es_str_eq(v, "N"))
		return es_lines_err(it, e, "%.*s: '%.*s' is no paging parameter value (1, Y, 0 or N)",
				    (int)k.n, k.p, (int)v.n, v.p);
	es_str_copy((struct es_str){ k.p + 7, k.n - 7 }, mode->name, sizeof(mode->name));
	es_str_copy(v, mode->param, sizeof(mode->param));
	mode->nested = nested;
	return 0;
}

static int line(const struct es_lines *it, struct es_str s, struct es_meta *m,
		bool seen[NR_KEYS], struct es_err *e)
{
	const char *eq = memchr(s.p, '=', s.n);
	struct es_str k, v;
	enum key key;

	if (!eq)
		return es_lines_err(it, e, "not 'key=value'");
	k = (struct es_str){ s.p, (size_t)(eq - s.p) };
	v = (struct es_str){ eq + 1, s.n - k.n - 1 };
	for (key = 0; key < NR_KEYS; key++)
		if (es_str_eq(k, key_names[key]))
			break;
	if (key == NR_KEYS && es_str_eq(k, "paging.shadow"))
		key = PAGING_SHADOW;
	else if (key == NR_KEYS && (es_str_eq(k, "paging.npt") || es_str_eq(k, "paging.ept")))
		key = PAGING_NESTED;
	if (key == NR_KEYS)
		return es_lines_err(it, e, "unknown key '%.*s'", (int)k.n, k.p);
	if (seen[key])
		return es_lines_err(it, e, "%.*s given twice", (int)k.n, k.p);
	if (key == PAGING_SHADOW && !seen[PAGING_NESTED])
		return es_lines_err(it, e, "paging.shadow before the nested mode's line");
	seen[key] = true;
	switch (key) {
	case CPU:
		if (es_str_eq(v, "amd"))
			m->vendor = ES_AMD;
		else if (es_str_eq(v, "intel"))
			m->vendor = ES_INTEL;
		else
			return es_lines_err(it, e, "cpu: '%.*s' (amd or intel)", (int)v.n, v.p);
		snprintf(m->knob, sizeof(m->knob), "%s",
			 m->vendor == ES_AMD ? "kvm_amd.npt" : "kvm_intel.ept");
		return 0;
	case WORKLOAD:
		if (!word(v))
			return es_lines_err(it, e, "workload: '%.*s' is no workload name",
					    (int)v.n, v.p);
		return text(it, "workload", v, m->workload, sizeof(m->workload), e);
	case RUNS:
		return number(it, "runs", v, 1, ES_MAX_RUNS / 2, &m->runs, e);
	case ROUNDS:
		return number(it, "rounds", v, 1, 1000000, &m->rounds, e);
	case L2_CPUS:
		return number(it, "l2_cpus", v, 1, 64, &m->l2_cpus, e);
	case L1_KERNEL:
		return text(it, "l1_kernel", v, m->l1_kernel, sizeof(m->l1_kernel), e);
	case L2_CMDLINE:
		return text(it, "l2_cmdline", v, m->l2_cmdline, sizeof(m->l2_cmdline), e);
	case KVER:
		if (!package_version(v))
			return es_lines_err(it, e, "kver: '%.*s' is no package version",
					    (int)v.n, v.p);
		return text(it, "kver", v, m->kver, sizeof(m->kver), e);
	case PAGING_NESTED:
		return param(it, k, v, &m->modes[0], true, e);
	case PAGING_SHADOW:
		return param(it, k, v, &m->modes[1], false, e);
	case MODULES:
		if (!es_str_eq(v, "stock") && !es_str_eq(v, "exitscope"))
			return es_lines_err(it, e, "modules: '%.*s' (stock or exitscope)", (int)v.n, v.p);
		return text(it, "modules", v, m->modules, sizeof(m->modules), e);
	case L1_EXTRA:
		m->l1_extra = true;
		return number(it, "l1_extra", v, 0, 255, &m->l1_extra_status, e);
	case NR_KEYS:
		break;
	}
	return 0;
}

int es_parse_meta(const char *name, const char *buf, size_t len,
		  struct es_meta *m, struct es_err *e)
{
	bool seen[NR_KEYS] = { false };
	struct es_lines it;
	struct es_str s;
	const char *want;
	int r, k;

	memset(m, 0, sizeof(*m));
	snprintf(m->source, sizeof(m->source), "lab");
	snprintf(m->modules, sizeof(m->modules), "exitscope");
	es_lines_init(&it, name, buf, len, META_MAX_LINE, META_MAX_LINES, ES_LINES_UTF8);
	while ((r = es_lines_next(&it, &s, e)) > 0)
		if (line(&it, s, m, seen, e))
			return -1;
	if (r < 0)
		return -1;
	for (k = 0; k < NR_REQUIRED; k++)
		if (!seen[k])
			return es_errf(e, "%s: no %s line", name, key_names[k]);
	want = m->vendor == ES_AMD ? "npt" : "ept";
	if (strcmp(m->modes[0].name, want))
		return es_errf(e, "%s: paging.%s on a cpu=%s lab (paging.%s expected)", name,
			       m->modes[0].name, es_cpu_name(m->vendor), want);
	m->nmodes = 2;
	return 0;
}
