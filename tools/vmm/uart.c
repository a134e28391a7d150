// SPDX-License-Identifier: GPL-2.0-only
/* See uart.h. Register numbers and bits as in include/uapi/linux/serial_reg.h. */
#include <string.h>

#include "uart.h"

enum { RBR_THR, IER, IIR_FCR, LCR, MCR, LSR, MSR, SCR };

#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* transmitter holding register empty */
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFOS	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

static uint8_t pending(const struct uart *u)
{
	if ((u->ier & IER_RDI) && u->rx_len)
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thre_pending)
		return IIR_THRI;
	return IIR_NO_INT;
}

/* The line follows the interrupt state; a rise is an edge for the PIC. */
static void update_irq(struct uart *u)
{
	int level = pending(u) != IIR_NO_INT;

	if (level != u->irq_level) {
		u->irq_level = level;
		if (u->irq)
			u->irq(u->ctx, level);
	}
}

void uart_init(struct uart *u, void (*out)(void *ctx, uint8_t byte),
	       void (*irq)(void *ctx, int level), void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->out = out;
	u->irq = irq;
	u->ctx = ctx;
	u->thre_pending = true;
}

bool uart_receive(struct uart *u, uint8_t byte)
{
	if (u->rx_len == UART_RX_FIFO)
		return false;
	u->rx[(u->rx_head + u->rx_len++) % UART_RX_FIFO] = byte;
	update_irq(u);
	return true;
}

uint8_t uart_read(struct uart *u, unsigned int reg)
{
	uint8_t v = 0;

	switch (reg) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		if (u->rx_len) {
			v = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % UART_RX_FIFO;
			u->rx_len--;
		}
		break;
	case IER:
		return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case IIR_FCR:
		v = pending(u);
		if (v == IIR_THRI)
			u->thre_pending = false;	/* reading IIR acks THRE */
		if (u->fcr & FCR_ENABLE)
			v |= IIR_FIFOS;
		break;
	case LCR:
		return u->lcr;
	case MCR:
		return u->mcr;
	case LSR:
		return LSR_THRE | LSR_TEMT | (u->rx_len ? LSR_DR : 0);
	case MSR:
		if (u->mcr & MCR_LOOP)	/* outputs wired back to inputs */
			return (u->mcr & 0x01 ? MSR_DSR : 0) |
			       (u->mcr & 0x02 ? MSR_CTS : 0) |
			       (u->mcr & 0x04 ? MSR_RI : 0) |
			       (u->mcr & 0x08 ? MSR_DCD : 0);
		return MSR_DCD | MSR_DSR | MSR_CTS;
	case SCR:
		return u->scr;
	}
	update_irq(u);
	return v;
}

void uart_write(struct uart *u, unsigned int reg, uint8_t val)
{
	switch (reg) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = val;
			return;
		}
		if (u->mcr & MCR_LOOP)
			uart_receive(u, val);
		else if (u->out)
			u->out(u->ctx, val);
		u->thre_pending = true;		/* sent at once: empty again */
		break;
	case IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
			return;
		}
		if ((val & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = true;
		u->ier = val & 0x0f;
		break;
	case IIR_FCR:
		u->fcr = val;
		if (val & FCR_CLEAR_RX)
			u->rx_len = 0;
		break;
	case LCR:
		u->lcr = val;
		break;
	case MCR:
		u->mcr = val & 0x1f;
		break;
	case SCR:
		u->scr = val;
		break;
	}
	update_irq(u);
}
