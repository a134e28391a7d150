// SPDX-License-Identifier: GPL-2.0-only
/* The VM itself: /dev/kvm, guest memory, in-kernel irqchip and PIT. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <asm/kvm_exit_stats.h>

#include "vm.h"

#define TSS_ADDR		0xfffbd000	/* VMX real-mode TSS: 3 pages */
#define IDENTITY_MAP_ADDR	0xfffbc000

void pr_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "exitscope-vmm: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *kvm_dev_path(void)
{
	const char *p = getenv("EXITSCOPE_KVM_DEV");

	return p && *p ? p : "/dev/kvm";
}

static const char *file_kind(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	return S_ISSOCK(mode) ? "a socket" : "a block device";
}

/*
 * Open KVM without ever creating anything: no O_CREAT, so a missing path
 * stays missing (a shell's `<>` probe once left a regular file there, and
 * every later `-w /dev/kvm` test believed in it). What is opened must be a
 * character device that answers KVM's API version; anything else is named
 * with what it is, so that a stray file is found and removed.
 */
int kvm_dev_open(char *why, size_t len)
{
	const char *path = kvm_dev_path();
	struct stat st;
	int fd, r;

	fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && !stat(path, &st) && !S_ISCHR(st.st_mode)) {
		snprintf(why, len, "%s: not a character device but %s: not KVM", path,
			 file_kind(st.st_mode));
		return -1;
	}
	if (fd < 0) {
		snprintf(why, len, "%s: %s: KVM is not available here (load kvm_intel or kvm_amd; without hardware virtualization, use the emulated lab)",
			 path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISCHR(st.st_mode)) {
		snprintf(why, len, "%s: not a character device but %s: not KVM (remove it if something created it by mistake)",
			 path, file_kind(st.st_mode));
		close(fd);
		return -1;
	}
	r = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_VERSION) {
		if (r < 0)
			snprintf(why, len, "%s: a character device (%u:%u) that is not KVM: KVM_GET_API_VERSION: %s",
				 path, major(st.st_rdev), minor(st.st_rdev), strerror(errno));
		else
			snprintf(why, len, "%s: KVM API version %d, expected %d", path, r,
				 KVM_API_VERSION);
		close(fd);
		return -1;
	}
	return fd;
}

int kvm_probe(void)
{
	char why[512];
	int fd = kvm_dev_open(why, sizeof(why)), vm_fd;

	if (fd < 0) {
		pr_err("%s", why);
		return -1;
	}
	/* A VM must be creatable too: KVM present but unusable fails here. */
	vm_fd = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0) {
		pr_err("%s: KVM_CREATE_VM: %s", kvm_dev_path(), strerror(errno));
		close(fd);
		return -1;
	}
	printf("%s: KVM API version %d, VMs can be created\n", kvm_dev_path(), KVM_API_VERSION);
	close(vm_fd);
	close(fd);
	return 0;
}

/*
 * The guest's memory in two halves, each a memslot of its own backed by a
 * memfd of its own (named, as QEMU's memory backends are: the VMM's maps
 * say memfd:exitscope-vmm low ram), mapped side by side so that the VMM
 * sees one range. That is how exitscope's drill-down tells which memory
 * a nested page fault hit (docs/collector.md), and two slots, as QEMU's
 * RAM below and above 4 GiB, give the lab's witness a choice to check.
 * Anonymous memory where a kernel has no memfd. Allocated as the guest
 * touches it.
 */
#define RAM_SPLIT_ALIGN		(2ULL << 20)	/* exitscope's region of a fault */

static const char *const ram_names[] = { "exitscope-vmm low ram", "exitscope-vmm high ram" };

/* Where the high half starts: 2 MiB-aligned, so no region is in both; 0: one slot. */
static uint64_t ram_split(uint64_t ram_size)
{
	uint64_t half = ram_size / 2 / RAM_SPLIT_ALIGN * RAM_SPLIT_ALIGN;

	return half && half < ram_size ? half : 0;
}

/* @len bytes of a new memfd @name at @addr; 0, or -1 with errno. */
static int map_memfd(void *addr, uint64_t len, const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	void *p;

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)len) < 0) {
		close(fd);
		return -1;
	}
	p = mmap(addr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, 0);
	close(fd);
	return p == MAP_FAILED ? -1 : 0;
}

