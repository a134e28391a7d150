// SPDX-License-Identifier: GPL-2.0-only
/* See options.h. Numbers: decimal or 0x hex (lib/util/num.h), range checked. */
#include <asm/kvm_exit_stats.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/num.h"
#include "boot.h"
#include "mptable.h"
#include "options.h"

#define MAX_CPUID_OPTS	64

static void usage(FILE *out)
{
	fprintf(out,
		"usage: exitscope-vmm --kernel BZIMAGE [--initrd FILE] [--cmdline STR] [options]\n"
		"       exitscope-vmm --flat IMAGE [--flat-mode real|long] [options]\n"
		"       exitscope-vmm --probe\n"
		"\n"
		"Runs one KVM guest with an 8250 console on COM1 (stdin/stdout).\n"
		"\n"
		"  -k, --kernel FILE     Linux bzImage (x86 boot protocol 2.06+)\n"
		"  -i, --initrd FILE     initramfs\n"
		"  -c, --cmdline STR     kernel command line (default: " OPT_CMDLINE_LINUX ");\n"
		"                        with --flat, the image's arguments: at most %d\n"
		"                        bytes, NUL-terminated at 0x%x (default: empty)\n"
		"  -f, --flat FILE       raw image, loaded and entered at 0x%x; in long\n"
		"                        mode by every vCPU, RDI = its index, RSI = --cpus\n"
		"      --flat-mode MODE  real (CS:IP 0x%x:0) or long (paging on, default)\n"
		"  -p, --cpus N          vCPUs, one thread each (default 1, max %d)\n"
		"  -m, --mem MIB         guest RAM in MiB (default 256, max %llu)\n"
		"  -t, --timeout S       stop the guest after S seconds (default: none)\n"
		"  -s, --stats FILE      write the VM's exit figures there, not to stderr\n"
		"      --kvm-stats FILE  write KVM's own per-VM statistics there, NAME VALUE\n"
		"                        per line (exits, halt_exits...), as the VM ends\n"
		"      --guest-stats M   may the guest read exitscope's CPUID leaves: default\n"
		"                        (kvm.exit_stats_guest decides), off, kernel (CPL 0\n"
		"                        only) or user (any CPL); not given: left alone\n"
		"      --cpuid L=A,B,C,D  CPUID leaf L (index 0) answers EAX=A EBX=B ECX=C\n"
		"                        EDX=D: added to KVM's table or replacing; repeatable\n"
		"  -V, --verdict-required  accepted for older scripts: a stop without a\n"
		"                        verdict is always a failure now\n"
		"      --probe           check that KVM is usable here (its device answers\n"
		"                        KVM's API version, a VM can be created) and exit:\n"
		"                        0 usable, %d not, saying why; creates nothing\n"
		"  -h, --help            this text\n"
		"\n"
		"Numbers: decimal or 0x hex.\n"
		"\n"
		"ENVIRONMENT\n"
		"  EXITSCOPE_KVM_DEV     KVM's device instead of /dev/kvm\n"
		"\n"
		"EXIT STATUS\n"
		"  0-%d   the guest's verdict (a byte written to port 0x%x, see\n"
		"         'exitscope shutdown'); 0 is success\n"
		"  %d     bad usage\n"
		"  %d     setup failed: bad image, no KVM, too little memory, --kvm-stats\n"
		"  %d     the guest stopped without a verdict: triple fault, reset, halt,\n"
		"         power off\n"
		"  %d     the guest wrote a verdict above %d\n"
		"  %d     timeout (--timeout)\n"
		"  %d     KVM failed the VM (entry failure, internal error)\n"
		"\n"
		"EXAMPLES\n"
		"  exitscope-vmm -k bzImage -i initrd.cpio -c 'console=ttyS0 quiet'\n"
		"  exitscope-vmm --flat cpuid-loop.bin --timeout 30\n"
		"  exitscope-vmm --flat vmexit-bench.bin --cmdline 'cpuid budget=1000000' --cpus 2\n",
		ES_VMM_FLAT_CMDLINE_MAX, ES_VMM_FLAT_CMDLINE_ADDR,
		BOOT_FLAT_ADDR, BOOT_FLAT_ADDR >> 4, MPTABLE_MAX_CPUS,
		(unsigned long long)(BOOT_MEM_MAX >> 20), ES_VMM_EXIT_SETUP, ES_VMM_VERDICT_MAX, ES_VMM_EXIT_PORT,
		ES_VMM_EXIT_USAGE, ES_VMM_EXIT_SETUP, ES_VMM_EXIT_NO_VERDICT,
		ES_VMM_EXIT_BAD_VERDICT, ES_VMM_VERDICT_MAX, ES_VMM_EXIT_TIMEOUT,
		ES_VMM_EXIT_VM_FAILED);
}

