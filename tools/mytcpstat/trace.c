// SPDX-License-Identifier: GPL-2.0
/*
 * mytcpstat trace - mytcp's tracepoints as a ladder diagram.  Owns the
 * tracefs instance (instances/mytcpstat), the parsing of the mytcp
 * events read from its trace_pipe, the matching of events to
 * connections (both ends of one when both are local), relative sequence
 * numbers, and the ladder and JSON output.  Documentation/mytcpstat.8,
 * "TRACE", describes what it prints.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mytcpstat.h"

#define MAX_CONNS	256
#define MAX_PENDING	64
#define SIDE_WIDTH	14
#define ARROW_WIDTH	48

/* An address and port; addr as inet_pton() gives it (network order). */
struct endpoint {
	unsigned int addr;
	unsigned int port;
};

/* One parsed line of trace_pipe. */
struct event {
	double time;
	char name[48];		/* without the "mytcp_" prefix */
	unsigned long netns;
	struct endpoint src, dst;
	char flags[16];
	char old[24], new[24];
	char result[16];
	unsigned long seq, ack, len, win, end_seq, count, cookie, mss;
	int has_flags;
};

/* A connection: its two ends, left and right, and their sequence bases. */
struct conn {
	struct endpoint end[2];		/* 0: left, 1: right */
	unsigned int base[2];		/* ISN or first sequence number seen */
	int has_base[2];
	unsigned int id;
};

/* A state change before connect() chose the port (sport 0). */
struct pending {
	struct event ev;
};

static struct {
	const char *tracefs;
	char instance[4096];
	int instance_made;
	int enabled;
	unsigned long netns;		/* 0: any */
	long port;			/* -1: any */
	unsigned long count;		/* 0: no limit */
	double timeout;			/* 0: none */
	int json;
	double t0;
	int have_t0;
	unsigned long printed;
	struct conn conns[MAX_CONNS];
	unsigned int nconns;
	struct pending pending[MAX_PENDING];
	unsigned int npending;
	struct endpoint senders[MAX_CONNS * 2];	/* local ends seen sending */
	unsigned int nsenders;
} tr = { .port = -1 };

/* Set by --count, and by SIGINT, SIGTERM or SIGHUP (read from a signalfd). */
static int stop;

static void trace_cleanup(void)
{
	char path[4200];
	int fd;

	if (tr.enabled) {
		snprintf(path, sizeof(path), "%s/events/mytcp/enable", tr.instance);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "0", 1) < 0)
				fprintf(stderr, "%s: disabling events: %s\n", prog,
					strerror(errno));
			close(fd);
		}
		tr.enabled = 0;
	}
	if (tr.instance_made) {
		if (rmdir(tr.instance))
			fprintf(stderr, "%s: removing %s: %s\n", prog, tr.instance,
				strerror(errno));
		tr.instance_made = 0;
	}
}

static int is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* tracefs: where it is mounted, or mounted now at /sys/kernel/tracing. */
static const char *find_tracefs(void)
{
	if (is_dir("/sys/kernel/tracing/instances"))
		return "/sys/kernel/tracing";
	if (is_dir("/sys/kernel/debug/tracing/instances"))
		return "/sys/kernel/debug/tracing";
	if (is_dir("/sys/kernel/tracing") &&
	    !mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) &&
	    is_dir("/sys/kernel/tracing/instances"))
		return "/sys/kernel/tracing";
	die("tracefs is not available: %s",
	    "not mounted at /sys/kernel/tracing, and mounting it failed");
	return NULL;
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		die("writing %s: %s", path, strerror(errno));
	close(fd);
}

