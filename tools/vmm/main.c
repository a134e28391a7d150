// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope-vmm: a small VMM on the KVM API. Boots a Linux bzImage with an
 * initramfs (or runs a raw flat image), with an 8250 console on COM1, and
 * exits with the guest's verdict. At exit it prints the VM's per-reason
 * exit figures when KVM has exitscope's accounting.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "io.h"
#include "mptable.h"
#include "options.h"
#include "vm.h"

/* Read a whole file into @buf (allocated); -1 with a message on error. */
static int slurp(const char *path, uint8_t **buf, size_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	size_t got = 0;

	if (fd < 0 || fstat(fd, &st) < 0) {
		pr_err("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*size = st.st_size;
	*buf = malloc(*size ? *size : 1);
	if (!*buf) {
		pr_err("%s: out of memory", path);
		close(fd);
		return -1;
	}
	while (got < *size && (n = read(fd, *buf + got, *size - got)) > 0)
		got += n;
	close(fd);
	if (got != *size) {
		pr_err("%s: short read", path);
		free(*buf);
		return -1;
	}
	return 0;
}

static int load_linux(struct vm *vm, const struct options *o, uint64_t *entry)
{
	uint8_t *kernel = NULL, *initrd = NULL;
	size_t ksize, isize = 0, clen = strlen(o->cmdline);
	uint64_t initrd_addr = 0;
	struct bz_image bz;
	char err[256];
	int r = -1;

	if (slurp(o->kernel, &kernel, &ksize))
		return -1;
	if (bz_parse(kernel, ksize, &bz, err, sizeof(err))) {
		pr_err("%s: %s", o->kernel, err);
		goto out;
	}
	/* cmdline_size counts the bytes without the terminating NUL. */
	if (clen > bz.hdr.cmdline_size || clen > OPT_CMDLINE_MAX) {
		pr_err("--cmdline: %zu bytes, this kernel takes at most %u", clen,
		       bz.hdr.cmdline_size < OPT_CMDLINE_MAX ? bz.hdr.cmdline_size : OPT_CMDLINE_MAX);
		goto out;
	}
	if (BOOT_HIGH_ADDR + bz_footprint(&bz) > vm->ram_size) {
		pr_err("too little memory: the kernel needs %llu MiB in place, --mem is %llu MiB",
		       (unsigned long long)((BOOT_HIGH_ADDR + bz_footprint(&bz)) >> 20) + 1,
		       (unsigned long long)(vm->ram_size >> 20));
		goto out;
	}
	if (o->initrd) {
		if (slurp(o->initrd, &initrd, &isize))
			goto out;
		if (initrd_place(&bz, vm->ram_size, isize, &initrd_addr, err, sizeof(err))) {
			pr_err("%s", err);
			goto out;
		}
		memcpy(vm_gpa(vm, initrd_addr, isize), initrd, isize);
	}
	memcpy(vm_gpa(vm, BOOT_HIGH_ADDR, bz.kernel_size), bz.kernel, bz.kernel_size);
	memcpy(vm_gpa(vm, BOOT_CMDLINE_ADDR, clen + 1), o->cmdline, clen + 1);
	boot_params_build(vm_gpa(vm, BOOT_PARAMS_ADDR, sizeof(struct boot_params)),
			  &bz, vm->ram_size, (uint32_t)initrd_addr, (uint32_t)isize);
	if (!mptable_build(vm_gpa(vm, BOOT_BIOS_ADDR, 0x10000), 0x10000,
			   BOOT_BIOS_ADDR, vm->nr_cpus)) {
		pr_err("cannot build the MP table for %d vCPUs", vm->nr_cpus);
		goto out;
	}
	*entry = bz.hdr.code32_start ? bz.hdr.code32_start : BOOT_HIGH_ADDR;
	r = 0;
out:
	free(kernel);
	free(initrd);
	return r;
}

static int load_flat(struct vm *vm, const struct options *o, uint64_t *entry)
{
	uint64_t max = o->flat_mode == BOOT_FLAT_REAL ? 0x10000 : BOOT_EBDA_ADDR - BOOT_FLAT_ADDR;
	uint8_t *img;
	size_t size;

	if (slurp(o->flat, &img, &size))
		return -1;
	if (!size || size > max) {
		pr_err("%s: %zu bytes; a %s-mode flat image takes 1 to %llu", o->flat,
		       size, o->flat_mode == BOOT_FLAT_REAL ? "real" : "long",
		       (unsigned long long)max);
		free(img);
		return -1;
	}
	memcpy(vm_gpa(vm, BOOT_FLAT_ADDR, size), img, size);
	free(img);
	*entry = BOOT_FLAT_ADDR;
	return 0;
}

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

/* Wait for the guest to stop, or the timeout. */
static void wait_for_stop(struct vm *vm, unsigned long timeout)
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
	vm.mode = o.flat ? o.flat_mode : BOOT_LINUX;
	vm.cpuid_extra = o.cpuid;
	vm.nr_cpuid_extra = o.nr_cpuid;
	if (vm_create(&vm, (uint64_t)o.mem_mib << 20, o.cpus))
		goto out;
	if (o.guest_stats >= 0 && vm_set_guest_stats(&vm, o.guest_stats))
		goto out;
	if (o.flat ? load_flat(&vm, &o, &entry) : load_linux(&vm, &o, &entry))
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
	if (vcpus_start(&vm))
		goto out;
	wait_for_stop(&vm, o.timeout);
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