static int number(const char *opt, const char *s, uint64_t min, uint64_t max,
		  uint64_t *v)
{
	return es_num_arg("exitscope-vmm", opt, s, min, max, v);
}

static int guest_stats_mode(const char *s)
{
	static const char *const names[] = {
		[KVM_EXIT_STATS_GUEST_DEFAULT] = "default",
		[KVM_EXIT_STATS_GUEST_OFF] = "off",
		[KVM_EXIT_STATS_GUEST_KERNEL] = "kernel",
		[KVM_EXIT_STATS_GUEST_USER] = "user",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] && !strcmp(s, names[i]))
			return (int)i;
	return -1;
}

int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_FLAT_MODE = 256, OPT_KVM_STATS, OPT_GUEST_STATS, OPT_CPUID, OPT_PROBE };
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "flat", required_argument, NULL, 'f' },
		{ "flat-mode", required_argument, NULL, OPT_FLAT_MODE },
		{ "cpus", required_argument, NULL, 'p' },
		{ "mem", required_argument, NULL, 'm' },
		{ "timeout", required_argument, NULL, 't' },
		{ "stats", required_argument, NULL, 's' },
		{ "kvm-stats", required_argument, NULL, OPT_KVM_STATS },
		{ "guest-stats", required_argument, NULL, OPT_GUEST_STATS },
		{ "cpuid", required_argument, NULL, OPT_CPUID },
		{ "verdict-required", no_argument, NULL, 'V' },
		{ "probe", no_argument, NULL, OPT_PROBE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct es_cpuid_spec *more;
	char why[256];
	uint64_t v;
	int c;

	*o = (struct options){ .cpus = 1, .guest_stats = -1,
			       .mem_mib = 256, .flat_mode = BOOT_FLAT_LONG };
	while ((c = getopt_long(argc, argv, "k:i:c:f:p:m:t:s:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'k': o->kernel = optarg; break;
		case 'i': o->initrd = optarg; break;
		case 'c': o->cmdline = optarg; break;
		case 'f': o->flat = optarg; break;
		case 's': o->stats = optarg; break;
		case OPT_KVM_STATS: o->kvm_stats = optarg; break;
		case 'V': break;
		case OPT_PROBE: o->probe = true; break;
		case OPT_FLAT_MODE:
			if (!strcmp(optarg, "real")) {
				o->flat_mode = BOOT_FLAT_REAL;
			} else if (!strcmp(optarg, "long")) {
				o->flat_mode = BOOT_FLAT_LONG;
			} else {
				pr_err("invalid --flat-mode: '%s' (real or long)", optarg);
				return -1;
			}
			break;
		case OPT_GUEST_STATS:
			o->guest_stats = guest_stats_mode(optarg);
			if (o->guest_stats < 0) {
				pr_err("invalid --guest-stats: '%s' (default, off, kernel or user)", optarg);
				return -1;
			}
			break;
		case OPT_CPUID:
			if (o->nr_cpuid == MAX_CPUID_OPTS) {
				pr_err("--cpuid: at most %d of them", MAX_CPUID_OPTS);
				return -1;
			}
			more = realloc(o->cpuid, (o->nr_cpuid + 1) * sizeof(*more));
			if (!more)
				return -1;
			o->cpuid = more;
			if (es_cpuid_spec_parse(optarg, &o->cpuid[o->nr_cpuid], why, sizeof(why))) {
				pr_err("invalid --cpuid: %s", why);
				return -1;
			}
			o->nr_cpuid++;
			break;
		case 'p':
			if (number("--cpus", optarg, 1, MPTABLE_MAX_CPUS, &v))
				return -1;
			o->cpus = (int)v;
			break;
		case 'm':
			if (number("--mem", optarg, OPT_MEM_MIN_MIB, BOOT_MEM_MAX >> 20, &v))
				return -1;
			o->mem_mib = (unsigned long)v;
			break;
		case 't':
			if (number("--timeout", optarg, 1, 86400 * 365, &v))
				return -1;
			o->timeout = (unsigned long)v;
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
	if (o->probe) {
		if (o->kernel || o->flat) {
			pr_err("--probe runs no guest: give it alone");
			return -1;
		}
		return 0;
	}
	if (!o->kernel == !o->flat) {
		pr_err("give either --kernel or --flat (see --help)");
		return -1;
	}
	if (o->flat && o->initrd) {
		pr_err("--initrd goes with --kernel, not --flat");
		return -1;
	}
	/* A kernel's limit is in its header (load.c); a flat image's is fixed. */
	if (o->flat && o->cmdline && strlen(o->cmdline) > ES_VMM_FLAT_CMDLINE_MAX) {
		pr_err("--cmdline: %zu bytes, a flat image takes at most %d", strlen(o->cmdline),
		       ES_VMM_FLAT_CMDLINE_MAX);
		return -1;
	}
	return 0;
}
