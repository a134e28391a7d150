// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope top: VM exits per reason, refreshed every interval, in the
 * manner of kvm_stat. On a terminal it redraws in place (the table fitted
 * to its width and height, `q` or Ctrl-C quits, the terminal restored on
 * every way out); otherwise it prints one plain block per interval. The
 * table itself is tools/lib/write/top_table.c.
 */
#include <getopt.h>
#include <poll.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "util/num.h"
#include "write/top_table.h"
#include "cmd.h"
#include "collect.h"

#define PROG "exitscope top"

void cmd_top_help(void)
{
	printf("usage: exitscope top [--pid P] [--interval S] [--iterations N] [--source S]\n"
	       "                     [--detail] [--expand R]\n"
	       "\n"
	       "VM exits per reason, all VMs summed (or one VM with --pid): the total since\n"
	       "top began, the rate over the last interval, its share of all exits and,\n"
	       "with the BPF collector, the mean time from an exit to the vCPU's next\n"
	       "entry in that interval and that time's share (time%%). Busiest reasons first.\n"
	       "On a terminal the table is redrawn in place, fitted to its size, with keys:\n"
	       "v per reason, per VM or per vCPU, s sort, p one VM's reasons (or vCPUs),\n"
	       "f filter reason names (VM names in the VM and vCPU views), e expand a\n"
	       "reason: its drill-down below it (with --detail), r reset the\n"
	       "totals, h or ? the keys, space refresh now; q or Ctrl-C quits. Otherwise\n"
	       "(a pipe, a file) it prints one block per interval, each headed by the\n"
	       "time. The first frame comes at once (the VMs so far), then one per\n"
	       "interval. A\n"
	       "replay (--source file:) counts from zero: its first record is the first\n"
	       "frame, and counts as a refresh.\n"
	       "\n"
	       "  -i S, --interval S   seconds between refreshes (default 1)\n"
	       "  -n N, --iterations N stop after N refreshes (default: until q or a signal)\n"
	       "  -e R, --expand R     show the drill-down below reason R (its code or name;\n"
	       "                       *: every reason), as the key e does\n"
	       COLLECT_HELP
	       "  -h, --help           this text\n"
	       "\n"
	       "Exit status: 0; 1 the output could not be written (a full disk, a closed\n"
	       "pipe); 2 bad usage; 3 no source, or it failed.\n"
	       "\n"
	       "EXAMPLES\n"
	       "  exitscope top\n"
	       "  exitscope top --pid 4242 --source bpf\n"
	       "  exitscope top --iterations 5 > top.log\n"
	       "  exitscope top --detail --expand io\n");
}

static struct termios saved_tio;
static bool tio_saved;

static void term_restore(void)
{
	if (!tio_saved)
		return;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	/* The cursor back, the main screen back. */
	fputs("\033[?25h\033[?1049l", stdout);
	fflush(stdout);
	tio_saved = false;
}

/* Keys one at a time, no echo, the alternate screen: until term_restore(). */
static int term_raw(void)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &saved_tio))
		return -1;
	t = saved_tio;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t))
		return -1;
	tio_saved = true;
	fputs("\033[?1049h\033[?25l", stdout);
	return 0;
}

static void term_size(unsigned int *w, unsigned int *h)
{
	struct winsize ws;

	*w = 80;
	*h = 24;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col && ws.ws_row) {
		*w = ws.ws_col;
		*h = ws.ws_row;
	}
}

/* Wait up to @ms for the next refresh: the key pressed, or 0 when the time is up. */
static int wait_key(unsigned int ms, bool keys)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	struct timespec t0, t1;
	unsigned char c;

	if (!keys) {
		collect_sleep_ms(ms);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!collect_stop) {
		long spent;
		int r;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		spent = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (spent >= (long)ms)
			break;
		r = poll(&p, 1, (int)(ms - (unsigned long)spent));
		if (r > 0 && (p.revents & POLLIN) && read(STDIN_FILENO, &c, 1) == 1)
			return c ? c : ' ';
		if (r > 0 && (p.revents & (POLLHUP | POLLERR))) {
			collect_sleep_ms((unsigned int)(ms - (unsigned long)spent));
			break;
		}
	}
	return 0;
}

/* A line typed at @prompt on the last row: Enter keeps it, Esc keeps @buf. */
static void read_line(const char *prompt, char *buf, size_t len)
{
	char text[64] = "";
	size_t n = 0;
	int c;

	for (;;) {
		unsigned int w, h;

		term_size(&w, &h);
		printf("\033[%u;1H\033[2K%s%s\033[?25h", h, prompt, text);
		fflush(stdout);
		c = wait_key(60000, true);
		if (collect_stop || c == 27)
			break;
		if (c == '\r' || c == '\n') {
			snprintf(buf, len, "%s", text);
			break;
		}
		if ((c == 127 || c == 8) && n)
			text[--n] = '\0';
		else if (c >= 0x20 && c < 0x7f && n < sizeof(text) - 1 && n < len - 1)
			text[n++] = (char)c, text[n] = '\0';
	}
	fputs("\033[?25l", stdout);
}

