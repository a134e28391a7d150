// SPDX-License-Identifier: GPL-2.0-only
/* See cpuid_spec.h. */
#include <stdio.h>
#include <string.h>

#include "abi/cpuid_spec.h"
#include "util/num.h"

int es_cpuid_spec_parse(const char *s, struct es_cpuid_spec *spec, char *why,
			size_t len)
{
	static const char *const what[] = { "LEAF", "EAX", "EBX", "ECX", "EDX" };
	uint32_t *out[] = { &spec->leaf, &spec->eax, &spec->ebx, &spec->ecx, &spec->edx };
	const char *p = s, *end;
	enum es_num_error ne;
	uint64_t v;
	size_t i;

	for (i = 0; i < 5; i++) {
		char sep = i == 0 ? '=' : i == 4 ? '\0' : ',';

		end = sep ? strchr(p, sep) : p + strlen(p);
		if (!end) {
			snprintf(why, len, "'%s' is not LEAF=EAX,EBX,ECX,EDX", s);
			return -1;
		}
		ne = es_num_parse(p, (size_t)(end - p), ES_NUM_ANY, 0, UINT32_MAX, &v);
		if (ne != ES_NUM_OK) {
			snprintf(why, len, "%s '%.*s': %s (0 to 0xffffffff), in '%s'", what[i],
				 (int)(end - p), p, es_num_strerror(ne), s);
			return -1;
		}
		*out[i] = (uint32_t)v;
		p = end + 1;
	}
	return 0;
}