/* Make our own instance and enable the mytcp events in it alone. */
static int start_tracing(void)
{
	char path[4200];
	int fd;

	tr.tracefs = find_tracefs();
	snprintf(path, sizeof(path), "%s/events/mytcp", tr.tracefs);
	if (!is_dir(path))
		die("no mytcp events in %s/events: is the mytcp module loaded?",
		    tr.tracefs);
	snprintf(tr.instance, sizeof(tr.instance), "%s/instances/mytcpstat",
		 tr.tracefs);
	/* A stale instance of a killed run goes; a busy one stays. */
	if (is_dir(tr.instance) && rmdir(tr.instance))
		snprintf(tr.instance, sizeof(tr.instance),
			 "%s/instances/mytcpstat.%d", tr.tracefs, (int)getpid());
	if (mkdir(tr.instance, 0700))
		die("creating tracefs instance %s: %s", tr.instance,
		    strerror(errno));
	tr.instance_made = 1;
	snprintf(path, sizeof(path), "%s/events/mytcp/enable", tr.instance);
	write_file(path, "1");
	tr.enabled = 1;
	snprintf(path, sizeof(path), "%s/trace_pipe", tr.instance);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		die("opening %s: %s", path, strerror(errno));
	fprintf(stderr, "%s: tracing mytcp events in %s\n", prog, tr.instance);
	return fd;
}

