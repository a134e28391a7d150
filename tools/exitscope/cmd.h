/* SPDX-License-Identifier: GPL-2.0-only */
/* The subcommands of `exitscope`: one file each, listed in main.c. */
#ifndef EXITSCOPE_CMD_H
#define EXITSCOPE_CMD_H

struct es_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*help)(void);
	const char *summary;
};

int cmd_lab(int argc, char **argv);
void cmd_lab_help(void);
int cmd_query(int argc, char **argv);
void cmd_query_help(void);
int cmd_record(int argc, char **argv);
void cmd_record_help(void);
int cmd_top(int argc, char **argv);
void cmd_top_help(void);
int cmd_exporter(int argc, char **argv);
void cmd_exporter_help(void);
int cmd_explain(int argc, char **argv);
void cmd_explain_help(void);
int cmd_report(int argc, char **argv);
void cmd_report_help(void);
int cmd_shutdown(int argc, char **argv);
void cmd_shutdown_help(void);
int cmd_bench(int argc, char **argv);
void cmd_bench_help(void);
int cmd_stats(int argc, char **argv);
void cmd_stats_help(void);
int cmd_tsc(int argc, char **argv);
void cmd_tsc_help(void);
int cmd_unframe(int argc, char **argv);
void cmd_unframe_help(void);

#endif