static const char keys_help[] =
	"exitscope top: keys\n"
	"\n"
	"  v      the table per exit reason, per VM, or per vCPU (PID/VCPU), in turn\n"
	"  s      sort by rate, total, time or name, in turn\n"
	"  p      reasons (or vCPUs) of one VM, the next in turn, then all VMs again\n"
	"  f      show only the reasons (in the VM and vCPU views: the VMs) whose\n"
	"         name contains a text (empty: all)\n"
	"  e      expand a reason (its code or name; *: every reason; empty: none):\n"
	"         its busiest keys below it, from --detail (ports, MSRs, pages...)\n"
	"  r      reset: count the totals from now\n"
	"  space  refresh now\n"
	"  h, ?   this help\n"
	"  q      quit (Ctrl-C too)\n"
	"\n"
	"Columns: total since top began (or the last reset), per s in the last\n"
	"interval, %tot its share of all exits, time the mean from an exit to\n"
	"the vCPU's next entry in the interval and time% its share of the\n"
	"interval's time (the BPF collector). Any key goes back.\n";

static void stamp(char buf[32])
{
	time_t now = time(NULL);
	struct tm tm;

	strftime(buf, 32, "%H:%M:%S", localtime_r(&now, &tm));
}

/*
 * One frame of @cur against @prev (the last interval) and @first (since top
 * began), on a terminal in place, else as a block: 0; 3 out of memory; 1
 * when the output cannot be written (said unless the pipe closed).
 */
static int frame(const struct es_snap *first, const struct es_snap *prev,
		 const struct es_snap *cur, const struct es_top_opts *o, bool tty)
{
	struct es_top_view view, *v = &view;

	if (es_top_build(first, prev, cur, o, v)) {
		term_restore();
		fprintf(stderr, PROG ": out of memory\n");
		return 3;
	}
	if (tty) {
		unsigned int w, h;

		term_size(&w, &h);
		/* Home, clear; the header lines and a last free line aside. */
		fputs("\033[H\033[2J", stdout);
		es_top_render(stdout, v, w, h > 4 ? h - 4 : 1);
		fputs("(h: keys, q quits)", stdout);
	} else {
		char t[32];

		stamp(t);
		printf("--- %s\n", t);
		es_top_render(stdout, v, 0, 0);
		putchar('\n');
	}
	es_top_free(v);
	/* Nobody reads any more (a closed pipe, a full disk): stop. */
	errno = 0;
	if (fflush(stdout) || ferror(stdout)) {
		if (errno != EPIPE)
			fprintf(stderr, PROG ": standard output: %s\n",
				errno ? strerror(errno) : "write error");
		return 1;
	}
	return 0;
}

/* The VM after @pid in @s (pids in order), or 0 after the last: all VMs. */
static uint32_t next_vm(const struct es_snap *s, uint32_t pid)
{
	uint32_t best = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->rows[i].tgid > pid && (!best || s->rows[i].tgid < best))
			best = s->rows[i].tgid;
	return best;
}

/*
 * A key pressed on the terminal, with @first, @older and @latest the
 * snapshots of the frame on screen: the view changed and drawn again (0),
 * a refresh wanted now (1), or quit (2); 3 out of memory; 4 the frame
 * could not be written (top's status 1, as for any frame).
 */
static int on_key(int key, struct es_snap *first, const struct es_snap *older,
		  const struct es_snap *latest, struct es_top_opts *o)
{
	switch (key) {
	case 'q': case 'Q':
		return 2;
	case ' ':
		return 1;
	case 'v':
		o->mode = (o->mode + 1) % ES_TOP_NR_MODES;
		break;
	case 's':
		o->sort = (o->sort + 1) % ES_TOP_NR_SORTS;
		break;
	case 'p':
		o->pid = next_vm(latest, o->pid);
		if (o->mode != ES_TOP_VCPUS)
			o->mode = ES_TOP_REASONS;
		break;
	case 'f':
		/* Of what the rows are: reasons' names, or VMs' in their views. */
		if (o->mode == ES_TOP_REASONS)
			read_line("show reasons whose name contains (Enter: apply, Esc: keep): ",
				  o->filter, sizeof(o->filter));
		else
			read_line("show VMs whose name contains (Enter: apply, Esc: keep): ",
				  o->vm_filter, sizeof(o->vm_filter));
		break;
	case 'e':
		read_line("expand the reason (code or name; *: all; empty: none; Esc: keep): ",
			  o->expand, sizeof(o->expand));
		o->mode = ES_TOP_REASONS;
		break;
	case 'r':
		es_snap_free(first);
		if (es_snap_copy(first, latest))
			return 3;
		break;
	case 'h': case '?':
		fputs("\033[H\033[2J", stdout);
		fputs(keys_help, stdout);
		fflush(stdout);
		wait_key(600000, true);
		break;
	default:
		return 0;
	}
	switch (frame(first, older, latest, o, true)) {
	case 0:
		return 0;
	case 1:
		return 4;
	default:
		return 3;
	}
}

