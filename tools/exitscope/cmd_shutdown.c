// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope shutdown: end the VM with a status. Only in a guest of
 * exitscope-vmm, which it recognizes by its CPUID signature before it
 * touches anything: elsewhere (a bare host, another hypervisor) it refuses,
 * so that it can never power off a machine by mistake.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/reboot.h>
#include <termios.h>
#include <unistd.h>

#include "abi/vmm_abi.h"
#include "query/vmm_detect.h"
#include "util/num.h"
#include "cmd.h"

void cmd_shutdown_help(void)
{
	printf("usage: exitscope shutdown [STATUS]\n"
	       "\n"
	       "In a guest of exitscope-vmm: end the VM now; the VMM exits with STATUS\n"
	       "(0-%d, default 0: the guest's verdict). Needs root (I/O port 0x%x).\n"
	       "Refuses, exit status 1, anywhere else: on a bare machine or under\n"
	       "another hypervisor it does nothing at all.\n",
	       ES_VMM_VERDICT_MAX, ES_VMM_EXIT_PORT);
}

static struct es_cpuid hw_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct es_cpuid r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

int cmd_shutdown(int argc, char **argv)
{
	uint64_t status = 0;
	char why[160];

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cmd_shutdown_help();
		return 0;
	}
	if (argc > 2) {
		fprintf(stderr, "exitscope shutdown: too many arguments\n");
		return 2;
	}
	if (argc == 2 &&
	    es_num_arg("exitscope shutdown", "status", argv[1], 0, ES_VMM_VERDICT_MAX, &status))
		return 2;
	if (es_vmm_detect(hw_cpuid, why, sizeof(why))) {
		fprintf(stderr, "exitscope shutdown: refused: %s; it only ends guests of exitscope-vmm\n",
			why);
		return 1;
	}
	sync();
	/*
	 * What the guest printed may still sit in the serial driver's buffer
	 * (sent by interrupt, maybe from another vCPU): the VM stops at the
	 * verdict, so let the console drain first.
	 */
	tcdrain(STDOUT_FILENO);
	tcdrain(STDERR_FILENO);
	if (ioperm(ES_VMM_EXIT_PORT, 1, 1)) {
		fprintf(stderr, "exitscope shutdown: port 0x%x: %s (not root, or a kernel without CONFIG_X86_IOPL_IOPERM)\n",
			ES_VMM_EXIT_PORT, strerror(errno));
		return 1;
	}
	outb((unsigned char)status, ES_VMM_EXIT_PORT);
	/*
	 * exitscope-vmm stops every vCPU at that write; should this one still
	 * run, give it a moment, then power off: in exitscope-vmm that is a
	 * stop without a verdict, which it reports as a failure.
	 */
	sleep(5);
	fprintf(stderr, "exitscope shutdown: exitscope-vmm did not stop the VM: powering off\n");
	if (reboot(RB_POWER_OFF)) {
		fprintf(stderr, "exitscope shutdown: power off: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
