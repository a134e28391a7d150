/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A 16550A UART as Linux's 8250 driver probes and drives it: transmit is
 * instant, receive has a small FIFO, the THRE and RDA interrupts and
 * loopback work. No locking: the VMM serializes access.
 */
#ifndef EXITSCOPE_VMM_UART_H
#define EXITSCOPE_VMM_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_COM1_BASE	0x3f8
#define UART_COM1_IRQ	4
#define UART_RX_FIFO	64

struct uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending;		/* THR empty and not yet reported */
	uint8_t rx[UART_RX_FIFO];
	unsigned int rx_head, rx_len;
	int irq_level;
	void (*out)(void *ctx, uint8_t byte);
	void (*irq)(void *ctx, int level);
	void *ctx;
};

void uart_init(struct uart *u, void (*out)(void *ctx, uint8_t byte),
	       void (*irq)(void *ctx, int level), void *ctx);
uint8_t uart_read(struct uart *u, unsigned int reg);
void uart_write(struct uart *u, unsigned int reg, uint8_t val);
/* Queue a received byte; false when the FIFO is full. */
bool uart_receive(struct uart *u, uint8_t byte);

#endif
