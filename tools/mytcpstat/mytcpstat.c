// SPDX-License-Identifier: GPL-2.0
/*
 * mytcpstat - show mytcp's sockets and counters, the way ss(8) and
 * nstat(8) show TCP's.  Owns the parsing of /proc/net/mytcp and
 * /proc/net/mytcp_snmp, socket filters, text and JSON output, and the
 * counter snapshots kept between -s runs.  Documentation/mytcpstat.8
 * describes what it prints.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mytcpstat.h"

#define PROC_HEADER	"  sl  local_address rem_address   st tx_queue rx_queue "
#define MAX_FIELDS	24
#define MAX_STATE	11
#define ST_ESTABLISHED	1
#define ST_SYN_SENT	2
#define ST_SYN_RECV	3
#define ST_TIME_WAIT	6
#define ST_CLOSE	7
#define ST_LISTEN	10
#define ALL_STATES	(((1U << (MAX_STATE + 1)) - 1) & ~1U)
#define SB(st)		(1U << (st))

/* ss's names for the states, indexed by the st column. */
static const char *const state_name[MAX_STATE + 1] = {
	"UNKNOWN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1",
	"FIN-WAIT-2", "TIME-WAIT", "CLOSE", "CLOSE-WAIT", "LAST-ACK",
	"LISTEN", "CLOSING",
};

/* The names ss accepts after "state", with the states they stand for. */
static const struct {
	const char *name;
	unsigned int states;
} state_words[] = {
	{ "established", SB(1) }, { "syn-sent", SB(2) },
	{ "syn-recv", SB(3) }, { "syn-received", SB(3) },
	{ "fin-wait-1", SB(4) }, { "fin-wait-2", SB(5) },
	{ "time-wait", SB(6) }, { "closed", SB(7) },
	{ "close-wait", SB(8) }, { "last-ack", SB(9) },
	{ "listening", SB(10) }, { "closing", SB(11) },
	{ "all", ALL_STATES },
	{ "connected", ALL_STATES & ~(SB(ST_LISTEN) | SB(ST_CLOSE)) },
	{ "synchronized",
	  ALL_STATES & ~(SB(ST_LISTEN) | SB(ST_CLOSE) | SB(ST_SYN_SENT)) },
	{ "bucket", SB(ST_SYN_RECV) | SB(ST_TIME_WAIT) },
	{ "big", ALL_STATES & ~(SB(ST_SYN_RECV) | SB(ST_TIME_WAIT)) },
};

/* ss's timer names for the tr column of /proc/net/tcp. */
static const char *const timer_name[] = {
	"off", "on", "keepalive", "timewait", "persist", "unknown",
};

/* One row of /proc/net/mytcp. */
struct row {
	unsigned int laddr, raddr;	/* the words as printed: network order */
	unsigned int lport, rport;
	unsigned int st;
	unsigned long tx, rx;
	unsigned int tr;
	unsigned long when;		/* clock ticks */
	unsigned long retrans;
	unsigned long uid;
	long probes;
	unsigned long inode;
	long refcnt;
	int full;			/* has the seven columns of a socket */
	unsigned long rto, ato;		/* clock ticks */
	unsigned long qack;
	unsigned long cwnd;
	long ssthresh;
};

struct filter {
	unsigned int states;
	long sport, dport;		/* -1: any */
	int has_src, has_dst;
	unsigned int src, src_mask, dst, dst_mask;	/* network order */
};

struct counter {
	char *name;
	unsigned long long value;
};

static struct {
	int extended, internals, summary, json;
	int watch, count;
	double interval;
	const char *netns;
	const char *proc_dir;
	long hz;
} opt;

const char *prog = "mytcpstat";
static int json_first;

void (*die_cleanup)(void);

/* The message, prefixed by the program's name, and exit status 1. */
void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (die_cleanup)
		die_cleanup();
	exit(1);
}

static void print_usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: %s [-l|-a] [-e] [-i] [-s] [--json] [--watch [SECONDS]] [--count N]\n"
		"                 [-N NAME] [FILTER]...\n"
		"       %s trace [-N NAME] [--port PORT] [--count N] [--timeout SECONDS] [--json]\n"
		"FILTER: state NAME | sport = :PORT | dport = :PORT | src ADDR[/LEN] | dst ADDR[/LEN]\n"
		"see mytcpstat(8)\n", prog, prog);
	exit(status);
}

