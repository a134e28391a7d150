// SPDX-License-Identifier: GPL-2.0-only
/* vCPUs: CPUID, entry state per boot mode, and the run loop, one thread each. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <x86intrin.h>

#include "boot.h"
#include "io.h"
#include "vm.h"

#define GDT_CODE64	0x08
#define GDT_CODE32	0x10	/* __BOOT_CS of the boot protocol */
#define GDT_DATA	0x18	/* __BOOT_DS */
#define PML4_ADDR	0x2000	/* flat long mode: identity map of 1 GiB */
#define PDPT_ADDR	0x3000
#define PD_ADDR		0x4000

#define CR0_PE		(1u << 0)
#define CR0_ET		(1u << 4)
#define CR0_NE		(1u << 5)
#define CR0_PG		(1u << 31)
#define CR4_PAE		(1u << 5)
#define EFER_LME	(1u << 8)
#define EFER_LMA	(1u << 10)

static void write_gdt(struct vm *vm)
{
	static const uint64_t gdt[] = {
		[0] = 0,
		[GDT_CODE64 / 8] = 0x00af9b000000ffffull,
		[GDT_CODE32 / 8] = 0x00cf9b000000ffffull,
		[GDT_DATA / 8]   = 0x00cf93000000ffffull,
	};

	memcpy(vm_gpa(vm, BOOT_GDT_ADDR, sizeof(gdt)), gdt, sizeof(gdt));
}

static struct kvm_segment flat_segment(uint16_t sel, uint8_t type, bool code64)
{
	struct kvm_segment s = {
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .s = 1, .g = 1, .db = !code64, .l = code64,
	};
	return s;
}

/* Flat 4 GiB segments: code (64-bit or 32-bit) and data everywhere else. */
static void set_flat_segments(struct kvm_sregs *sregs, bool code64)
{
	sregs->cs = flat_segment(code64 ? GDT_CODE64 : GDT_CODE32, 0xb, code64);
	sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss =
		flat_segment(GDT_DATA, 0x3, false);
}

