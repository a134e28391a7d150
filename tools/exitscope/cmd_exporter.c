// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitscope exporter: serves the source's figures as Prometheus text at
 * /metrics. Small and strict on purpose: one connection at a time, each
 * with a deadline for its request (bounded in size: tools/lib/http.c) and
 * for the answer, only GET /metrics, Connection: close. Binds 127.0.0.1
 * unless told otherwise. The figures are the source's cumulative ones,
 * read afresh for every scrape.
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

#include "../lib/http.h"
#include "../lib/num.h"
#include "../lib/openmetrics.h"
#include "cmd.h"
#include "collect.h"

#define PROG "exitscope exporter"
#define DEFAULT_LISTEN	"127.0.0.1:9792"
#define REQUEST_MS	5000	/* to send the request, from accept */
#define SEND_MS		5000	/* to take the answer */

void cmd_exporter_help(void)
{
	printf("usage: exitscope exporter [--listen ADDR] [--max-requests N] [--source S]\n"
	       "\n"
	       "Serves VM exit metrics at http://ADDR/metrics (Prometheus text format\n"
	       "0.0.4): exits per VM, vCPU and reason, exit -> entry time histograms per VM\n"
	       "and reason (BPF), the collector's losses. Names: docs/collector.md. Any\n"
	       "other path is 404, any other method 405; a request must arrive within 5 s\n"
	       "and in 8 KiB. One connection at a time.\n"
	       "\n"
	       "  -l, --listen ADDR     HOST:PORT or :PORT, numeric (default " DEFAULT_LISTEN ");\n"
	       "                        [::1]:PORT for IPv6\n"
	       "      --max-requests N  exit after N requests (tests)\n"
	       COLLECT_HELP
	       "  -h, --help            this text\n"
	       "\n"
	       "Exit status: 0 stopped by a signal or --max-requests; 2 bad usage; 3 no\n"
	       "source, it failed, or the address cannot be bound.\n"
	       "\n"
	       "EXAMPLES\n"
	       "  exitscope exporter\n"
	       "  exitscope exporter --listen :9792 --source bpf\n");
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
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
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

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The request, read until complete, too big, or its deadline. */
static enum es_http_verdict read_request(int fd)
{
	char buf[ES_HTTP_MAX_REQUEST + 1];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	enum es_http_verdict v = ES_HTTP_MORE;
	struct timespec t0;
	size_t len = 0;
	ssize_t n;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (v == ES_HTTP_MORE && !collect_stop) {
		left = REQUEST_MS - ms_since(&t0);
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return ES_HTTP_BAD;
		n = recv(fd, buf + len, sizeof(buf) - len, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return ES_HTTP_BAD;
		len += (size_t)n;
		v = es_http_parse(buf, len);
	}
	return v;
}

static void send_all(int fd, const char *p, size_t len)
{
	struct pollfd pf = { .fd = fd, .events = POLLOUT };
	struct timespec t0;
	ssize_t n;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (len) {
		left = SEND_MS - ms_since(&t0);
		if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
			return;
		n = send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void answer(int fd, int code, const char *reason, const char *type, const char *body,
		   size_t len)
{
	char head[512];
	int n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n%s\r\n", code, reason, type, len,
		     code == 405 ? "Allow: GET\r\n" : "");
	send_all(fd, head, (size_t)n);
	send_all(fd, body, len);
}

/*
 * Close after an answer: a client still sending (a request refused for its
 * size) would get a reset instead of the answer if unread bytes were left,
 * so stop writing and drain what comes, bounded in bytes and time.
 */
static void linger_close(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct timespec t0;
	char buf[4096];
	size_t total = 0;
	ssize_t n;

	shutdown(fd, SHUT_WR);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (total < (1u << 20) && ms_since(&t0) < 1000 && poll(&p, 1, 200) > 0) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			break;
		total += (size_t)n;
	}
	close(fd);
}

/* One connection: read, answer, close. Returns false when the source failed. */
static bool serve(int fd, struct es_source *src, struct es_snap *snap)
{
	enum es_http_verdict v = read_request(fd);
	const char *reason;
	char *body = NULL, msg[1200];
	size_t len = 0;
	struct es_err e;
	FILE *f;
	int code = es_http_status(v, &reason);
	bool ok = true;

	if (v != ES_HTTP_METRICS) {
		snprintf(msg, sizeof(msg), "%d %s: only GET /metrics is served here\n", code, reason);
		answer(fd, code, reason, "text/plain; charset=utf-8", msg, strlen(msg));
		return true;
	}
	if (es_source_read(src, snap, &e)) {
		fprintf(stderr, PROG ": %s\n", e.msg);
		snprintf(msg, sizeof(msg), "the source failed: %s\n", e.msg);
		answer(fd, 503, "Service Unavailable", "text/plain; charset=utf-8", msg, strlen(msg));
		return false;
	}
	f = open_memstream(&body, &len);
	if (!f || es_write_prometheus(f, snap, collect_comm, NULL) || fclose(f)) {
		answer(fd, 500, "Internal Server Error", "text/plain; charset=utf-8", "out of memory\n", 14);
		free(body);
		return ok;
	}
	answer(fd, 200, "OK", ES_PROM_CONTENT_TYPE, body, len);
	free(body);
	return ok;
}

static int exporter(const struct collect_args *a, const char *listen_on, uint64_t max)
{
	struct es_source src;
	struct es_snap snap;
	uint64_t served = 0;
	int lfd, status = 0;

	collect_signals();
	lfd = open_listener(listen_on);
	if (lfd < 0)
		return lfd == -2 ? 2 : 3;
	if (collect_open(PROG, a, &src)) {
		close(lfd);
		return 3;
	}
	es_snap_init(&snap);
	fprintf(stderr, PROG ": serving http://%s/metrics\n", listen_on);
	while (!collect_stop && (!max || served < max)) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		int fd;

		if (poll(&p, 1, 500) <= 0)
			continue;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		if (!serve(fd, &src, &snap))
			status = 3;
		linger_close(fd);
		served++;
		if (status)
			break;
	}
	es_snap_free(&snap);
	es_source_close(&src);
	close(lfd);
	return status;
}

int cmd_exporter(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "max-requests", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		COLLECT_OPTIONS,
		{ 0 }
	};
	const char *listen_on = DEFAULT_LISTEN;
	struct collect_args a;
	uint64_t max = 0;
	int c, r;

	collect_args_init(&a);
	while ((c = getopt_long(argc, argv, "l:hv", opts, NULL)) != -1) {
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