/* Open PROC_DIR/@name, failing with a message that says why. */
static FILE *open_proc(const char *name, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", opt.proc_dir, name);
	f = fopen(path, "r");
	if (!f && errno == ENOENT)
		die("%s does not exist: is the mytcp module loaded? (modprobe mytcp)",
		    path);
	if (!f)
		die("%s: %s", path, strerror(errno));
	return f;
}

/* Parse all of @s as a number in @base; 0 on success. */
static int parse_ulong(const char *s, int base, unsigned long *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, base);
	return errno || *end ? -1 : 0;
}

static int parse_long(const char *s, long *v)
{
	char *end;

	if (!*s || *s == ' ' || *s == '+')
		return -1;
	errno = 0;
	*v = strtol(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* "HEX:HEX" with exactly @la and @lb digits (0: at least one). */
static int parse_pair(char *s, size_t la, size_t lb, unsigned long *a,
		      unsigned long *b)
{
	char *colon = strchr(s, ':');

	if (!colon)
		return -1;
	*colon = '\0';
	if ((la && strlen(s) != la) || (lb && strlen(colon + 1) != lb))
		return -1;
	if (strlen(s) < 1 || strlen(colon + 1) < 1)
		return -1;
	return parse_ulong(s, 16, a) || parse_ulong(colon + 1, 16, b) ? -1 : 0;
}

/* Fill @r from one line of /proc/net/mytcp; 0 on success. */
static int parse_row(char *line, struct row *r)
{
	char *f[MAX_FIELDS + 1];
	unsigned long a, b;
	char *save, *tok;
	int n = 0;

	memset(r, 0, sizeof(*r));
	for (tok = strtok_r(line, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (n == MAX_FIELDS)
			return -1;
		f[n++] = tok;
	}
	if (n != 12 && n != 17)
		return -1;
	if (f[0][strlen(f[0]) - 1] != ':')
		return -1;
	f[0][strlen(f[0]) - 1] = '\0';
	if (parse_ulong(f[0], 10, &a))
		return -1;
	if (parse_pair(f[1], 8, 4, &a, &b))
		return -1;
	r->laddr = a;
	r->lport = b;
	if (parse_pair(f[2], 8, 4, &a, &b))
		return -1;
	r->raddr = a;
	r->rport = b;
	if (strlen(f[3]) != 2 || parse_ulong(f[3], 16, &a) || a > MAX_STATE)
		return -1;
	r->st = a;
	if (parse_pair(f[4], 8, 8, &r->tx, &r->rx))
		return -1;
	if (parse_pair(f[5], 2, 0, &a, &r->when))
		return -1;
	r->tr = a;
	if (parse_ulong(f[6], 16, &r->retrans) ||
	    parse_ulong(f[7], 10, &r->uid) ||
	    parse_long(f[8], &r->probes) ||
	    parse_ulong(f[9], 10, &r->inode) ||
	    parse_long(f[10], &r->refcnt) ||
	    parse_ulong(f[11], 16, &a))
		return -1;
	if (n == 12)
		return 0;
	r->full = 1;
	if (parse_ulong(f[12], 10, &r->rto) ||
	    parse_ulong(f[13], 10, &r->ato) ||
	    parse_ulong(f[14], 10, &r->qack) ||
	    parse_ulong(f[15], 10, &r->cwnd) ||
	    parse_long(f[16], &r->ssthresh))
		return -1;
	return 0;
}

/* Parse an IPv4 address with an optional /LEN into @addr and @mask. */
static int parse_prefix(const char *s, unsigned int *addr, unsigned int *mask)
{
	char buf[64], *slash;
	struct in_addr in;
	unsigned long len = 32;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (parse_ulong(slash + 1, 10, &len) || len > 32)
			return -1;
	}
	if (inet_pton(AF_INET, buf, &in) != 1)
		return -1;
	*mask = len ? htonl(~0U << (32 - len)) : 0;
	*addr = in.s_addr & *mask;
	return 0;
}

/* A port after "sport" or "dport": [=|==|eq] [:]N. */
static long parse_port_word(int *i, int argc, char **argv)
{
	const char *s;
	unsigned long v;

	if (*i >= argc)
		print_usage(2);
	s = argv[(*i)++];
	if (!strcmp(s, "=") || !strcmp(s, "==") || !strcmp(s, "eq")) {
		if (*i >= argc)
			print_usage(2);
		s = argv[(*i)++];
	}
	if (*s == ':')
		s++;
	if (parse_ulong(s, 10, &v) || v > 65535) {
		fprintf(stderr, "%s: bad port \"%s\"\n", prog, s);
		exit(2);
	}
	return v;
}

static void parse_filter(int i, int argc, char **argv, struct filter *flt)
{
	unsigned int states = 0;

	while (i < argc) {
		const char *w = argv[i++];

		if (!strcmp(w, "state")) {
			unsigned int st = 0;
			size_t k;

			if (i >= argc)
				print_usage(2);
			w = argv[i++];
			for (k = 0; k < ARRAY_SIZE(state_words); k++)
				if (!strcasecmp(w, state_words[k].name))
					st = state_words[k].states;
			for (k = 1; k <= MAX_STATE; k++)
				if (!strcasecmp(w, state_name[k]))
					st = SB(k);
			if (!st) {
				fprintf(stderr, "%s: unknown state \"%s\"\n", prog, w);
				exit(2);
			}
			states |= st;
		} else if (!strcmp(w, "sport")) {
			flt->sport = parse_port_word(&i, argc, argv);
		} else if (!strcmp(w, "dport")) {
			flt->dport = parse_port_word(&i, argc, argv);
		} else if (!strcmp(w, "src") || !strcmp(w, "dst")) {
			int src = w[0] == 's';

			if (i >= argc)
				print_usage(2);
			if (parse_prefix(argv[i], src ? &flt->src : &flt->dst,
					 src ? &flt->src_mask : &flt->dst_mask)) {
				fprintf(stderr, "%s: bad address \"%s\"\n", prog, argv[i]);
				exit(2);
			}
			*(src ? &flt->has_src : &flt->has_dst) = 1;
			i++;
		} else {
			fprintf(stderr, "%s: unknown filter \"%s\"\n", prog, w);
			print_usage(2);
		}
	}
	if (states)
		flt->states = states;
}

static int row_matches(const struct row *r, const struct filter *flt)
{
	if (!(flt->states & SB(r->st)))
		return 0;
	if (flt->sport >= 0 && r->lport != flt->sport)
		return 0;
	if (flt->dport >= 0 && r->rport != flt->dport)
		return 0;
	if (flt->has_src && (r->laddr & flt->src_mask) != flt->src)
		return 0;
	if (flt->has_dst && (r->raddr & flt->dst_mask) != flt->dst)
		return 0;
	return 1;
}

static unsigned long ticks_to_ms(unsigned long ticks)
{
	return ticks * 1000 / opt.hz;
}

/* A duration as ss shows timers: 2min3sec, 59sec, 1.500sec, 200ms. */
static const char *fmt_ms(unsigned long ms, char *buf, size_t len)
{
	unsigned long s = ms / 1000;

	if (s >= 60)
		snprintf(buf, len, "%lumin%lusec", s / 60, s % 60);
	else if (s >= 10)
		snprintf(buf, len, "%lusec", s);
	else if (s)
		snprintf(buf, len, "%lu.%03lusec", s, ms % 1000);
	else
		snprintf(buf, len, "%lums", ms);
	return buf;
}

static void fmt_addr(unsigned int addr, unsigned int port, char *buf,
		     size_t len)
{
	struct in_addr in = { .s_addr = addr };
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &in, a, sizeof(a));
	if (!port)
		snprintf(buf, len, "%s:*", a);
	else
		snprintf(buf, len, "%s:%u", a, port);
}

static const char *row_timer(const struct row *r)
{
	return timer_name[r->tr < 5 ? r->tr : 5];
}

static void print_row_text(const struct row *r)
{
	char la[32], ra[32], t[32];

	fmt_addr(r->laddr, r->lport, la, sizeof(la));
	fmt_addr(r->raddr, r->rport, ra, sizeof(ra));
	printf("%-11s %-6lu %-6lu %-21s %s", state_name[r->st], r->rx, r->tx,
	       la, ra);
	if (opt.extended) {
		if (r->tr)
			printf(" timer:(%s,%s,%lu)", row_timer(r),
			       fmt_ms(ticks_to_ms(r->when), t, sizeof(t)),
			       r->retrans);
		if (r->inode)
			printf(" uid:%lu ino:%lu", r->uid, r->inode);
		printf(" refcnt:%ld", r->refcnt);
	}
	if (opt.internals && r->full) {
		printf("\n\t rto:%lu ato:%lu", ticks_to_ms(r->rto),
		       ticks_to_ms(r->ato));
		if (r->qack >> 1)
			printf(" qack:%lu", r->qack >> 1);
		if (r->qack & 1)
			printf(" bidir");
		printf(" cwnd:%lu", r->cwnd);
		if (r->st != ST_LISTEN && r->ssthresh >= 0)
			printf(" ssthresh:%ld", r->ssthresh);
		printf(" recv_q:%lu send_q:%lu", r->rx, r->tx);
	}
	putchar('\n');
}

static void print_row_json(const struct row *r)
{
	struct in_addr la = { .s_addr = r->laddr }, ra = { .s_addr = r->raddr };
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &la, a, sizeof(a));
	inet_ntop(AF_INET, &ra, b, sizeof(b));
	printf("%s{\"state\": \"%s\", \"recv_q\": %lu, \"send_q\": %lu, ",
	       json_first ? "" : ", ", state_name[r->st], r->rx, r->tx);
	printf("\"local\": {\"addr\": \"%s\", \"port\": %u}, ", a, r->lport);
	printf("\"peer\": {\"addr\": \"%s\", \"port\": %u}", b, r->rport);
	json_first = 0;
	if (opt.extended) {
		if (r->tr) {
			printf(", \"timer\": {\"name\": \"%s\", \"expires_ms\": %lu, ",
			       row_timer(r), ticks_to_ms(r->when));
			printf("\"retrans\": %lu}", r->retrans);
		} else {
			printf(", \"timer\": null");
		}
		printf(", \"uid\": %lu, \"inode\": %lu, \"refcnt\": %ld", r->uid,
		       r->inode, r->refcnt);
	}
	if (opt.internals && r->full) {
		printf(", \"rto_ms\": %lu, \"ato_ms\": %lu, \"qack\": %lu, \"bidir\": %s",
		       ticks_to_ms(r->rto), ticks_to_ms(r->ato), r->qack >> 1,
		       r->qack & 1 ? "true" : "false");
		printf(", \"cwnd\": %lu, \"ssthresh\": ", r->cwnd);
		if (r->st != ST_LISTEN && r->ssthresh >= 0)
			printf("%ld", r->ssthresh);
		else
			printf("null");
	}
	printf("}");
}

