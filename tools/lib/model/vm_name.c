// SPDX-License-Identifier: GPL-2.0-only
/* See vm_name.h. */
#include <stdio.h>
#include <string.h>

#include "model/vm_name.h"

bool es_name_rule_parse(const char *spec, struct es_name_rule *rule)
{
	const char *key;

	if (!strncmp(spec, "arg:", 4))
		rule->kind = ES_NAME_ARG;
	else if (!strncmp(spec, "env:", 4))
		rule->kind = ES_NAME_ENV;
	else
		return false;
	key = spec + 4;
	if (!*key || strlen(key) >= sizeof(rule->key) || strchr(key, '='))
		return false;
	snprintf(rule->key, sizeof(rule->key), "%s", key);
	return true;
}

/* @n bytes of @s into @out as a name: printable ASCII kept, other bytes '?'. */
static bool put(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i;

	if (!n || !outlen)
		return false;
	if (n >= outlen)
		n = outlen - 1;
	for (i = 0; i < n; i++)
		out[i] = (s[i] > 0x20 && s[i] < 0x7f) ? s[i] : s[i] == ' ' ? ' ' : '?';
	out[n] = '\0';
	return true;
}

/*
 * QEMU's -name value: "guest=NAME,..." or "NAME,..." (keys after the
 * first part); ",," stands for a comma in a part.
 */
static bool qemu_name(const char *v, size_t n, char *out, size_t outlen)
{
	char part[ES_VM_NAME_MAX * 2], first[ES_VM_NAME_MAX * 2] = "";
	size_t i = 0, k, index = 0;

	while (i < n) {
		/* One part, up to a single comma. */
		for (k = 0; i < n; i++) {
			if (v[i] == ',' && !(i + 1 < n && v[i + 1] == ','))
				break;
			if (v[i] == ',')
				i++;
			if (k < sizeof(part) - 1)
				part[k++] = v[i];
		}
		part[k] = '\0';
		i++;
		if (!strncmp(part, "guest=", 6))
			return put(part + 6, k - 6, out, outlen);
		if (index++ == 0 && !strchr(part, '='))
			memcpy(first, part, k + 1);
	}
	return put(first, strlen(first), out, outlen);
}

bool es_vm_name_from_cmdline(const char *argv, size_t len, const char *opt, char *out,
			     size_t outlen)
{
	size_t i = 0, olen = strlen(opt), alen;
	const char *a, *next, *v = NULL;
	size_t vlen = 0;

	while (i < len) {
		a = argv + i;
		alen = strnlen(a, len - i);
		next = alen + 1 < len - i ? a + alen + 1 : NULL;
		if (alen == olen && !memcmp(a, opt, olen) && next) {
			v = next;
			vlen = strnlen(next, len - (size_t)(next - argv));
		} else if (alen > olen && !memcmp(a, opt, olen) && a[olen] == '=') {
			v = a + olen + 1;
			vlen = alen - olen - 1;
		}
		i += alen + 1;
	}
	if (!v || !vlen)
		return false;
	if (!strcmp(opt, "-name") || !strcmp(opt, "--name"))
		return qemu_name(v, vlen, out, outlen);
	return put(v, vlen, out, outlen);
}

bool es_vm_name_from_environ(const char *env, size_t len, const char *var, char *out,
			     size_t outlen)
{
	size_t i = 0, vlen = strlen(var), alen;
	const char *a;

	while (i < len) {
		a = env + i;
		alen = strnlen(a, len - i);
		if (alen > vlen && !memcmp(a, var, vlen) && a[vlen] == '=')
			return put(a + vlen + 1, alen - vlen - 1, out, outlen);
		i += alen + 1;
	}
	return false;
}

bool es_vm_name_from_cgroup(const char *text, size_t len, char *out, size_t outlen)
{
	static const char pre[] = "machine-qemu\\x2d";
	char name[ES_VM_NAME_MAX * 2];
	const char *p, *end, *s;
	size_t k = 0;
	unsigned int c;

	for (p = text; p < text + len; p++) {
		if ((size_t)(text + len - p) < sizeof(pre) - 1 || memcmp(p, pre, sizeof(pre) - 1))
			continue;
		s = p + sizeof(pre) - 1;
		/* The machine's number, then \x2d, then the name up to ".scope". */
		while (s < text + len && *s >= '0' && *s <= '9')
			s++;
		if ((size_t)(text + len - s) < 4 || memcmp(s, "\\x2d", 4))
			continue;
		s += 4;
		end = s;
		while (end < text + len && *end != '\n' && *end != '/')
			end++;
		if (end - s < 7 || memcmp(end - 6, ".scope", 6))
			continue;
		end -= 6;
		for (; s < end && k < sizeof(name) - 1; s++) {
			if (s + 3 < end && s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &c) == 1) {
				name[k++] = (char)c;
				s += 3;
			} else {
				name[k++] = *s;
			}
		}
		return put(name, k, out, outlen);
	}
	return false;
}
