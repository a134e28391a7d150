/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A VM's name as its operators know it, from what /proc says of its VMM:
 * QEMU's -name (libvirt passes -name guest=NAME,...), libvirt's machine
 * scope in the cgroup path, or a rule of the user's (--name-from): an
 * option of the VMM's command line or a variable of its environment. Pure
 * text in, text out: the /proc reads are the caller's.
 */
#ifndef EXITSCOPE_VM_NAME_H
#define EXITSCOPE_VM_NAME_H

#include <stdbool.h>
#include <stddef.h>

#define ES_VM_NAME_MAX	64	/* with the NUL */

/* A --name-from rule: "arg:OPTION" or "env:VARIABLE". */
struct es_name_rule {
	enum { ES_NAME_ARG, ES_NAME_ENV } kind;
	char key[64];
};

/* @spec as a rule; false if it is none (the caller says why). */
bool es_name_rule_parse(const char *spec, struct es_name_rule *rule);

/*
 * The value of option @opt in a command line (@argv: NUL-separated, as
 * /proc/PID/cmdline), "OPT VALUE" or "OPT=VALUE"; for QEMU's "-name" the
 * guest= part of "guest=NAME,debug-threads=on", or the first part of
 * "NAME,process=..." (a doubled comma is a comma). false if absent or empty.
 */
bool es_vm_name_from_cmdline(const char *argv, size_t len, const char *opt, char *out,
			     size_t outlen);
/* The value of @var in an environment (@env: NUL-separated, as /proc/PID/environ). */
bool es_vm_name_from_environ(const char *env, size_t len, const char *var, char *out,
			     size_t outlen);
/*
 * libvirt's machine: a cgroup path (/proc/PID/cgroup) holding
 * "machine-qemu\x2dID\x2dNAME.scope" gives NAME, systemd's \xNN escapes undone.
 */
bool es_vm_name_from_cgroup(const char *text, size_t len, char *out, size_t outlen);

#endif