static void show_sockets(const struct filter *flt)
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	int lineno = 0;
	struct row *rows = NULL;
	size_t n = 0, k;
	FILE *f;

	f = open_proc("mytcp", path, sizeof(path));
	while (getline(&line, &cap, f) > 0) {
		struct row r;

		if (!lineno++) {
			if (strncmp(line, PROC_HEADER, strlen(PROC_HEADER)))
				die("%s: malformed header line", path);
			continue;
		}
		if (parse_row(line, &r))
			die("%s:%d: malformed row", path, lineno);
		if (!row_matches(&r, flt))
			continue;
		rows = realloc(rows, (n + 1) * sizeof(*rows));
		if (!rows)
			die("out of memory");
		rows[n++] = r;
	}
	if (ferror(f))
		die("%s: %s", path, strerror(errno));
	if (!lineno)
		die("%s: empty", path);
	fclose(f);
	free(line);

	if (opt.json) {
		json_first = 1;
		printf("{\"sockets\": [");
		for (k = 0; k < n; k++)
			print_row_json(&rows[k]);
		printf("]}\n");
	} else {
		printf("%-11s %-6s %-6s %-21s %s\n", "State", "Recv-Q", "Send-Q",
		       "Local Address:Port", "Peer Address:Port");
		for (k = 0; k < n; k++)
			print_row_text(&rows[k]);
	}
	free(rows);
}

