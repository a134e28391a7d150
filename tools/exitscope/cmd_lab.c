// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope lab: the seed's experiment in the emulated nested lab. The lab
 * is a shell script in the source tree (lab/lab.sh: apt, kernel builds,
 * emulators); this finds it next to the binary (build/bin/../../lab) or
 * at $EXITSCOPE_LAB, and runs it with the same arguments.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

void cmd_lab_help(void)
{
	printf("usage: exitscope lab [OPTIONS]   (the same as `make lab ARGS='OPTIONS'`)\n"
	       "\n"
	       "Runs lab/lab.sh of the source tree this binary was built in (or\n"
	       "$EXITSCOPE_LAB); `exitscope lab --help` below is the script's own.\n");
}

/* lab/lab.sh of the tree whose build/bin/ holds this binary. */
static int find_lab(char *path, size_t len)
{
	char exe[PATH_MAX], *dir;
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -1;
	exe[n] = '\0';
	dir = dirname(exe);			/* .../build/bin */
	if ((size_t)snprintf(path, len, "%s/../../lab/lab.sh", dir) >= len)
		return -1;
	return access(path, X_OK);
}

int cmd_lab(int argc, char **argv)
{
	const char *env = getenv("EXITSCOPE_LAB");
	char path[PATH_MAX + 32];

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		cmd_lab_help();
	if (env && *env) {
		snprintf(path, sizeof(path), "%s", env);
	} else if (find_lab(path, sizeof(path))) {
		fprintf(stderr, "exitscope lab: lab/lab.sh not found next to this binary; "
			"run it from the source tree or set EXITSCOPE_LAB\n");
		return 1;
	}
	argv[0] = path;
	/* Our help text first, whole: execv would drop what stdio still holds. */
	fflush(stdout);
	/*
	 * An ignored SIGPIPE (main() ignores it for our own writes) would be
	 * inherited: the lab's pipelines must die of it as in any shell.
	 */
	signal(SIGPIPE, SIG_DFL);
	execv(path, argv);
	fprintf(stderr, "exitscope lab: %s: %s\n", path, strerror(errno));
	return 1;
}
