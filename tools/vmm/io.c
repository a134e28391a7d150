// SPDX-License-Identifier: GPL-2.0-only
/* See io.h. Unclaimed ports read as all ones and ignore writes, as on a PC. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/vmm_abi.h"
#include "io.h"
#include "vm.h"

#define PORT_KBD_CMD	0x64	/* 0xfe: pulse the reset line */
#define PORT_RESET_CTL	0xcf9	/* bit 2: reset */

static void io_byte(struct vm *vm, uint16_t port, bool out, uint8_t *v)
{
	char why[64];

	if (port >= UART_COM1_BASE && port < UART_COM1_BASE + 8) {
		if (out)
			uart_write(&vm->uart, port - UART_COM1_BASE, *v);
		else
			*v = uart_read(&vm->uart, port - UART_COM1_BASE);
		return;
	}
	if (!out) {
		*v = 0xff;
		return;
	}
	if (port == ES_VMM_EXIT_PORT) {
		snprintf(why, sizeof(why), "guest verdict %u", *v);
		vm_request_stop(vm, *v, why);
	} else if ((port == PORT_KBD_CMD && *v == 0xfe) ||
		   (port == PORT_RESET_CTL && (*v & 0x04))) {
		vm_request_plain_stop(vm, "guest reset");
	}
}

void io_port(struct vm *vm, uint16_t port, bool out, uint8_t *data,
	     int size, uint32_t count)
{
	uint32_t i;
	int b;

	pthread_mutex_lock(&vm->io_lock);
	/* String I/O comes as @count items of @size bytes, each to @port. */
	for (i = 0; i < count; i++)
		for (b = 0; b < size; b++)
			io_byte(vm, port + b, out, data + i * size + b);
	pthread_mutex_unlock(&vm->io_lock);
}

static void *console_input(void *arg)
{
	struct vm *vm = arg;
	const struct timespec wait = { 0, 1000000 };
	uint8_t c;
	bool queued;

	while (read(STDIN_FILENO, &c, 1) == 1) {
		do {
			pthread_mutex_lock(&vm->io_lock);
			queued = uart_receive(&vm->uart, c);
			pthread_mutex_unlock(&vm->io_lock);
			if (!queued)
				nanosleep(&wait, NULL);	/* guest is slow */
		} while (!queued && !__atomic_load_n(&vm->stop, __ATOMIC_ACQUIRE));
	}
	return NULL;
}

int io_start_console_input(struct vm *vm)
{
	pthread_t t;

	if (pthread_create(&t, NULL, console_input, vm))
		return -1;
	pthread_detach(t);
	return 0;
}
