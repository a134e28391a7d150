// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope shutdown: end the VM with a status. Under exitscope-vmm the
 * status byte goes to its exit port and becomes the VMM's exit status;
 * elsewhere the machine is powered off.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "../lib/parse.h"
#include "../lib/vmm_abi.h"
#include "cmd.h"

void cmd_shutdown_help(void)
{
	printf("usage: exitscope shutdown [STATUS]\n"
	       "\n"
	       "In a guest of exitscope-vmm: end the VM now; the VMM exits with STATUS\n"
	       "(0-255, default 0). Needs root (I/O port 0x%x). Elsewhere, or if the\n"
	       "port write does not stop the machine, syncs and powers off.\n",
	       ES_VMM_EXIT_PORT);
}

int cmd_shutdown(int argc, char **argv)
{
	unsigned long status = 0;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cmd_shutdown_help();
		return 0;
	}
	if (argc > 2) {
		fprintf(stderr, "exitscope shutdown: too many arguments\n");
		return 2;
	}
	if (argc == 2) {
		if (es_parse_ulong(argv[1], 0, 255, &status)) {
			fprintf(stderr, "exitscope shutdown: invalid status: '%s' (0-255)\n", argv[1]);
			return 2;
		}
	}
	sync();
	if (ioperm(ES_VMM_EXIT_PORT, 1, 1))
		fprintf(stderr, "exitscope shutdown: port 0x%x: %s (kernel without CONFIG_X86_IOPL_IOPERM?): powering off without a verdict\n",
			ES_VMM_EXIT_PORT, strerror(errno));
	else
		outb((unsigned char)status, ES_VMM_EXIT_PORT);
	/* Still here: not exitscope-vmm. */
	if (reboot(RB_POWER_OFF)) {
		fprintf(stderr, "exitscope shutdown: power off: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
