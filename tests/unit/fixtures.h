/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the tools' unit tests: files in a scratch directory, and a
 * consistent lab results directory (AMD or Intel) to damage one piece at a
 * time. Include after cmocka.h.
 */
#ifndef EXITSCOPE_TEST_FIXTURES_H
#define EXITSCOPE_TEST_FIXTURES_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline char *fx_tmpdir(void)
{
	char *d = strdup("/tmp/exitscope-test.XXXXXX");

	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static inline void fx_put(const char *dir, const char *name, const char *content)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

static inline void fx_rm(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static inline bool fx_exists(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !access(path, F_OK);
}

/* The whole of DIR/NAME, NUL-terminated (static buffer). */
static inline const char *fx_get(const char *dir, const char *name)
{
	static char buf[1 << 20];
	char path[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static inline void fx_rmdir(char *dir)
{
	struct dirent *d;
	DIR *dp = opendir(dir);

	while (dp && (d = readdir(dp)))
		if (d->d_name[0] != '.' || (d->d_name[1] && strcmp(d->d_name, "..")))
			fx_rm(dir, d->d_name);
	if (dp)
		closedir(dp);
	rmdir(dir);
	free(dir);
}

/*
 * A consistent AMD results directory: npt and shadow, one run each, new
 * stats layout, hist, status, kvmstat and a query in each L2 log.
 */
static const char fx_svm_stats_shadow[] =
	"# isa svm mode cycles exits 703 cycles 7300 halted 40 vmm 900 preempted 0 sleep 0\n"
	"#   reason name                         count               cycles               halted                  vmm            preempted                sleep\n"
	"      0x4e PF excp                        500                 5000                    0                    0                    0                    0\n"
	"      0x72 cpuid                            3                  300                    0                    0                    0                    0\n"
	"      0x78 hlt                              1                  100                   40                    0                    0                    0\n"
	"      0x7b io                             199                 1900                    0                  900                    0                    0\n";
static const char fx_svm_hist_shadow[] =
	"# event histogram\n#\n# trigger info: hist:keys=exit_reason:vals=hitcount:sort=hitcount:size=4096 [active]\n#\n\n"
	"{ exit_reason:        120 } hitcount:          1\n"
	"{ exit_reason:        114 } hitcount:          3\n"
	"{ exit_reason:        123 } hitcount:        199\n"
	"{ exit_reason:         78 } hitcount:        500\n"
	"\nTotals:\n    Hits: 703\n    Entries: 4\n    Dropped: 0\n";
static const char fx_svm_stats_npt[] =
	"# isa svm mode cycles exits 223 cycles 2230 halted 40 vmm 900 preempted 0 sleep 0\n"
	"#   reason name                         count               cycles               halted                  vmm            preempted                sleep\n"
	"      0x72 cpuid                            3                  300                    0                    0                    0                    0\n"
	"      0x78 hlt                              1                  100                   40                    0                    0                    0\n"
	"      0x7b io                             199                 1800                    0                  900                    0                    0\n"
	"     0x400 npf                             20                   30                    0                    0                    0                    0\n";
static const char fx_svm_hist_npt[] =
	"# event histogram\n#\n\n"
	"{ exit_reason:       1024 } hitcount:         20\n"
	"{ exit_reason:        120 } hitcount:          1\n"
	"{ exit_reason:        114 } hitcount:          3\n"
	"{ exit_reason:        123 } hitcount:        199\n"
	"\nTotals:\n    Hits: 223\n    Entries: 4\n    Dropped: 0\n";
static const char fx_meta_amd[] =
	"cpu=amd\nworkload=seed\nruns=1\nrounds=4\nl2_cpus=1\nl1_kernel=6.1.192\n"
	"l2_cmdline=console=ttyS0 reboot=t panic=-1 quiet exitscope.workload=seed exitscope.rounds=4\n"
	"paging.npt=1\npaging.shadow=0\nkver=6.1.192-3\n";

static inline const char *fx_log(const char *query_json)
{
	static char buf[8192];

	snprintf(buf, sizeof(buf),
		 "exitscope-l2: workload seed\r\nEXITSCOPE-QUERY-BEGIN\r\n%s\r\nEXITSCOPE-QUERY-END\r\n"
		 "exitscope-l2: done, verdict 0\r\n", query_json);
	return buf;
}

static inline char *fx_amd_dir(void)
{
	char *d = fx_tmpdir();

	fx_put(d, "metadata.txt", fx_meta_amd);
	fx_put(d, "stats-npt-1.txt", fx_svm_stats_npt);
	fx_put(d, "hist-npt-1.txt", fx_svm_hist_npt);
	fx_put(d, "status-npt-1.txt", "0\n");
	fx_put(d, "kvmstat-npt-1.txt", "exits 223\nhalt_exits 1\nio_exits 199\n");
	fx_put(d, "l2-npt-1.log", fx_log(
		"{\"schema\":\"exitscope.query/2\",\"vendor\":\"amd\",\"isa\":\"svm\","
		"\"total\":{\"count\":200,\"cycles\":2000},\"query_exits\":3,\"reasons\":["
		"{\"reason\":123,\"name\":\"io\",\"count\":190,\"cycles\":1700},"
		"{\"reason\":114,\"name\":\"cpuid\",\"count\":2,\"cycles\":200}]}"));
	fx_put(d, "stats-shadow-1.txt", fx_svm_stats_shadow);
	fx_put(d, "hist-shadow-1.txt", fx_svm_hist_shadow);
	fx_put(d, "status-shadow-1.txt", "0\n");
	fx_put(d, "kvmstat-shadow-1.txt", "exits 703\nhalt_exits 1\n");
	fx_put(d, "l2-shadow-1.log", fx_log(
		"{\"schema\":\"exitscope.query/2\",\"vendor\":\"amd\",\"isa\":\"svm\","
		"\"total\":{\"count\":690,\"cycles\":7000},\"query_exits\":3,\"reasons\":["
		"{\"reason\":78,\"name\":\"PF excp\",\"count\":500,\"cycles\":5000}]}"));
	return d;
}

#endif