/* Parse a "Group: a b c" line into @words; return their number. */
static int split_words(char *line, char **group, char ***words)
{
	char *save, *tok, *colon = strchr(line, ':');
	int n = 0;

	if (!colon || colon == line)
		return -1;
	*colon = '\0';
	*group = line;
	*words = NULL;
	for (tok = strtok_r(colon + 1, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		*words = realloc(*words, (n + 1) * sizeof(char *));
		if (!*words)
			die("out of memory");
		(*words)[n++] = tok;
	}
	return n;
}

/* Read the counters of mytcp_snmp, named GroupName as nstat names them. */
static struct counter *read_counters(size_t *count)
{
	char path[4096], *names = NULL, *values = NULL;
	size_t cn = 0, cv = 0;
	struct counter *c = NULL;
	size_t n = 0;
	int lineno = 0;
	FILE *f;

	f = open_proc("mytcp_snmp", path, sizeof(path));
	while (getline(&names, &cn, f) > 0) {
		char *g1, *g2, **w1, **w2;
		int n1, n2, k;

		lineno += 2;
		if (getline(&values, &cv, f) <= 0)
			die("%s:%d: a line of names without values", path, lineno - 1);
		n1 = split_words(names, &g1, &w1);
		n2 = split_words(values, &g2, &w2);
		if (n1 <= 0 || n1 != n2 || strcmp(g1, g2))
			die("%s:%d: malformed lines", path, lineno - 1);
		for (k = 0; k < n1; k++) {
			char *end;

			c = realloc(c, (n + 1) * sizeof(*c));
			if (!c)
				die("out of memory");
			if (*w2[k] == '-')
				die("%s:%d: malformed value \"%s\"", path, lineno, w2[k]);
			errno = 0;
			c[n].value = strtoull(w2[k], &end, 10);
			if (errno || *end)
				die("%s:%d: malformed value \"%s\"", path, lineno, w2[k]);
			if (asprintf(&c[n].name, "%s%s", g1, w1[k]) < 0)
				die("out of memory");
			n++;
		}
		free(w1);
		free(w2);
	}
	if (ferror(f))
		die("%s: %s", path, strerror(errno));
	if (!n)
		die("%s: no counters", path);
	fclose(f);
	free(names);
	free(values);
	*count = n;
	return c;
}

/* Where the last -s run of this namespace left its counters. */
static void history_path(char *buf, size_t len)
{
	const char *env = getenv("MYTCPSTAT_HISTORY");
	const char *dir = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	if (stat("/proc/thread-self/ns/net", &st))
		die("/proc/thread-self/ns/net: %s", strerror(errno));
	if (dir && *dir)
		snprintf(buf, len, "%s/mytcpstat.%lu", dir, (unsigned long)st.st_ino);
	else
		snprintf(buf, len, "/tmp/mytcpstat.%u.%lu", (unsigned int)getuid(),
			 (unsigned long)st.st_ino);
}

static int load_history(const char *path, const char *name,
			unsigned long long *v)
{
	char key[256];
	FILE *f;
	int found = 0;

	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fscanf(f, "%255s %llu", key, v) == 2)
		if (!strcmp(key, name)) {
			found = 1;
			break;
		}
	fclose(f);
	return found;
}