static void write_page_tables(struct vm *vm)
{
	uint64_t *pml4 = vm_gpa(vm, PML4_ADDR, 4096);
	uint64_t *pdpt = vm_gpa(vm, PDPT_ADDR, 4096);
	uint64_t *pd = vm_gpa(vm, PD_ADDR, 4096);
	int i;

	memset(pml4, 0, 3 * 4096);
	pml4[0] = PDPT_ADDR | 0x3;		/* present, writable */
	pdpt[0] = PD_ADDR | 0x3;
	for (i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;	/* 2 MiB pages */
}

static int set_entry_state(struct vcpu *cpu, uint64_t entry)
{
	struct vm *vm = cpu->vm;
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rflags = 0x2 };

	if (ioctl(cpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return -1;
	switch (vm->mode) {
	case BOOT_FLAT_REAL:
		sregs.cs.selector = BOOT_FLAT_ADDR >> 4;
		sregs.cs.base = BOOT_FLAT_ADDR;
		sregs.ds = sregs.es = sregs.ss = sregs.cs;
		sregs.ds.type = sregs.es.type = sregs.ss.type = 3;
		regs.rip = 0;
		regs.rsp = 0xfffe;
		break;
	case BOOT_FLAT_LONG:
		if (cpu->id == 0)
			write_page_tables(vm);	/* one set for all vCPUs */
		sregs.cr3 = PML4_ADDR;
		sregs.cr4 = CR4_PAE;
		sregs.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
		sregs.efer = EFER_LME | EFER_LMA;
		set_flat_segments(&sregs, true);
		regs.rip = entry;
		/* Each vCPU its stack, its index and the count (lib/abi/vmm_abi.h). */
		regs.rsp = ES_VMM_FLAT_STACK_TOP(cpu->id);
		regs.rdi = cpu->id;
		regs.rsi = vm->nr_cpus;
		break;
	case BOOT_LINUX:
		/* 32-bit entry: flat segments, paging off, ESI = zero page. */
		sregs.cr0 = CR0_PE | CR0_ET;
		set_flat_segments(&sregs, false);
		regs.rip = entry;
		regs.rsi = BOOT_PARAMS_ADDR;
		break;
	}
	if (vm->mode != BOOT_FLAT_REAL) {
		write_gdt(vm);
		sregs.gdt.base = BOOT_GDT_ADDR;
		sregs.gdt.limit = 4 * 8 - 1;
	}
	if (ioctl(cpu->fd, KVM_SET_SREGS, &sregs) < 0 ||
	    ioctl(cpu->fd, KVM_SET_REGS, &regs) < 0)
		return -1;
	return 0;
}

/* The entry for @function, index 0, of @c; added at the end if absent. */
static struct kvm_cpuid_entry2 *cpuid_entry(struct kvm_cpuid2 *c, uint32_t function)
{
	struct kvm_cpuid_entry2 *e;
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == function && c->entries[i].index == 0)
			return &c->entries[i];
	e = &c->entries[c->nent++];
	memset(e, 0, sizeof(*e));
	e->function = function;
	return e;
}

/*
 * What KVM supports, with this vCPU's APIC id, the hypervisor bit and
 * exitscope-vmm's signature leaf (how `exitscope shutdown` knows where it
 * runs); then the --cpuid entries, last, so that they win.
 */
static int set_cpuid(struct vcpu *cpu)
{
	const struct vm *vm = cpu->vm;
	struct kvm_cpuid_entry2 *e;
	struct kvm_cpuid2 *c;
	uint32_t i;
	int nent = 256, r = -1;

	c = calloc(1, sizeof(*c) + (nent + 1 + vm->nr_cpuid_extra) * sizeof(c->entries[0]));
	if (!c)
		return -1;
	c->nent = nent;
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0)
		goto out;
	for (i = 0; i < c->nent; i++) {
		e = &c->entries[i];
		if (e->function == 1) {
			e->ebx = (e->ebx & 0x0000ffff) | (uint32_t)cpu->id << 24 |
				 (uint32_t)vm->nr_cpus << 16;
			e->ecx |= 1u << 31;
		} else if (e->function == 0xb || e->function == 0x1f) {
			e->edx = cpu->id;
		}
	}
	e = cpuid_entry(c, ES_VMM_CPUID_LEAF);
	e->eax = ES_VMM_CPUID_LEAF;
	memcpy(&e->ebx, ES_VMM_SIGNATURE, 4);
	memcpy(&e->ecx, ES_VMM_SIGNATURE + 4, 4);
	memcpy(&e->edx, ES_VMM_SIGNATURE + 8, 4);
	for (i = 0; i < vm->nr_cpuid_extra; i++) {
		const struct es_cpuid_spec *x = &vm->cpuid_extra[i];

		e = cpuid_entry(c, x->leaf);
		e->eax = x->eax;
		e->ebx = x->ebx;
		e->ecx = x->ecx;
		e->edx = x->edx;
	}
	r = ioctl(cpu->fd, KVM_SET_CPUID2, c);
out:
	free(c);
	return r;
}

int vcpu_create(struct vm *vm, int id, uint64_t entry)
{
	struct kvm_mp_state runnable = { .mp_state = KVM_MP_STATE_RUNNABLE };
	struct vcpu *cpu = &vm->cpus[id];
	int size;

	cpu->vm = vm;
	cpu->id = id;
	cpu->created_tsc = __rdtsc();
	cpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (cpu->fd < 0) {
		pr_err("KVM_CREATE_VCPU %d: %s", id, strerror(errno));
		return -1;
	}
	size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	cpu->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, cpu->fd, 0);
	if (cpu->run == MAP_FAILED) {
		cpu->run = NULL;
		pr_err("mapping vCPU %d: %s", id, strerror(errno));
		return -1;
	}
	if (set_cpuid(cpu) < 0) {
		pr_err("vCPU %d CPUID: %s", id, strerror(errno));
		return -1;
	}
	/*
	 * Application processors wait for INIT/SIPI from the in-kernel APIC,
	 * except in a long-mode flat image, which they all enter at once:
	 * then each is made runnable, as INIT/SIPI would have made it.
	 */
	if (id != 0 && vm->mode != BOOT_FLAT_LONG)
		return 0;
	if (set_entry_state(cpu, entry) < 0) {
		pr_err("vCPU %d registers: %s", id, strerror(errno));
		return -1;
	}
	if (id != 0 && ioctl(cpu->fd, KVM_SET_MP_STATE, &runnable) < 0) {
		pr_err("vCPU %d KVM_SET_MP_STATE: %s", id, strerror(errno));
		return -1;
	}
	return 0;
}

