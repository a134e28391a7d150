// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host-side figures of this VM: KVM's per-VM debugfs file from the
 * exitscope accounting, read while the VM still exists (it goes with it).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vm.h"

#define DEBUGFS_KVM "/sys/kernel/debug/kvm"

void vm_print_exit_stats(struct vm *vm, const char *path)
{
	char src[128], buf[4096];
	FILE *in, *out = stderr;
	size_t n;

	/* KVM names the directory "<pid>-<vm fd>". */
	snprintf(src, sizeof(src), DEBUGFS_KVM "/%d-%d/exit_stats", getpid(), vm->fd);
	in = fopen(src, "r");
	if (!in) {
		if (path || errno != ENOENT)
			pr_info("no exit statistics: %s: %s%s", src, strerror(errno),
				errno == ENOENT ? " (not exitscope's KVM, kvm.exit_stats=off, or debugfs not mounted)" : "");
		return;
	}
	if (path) {
		out = fopen(path, "w");
		if (!out) {
			pr_err("%s: %s", path, strerror(errno));
			fclose(in);
			return;
		}
	} else {
		fprintf(out, "exitscope-vmm: exits of this VM (%s):\n", src);
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	if (path)
		fclose(out);
}
