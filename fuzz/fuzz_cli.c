// SPDX-License-Identifier: GPL-2.0-only
/*
 * Numbers from command lines and files (es_num_parse), and exitscope-vmm's
 * --cpuid LEAF=EAX,EBX,ECX,EDX (es_cpuid_spec_parse). A number accepted
 * must be exactly the one its text spells, printed back the same way.
 */
#include <inttypes.h>

#include "abi/cpuid_spec.h"
#include "util/num.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int bases = size ? (data[0] & 3) : 0;
	struct es_cpuid_spec c;
	char *s, back[40], why[256];
	uint64_t v, max;

	if (size)
		data++, size--;
	s = fuzz_copy(data, size);
	max = size >= 8 ? UINT64_MAX : (uint64_t)1 << (8 * size);
	if (es_num_parse(s, size, bases, 0, max, &v) == ES_NUM_OK) {
		ES_FUZZ_ASSERT(v <= max);
		if (size > 2 && (s[1] == 'x' || s[1] == 'X')) {
			/* Hex: the value, printed, equals the digits after leading zeros. */
			const char *d = s + 2;

			ES_FUZZ_ASSERT(bases & ES_NUM_HEX);
			while (*d == '0' && d[1])
				d++;
			snprintf(back, sizeof(back), "%" PRIx64, v);
			ES_FUZZ_ASSERT(!strcasecmp(back, d));
		} else {
			ES_FUZZ_ASSERT(bases & ES_NUM_DEC);
			snprintf(back, sizeof(back), "%" PRIu64, v);
			ES_FUZZ_ASSERT(strlen(back) == size && !memcmp(back, s, size));
		}
	}
	if (!memchr(s, '\0', size) && !es_cpuid_spec_parse(s, &c, why, sizeof(why)))
		ES_FUZZ_ASSERT(strchr(s, '=') && strchr(s, ','));
	free(s);
	return 0;
}