void vcpu_dump(struct vcpu *cpu)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	if (ioctl(cpu->fd, KVM_GET_REGS, &regs) < 0 ||
	    ioctl(cpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return;
	pr_err("vCPU %d: rip %#llx rsp %#llx rflags %#llx cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx cs %#x",
	       cpu->id, regs.rip, regs.rsp, regs.rflags, sregs.cr0, sregs.cr3,
	       sregs.cr4, sregs.efer, sregs.cs.selector);
}

/* One KVM_EXIT_*: false to leave the run loop. */
static bool vcpu_handle_exit(struct vcpu *cpu)
{
	struct kvm_run *run = cpu->run;
	struct vm *vm = cpu->vm;
	char why[128];

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		io_port(vm, run->io.port, run->io.direction == KVM_EXIT_IO_OUT,
			(uint8_t *)run + run->io.data_offset, run->io.size,
			run->io.count);
		return true;
	case KVM_EXIT_MMIO:
		/* Nothing lives in MMIO space but the in-kernel APICs. */
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_HLT:
		vm_request_plain_stop(vm, "guest halted");
		return false;
	case KVM_EXIT_SHUTDOWN:
		vm_request_plain_stop(vm, "guest shut down (triple fault or reset)");
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		snprintf(why, sizeof(why), "guest system event %u (%s)",
			 run->system_event.type,
			 run->system_event.type == KVM_SYSTEM_EVENT_RESET ? "reset" :
			 run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN ? "power off" : "other");
		vm_request_plain_stop(vm, why);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(why, sizeof(why), "VM entry failed, hardware reason %#llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		vcpu_dump(cpu);
		vm_request_stop(vm, ES_VMM_EXIT_VM_FAILED, why);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(why, sizeof(why), "KVM internal error, suberror %u",
			 run->internal.suberror);
		vcpu_dump(cpu);
		vm_request_stop(vm, ES_VMM_EXIT_VM_FAILED, why);
		return false;
	default:
		snprintf(why, sizeof(why), "unexpected KVM exit reason %u",
			 run->exit_reason);
		vcpu_dump(cpu);
		vm_request_stop(vm, ES_VMM_EXIT_VM_FAILED, why);
		return false;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *cpu = arg;
	struct vm *vm = cpu->vm;
	char why[96];

	for (;;) {
		if (vm_stopping(vm))
			break;
		if (ioctl(cpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			snprintf(why, sizeof(why), "KVM_RUN on vCPU %d: %s",
				 cpu->id, strerror(errno));
			vm_request_stop(vm, ES_VMM_EXIT_VM_FAILED, why);
			break;
		}
		if (!vcpu_handle_exit(cpu))
			break;
	}
	return NULL;
}

static void kick(int sig)
{
	(void)sig;	/* only to interrupt KVM_RUN */
}

int vcpus_start(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = kick };
	int i;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);		/* no SA_RESTART: KVM_RUN returns */
	for (i = 0; i < vm->nr_cpus; i++) {
		if (pthread_create(&vm->cpus[i].thread, NULL, vcpu_thread,
				   &vm->cpus[i])) {
			pr_err("cannot start vCPU thread %d", i);
			vm_request_stop(vm, ES_VMM_EXIT_SETUP, NULL);
			vm->nr_cpus = i;
			return -1;
		}
	}
	return 0;
}

void vcpus_stop_and_join(struct vm *vm)
{
	int i;

	for (i = 0; i < vm->nr_cpus; i++) {
		vm->cpus[i].run->immediate_exit = 1;
		pthread_kill(vm->cpus[i].thread, SIGUSR1);
	}
	for (i = 0; i < vm->nr_cpus; i++)
		pthread_join(vm->cpus[i].thread, NULL);
}
