// SPDX-License-Identifier: GPL-2.0-only
/*
 * The chart: a log-scale bar chart of each reason's median count per
 * column, as chart.png and chart.svg. gnuplot runs without a shell, in
 * the output directory (so no path is ever quoted into its script), with
 * the script and the data (a datablock) on its standard input.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "writers.h"

/* A label inside gnuplot's double quotes: only plain, harmless characters. */
static void label(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc((*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\' && *s != '\'' &&
		       *s != '`' && *s != '$' && *s != '@') ? *s : '_', out);
}

static void script(FILE *out, const struct es_record *r, const struct es_summary *s)
{
	char code[ES_CODE_STR_LEN];
	size_t i, c;

	fprintf(out, "$data << EOD\n");
	for (i = 0; i < s->n; i++) {
		fprintf(out, "\"%s ", es_code_str(code, s->vendor, s->rows[i].code));
		label(out, s->rows[i].name);
		fputc('"', out);
		/* Log scale: a zero is drawn as 1, no bar to speak of. */
		for (c = 0; c < s->ncols; c++)
			fprintf(out, " %" PRIu64, s->rows[i].c[c].median ? s->rows[i].c[c].median : 1);
		fputc('\n', out);
	}
	fprintf(out, "EOD\n"
		"set style data histograms\nset style fill solid\nset logscale y\n"
		"set xtics rotate by -45 font ',8'\nset ylabel '%s'\n"
		"set title \"exits per reason (%s)%s\" noenhanced\n",
		s->record ? "exits (all VMs)" : "exits (median)", es_isa_name(s->vendor), es_verdict_ok(&r->verdict) ? "" : ": FAILED CHECKS");
	for (i = 0; i < 2; i++) {
		fprintf(out, i ? "set terminal svg size 1200,600 noenhanced\nset output 'chart.svg'\n" :
			"set terminal png size 1200,600 noenhanced\nset output 'chart.png'\n");
		fprintf(out, "plot ");
		for (c = 0; c < s->ncols; c++) {
			fprintf(out, "%s$data using %zu%s title \"", c ? ", " : "", c + 2,
				c ? "" : ":xtic(1)");
			label(out, s->col[c]);
			fputc('"', out);
		}
		fprintf(out, "\nset output\n");
	}
}

/* Remove what an earlier report left: no stale chart beside new figures. */
static void remove_charts(int dfd)
{
	unlinkat(dfd, "chart.png", 0);
	unlinkat(dfd, "chart.svg", 0);
	unlinkat(dfd, "chart.dat", 0);
}

int es_write_chart(const char *dir, const struct es_record *r, const struct es_summary *s,
		   struct es_err *warn)
{
	int in[2], err[2], dfd, status, child_errno = 0;
	void (*old)(int);
	char *buf = NULL;
	size_t len = 0, off = 0;
	ssize_t n;
	FILE *f;
	pid_t pid;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return es_errf(warn, "no chart: %s: %s", dir, strerror(errno));
	remove_charts(dfd);
	f = open_memstream(&buf, &len);
	if (!f) {
		close(dfd);
		return es_errf(warn, "no chart: out of memory");
	}
	script(f, r, s);
	if (fclose(f)) {
		free(buf);
		close(dfd);
		return es_errf(warn, "no chart: out of memory");
	}
	/* err: the child reports a failed exec through it (closed on success). */
	if (pipe2(in, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		free(buf);
		close(dfd);
		return es_errf(warn, "no chart: pipe: %s", strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		es_errf(warn, "no chart: fork: %s", strerror(errno));
		close(in[0]); close(in[1]); close(err[0]); close(err[1]);
		free(buf);
		close(dfd);
		return -1;
	}
	if (!pid) {
		char *const argv[] = { "gnuplot", NULL };
		int e;

		/* gnuplot gets the SIGPIPE of any program, not our ignored one. */
		signal(SIGPIPE, SIG_DFL);
		if (dup2(in[0], STDIN_FILENO) < 0 || fchdir(dfd) < 0) {
			e = errno;
		} else {
			execvp(argv[0], argv);
			e = errno;
		}
		if (write(err[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(in[0]);
	close(err[1]);
	close(dfd);
	/* gnuplot may stop reading early: a write error, not a SIGPIPE death. */
	old = signal(SIGPIPE, SIG_IGN);
	while (off < len && (n = write(in[1], buf + off, len - off)) > 0)
		off += (size_t)n;
	close(in[1]);
	signal(SIGPIPE, old);
	free(buf);
	if (read(err[0], &child_errno, sizeof(child_errno)) != sizeof(child_errno))
		child_errno = 0;
	close(err[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (child_errno == ENOENT)
		return es_errf(warn, "no chart: gnuplot is not installed (apt install gnuplot-nox)");
	if (child_errno)
		return es_errf(warn, "no chart: cannot run gnuplot in %s: %s", dir, strerror(child_errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			remove_charts(dfd);
			close(dfd);
		}
		return es_errf(warn, "no chart: gnuplot failed (%s %d)",
			       WIFEXITED(status) ? "exit status" : "signal",
			       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	}
	return 0;
}