static void save_history(const char *path, const struct counter *c, size_t n)
{
	char tmp[4200];
	size_t k;
	FILE *f;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s; deltas not kept\n", prog, tmp,
			strerror(errno));
		return;
	}
	f = fdopen(fd, "w");
	for (k = 0; f && k < n; k++)
		fprintf(f, "%s %llu\n", c[k].name, c[k].value);
	if (!f || fclose(f) || rename(tmp, path)) {
		fprintf(stderr, "%s: %s: %s; deltas not kept\n", prog, path,
			strerror(errno));
		unlink(tmp);
	}
}

static void show_counters(void)
{
	char path[4096];
	struct counter *c;
	size_t n, k;

	c = read_counters(&n);
	history_path(path, sizeof(path));
	if (opt.json)
		printf("{\"counters\": {");
	else
		printf("%-28s %20s %20s\n", "Counter", "Value", "Delta");
	for (k = 0; k < n; k++) {
		unsigned long long old = 0;
		long long delta;

		load_history(path, c[k].name, &old);
		delta = (long long)(c[k].value - old);
		if (opt.json)
			printf("%s\"%s\": {\"value\": %llu, \"delta\": %lld}",
			       k ? ", " : "", c[k].name, c[k].value, delta);
		else
			printf("%-28s %20llu %20lld\n", c[k].name, c[k].value, delta);
	}
	if (opt.json)
		printf("}}\n");
	save_history(path, c, n);
	for (k = 0; k < n; k++)
		free(c[k].name);
	free(c);
}