static int parse_endpoint(const char *s, struct endpoint *e)
{
	char buf[64];
	const char *colon = strrchr(s, ':');
	struct in_addr a;

	if (!colon || (size_t)(colon - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, colon - s);
	buf[colon - s] = 0;
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	e->addr = a.s_addr;
	e->port = strtoul(colon + 1, NULL, 10);
	return 0;
}

static void copy_word(char *dst, size_t len, const char *v)
{
	snprintf(dst, len, "%s", v);
}

/* One key=value of an event's text. */
static int parse_field(struct event *ev, const char *key, const char *v)
{
	static const struct {
		const char *key;
		size_t off;
	} nums[] = {
		{ "seq", offsetof(struct event, seq) },
		{ "ack", offsetof(struct event, ack) },
		{ "len", offsetof(struct event, len) },
		{ "win", offsetof(struct event, win) },
		{ "end_seq", offsetof(struct event, end_seq) },
		{ "count", offsetof(struct event, count) },
		{ "cookie", offsetof(struct event, cookie) },
		{ "mss", offsetof(struct event, mss) },
		{ "net", offsetof(struct event, netns) },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(nums); i++) {
		if (!strcmp(key, nums[i].key)) {
			*(unsigned long *)((char *)ev + nums[i].off) =
				strtoul(v, NULL, 10);
			return 0;
		}
	}
	if (!strcmp(key, "src"))
		return parse_endpoint(v, &ev->src);
	if (!strcmp(key, "dst"))
		return parse_endpoint(v, &ev->dst);
	if (!strcmp(key, "flags")) {
		copy_word(ev->flags, sizeof(ev->flags), v);
		ev->has_flags = 1;
	} else if (!strcmp(key, "old")) {
		copy_word(ev->old, sizeof(ev->old), v);
	} else if (!strcmp(key, "new")) {
		copy_word(ev->new, sizeof(ev->new), v);
	} else if (!strcmp(key, "result")) {
		copy_word(ev->result, sizeof(ev->result), v);
	}
	return 0;
}

/*
 * A line of trace_pipe: "comm-pid [cpu] flags  secs.usecs: mytcp_NAME:
 * key=value ...".  Return: 0, or -1 for a line that is no mytcp event.
 */
static int parse_event(char *line, struct event *ev)
{
	char *p = strstr(line, ": mytcp_"), *t, *name, *tok, *save;

	if (!p)
		return -1;
	memset(ev, 0, sizeof(*ev));
	*p = 0;
	t = strrchr(line, ' ');
	ev->time = strtod(t ? t + 1 : line, NULL);
	name = p + 8;
	p = strchr(name, ':');
	if (!p)
		return -1;
	*p++ = 0;
	copy_word(ev->name, sizeof(ev->name), name);
	for (tok = strtok_r(p, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			continue;
		*eq = 0;
		if (parse_field(ev, tok, eq + 1))
			return -1;
	}
	return 0;
}

static int same_end(const struct endpoint *a, const struct endpoint *b)
{
	return a->addr == b->addr && a->port == b->port;
}

static int is_segment(const struct event *ev)
{
	return !strcmp(ev->name, "segment_send") ||
	       !strcmp(ev->name, "segment_receive");
}

static struct conn *find_conn(const struct endpoint *a, const struct endpoint *b)
{
	unsigned int i;

	for (i = 0; i < tr.nconns; i++) {
		struct conn *c = &tr.conns[i];

		if ((same_end(&c->end[0], a) && same_end(&c->end[1], b)) ||
		    (same_end(&c->end[0], b) && same_end(&c->end[1], a)))
			return c;
	}
	return NULL;
}

static void fmt_end(const struct endpoint *e, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &e->addr, a, sizeof(a));
	snprintf(buf, len, "%s:%u", a, e->port);
}

static double rel_time(const struct event *ev)
{
	if (!tr.have_t0) {
		tr.t0 = ev->time;
		tr.have_t0 = 1;
	}
	return ev->time - tr.t0;
}

/* A new connection, @left its left column; the ladder's header. */
static struct conn *new_conn(const struct endpoint *left,
			     const struct endpoint *right)
{
	struct conn *c;
	char l[32], r[32];

	if (tr.nconns == MAX_CONNS)
		return NULL;
	c = &tr.conns[tr.nconns++];
	memset(c, 0, sizeof(*c));
	c->end[0] = *left;
	c->end[1] = *right;
	c->id = tr.nconns;
	if (tr.json)
		return c;
	fmt_end(left, l, sizeof(l));
	fmt_end(right, r, sizeof(r));
	printf("\nconnection %u: %s <-> %s\n", c->id, l, r);
	printf("%3s %10s  %-*s %-*s %s\n", "#", "time", SIDE_WIDTH, l,
	       ARROW_WIDTH, "", r);
	return c;
}

static void count_printed(void)
{
	tr.printed++;
	if (tr.count && tr.printed >= tr.count)
		stop = 1;
	fflush(stdout);
}

/* A line of the ladder: @text at the left or right end (side 0 or 1). */
static void print_side(const struct conn *c, const struct event *ev, int side,
		       const char *text)
{
	if (side)
		printf("%3u %10.6f  %-*s %-*s %s\n", c->id, rel_time(ev),
		       SIDE_WIDTH, "", ARROW_WIDTH, "", text);
	else
		printf("%3u %10.6f  %s\n", c->id, rel_time(ev), text);
}

static void json_str(const char *key, const char *v)
{
	printf(", \"%s\": \"%s\"", key, v);
}

static void json_num(const char *key, unsigned long v)
{
	printf(", \"%s\": %lu", key, v);
}

static void print_json_common(const struct conn *c, const struct event *ev)
{
	char s[32], d[32];

	fmt_end(&ev->src, s, sizeof(s));
	fmt_end(&ev->dst, d, sizeof(d));
	printf("{\"time\": %.6f", rel_time(ev));
	json_str("event", ev->name);
	json_num("conn", c ? c->id : 0);
	json_num("net", ev->netns);
	json_str("src", s);
	json_str("dst", d);
}

static void print_state(const struct conn *c, const struct event *ev)
{
	int side = !same_end(&c->end[0], &ev->src);
	char text[64];

	if (tr.json) {
		print_json_common(c, ev);
		json_str("side", side ? "right" : "left");
		json_str("old", ev->old);
		json_str("new", ev->new);
		printf("}\n");
	} else {
		snprintf(text, sizeof(text), "%s", ev->new);
		print_side(c, ev, side, text);
	}
	count_printed();
}

/* The relative number of @v in the sequence space of end @side. */
static unsigned int rel_seq(struct conn *c, int side, unsigned long v)
{
	if (!c->has_base[side]) {
		c->base[side] = v;
		c->has_base[side] = 1;
	}
	return (unsigned int)v - c->base[side];
}

static void print_segment(struct conn *c, const struct event *ev)
{
	int from = !same_end(&c->end[0], &ev->src);
	int ack = !!strchr(ev->flags, 'A');
	unsigned int rseq, rack = 0;
	char label[128], arrow[256];
	int n, pad;

	if (strchr(ev->flags, 'S')) {
		c->base[from] = ev->seq;
		c->has_base[from] = 1;
	}
	rseq = rel_seq(c, from, ev->seq);
	if (ack)
		rack = rel_seq(c, !from, ev->ack);
	if (tr.json) {
		print_json_common(c, ev);
		json_str("dir", from ? "left" : "right");
		json_str("flags", ev->flags);
		json_num("seq", ev->seq);
		json_num("ack", ev->ack);
		json_num("rel_seq", rseq);
		json_num("rel_ack", rack);
		json_num("len", ev->len);
		json_num("win", ev->win);
		printf("}\n");
		count_printed();
		return;
	}
	if (ack)
		n = snprintf(label, sizeof(label), "%s seq=%u ack=%u len=%lu win=%lu",
			     *ev->flags ? ev->flags : ".", rseq, rack, ev->len, ev->win);
	else
		n = snprintf(label, sizeof(label), "%s seq=%u len=%lu win=%lu",
			     *ev->flags ? ev->flags : ".", rseq, ev->len, ev->win);
	pad = ARROW_WIDTH - n - 5;
	if (pad < 0)
		pad = 0;
	if (!from)
		snprintf(arrow, sizeof(arrow), "--%s %.*s->", label, pad,
			 "------------------------------------------------");
	else
		snprintf(arrow, sizeof(arrow), "<-- %s %.*s", label, pad,
			 "------------------------------------------------");
	printf("%3u %10.6f  %-*s %-*s\n", c->id, rel_time(ev), SIDE_WIDTH, "",
	       ARROW_WIDTH, arrow);
	count_printed();
}

/* Retransmissions, cookies, resets: a note at the local end's side. */
static void print_note(const struct conn *c, const struct event *ev)
{
	int side = !same_end(&c->end[0], &ev->src);
	char text[96];

	if (tr.json) {
		print_json_common(c, ev);
		json_str("side", side ? "right" : "left");
		json_str("flags", ev->flags);
		json_num("seq", ev->seq);
		json_num("ack", ev->ack);
		json_num("count", ev->count);
		json_num("cookie", ev->cookie);
		json_num("mss", ev->mss);
		json_str("result", ev->result);
		printf("}\n");
		count_printed();
		return;
	}
	if (!strcmp(ev->name, "retransmit") ||
	    !strcmp(ev->name, "retransmit_synack"))
		snprintf(text, sizeof(text), "(retransmission %lu)", ev->count);
	else if (!strcmp(ev->name, "syncookie_send"))
		snprintf(text, sizeof(text), "(SYN cookie sent, mss %lu)", ev->mss);
	else if (!strcmp(ev->name, "syncookie_check"))
		snprintf(text, sizeof(text), "(SYN cookie %s, mss %lu)",
			 ev->result, ev->mss);
	else
		return;		/* resets: the arrows show them */
	print_side(c, ev, side, text);
	count_printed();
}

static int local_sender(const struct endpoint *e)
{
	unsigned int i;

	for (i = 0; i < tr.nsenders; i++)
		if (same_end(&tr.senders[i], e))
			return 1;
	return 0;
}

static void add_sender(const struct endpoint *e)
{
	if (!local_sender(e) && tr.nsenders < ARRAY_SIZE(tr.senders))
		tr.senders[tr.nsenders++] = *e;
}

static int event_matches(const struct event *ev)
{
	if (tr.netns && ev->netns != tr.netns)
		return 0;
	if (tr.port >= 0 && ev->src.port != (unsigned long)tr.port &&
	    ev->dst.port != (unsigned long)tr.port)
		return 0;
	return 1;
}

/* State changes of connect() before its port was chosen, now placed. */
static void flush_pending(struct conn *c, const struct event *syn)
{
	unsigned int i, k = 0;

	for (i = 0; i < tr.npending; i++) {
		struct event *p = &tr.pending[i].ev;

		if (p->netns == syn->netns && p->src.addr == syn->src.addr &&
		    same_end(&p->dst, &syn->dst)) {
			p->src.port = syn->src.port;
			print_state(c, p);
		} else {
			tr.pending[k++] = tr.pending[i];
		}
	}
	tr.npending = k;
}

static void handle_event(struct event *ev)
{
	int segment = is_segment(ev), send = !strcmp(ev->name, "segment_send");
	int state = !strcmp(ev->name, "state_change");
	struct conn *c;

	if (!event_matches(ev))
		return;
	if (state && !ev->dst.port)
		return;		/* a listener's, or an unconnected socket's */
	if (state && !ev->src.port) {
		if (tr.npending < MAX_PENDING)
			tr.pending[tr.npending++].ev = *ev;
		return;
	}
	if (send)
		add_sender(&ev->src);
	/* A segment between two local ends: its sending is the arrow. */
	if (!strcmp(ev->name, "segment_receive") && local_sender(&ev->src))
		return;
	c = find_conn(&ev->src, &ev->dst);
	if (!c) {
		/* The left column: the local end (a received segment's dst). */
		if (!strcmp(ev->name, "segment_receive"))
			c = new_conn(&ev->dst, &ev->src);
		else
			c = new_conn(&ev->src, &ev->dst);
		if (!c)
			return;
	}
	if (send)
		flush_pending(c, ev);
	if (state)
		print_state(c, ev);
	else if (segment)
		print_segment(c, ev);
	else
		print_note(c, ev);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void read_events(int fd, int sfd)
{
	static char buf[65536];
	size_t have = 0;
	double end = tr.timeout > 0 ? now() + tr.timeout : 0;
	int quit = 0;	/* a signal or the timeout: read what is left, then stop */

	while (!stop) {
		struct pollfd pfd[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
		};
		int wait = 200;
		ssize_t n;
		char *line, *nl;

		if (end && now() >= end)
			quit = 1;
		if (!quit && poll(pfd, 2, wait) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (pfd[1].revents & POLLIN)
			quit = 1;
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				die("reading trace_pipe: %s", strerror(errno));
			if (quit)
				break;
			continue;
		}
		have += n;
		buf[have] = 0;
		line = buf;
		while (!stop && (nl = strchr(line, '\n'))) {
			struct event ev;

			*nl = 0;
			if (!parse_event(line, &ev))
				handle_event(&ev);
			line = nl + 1;
		}
		have -= line - buf;
		memmove(buf, line, have);
		if (have == sizeof(buf) - 1)
			have = 0;	/* a line longer than the buffer: drop it */
	}
}

static void trace_usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: %s trace [-N NAME] [-p|--port PORT] [-c|--count N]\n"
		"       [-t|--timeout SECONDS] [-j|--json]\n", prog);
	exit(status);
}

