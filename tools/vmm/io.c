// SPDX-License-Identifier: GPL-2.0-only
/* See io.h. Unclaimed ports read as all ones and ignore writes, as on a PC. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "abi/vmm_abi.h"
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
	if (port == ES_VMM_EXIT_PORT && *v <= ES_VMM_VERDICT_MAX) {
		snprintf(why, sizeof(why), "guest verdict %u", *v);
		vm_request_stop(vm, *v, why);
	} else if (port == ES_VMM_EXIT_PORT) {
		snprintf(why, sizeof(why), "guest verdict %u: not one (0 to %d)", *v,
			 ES_VMM_VERDICT_MAX);
		vm_request_stop(vm, ES_VMM_EXIT_BAD_VERDICT, why);
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

/*
 * Waits on stdin and on the stop eventfd, so that it can be told to end
 * and joined before the VM it feeds goes away.
 */
static void *console_input(void *arg)
{
	struct vm *vm = arg;
	struct pollfd fds[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = vm->console_stop_fd, .events = POLLIN },
	};
	const struct timespec wait = { 0, 1000000 };
	uint8_t c;
	bool queued;
	ssize_t n;

	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents)
			break;
		n = read(STDIN_FILENO, &c, 1);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n != 1)
			break;			/* end of input */
		do {
			pthread_mutex_lock(&vm->io_lock);
			queued = uart_receive(&vm->uart, c);
			pthread_mutex_unlock(&vm->io_lock);
			if (!queued)
				nanosleep(&wait, NULL);	/* guest is slow */
		} while (!queued && !vm_stopping(vm));
	}
	return NULL;
}

int io_start_console_input(struct vm *vm)
{
	vm->console_stop_fd = eventfd(0, EFD_CLOEXEC);
	if (vm->console_stop_fd < 0)
		return -1;
	if (pthread_create(&vm->console_thread, NULL, console_input, vm)) {
		close(vm->console_stop_fd);
		return -1;
	}
	vm->console_running = true;
	return 0;
}

void io_stop_console_input(struct vm *vm)
{
	uint64_t one = 1;

	if (!vm->console_running)
		return;
	if (write(vm->console_stop_fd, &one, sizeof(one)) != sizeof(one))
		pthread_cancel(vm->console_thread);	/* cannot happen; still end it */
	pthread_join(vm->console_thread, NULL);
	close(vm->console_stop_fd);
	vm->console_running = false;
}