static void enter_netns(const char *name)
{
	char path[4096];
	int fd;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("network namespace %s: %s: %s", name, path, strerror(errno));
	if (setns(fd, CLONE_NEWNET))
		die("setns into %s: %s", path, strerror(errno));
	close(fd);
}

int main(int argc, char **argv)
{
	struct filter flt = {
		.states = ALL_STATES & ~(SB(ST_LISTEN) | SB(ST_CLOSE) |
					 SB(ST_TIME_WAIT) | SB(ST_SYN_RECV)),
		.sport = -1, .dport = -1,
	};
	const char *env;
	char **words;
	int i, nwords = 0, done;

	opt.proc_dir = "/proc/thread-self/net";
	env = getenv("MYTCPSTAT_PROC_DIR");
	if (env && *env)
		opt.proc_dir = env;
	opt.hz = sysconf(_SC_CLK_TCK);
	if (opt.hz <= 0)
		opt.hz = 100;
	opt.interval = 1;
	if (argc > 1 && !strcmp(argv[1], "trace"))
		return trace_main(argc - 2, argv + 2);

	words = calloc(argc, sizeof(char *));
	if (!words)
		die("out of memory");
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || !a[1]) {
			words[nwords++] = argv[i];
		} else if (!strcmp(a, "--json") || !strcmp(a, "-j")) {
			opt.json = 1;
		} else if (!strcmp(a, "--watch") || !strcmp(a, "-w")) {
			char *end;
			double v;

			opt.watch = 1;
			if (i + 1 < argc) {
				v = strtod(argv[i + 1], &end);
				if (!*end && end != argv[i + 1]) {
					if (v <= 0)
						print_usage(2);
					opt.interval = v;
					i++;
				}
			}
		} else if (!strcmp(a, "--count") || !strcmp(a, "-c")) {
			unsigned long v;

			if (++i >= argc || parse_ulong(argv[i], 10, &v) || !v)
				print_usage(2);
			opt.count = v;
			opt.watch = 1;
		} else if (!strcmp(a, "-N") || !strcmp(a, "--net")) {
			if (++i >= argc)
				print_usage(2);
			opt.netns = argv[i];
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			print_usage(0);
		} else if (a[1] != '-' && a[1]) {
			const char *p;

			for (p = a + 1; *p; p++) {
				switch (*p) {
				case 'l':
					flt.states = SB(ST_LISTEN);
					break;
				case 'a':
					flt.states = ALL_STATES;
					break;
				case 'e':
					opt.extended = 1;
					break;
				case 'i':
					opt.internals = 1;
					break;
				case 's':
					opt.summary = 1;
					break;
				default:
					fprintf(stderr, "%s: unknown option -%c\n", prog, *p);
					print_usage(2);
				}
			}
		} else {
			fprintf(stderr, "%s: unknown option %s\n", prog, a);
			print_usage(2);
		}
	}
	parse_filter(0, nwords, words, &flt);
	if (opt.netns)
		enter_netns(opt.netns);

	for (done = 0;;) {
		struct timespec ts;

		if (opt.summary)
			show_counters();
		else
			show_sockets(&flt);
		fflush(stdout);
		if (!opt.watch || (opt.count && ++done >= opt.count))
			break;
		ts.tv_sec = (time_t)opt.interval;
		ts.tv_nsec = (long)((opt.interval - ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
		if (!opt.json)
			putchar('\n');
	}
	return 0;
}
