// SPDX-License-Identifier: GPL-2.0-only
/*
 * The chart: a log-scale bar chart of each reason's median count per
 * column (a record's: its count, and under it the time from exit to entry
 * where it has one), as chart.png and chart.svg on white. gnuplot runs without a shell, in
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

#include "write/writers.h"

/* A label inside gnuplot's double quotes: only plain, harmless characters. */
static void label(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc((*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\' && *s != '\'' &&
		       *s != '`' && *s != '$' && *s != '@') ? *s : '_', out);
}

/* What the chart shows, for its title: the workload or the record, the CPU, the runs. */
static void title(FILE *out, const struct es_record *r, const struct es_summary *s)
{
	const struct es_meta *m = &r->meta;

	size_t c;

	fprintf(out, "set title \"exits per reason: ");
	if (s->record && s->ncols > 1) {
		fputs("records", out);
		for (c = 0; c < s->ncols; c++) {
			fputs(c ? ", " : " ", out);
			label(out, s->col[c]);
		}
		fprintf(out, " (%zu VMs in all)", r->nruns);
	} else if (s->record) {
		fprintf(out, "record of %zu VM%s", r->nruns, r->nruns == 1 ? "" : "s");
		if (m->duration_ns && s->ncols == 1)
			fprintf(out, ", %.1f s", (double)m->duration_ns / 1e9);
		fprintf(out, ", %s", es_isa_name(s->vendor));
		if (m->host_kernel[0]) {
			fputs(", Linux ", out);
			label(out, m->host_kernel);
		}
	} else {
		label(out, m->workload[0] ? m->workload : "workload unknown");
		fprintf(out, ", %s (%s), median of %u run%s per column", es_cpu_name(s->vendor),
			es_isa_name(s->vendor), s->runs[0], s->runs[0] == 1 ? "" : "s");
	}
	fprintf(out, "%s\" noenhanced\n", es_verdict_ok(&r->verdict) ? "" : ": FAILED CHECKS");
}

/*
 * One bar plot of @first.. (@ncols columns of the datablock), log scale
 * from half the smallest value (0.5 for counts), so that a single exit
 * still shows a bar; a zero is missing, no bar; the top a factor of 3
 * above the largest, so that no bar is clipped.
 */
static void bars(FILE *out, const struct es_summary *s, unsigned int first, double min,
		 double max, const char *ylabel, bool xtics)
{
	size_t c;

	fprintf(out, "set logscale y\nset yrange [%g:%g]\nset ylabel '%s'\n", min / 2,
		max > min ? max * 3 : min * 3, ylabel);
	fprintf(out, xtics ? "set xtics rotate by -45 font ',8'\n" : "unset xtics\n");
	fprintf(out, "plot ");
	for (c = 0; c < s->ncols; c++) {
		fprintf(out, "%s$data using %zu%s title \"", c ? ", " : "", first + c,
			c || !xtics ? "" : ":xtic(1)");
		label(out, s->col[c]);
		fputc('"', out);
	}
	fputc('\n', out);
}

void es_chart_script(FILE *out, const struct es_record *r, const struct es_summary *s)
{
	char code[ES_CODE_STR_LEN];
	double max = 0, max_ms = 0, min_ms = 0, ms;
	bool times = s->record && s->ns;
	size_t i, c, t;

	/* Counts, then (records with times) the time from exit to entry in ms. */
	fprintf(out, "$data << EOD\n");
	for (i = 0; i < s->n; i++) {
		fprintf(out, "\"%s ", es_code_str(code, s->vendor, s->rows[i].code));
		label(out, s->rows[i].name);
		fputc('"', out);
		for (c = 0; c < s->ncols; c++) {
			const struct es_cell *cell = &s->rows[i].c[c];

			if (cell->median)
				fprintf(out, " %" PRIu64, cell->median);
			else
				fputs(" ?", out);
			if ((double)cell->median > max)
				max = (double)cell->median;
		}
		for (c = 0; times && c < s->ncols; c++) {
			ms = (double)s->rows[i].c[c].ns / 1e6;
			if (ms > 0)
				fprintf(out, " %.6f", ms);
			else
				fputs(" ?", out);
			if (ms > max_ms)
				max_ms = ms;
			if (ms > 0 && (!min_ms || ms < min_ms))
				min_ms = ms;
		}
		fputc('\n', out);
	}
	fprintf(out, "EOD\n"
		"set datafile missing '?'\nset style data histograms\nset style fill solid\n"
		"set grid ytics\nset key top right\n");
	for (t = 0; t < 2; t++) {
		fprintf(out, "set terminal %s size 1200,%d noenhanced%s\nset output 'chart.%s'\n",
			t ? "svg" : "png", times ? 900 : 650, t ? " background rgb 'white'" : "",
			t ? "svg" : "png");
		if (times) {
			fprintf(out, "set multiplot layout 2,1\n");
			title(out, r, s);
			bars(out, s, 2, 1, max, "exits (all VMs)", false);
			fprintf(out, "unset title\n");
			bars(out, s, 2 + (unsigned int)s->ncols, min_ms ? min_ms : 0.001, max_ms,
			     "time from exit to entry, ms (all VMs)", true);
			fprintf(out, "unset multiplot\n");
		} else {
			title(out, r, s);
			bars(out, s, 2, 1, max, s->record ? "exits (all VMs)" : "exits (median)", true);
		}
		fprintf(out, "set output\n");
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
	es_chart_script(f, r, s);
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
