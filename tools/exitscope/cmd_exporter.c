// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope exporter: serves the source's figures as Prometheus text at
 * /metrics. Small and strict on purpose: an event loop (poll) over up to
 * MAX_CONNS connections at once, each with a deadline for its request
 * (bounded in size: tools/lib/export/http.c) and for the answer, only GET
 * /metrics, Connection: close; so that idle or slow clients cannot hold up
 * a scrape. Binds 127.0.0.1 unless told otherwise. The figures are the
 * source's cumulative ones, read afresh for every scrape (one at a time:
 * the loop is single-threaded); a failed read answers 503 and the next
 * scrape tries again.
 */
#include <errno.h>
#include <getopt.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "export/http.h"
#include "export/openmetrics.h"
#include "util/num.h"
#include "cmd.h"
#include "collect.h"

#define PROG "exitscope exporter"
#define DEFAULT_LISTEN	"127.0.0.1:9792"
#define REQUEST_MS	5000	/* to send the request, from accept */
#define SEND_MS		5000	/* to take the answer */
#define LINGER_MS	1000	/* to stop sending, after the answer */
#define LINGER_BYTES	(1u << 20)
/*
 * Connections at once: 256 slots of 8 KiB for requests (2 MiB in all),
 * plus the answers being sent. A new connection beyond that takes the
 * slot of the one that has waited longest for its request.
 */
#define MAX_CONNS	256

void cmd_exporter_help(void)
{
	printf("usage: exitscope exporter [--listen ADDR] [--max-requests N] [--source S]\n"
	       "                          [--per-vcpu] [--vm-histograms] [--pid-label]\n"
	       "                          [--detail [--detail-top N]]\n"
	       "\n"
	       "Serves VM exit metrics at http://ADDR/metrics (Prometheus text format\n"
	       "0.0.4): exits per VM (by its name: QEMU's -name, libvirt's machine or\n"
	       "--name-from) and reason, the exit -> entry time per VM and reason and as\n"
	       "histograms per reason (BPF), the collector's losses; the series each\n"
	       "costs: docs/collector.md, \"Series budget\". Any\n"
	       "other path is 404, any other method 405; a request must arrive within 5 s\n"
	       "and in 8 KiB. Up to 256 connections at once; beyond that, the one that has\n"
	       "waited longest for its request is dropped. A failed read of the source\n"
	       "answers 503 with the reason, and the next scrape reads again.\n"
	       "\n"
	       "  -l, --listen ADDR     HOST:PORT, numeric (default " DEFAULT_LISTEN "); :PORT\n"
	       "                        is 127.0.0.1:PORT, 0.0.0.0:PORT every IPv4 address,\n"
	       "                        [::1]:PORT for IPv6\n"
	       "      --max-requests N  exit after answering N requests (tests)\n"
	       PROM_PER_VCPU_HELP
	       PROM_PID_LABEL_HELP
	       PROM_DETAIL_TOP_HELP
	       "  --vm-histograms  every bucket of the exit -> entry time per VM and reason\n"
	       "                   (x 32 series; default: per reason for all VMs, and per VM\n"
	       "                   only the sum and count, which give the mean)\n"
	       COLLECT_HELP
	       "  -h, --help            this text\n"
	       "\n"
	       "Exit status: 0 stopped by a signal or --max-requests; 2 bad usage; 3 no\n"
	       "source at the start, or the address cannot be bound.\n"
	       "\n"
	       "EXAMPLES\n"
	       "  exitscope exporter\n"
	       "  exitscope exporter --listen 0.0.0.0:9792 --source bpf\n");
}

/* HOST:PORT, :PORT or [V6]:PORT, numeric only (no resolver in a static binary). */
static int parse_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[128];
	const char *colon = strrchr(addr, ':');
	size_t hl;
	uint64_t port;

	if (!colon || es_num(colon + 1, ES_NUM_DEC, 1, 65535, &port))
		return -1;
	hl = (size_t)(colon - addr);
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, addr, hl);
	host[hl] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1)
			return -1;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return 0;
	}
	if (inet_pton(AF_INET, hl ? host : "127.0.0.1", &in4->sin_addr) != 1)
		return -1;
	in4->sin_family = AF_INET;
	in4->sin_port = htons((uint16_t)port);
	*len = sizeof(*in4);
	return 0;
}

