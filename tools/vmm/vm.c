// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stopping the VM: the one place that decides how it ends. vCPUs, devices
 * and the console ask for a stop with a status (the first request wins, as
 * kvmtool's kvm__reboot() is the one way out for its devices); the main
 * thread waits for it, or for the timeout.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "vm.h"

void vm_stop_init(struct vm *vm)
{
	pthread_mutex_init(&vm->stop_lock, NULL);
	pthread_cond_init(&vm->stopped, NULL);
}

bool vm_stopping(struct vm *vm)
{
	return __atomic_load_n(&vm->stop, __ATOMIC_ACQUIRE);
}

void vm_request_stop(struct vm *vm, int status, const char *why)
{
	pthread_mutex_lock(&vm->stop_lock);
	if (!vm->stop) {
		vm->status = status;
		__atomic_store_n(&vm->stop, true, __ATOMIC_RELEASE);
		if (why)
			pr_info("%s", why);
		pthread_cond_broadcast(&vm->stopped);
	}
	pthread_mutex_unlock(&vm->stop_lock);
}

/* A stop the guest asked for, or suffered, without giving a verdict. */
void vm_request_plain_stop(struct vm *vm, const char *why)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s without a verdict: a failure (exit status %d)", why,
		 ES_VMM_EXIT_NO_VERDICT);
	vm_request_stop(vm, ES_VMM_EXIT_NO_VERDICT, msg);
}

void vm_wait_for_stop(struct vm *vm, unsigned long timeout)
{
	struct timespec deadline;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout;
	pthread_mutex_lock(&vm->stop_lock);
	while (!vm->stop && r != ETIMEDOUT)
		r = timeout ? pthread_cond_timedwait(&vm->stopped, &vm->stop_lock, &deadline)
			    : pthread_cond_wait(&vm->stopped, &vm->stop_lock);
	pthread_mutex_unlock(&vm->stop_lock);
	if (r == ETIMEDOUT) {
		pr_err("timeout: the guest ran for %lu s without stopping (exit status %d)",
		       timeout, ES_VMM_EXIT_TIMEOUT);
		vm_request_stop(vm, ES_VMM_EXIT_TIMEOUT, NULL);
	}
}