static unsigned long netns_inode(const char *name)
{
	char path[4096];
	struct stat st;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	if (stat(path, &st))
		die("network namespace %s: %s: %s", name, path, strerror(errno));
	return st.st_ino;
}

/**
 * trace_main() - "mytcpstat trace ...": print a ladder until stopped
 * @argc: the arguments after "trace"...
 * @argv: ...and them
 *
 * Return: the exit status.
 */
int trace_main(int argc, char **argv)
{
	sigset_t sigs;
	int i, fd, sfd;

	die_cleanup = trace_cleanup;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		char *end;

		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			trace_usage(0);
		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			tr.json = 1;
			continue;
		}
		if (i + 1 >= argc)
			trace_usage(2);
		if (!strcmp(a, "-N") || !strcmp(a, "--net")) {
			tr.netns = netns_inode(argv[++i]);
		} else if (!strcmp(a, "-p") || !strcmp(a, "--port")) {
			tr.port = strtol(argv[++i], &end, 10);
			if (*end || tr.port < 0 || tr.port > 65535)
				trace_usage(2);
		} else if (!strcmp(a, "-c") || !strcmp(a, "--count")) {
			tr.count = strtoul(argv[++i], &end, 10);
			if (*end || !tr.count)
				trace_usage(2);
		} else if (!strcmp(a, "-t") || !strcmp(a, "--timeout")) {
			tr.timeout = strtod(argv[++i], &end);
			if (*end || tr.timeout <= 0)
				trace_usage(2);
		} else {
			fprintf(stderr, "%s: unknown trace option %s\n", prog, a);
			trace_usage(2);
		}
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0)
		die("signalfd: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	fd = start_tracing();
	read_events(fd, sfd);
	close(fd);
	close(sfd);
	trace_cleanup();
	return 0;
}
