// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fleet host for the operator tools' benchmark (scripts/bench-fleet.sh):
 *   bench_fleet make DIR VMS VCPUS REASONS
 *	a synthetic record of VMS x VCPUS x REASONS rows with exit -> entry
 *	times (the BPF collector's, the heaviest rows), written by the same
 *	writer as `exitscope record --json`, as DIR/0001.json
 *   bench_fleet frames DIR N
 *	what top does per redraw on it (the file source's read, the view,
 *	the table drawn into memory) and what the exporter does per scrape
 *	(read, then the metrics text in each series setting), N times each
 *   bench_fleet scrape PORT N
 *	N scrapes of a running exporter on 127.0.0.1:PORT, one at a time
 * Each prints tab-separated rows (what, then figures) for the script.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "export/openmetrics.h"
#include "json/record_json.h"
#include "model/record.h"
#include "source/source.h"
#include "util/num.h"
#include "write/top_table.h"

#define MAX_RUNS	1000

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* "what<TAB>median<TAB>max" of @n times in ms (sorted here). */
static void print_times(const char *what, double *t, size_t n)
{
	qsort(t, n, sizeof(*t), by_value);
	printf("%s\t%.2f\t%.2f\n", what, t[n / 2], t[n - 1]);
}

static int fail(const char *msg)
{
	fprintf(stderr, "bench_fleet: %s\n", msg);
	return 1;
}

static uint64_t arg(const char *s, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (es_num(s, ES_NUM_DEC, min, max, &v)) {
		fprintf(stderr, "bench_fleet: '%s' is not a number from %llu to %llu\n", s,
			(unsigned long long)min, (unsigned long long)max);
		exit(2);
	}
	return v;
}

/* Deterministic figures: the same host on every machine. */
static uint64_t next(uint64_t *x)
{
	*x = *x * 6364136223846793005ull + 1442695040888963407ull;
	return *x >> 33;
}

static int make(const char *dir, uint64_t vms, uint64_t vcpus, uint64_t reasons)
{
	struct es_record_info info = { "fleet", "synthetic", 10000000000ull };
	struct es_snap s;
	struct es_record r;
	struct es_err e;
	const struct es_reason *named;
	uint64_t seed = 42, v, c, k;
	size_t nnamed;
	char path[4096], comm[16];
	FILE *f;

	named = es_reasons(ES_INTEL, &nnamed);
	if (reasons > nnamed)
		return fail("more reasons asked than the kernel names");
	es_snap_init(&s);
	snprintf(s.source, sizeof(s.source), "bpf");
	s.vendor = ES_INTEL;
	s.vendor_known = true;
	s.has = ES_SNAP_NS | ES_SNAP_VCPUS;
	for (v = 0; v < vms; v++) {
		/* As long as a comm gets: 15 bytes. */
		snprintf(comm, sizeof(comm), "qemu-vm-%07u", (unsigned int)(v % 10000000));
		if (es_snap_set_comm(&s, (uint32_t)(100000 + v), comm))
			return fail("out of memory");
		for (c = 0; c < vcpus; c++)
			for (k = 0; k < reasons; k++) {
				struct es_snap_row row;
				unsigned int b;

				memset(&row, 0, sizeof(row));
				row.tgid = (uint32_t)(100000 + v);
				row.vcpu = (uint32_t)c;
				row.code = named[k].code;
				/* Spread over 8 buckets from 512 ns: a real spread. */
				for (b = 9; b < 17; b++) {
					row.hist[b] = next(&seed) % 5000;
					row.count += row.hist[b];
					row.time_ns += row.hist[b] * (3ull << (b - 1));
				}
				if (es_snap_add(&s, &row))
					return fail("out of memory");
			}
	}
	if (es_record_from_snap(&s, &info, &r, &e))
		return fail(e.msg);
	snprintf(path, sizeof(path), "%s/0001.json", dir);
	f = fopen(path, "w");
	if (!f || es_write_record_json(f, &r) || fclose(f)) {
		fprintf(stderr, "bench_fleet: %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("rows\t%zu\n", s.n);
	es_record_free(&r);
	es_snap_free(&s);
	return 0;
}

/* Lines of a metrics text that are samples (series), not # comments. */
static size_t series(const char *text, size_t len)
{
	size_t n = 0, i;
	int start = 1;

	for (i = 0; i < len; i++) {
		if (start && text[i] != '#')
			n++;
		start = text[i] == '\n';
	}
	return n;
}

/* The longest line of a metrics text, newline included. */
static size_t longest(const char *text, size_t len)
{
	size_t max = 0, from = 0, i;

	for (i = 0; i < len; i++)
		if (text[i] == '\n') {
			if (i + 1 - from > max)
				max = i + 1 - from;
			from = i + 1;
		}
	return max;
}

static const char *no_comm(uint32_t tgid, void *ctx)
{
	(void)tgid;
	(void)ctx;
	return "";
}

static int frames(const char *dir, size_t n)
{
	static const struct {
		const char *name;
		struct es_prom_opts o;
	} settings[] = {
		{ "default", { .per_vcpu = false } },
		{ "per-vcpu", { .per_vcpu = true } },
		{ "per-vcpu+vm-histograms", { .per_vcpu = true, .vm_histograms = true } },
	};
	const struct es_top_opts top_opts = { 0 };
	struct es_source_opts so = { 0 };
	struct es_source src;
	struct es_snap first, cur;
	struct es_top_view view;
	struct es_err e;
	double *t, t0;
	size_t i, k, len = 0;
	char *buf = NULL, what[64];
	FILE *f;

	t = calloc(n, sizeof(*t));
	es_snap_init(&first);
	es_snap_init(&cur);
	if (!t || es_source_file_open(dir, &so, &src, &e))
		return fail(t ? e.msg : "out of memory");
	/* The first read parses the record; every later one is a scrape's or a frame's. */
	t0 = now_ms();
	if (es_source_read(&src, &cur, &e))
		return fail(e.msg);
	printf("first_read_ms\t%.2f\n", now_ms() - t0);
	for (i = 0; i < n; i++) {
		t0 = now_ms();
		f = open_memstream(&buf, &len);
		if (!f || es_source_read(&src, &cur, &e) ||
		    es_top_build(&first, &first, &cur, &top_opts, &view))
			return fail("a frame failed");
		es_top_render(f, &view, 80, 40);
		es_top_free(&view);
		fclose(f);
		t[i] = now_ms() - t0;
		free(buf);
		buf = NULL;
	}
	print_times("top_frame_ms", t, n);
	for (k = 0; k < sizeof(settings) / sizeof(settings[0]); k++) {
		for (i = 0; i < n; i++) {
			free(buf);
			buf = NULL;
			t0 = now_ms();
			f = open_memstream(&buf, &len);
			if (!f || es_source_read(&src, &cur, &e) ||
			    es_write_prometheus(f, &cur, &settings[k].o, no_comm, NULL) || fclose(f))
				return fail("a scrape's text failed");
			t[i] = now_ms() - t0;
		}
		printf("body\t%s\t%zu\t%zu\t%zu\n", settings[k].name, len, series(buf, len),
		       longest(buf, len));
		snprintf(what, sizeof(what), "text\t%s", settings[k].name);
		print_times(what, t, n);
	}
	free(buf);
	free(t);
	es_source_close(&src);
	es_snap_free(&first);
	es_snap_free(&cur);
	return 0;
}

/* One GET /metrics, the whole answer read; its size, or -1 unless 200. */
static long scrape_once(uint16_t port)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	char buf[65536], status[13] = "";
	long total = 0;
	ssize_t got;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    write(fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1) {
		close(fd);
		return -1;
	}
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		if (total < 12)
			memcpy(status + total, buf, (size_t)(got < 12 - total ? got : 12 - total));
		total += got;
	}
	close(fd);
	return got < 0 || strcmp(status, "HTTP/1.1 200") ? -1 : total;
}

static int scrapes(uint16_t port, size_t n)
{
	double *t = calloc(n, sizeof(*t)), t0;
	long bytes = 0;
	size_t i;

	if (!t)
		return fail("out of memory");
	/* The exporter's first read of a file source parses the record: apart. */
	t0 = now_ms();
	if (scrape_once(port) < 0)
		return fail("the first scrape was not answered 200");
	printf("first_scrape_ms\t%.2f\n", now_ms() - t0);
	for (i = 0; i < n; i++) {
		t0 = now_ms();
		bytes = scrape_once(port);
		t[i] = now_ms() - t0;
		if (bytes < 0)
			return fail("a scrape was not answered 200");
	}
	printf("scrape_bytes\t%ld\n", bytes);
	print_times("scrape_ms", t, n);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "make"))
		return make(argv[2], arg(argv[3], 1, MAX_RUNS), arg(argv[4], 1, 288),
			    arg(argv[5], 1, 64));
	if (argc == 4 && !strcmp(argv[1], "frames"))
		return frames(argv[2], arg(argv[3], 1, 1000));
	if (argc == 4 && !strcmp(argv[1], "scrape"))
		return scrapes((uint16_t)arg(argv[2], 1, 65535), arg(argv[3], 1, 1000));
	fprintf(stderr, "usage: bench_fleet make DIR VMS VCPUS REASONS | frames DIR N | scrape PORT N\n");
	return 2;
}
