// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope-vmm: a small VMM on the KVM API. Boots a Linux bzImage with an
 * initramfs (or runs a raw flat image), with an 8250 console on COM1, and
 * exits with the guest's verdict. At exit it prints the VM's per-reason
 * exit figures when KVM has exitscope's accounting.
 */
#include <stdlib.h>
#include <unistd.h>

#include "io.h"
#include "load.h"
#include "options.h"
#include "vm.h"

static void console_out(void *ctx, uint8_t byte)
{
	(void)ctx;
	if (write(STDOUT_FILENO, &byte, 1) < 0)
		return;		/* nobody listening: keep the guest going */
}

static void console_irq(void *ctx, int level)
{
	vm_irq_line(ctx, UART_COM1_IRQ, level);
}

int main(int argc, char **argv)
{
	struct vm vm = { 0 };
	struct options o;
	uint64_t entry = 0;
	int i, status = ES_VMM_EXIT_SETUP;

	if (parse_options(argc, argv, &o)) {
		free(o.cpuid);
		return ES_VMM_EXIT_USAGE;
	}
	if (o.probe) {
		free(o.cpuid);
		return kvm_probe() ? ES_VMM_EXIT_SETUP : 0;
	}
	vm.mode = o.flat ? o.flat_mode : BOOT_LINUX;
	vm.cpuid_extra = o.cpuid;
	vm.nr_cpuid_extra = o.nr_cpuid;
	if (vm_create(&vm, (uint64_t)o.mem_mib << 20, o.cpus))
		goto out;
	if (o.guest_stats >= 0 && vm_set_guest_stats(&vm, o.guest_stats))
		goto out;
	if (o.flat ? load_flat(&vm, o.flat, o.cmdline ? o.cmdline : "", &entry)
		   : load_linux(&vm, o.kernel, o.initrd, o.cmdline ? o.cmdline : OPT_CMDLINE_LINUX,
				&entry))
		goto out;
	uart_init(&vm.uart, console_out, console_irq, &vm);
	vm.cpus = calloc(o.cpus, sizeof(*vm.cpus));
	if (!vm.cpus)
		goto out;
	for (i = 0; i < o.cpus; i++)
		if (vcpu_create(&vm, i, entry))
			goto out;
	if (io_start_console_input(&vm))
		pr_err("no console input: cannot start its thread");
	if (vcpus_start(&vm)) {
		vcpus_stop_and_join(&vm);	/* those that did start */
		goto out;
	}
	vm_wait_for_stop(&vm, o.timeout);
	vcpus_stop_and_join(&vm);
	if (vm.status == ES_VMM_EXIT_TIMEOUT)
		for (i = 0; i < vm.nr_cpus; i++)
			vcpu_dump(&vm.cpus[i]);
	/* Both read before the VM fd is closed: its debugfs directory goes with it. */
	vm_print_exit_stats(&vm, o.stats);
	status = vm.status;
	if (o.kvm_stats && vm_write_kvm_stats(&vm, o.kvm_stats) && status <= ES_VMM_VERDICT_MAX)
		status = ES_VMM_EXIT_SETUP;
out:
	io_stop_console_input(&vm);
	vm_destroy(&vm);
	free(vm.cpus);
	free(o.cpuid);
	return status;
}
