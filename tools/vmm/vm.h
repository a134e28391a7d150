/* SPDX-License-Identifier: GPL-2.0-only */
/* exitscope-vmm: one VM, its memory, vCPU threads and devices. */
#ifndef EXITSCOPE_VMM_VM_H
#define EXITSCOPE_VMM_VM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "abi/cpuid_spec.h"
#include "abi/vmm_abi.h"
#include "uart.h"

/* Exit statuses: the guest's verdict, or ES_VMM_EXIT_* (lib/abi/vmm_abi.h). */

enum boot_mode { BOOT_LINUX, BOOT_FLAT_REAL, BOOT_FLAT_LONG };

struct vcpu {
	struct vm *vm;
	int id, fd;
	uint64_t created_tsc;		/* TSC before KVM_CREATE_VCPU */
	struct kvm_run *run;
	pthread_t thread;
};

struct vm {
	int kvm_fd, fd;
	uint8_t *ram;
	uint64_t ram_size;
	int nr_cpus;
	struct vcpu *cpus;
	enum boot_mode mode;

	struct uart uart;
	pthread_mutex_t io_lock;	/* devices: vCPUs and the stdin thread */

	pthread_t console_thread;	/* stdin into the UART */
	int console_stop_fd;		/* eventfd: tells it to end */
	bool console_running;

	/* --cpuid entries, replacing or added to KVM's table, in order */
	const struct es_cpuid_spec *cpuid_extra;
	size_t nr_cpuid_extra;

	/* How the VM ends: written by vm.c alone, status read once it stopped. */
	pthread_mutex_t stop_lock;
	pthread_cond_t stopped;
	bool stop;
	int status;			/* exit status once stopped */
};

/* Messages for people, on stderr; errors and notes look alike. */
void pr_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define pr_err pr_msg
#define pr_info pr_msg

/* kvm.c */
/* KVM's device: $EXITSCOPE_KVM_DEV if set (the tests), else /dev/kvm. */
const char *kvm_dev_path(void);
/* An fd on KVM's device, checked to be KVM; -1 with the reason in @why. */
int kvm_dev_open(char *why, size_t len);
/* --probe: 0 when KVM is usable (said on stdout), -1 after saying why not. */
int kvm_probe(void);
int vm_create(struct vm *vm, uint64_t ram_size, int nr_cpus);
/*
 * --guest-stats: whether this VM's guest may read exitscope's CPUID
 * leaves (KVM_EXIT_STATS_GUEST_*), by KVM_ENABLE_CAP right after creation.
 */
int vm_set_guest_stats(struct vm *vm, int mode);
void vm_destroy(struct vm *vm);
void *vm_gpa(struct vm *vm, uint64_t gpa, uint64_t len);
void vm_irq_line(struct vm *vm, int irq, int level);

/*
 * vm.c: the stop. Anyone (vCPU, device, console, timeout) may ask; the
 * first request sets the exit status, later ones are ignored.
 */
void vm_stop_init(struct vm *vm);
bool vm_stopping(struct vm *vm);
void vm_request_stop(struct vm *vm, int status, const char *why);
/* The guest stopped (reset, halt, power off) without a verdict: a failure. */
void vm_request_plain_stop(struct vm *vm, const char *why);
/* Until a stop was requested, or @timeout seconds (0: none) passed. */
void vm_wait_for_stop(struct vm *vm, unsigned long timeout);

/* cpu.c */
int vcpu_create(struct vm *vm, int id, uint64_t entry);
int vcpus_start(struct vm *vm);
/* Once a stop was requested: out of KVM_RUN, threads joined. */
void vcpus_stop_and_join(struct vm *vm);
/* Registers of a stopped vCPU, to stderr. */
void vcpu_dump(struct vcpu *cpu);

/* stats.c: read while the VM exists (its debugfs directory goes with it). */
void vm_print_exit_stats(struct vm *vm, const char *path);
/* KVM's per-VM statistics as "NAME VALUE" lines into @path; -1 on error. */
int vm_write_kvm_stats(struct vm *vm, const char *path);

#endif
