/* SPDX-License-Identifier: GPL-2.0-only */
/* Port I/O of the guest: the UART, the exit port, reset ports. */
#ifndef EXITSCOPE_VMM_IO_H
#define EXITSCOPE_VMM_IO_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

void io_port(struct vm *vm, uint16_t port, bool out, uint8_t *data,
	     int size, uint32_t count);
/* Feed the UART from standard input, in a thread of its own... */
int io_start_console_input(struct vm *vm);
/* ...until this, which returns once that thread has ended. */
void io_stop_console_input(struct vm *vm);

#endif
