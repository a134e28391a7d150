// SPDX-License-Identifier: GPL-2.0-only
/*
 * Output on COM1, formatted by a small printf: %d %u %x with the l and ll
 * modifiers, %s, %c, %%, a field width and the 0 flag. A line is formatted
 * first and then written under a lock, so that vCPUs never mix theirs.
 * exitscope-vmm's UART sends at once: no waiting for THRE (which would add
 * an exit per character).
 */
#include <stdarg.h>

#include "rt.h"

#define COM1	0x3f8

struct out {
	char *buf;
	size_t len, pos;
};

static void put(struct out *o, char c)
{
	if (o->pos + 1 < o->len)
		o->buf[o->pos] = c;
	o->pos++;
}

static void put_num(struct out *o, unsigned long long v, unsigned int base, bool neg,
		    int width, char pad)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		digits[n++] = '-';
	while (width-- > n)
		put(o, pad);
	while (n)
		put(o, digits[--n]);
}

static int format(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct out o = { buf, len, 0 };
	unsigned long long u;
	long long d;
	const char *s;
	int width, longs;
	char pad;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		pad = ' ';
		width = longs = 0;
		if (*++fmt == '0')
			pad = *fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
			d = longs > 1 ? va_arg(ap, long long) : longs ? va_arg(ap, long) : va_arg(ap, int);
			u = d < 0 ? 0ull - (unsigned long long)d : (unsigned long long)d;
			put_num(&o, u, 10, d < 0, width, pad);
			break;
		case 'u':
		case 'x':
			u = longs > 1 ? va_arg(ap, unsigned long long)
			    : longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			put_num(&o, u, *fmt == 'x' ? 16 : 10, false, width, pad);
			break;
		case 's':
			s = va_arg(ap, const char *);
			for (width -= (int)strlen(s); width > 0; width--)
				put(&o, ' ');
			while (*s)
				put(&o, *s++);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case '%':
			put(&o, '%');
			break;
		default:		/* not ours: show it as it was */
			put(&o, '%');
			if (!*fmt)
				fmt--;
			else
				put(&o, *fmt);
		}
	}
	if (len)
		buf[o.pos < len ? o.pos : len - 1] = 0;
	return (int)o.pos;
}

int rt_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	return format(buf, len, fmt, ap);
}

int rt_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = format(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

/*
 * Held by one vCPU (its index + 1). A vCPU that faults while printing gets
 * back in (its report must not wait for itself).
 */
static unsigned int console_owner;

void rt_printf(const char *fmt, ...)
{
	unsigned int me = this_cpu()->index + 1, free = 0;
	bool nested;
	char line[256];
	va_list ap;
	int i;

	va_start(ap, fmt);
	format(line, sizeof(line), fmt, ap);
	va_end(ap);
	nested = __atomic_load_n(&console_owner, __ATOMIC_ACQUIRE) == me;
	while (!nested && !__atomic_compare_exchange_n(&console_owner, &free, me, false,
						       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		free = 0;
		rt_pause();
	}
	for (i = 0; line[i]; i++)
		rt_outb(COM1, line[i]);
	if (!nested)
		__atomic_store_n(&console_owner, 0, __ATOMIC_RELEASE);
}
