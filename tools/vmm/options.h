/* SPDX-License-Identifier: GPL-2.0-only */
/* exitscope-vmm's command line. */
#ifndef EXITSCOPE_VMM_OPTIONS_H
#define EXITSCOPE_VMM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "vm.h"

#define OPT_CMDLINE_MAX	0xffff	/* bytes of --cmdline: room below the zero page */
#define OPT_CMDLINE_LINUX	"console=ttyS0"	/* a kernel's, without --cmdline */
#define OPT_MEM_MIN_MIB	2

struct options {
	const char *kernel, *initrd, *flat, *stats, *kvm_stats;
	const char *cmdline;		/* as given, or NULL */
	enum boot_mode flat_mode;
	bool probe;			/* --probe: check KVM, run nothing */
	int cpus;
	int guest_stats;		/* KVM_EXIT_STATS_GUEST_*, or -1: not given */
	unsigned long mem_mib;
	unsigned long timeout;
	struct es_cpuid_spec *cpuid;	/* --cpuid, in order */
	size_t nr_cpuid;
};

/* Fill @o from the command line; -1 after a message on bad usage. */
int parse_options(int argc, char **argv, struct options *o);

#endif
