// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope-vmm: a small VMM on the KVM API. Boots a Linux bzImage with an
 * initramfs (or runs a raw flat image), with an 8250 console on COM1, and
 * exits with the guest's verdict. At exit it prints the VM's per-reason
 * exit figures when KVM has exitscope's accounting.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lib/parse.h"
#include "boot.h"
#include "io.h"
#include "mptable.h"
#include "vm.h"

struct options {
	const char *kernel, *initrd, *cmdline, *flat, *stats;
	bool verdict_required;
	enum boot_mode flat_mode;
	int cpus;
	unsigned long mem_mib;
	unsigned long timeout;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: exitscope-vmm --kernel BZIMAGE [--initrd FILE] [--cmdline STR] [options]\n"
		"       exitscope-vmm --flat IMAGE [--flat-mode real|long] [options]\n"
		"\n"
		"Runs one KVM guest with an 8250 console on COM1 (stdin/stdout). The\n"
		"exit status is the guest's verdict (a byte written to port 0x501, see\n"
		"'exitscope shutdown'), 0 if it resets or halts without one (3 with\n"
		"--verdict-required), 124 on timeout, 125 if KVM fails the VM, 1 for\n"
		"setup errors, 2 for bad usage.\n"
		"\n"
		"  -k, --kernel FILE     Linux bzImage (x86 boot protocol 2.06+)\n"
		"  -i, --initrd FILE     initramfs\n"
		"  -c, --cmdline STR     kernel command line (default: console=ttyS0)\n"
		"  -f, --flat FILE       raw image, loaded and entered at 0x%x\n"
		"      --flat-mode MODE  real (CS:IP 0x%x:0) or long (paging on, default)\n"
		"  -p, --cpus N          vCPUs, one thread each (default 1, max %d)\n"
		"  -m, --mem MIB         guest RAM in MiB (default 256, max %llu)\n"
		"  -t, --timeout S       stop the guest after S seconds (default: none)\n"
		"  -s, --stats FILE      write the VM's exit figures there, not to stderr\n"
		"  -V, --verdict-required  a stop without a verdict exits 3, not 0\n"
		"  -h, --help            this text\n"
		"\n"
		"EXAMPLES\n"
		"  exitscope-vmm -k bzImage -i initrd.cpio -c 'console=ttyS0 quiet'\n"
		"  exitscope-vmm --flat cpuid-loop.bin --timeout 30\n",
		BOOT_FLAT_ADDR, BOOT_FLAT_ADDR >> 4, MPTABLE_MAX_CPUS,
		(unsigned long long)(BOOT_MEM_MAX >> 20));
}

static int parse_ulong(const char *opt, const char *s, unsigned long min,
		       unsigned long max, unsigned long *v)
{
	if (!es_parse_ulong(s, min, max, v))
		return 0;
	pr_err("invalid %s: '%s' (%lu to %lu)", opt, s, min, max);
	return -1;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "flat", required_argument, NULL, 'f' },
		{ "flat-mode", required_argument, NULL, 'F' },
		{ "cpus", required_argument, NULL, 'p' },
		{ "mem", required_argument, NULL, 'm' },
		{ "timeout", required_argument, NULL, 't' },
		{ "stats", required_argument, NULL, 's' },
		{ "verdict-required", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long v;
	int c;

	*o = (struct options){ .cmdline = "console=ttyS0", .cpus = 1,
			       .mem_mib = 256, .flat_mode = BOOT_FLAT_LONG };
	while ((c = getopt_long(argc, argv, "k:i:c:f:p:m:t:s:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'k': o->kernel = optarg; break;
		case 'i': o->initrd = optarg; break;
		case 'c': o->cmdline = optarg; break;
		case 'f': o->flat = optarg; break;
		case 's': o->stats = optarg; break;
		case 'V': o->verdict_required = true; break;
		case 'F':
			if (!strcmp(optarg, "real")) {
				o->flat_mode = BOOT_FLAT_REAL;
			} else if (!strcmp(optarg, "long")) {
				o->flat_mode = BOOT_FLAT_LONG;
			} else {
				pr_err("invalid --flat-mode: '%s' (real or long)", optarg);
				return -1;
			}
			break;
		case 'p':
			if (parse_ulong("--cpus", optarg, 1, MPTABLE_MAX_CPUS, &v))
				return -1;
			o->cpus = (int)v;
			break;
		case 'm':
			if (parse_ulong("--mem", optarg, 2, BOOT_MEM_MAX >> 20, &o->mem_mib))
				return -1;
			break;
		case 't':
			if (parse_ulong("--timeout", optarg, 1, 86400 * 365, &o->timeout))
				return -1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		pr_err("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (!o->kernel == !o->flat) {
		pr_err("give either --kernel or --flat (see --help)");
		return -1;
	}
	if (o->flat && o->initrd) {
		pr_err("--initrd goes with --kernel, not --flat");
		return -1;
	}
	/* --cmdline is the kernel's: a flat image has none, ignore it. */
	return 0;
}

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
	if (clen >= bz.hdr.cmdline_size || clen >= 0x10000) {
		pr_err("--cmdline: %zu bytes, this kernel takes at most %u", clen,
		       bz.hdr.cmdline_size);
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
		pr_err("timeout: the guest ran for %lu s without stopping", timeout);
		vm_request_stop(vm, VMM_EXIT_TIMEOUT, NULL);
	}
}

int main(int argc, char **argv)
{
	struct vm vm = { 0 };
	struct options o;
	uint64_t entry = 0;
	int i, status = VMM_EXIT_SETUP;

	if (parse_options(argc, argv, &o))
		return VMM_EXIT_USAGE;
	vm.mode = o.flat ? o.flat_mode : BOOT_LINUX;
	vm.verdict_required = o.verdict_required;
	if (vm_create(&vm, (uint64_t)o.mem_mib << 20, o.cpus))
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
	if (vm.status == VMM_EXIT_TIMEOUT)
		for (i = 0; i < vm.nr_cpus; i++)
			vcpu_dump(&vm.cpus[i]);
	vm_print_exit_stats(&vm, o.stats);
	status = vm.status;
out:
	vm_destroy(&vm);
	free(vm.cpus);
	return status;
}
