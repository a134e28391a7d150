// SPDX-License-Identifier: GPL-2.0-only
/* The 8250 model of exitscope-vmm, register by register, as Linux drives it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../tools/vmm/uart.h"

enum { THR, IER, IIR, LCR, MCR, LSR, MSR, SCR };

struct sink {
	char out[64];
	int n, level, edges;
};

static void out(void *ctx, uint8_t b)
{
	struct sink *s = ctx;

	s->out[s->n++] = (char)b;
}

static void irq(void *ctx, int level)
{
	struct sink *s = ctx;

	s->edges += level && !s->level;
	s->level = level;
}

static void setup(struct uart *u, struct sink *s)
{
	memset(s, 0, sizeof(*s));
	uart_init(u, out, irq, s);
}

/* Transmit is instant: THRE and TEMT always set, bytes reach the sink. */
static void test_transmit(void **state)
{
	struct uart u;
	struct sink s;

	(void)state;
	setup(&u, &s);
	assert_int_equal(uart_read(&u, LSR) & 0x61, 0x60);
	uart_write(&u, THR, 'h');
	uart_write(&u, THR, 'i');
	assert_int_equal(s.n, 2);
	assert_memory_equal(s.out, "hi", 2);
	assert_int_equal(s.level, 0);		/* IER off: no interrupt */
}

/* Linux's autoconfig: IER keeps exactly its low four bits. */
static void test_ier_probe(void **state)
{
	struct uart u;
	struct sink s;

	(void)state;
	setup(&u, &s);
	uart_write(&u, IER, 0);
	assert_int_equal(uart_read(&u, IER), 0);
	uart_write(&u, IER, 0xff);
	assert_int_equal(uart_read(&u, IER), 0x0f);
}

/* Enabling THRI raises THRE; reading IIR acknowledges it; a write re-arms. */
static void test_thre_interrupt(void **state)
{
	struct uart u;
	struct sink s;

	(void)state;
	setup(&u, &s);
	uart_write(&u, IER, 0x02);
	assert_int_equal(s.level, 1);
	assert_int_equal(uart_read(&u, IIR) & 0x0f, 0x02);
	assert_int_equal(s.level, 0);
	assert_int_equal(uart_read(&u, IIR) & 0x0f, 0x01);	/* no int */
	uart_write(&u, THR, 'x');
	assert_int_equal(s.level, 1);
	assert_int_equal(s.edges, 2);
}

/* Received bytes: DR in LSR, RDA outranks THRE, FIFO order, overflow. */
static void test_receive(void **state)
{
	struct uart u;
	struct sink s;
	int i;

	(void)state;
	setup(&u, &s);
	uart_write(&u, IER, 0x03);
	assert_true(uart_receive(&u, 'a'));
	assert_true(uart_receive(&u, 'b'));
	assert_int_equal(uart_read(&u, LSR) & 0x01, 0x01);
	assert_int_equal(uart_read(&u, IIR) & 0x0f, 0x04);
	assert_int_equal(uart_read(&u, THR), 'a');
	assert_int_equal(uart_read(&u, THR), 'b');
	assert_int_equal(uart_read(&u, LSR) & 0x01, 0);
	assert_int_equal(uart_read(&u, IIR) & 0x0f, 0x02);	/* THRE left */
	for (i = 0; i < UART_RX_FIFO; i++)
		assert_true(uart_receive(&u, (uint8_t)i));
	assert_false(uart_receive(&u, 0xee));
	uart_write(&u, IIR, 0x03);				/* clear RX FIFO */
	assert_int_equal(uart_read(&u, LSR) & 0x01, 0);
}

/* FIFO enable shows in IIR's top bits (a 16550A to the driver). */
static void test_fifo_bits(void **state)
{
	struct uart u;
	struct sink s;

	(void)state;
	setup(&u, &s);
	assert_int_equal(uart_read(&u, IIR) & 0xc0, 0);
	uart_write(&u, IIR, 0x01);
	assert_int_equal(uart_read(&u, IIR) & 0xc0, 0xc0);
}

/* DLAB switches registers 0 and 1 to the divisor latch. */
static void test_divisor_latch(void **state)
{
	struct uart u;
	struct sink s;

	(void)state;
	setup(&u, &s);
	uart_write(&u, LCR, 0x83);
	uart_write(&u, THR, 0x01);
	uart_write(&u, IER, 0x00);
	assert_int_equal(uart_read(&u, THR), 0x01);
	assert_int_equal(s.n, 0);				/* nothing sent */
	uart_write(&u, LCR, 0x03);
	assert_int_equal(uart_read(&u, LCR), 0x03);
	assert_int_equal(uart_read(&u, IER), 0x00);
	uart_write(&u, SCR, 0x5a);
	assert_int_equal(uart_read(&u, SCR), 0x5a);
}

/* Loopback: sent bytes come back, modem outputs appear as inputs. */
static void test_loopback(void **state)
{
	struct uart u;
	struct sink s;

	(void)state;
	setup(&u, &s);
	uart_write(&u, MCR, 0x10 | 0x0a);		/* LOOP, RTS, OUT2 */
	assert_int_equal(uart_read(&u, MSR) & 0xf0, 0x90);	/* CTS, DCD */
	uart_write(&u, THR, 'z');
	assert_int_equal(s.n, 0);
	assert_int_equal(uart_read(&u, THR), 'z');
	uart_write(&u, MCR, 0x0b);
	assert_int_equal(uart_read(&u, MSR) & 0xf0, 0xb0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transmit),
		cmocka_unit_test(test_ier_probe),
		cmocka_unit_test(test_thre_interrupt),
		cmocka_unit_test(test_receive),
		cmocka_unit_test(test_fifo_bits),
		cmocka_unit_test(test_divisor_latch),
		cmocka_unit_test(test_loopback),
	};

	return cmocka_run_group_tests_name("vmm_uart", tests, NULL, NULL);
}