static void *map_ram(uint64_t ram_size, uint64_t split, bool *named)
{
	void *ram = mmap(NULL, ram_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint64_t low = split ? split : ram_size;

	*named = false;
	if (ram == MAP_FAILED)
		return ram;
	if (!map_memfd(ram, low, ram_names[0]) &&
	    (!split || !map_memfd((char *)ram + split, ram_size - split, ram_names[1]))) {
		*named = true;
		return ram;
	}
	if (errno != ENOSYS) {
		munmap(ram, ram_size);
		return MAP_FAILED;
	}
	if (mmap(ram, ram_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED) {
		munmap(ram, ram_size);
		return MAP_FAILED;
	}
	return ram;
}

/* Guest-physical [@gpa, @gpa + @len) as memslot @slot, from the VMM's @hva. */
static int set_memslot(struct vm *vm, uint32_t slot, uint64_t gpa, uint64_t len, void *hva,
		       const char *mapping)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = len,
		.userspace_addr = (uintptr_t)hva,
	};

	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		pr_err("KVM_SET_USER_MEMORY_REGION (slot %u): %s", slot, strerror(errno));
		return -1;
	}
	/* What a memslot witness needs (the lab's check-detail-witness.py): the slot as set. */
	pr_info("memslot %u: guest-physical 0x%llx-0x%llx, the memory of %s%s", slot,
		(unsigned long long)gpa, (unsigned long long)(gpa + len - 1),
		mapping ? "memfd:" : "anonymous", mapping ? mapping : "");
	return 0;
}

int vm_create(struct vm *vm, uint64_t ram_size, int nr_cpus)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	uint64_t map_addr = IDENTITY_MAP_ADDR;
	bool ram_named = false;
	uint64_t split;
	char why[512];

	vm_stop_init(vm);
	vm->kvm_fd = kvm_dev_open(why, sizeof(why));
	if (vm->kvm_fd < 0) {
		pr_err("%s", why);
		return -1;
	}
	vm->fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0) {
		pr_err("KVM_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, TSS_ADDR) < 0 ||
	    ioctl(vm->fd, KVM_SET_IDENTITY_MAP_ADDR, &map_addr) < 0) {
		pr_err("setting the TSS / identity map: %s", strerror(errno));
		return -1;
	}
	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) < 0 ||
	    ioctl(vm->fd, KVM_CREATE_PIT2, &pit) < 0) {
		pr_err("in-kernel irqchip / PIT: %s", strerror(errno));
		return -1;
	}
	vm->ram_size = ram_size;
	split = ram_split(ram_size);
	vm->ram = map_ram(ram_size, split, &ram_named);
	if (vm->ram == MAP_FAILED) {
		pr_err("cannot map %llu MiB of guest memory: %s",
		       (unsigned long long)(ram_size >> 20), strerror(errno));
		vm->ram = NULL;
		return -1;
	}
	if (set_memslot(vm, 0, 0, split ? split : ram_size, vm->ram,
			ram_named ? ram_names[0] : NULL) ||
	    (split && set_memslot(vm, 1, split, ram_size - split, (char *)vm->ram + split,
				  ram_named ? ram_names[1] : NULL)))
		return -1;
	vm->nr_cpus = nr_cpus;
	pthread_mutex_init(&vm->io_lock, NULL);
	return 0;
}

void vm_destroy(struct vm *vm)
{
	int i;

	for (i = 0; vm->cpus && i < vm->nr_cpus; i++) {
		if (vm->cpus[i].run)
			munmap(vm->cpus[i].run, ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0));
		if (vm->cpus[i].fd > 0)
			close(vm->cpus[i].fd);
	}
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	if (vm->fd > 0)
		close(vm->fd);
	if (vm->kvm_fd > 0)
		close(vm->kvm_fd);
}

int vm_set_guest_stats(struct vm *vm, int mode)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X86_EXIT_STATS,
		.args = { (uint64_t)mode },
	};
	int has = ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_EXIT_STATS);

	if (has <= 0) {
		pr_err("--guest-stats: this KVM has no exitscope accounting (KVM_CAP_X86_EXIT_STATS %s)",
		       has < 0 ? strerror(errno) : "absent");
		return -1;
	}
	if (ioctl(vm->fd, KVM_ENABLE_CAP, &cap) < 0) {
		pr_err("--guest-stats: KVM_ENABLE_CAP(KVM_CAP_X86_EXIT_STATS, %d): %s", mode,
		       strerror(errno));
		return -1;
	}
	return 0;
}

/* Host address of guest-physical [gpa, gpa + len), or NULL if outside RAM. */
void *vm_gpa(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa > vm->ram_size || len > vm->ram_size - gpa)
		return NULL;
	return vm->ram + gpa;
}

void vm_irq_line(struct vm *vm, int irq, int level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };

	if (ioctl(vm->fd, KVM_IRQ_LINE, &l) < 0)
		pr_err("KVM_IRQ_LINE %d: %s", irq, strerror(errno));
}