static int open_listener(const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	if (parse_addr(addr, &ss, &len)) {
		fprintf(stderr, PROG ": invalid --listen: '%s' (HOST:PORT, :PORT or [V6]:PORT, numeric, port 1 to 65535)\n",
			addr);
		return -2;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		fprintf(stderr, PROG ": socket: %s\n", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16)) {
		fprintf(stderr, PROG ": cannot listen on %s: %s\n", addr, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Monotonic milliseconds. */
static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * One connection, from accept to close: READ its request (until complete,
 * too big, or REQUEST_MS), WRITE the answer (within SEND_MS), then LINGER:
 * stop writing and drain what the client still sends, bounded in bytes and
 * time, so that a client still sending (a request refused for its size)
 * gets the answer rather than a reset.
 */
enum conn_state { CONN_FREE, CONN_READ, CONN_WRITE, CONN_LINGER };

struct conn {
	int fd;
	enum conn_state state;
	long long since;	/* accept: which connection to drop first */
	long long deadline;	/* of the current state */
	size_t len;
	char req[ES_HTTP_MAX_REQUEST + 1];
	char *out;		/* the whole answer */
	size_t out_len, out_off, drained;
};

struct exporter {
	struct conn *conns;
	struct es_source src;
	struct es_snap snap;
	uint64_t answered;
	bool failing;		/* the source's last read failed */
	struct es_prom_opts prom;
	const struct collect_args *args;	/* --name-from */
};

static void conn_close(struct conn *c)
{
	close(c->fd);
	free(c->out);
	c->out = NULL;
	c->state = CONN_FREE;
}

/* The answer, head and body, as one buffer to send. */
static void conn_answer(struct conn *c, int code, const char *reason, const char *type,
			const char *body, size_t len)
{
	char head[512];
	int n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n%s\r\n", code, reason, type, len,
		     code == 405 ? "Allow: GET\r\n" : "");
	c->out = malloc((size_t)n + len);
	if (!c->out) {
		conn_close(c);
		return;
	}
	memcpy(c->out, head, (size_t)n);
	memcpy(c->out + n, body, len);
	c->out_len = (size_t)n + len;
	c->out_off = 0;
	c->state = CONN_WRITE;
	c->deadline = now_ms() + SEND_MS;
}

static void conn_text(struct conn *c, int code, const char *reason, const char *msg)
{
	conn_answer(c, code, reason, "text/plain; charset=utf-8", msg, strlen(msg));
}

/*
 * A complete request: the metrics, read from the source afresh. A source
 * that fails answers 503 with its reason, and the next scrape tries again:
 * the exporter stays up (a module reloaded, a file replaced, come back).
 */
static void conn_request(struct exporter *x, struct conn *c, enum es_http_verdict v)
{
	const char *reason;
	char *body = NULL, msg[1200];
	size_t len = 0;
	struct es_err e;
	FILE *f;
	int code = es_http_status(v, &reason);

	if (v != ES_HTTP_METRICS) {
		snprintf(msg, sizeof(msg), "%d %s: only GET /metrics is served here\n", code, reason);
		conn_text(c, code, reason, msg);
		return;
	}
	if (es_source_read(&x->src, &x->snap, &e)) {
		if (!x->failing)
			fprintf(stderr, PROG ": the source failed, answering 503 until it recovers: %s\n",
				e.msg);
		x->failing = true;
		snprintf(msg, sizeof(msg), "the source failed: %s\n", e.msg);
		conn_text(c, 503, "Service Unavailable", msg);
		return;
	}
	if (x->failing)
		fprintf(stderr, PROG ": the source recovered\n");
	x->failing = false;
	/* A live host's VMs by their names; a replay's come with its records. */
	f = strcmp(x->src.kind, "file") && collect_name_vms(&x->snap, x->args) ? NULL :
	    open_memstream(&body, &len);
	if (!f || es_write_prometheus(f, &x->snap, &x->prom, collect_comm, NULL) || fclose(f)) {
		conn_text(c, 500, "Internal Server Error", "out of memory\n");
		free(body);
		return;
	}
	conn_answer(c, 200, "OK", ES_PROM_CONTENT_TYPE, body, len);
	free(body);
}

/* What the connection can do now that poll() said so, or its time is up. */
static void conn_step(struct exporter *x, struct conn *c, short revents, long long now)
{
	enum es_http_verdict v;
	char sink[4096];
	ssize_t n;

	switch (c->state) {
	case CONN_READ:
		if (revents & (POLLIN | POLLHUP | POLLERR)) {
			n = recv(c->fd, c->req + c->len, sizeof(c->req) - c->len, MSG_DONTWAIT);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			if (n <= 0) {
				conn_close(c);
				break;
			}
			c->len += (size_t)n;
			v = es_http_parse(c->req, c->len);
			if (v != ES_HTTP_MORE) {
				conn_request(x, c, v);
				break;
			}
		}
		if (now >= c->deadline)
			conn_request(x, c, ES_HTTP_BAD);	/* never finished */
		break;
	case CONN_WRITE:
		if (revents & (POLLOUT | POLLHUP | POLLERR)) {
			n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			if (n <= 0) {
				x->answered++;
				conn_close(c);
				break;
			}
			c->out_off += (size_t)n;
		}
		if (c->out_off == c->out_len) {
			x->answered++;
			free(c->out);
			c->out = NULL;
			shutdown(c->fd, SHUT_WR);
			c->state = CONN_LINGER;
			c->drained = 0;
			c->deadline = now + LINGER_MS;
		} else if (now >= c->deadline) {
			x->answered++;
			conn_close(c);
		}
		break;
	case CONN_LINGER:
		if (revents & (POLLIN | POLLHUP | POLLERR)) {
			n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			if (n <= 0 || (c->drained += (size_t)n) > LINGER_BYTES) {
				conn_close(c);
				break;
			}
		}
		if (now >= c->deadline)
			conn_close(c);
		break;
	case CONN_FREE:
		break;
	}
}

/*
 * A slot for a new connection: a free one, else the one that has waited
 * longest for its request (an idle or slow client), which is dropped: a
 * scraper sends its request at once, so held sockets cannot crowd it out.
 * NULL if every slot is answering or lingering.
 */
static struct conn *conn_slot(struct conn *conns)
{
	struct conn *oldest = NULL;
	size_t i;

	for (i = 0; i < MAX_CONNS; i++) {
		if (conns[i].state == CONN_FREE)
			return &conns[i];
		if (conns[i].state == CONN_READ && (!oldest || conns[i].since < oldest->since))
			oldest = &conns[i];
	}
	if (oldest)
		conn_close(oldest);
	return oldest;
}

static void accept_all(struct conn *conns, int lfd, long long now)
{
	struct conn *c;
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		c = conn_slot(conns);
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->state = CONN_READ;
		c->since = now;
		c->deadline = now + REQUEST_MS;
		c->len = 0;
		c->out = NULL;
	}
}

static int exporter(const struct collect_args *a, const char *listen_on, uint64_t max)
{
	static struct pollfd pfd[MAX_CONNS + 1];
	struct conn *idx[MAX_CONNS + 1];
	struct exporter x = { .prom = a->prom, .args = a };
	long long now, next;
	size_t i, n;
	int lfd, timeout;

	collect_signals();
	lfd = open_listener(listen_on);
	if (lfd < 0)
		return lfd == -2 ? 2 : 3;
	x.conns = calloc(MAX_CONNS, sizeof(*x.conns));
	if (!x.conns) {
		fprintf(stderr, PROG ": out of memory\n");
		close(lfd);
		return 3;
	}
	if (collect_open(PROG, a, &x.src)) {
		free(x.conns);
		close(lfd);
		return 3;
	}
	es_snap_init(&x.snap);
	fprintf(stderr, PROG ": serving http://%s/metrics\n", listen_on);
	while (!collect_stop && (!max || x.answered < max)) {
		now = now_ms();
		next = now + 500;	/* a look at collect_stop at least that often */
		pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (i = 0, n = 1; i < MAX_CONNS; i++) {
			struct conn *c = &x.conns[i];

			if (c->state == CONN_FREE)
				continue;
			pfd[n] = (struct pollfd){ .fd = c->fd,
				.events = c->state == CONN_WRITE ? POLLOUT : POLLIN };
			idx[n++] = c;
			if (c->deadline < next)
				next = c->deadline;
		}
		timeout = next > now ? (int)(next - now) : 0;
		if (poll(pfd, n, timeout) < 0 && errno != EINTR)
			break;
		now = now_ms();
		for (i = 1; i < n; i++)
			conn_step(&x, idx[i], pfd[i].revents, now);
		if (pfd[0].revents & POLLIN)
			accept_all(x.conns, lfd, now);
	}
	for (i = 0; i < MAX_CONNS; i++)
		if (x.conns[i].state != CONN_FREE)
			conn_close(&x.conns[i]);
	free(x.conns);
	es_snap_free(&x.snap);
	es_source_close(&x.src);
	close(lfd);
	return 0;
}

int cmd_exporter(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "max-requests", required_argument, NULL, 'm' },
		PROM_PER_VCPU_OPTION,
		PROM_PID_LABEL_OPTION,
		PROM_DETAIL_TOP_OPTION,
		{ "vm-histograms", no_argument, NULL, 0x105 },
		{ "help", no_argument, NULL, 'h' },
		COLLECT_OPTIONS,
		{ 0 }
	};
	const char *listen_on = DEFAULT_LISTEN;
	struct collect_args a;
	uint64_t max = 0;
	int c, r;

	collect_args_init(&a);
	while ((c = getopt_long(argc, argv, "l:p:hv", opts, NULL)) != -1) {
		r = collect_arg(PROG, c, optarg, &a);
		if (r < 0)
			return 2;
		if (r)
			continue;
		switch (c) {
		case 'l': listen_on = optarg; break;
		case 'm':
			if (es_num_arg(PROG, "--max-requests", optarg, 1, UINT32_MAX, &max))
				return 2;
			break;
		case 0x104: a.prom.per_vcpu = true; break;
		case 0x107: a.prom.pid_label = true; break;
		case 0x105: a.prom.vm_histograms = true; break;
		case 'h': cmd_exporter_help(); return 0;
		default:
			fprintf(stderr, PROG ": see --help\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, PROG ": unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	return exporter(&a, listen_on, max);
}