/* Names for the live VMs of @s (a replay's come with its records). */
static int name_vms(struct es_snap *s, const struct collect_args *a, bool replay)
{
	if (replay || !collect_name_vms(s, a))
		return 0;
	term_restore();
	fprintf(stderr, PROG ": out of memory\n");
	return 3;
}

static int top(const struct collect_args *a, uint64_t interval_s, uint64_t iterations,
	       const char *expand)
{
	struct es_snap first, prev, cur, tmp;
	struct es_top_opts opts = { .pid = a->o.pid };
	struct es_source src;
	struct es_err e;
	bool tty = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO), quit = false;
	bool replay;
	uint64_t done = 0;
	int status = 3, key, r;

	es_snap_init(&first);
	es_snap_init(&prev);
	es_snap_init(&cur);
	snprintf(opts.expand, sizeof(opts.expand), "%s", expand ? expand : "");
	collect_signals();
	if (collect_open(PROG, a, &src))
		return 3;
	/*
	 * Live sources are cumulative since they began: top counts from its
	 * first read. A replay's records are intervals of their own: it
	 * counts from zero, so that its first record is its first interval
	 * (a single record would otherwise show nothing, ever).
	 */
	replay = !strcmp(src.kind, "file");
	if (es_source_read(&src, replay ? &cur : &first, &e)) {
		fprintf(stderr, PROG ": %s\n", e.msg);
		goto out;
	}
	if (!es_top_expand_known((replay ? &cur : &first)->vendor, opts.expand)) {
		fprintf(stderr, PROG ": --expand: %s has no reason '%s' (a code as top shows it, or a name)\n",
			es_isa_name((replay ? &cur : &first)->vendor), opts.expand);
		status = 2;
		goto out;
	}
	if (es_snap_copy(&prev, &first) || name_vms(replay ? &cur : &first, a, replay)) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	if (tty && term_raw())
		tty = false;
	/*
	 * The first frame at once (an interval of nothing yet, live: the VMs
	 * and totals so far; a replay: its first record), not after a wait.
	 */
	status = frame(&first, &prev, replay ? &cur : &first, &opts, tty);
	if (status)
		goto out;
	/* From here on, prev is the snapshot on screen and cur the one before. */
	if (replay) {
		tmp = prev;
		prev = cur;
		cur = tmp;
		done++;
	} else if (es_snap_copy(&cur, &first)) {
		fprintf(stderr, PROG ": out of memory\n");
		status = 3;
		goto out;
	}
	while (!collect_stop && !quit && (!iterations || done < iterations)) {
		key = wait_key((unsigned int)(interval_s * 1000), tty);
		if (collect_stop)
			break;
		if (key) {
			r = on_key(key, &first, &cur, &prev, &opts);
			if (r == 2)
				break;
			if (r >= 3) {
				status = r == 4 ? 1 : 3;
				goto out;
			}
			if (r == 0)
				continue;
		}
		if (es_source_read(&src, &cur, &e)) {
			term_restore();
			fprintf(stderr, PROG ": %s\n", e.msg);
			status = 3;
			goto out;
		}
		status = name_vms(&cur, a, replay);
		if (!status)
			status = frame(&first, &prev, &cur, &opts, tty);
		if (status)
			goto out;
		tmp = prev;
		prev = cur;
		cur = tmp;
		done++;
	}
	status = 0;
out:
	term_restore();
	es_source_close(&src);
	es_snap_free(&first);
	es_snap_free(&prev);
	es_snap_free(&cur);
	return status;
}

int cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "expand", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		COLLECT_OPTIONS,
		{ 0 }
	};
	struct collect_args a;
	uint64_t interval = 1, iterations = 0;
	const char *expand = NULL;
	int c, r;

	collect_args_init(&a);
	while ((c = getopt_long(argc, argv, "i:n:e:p:hv", opts, NULL)) != -1) {
		r = collect_arg(PROG, c, optarg, &a);
		if (r < 0)
			return 2;
		if (r)
			continue;
		switch (c) {
		case 'i':
			if (es_num_arg(PROG, "--interval", optarg, 1, 3600, &interval))
				return 2;
			break;
		case 'n':
			if (es_num_arg(PROG, "--iterations", optarg, 1, UINT32_MAX, &iterations))
				return 2;
			break;
		case 'e':
			if (strlen(optarg) >= sizeof(((struct es_top_opts *)0)->expand)) {
				fprintf(stderr, PROG ": --expand: '%s' is longer than a reason's name\n",
					optarg);
				return 2;
			}
			expand = optarg;
			break;
		case 'h': cmd_top_help(); return 0;
		default:
			fprintf(stderr, PROG ": see --help\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, PROG ": unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	return top(&a, interval, iterations, expand);
}
