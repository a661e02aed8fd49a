// SPDX-License-Identifier: GPL-2.0
/*
 * synflood - send spoofed SYNs, for the SYN flood tests.
 *
 *   synflood [-P mytcp|tcp] [-s PREFIX/LEN] [-r RATE] [-t SECONDS]
 *            [-n COUNT] [-b BATCH] [-m MSS] ADDRESS PORT
 *
 * Each SYN comes from a random address of PREFIX/LEN (default
 * 10.99.0.0/16) and a random port, with a random ISN and an MSS option,
 * to ADDRESS:PORT, over IP protocol mytcp (253) or TCP (6): mytcp's
 * header is TCP's, checksummed the same way over the same pseudo-header
 * with its own protocol number.  The IP header is written here (a raw
 * socket with IP_HDRINCL), batches go out with sendmmsg().  RATE is SYNs
 * per second (0, the default: as fast as possible); the flood stops after
 * SECONDS (default 10), COUNT SYNs, or SIGINT/SIGTERM, whichever is first,
 * and prints what it sent and the rate it achieved:
 *
 *   sent 123456 SYNs in 10.00 s: 12345 SYNs/s (0 send errors)
 *
 * The spoofed addresses must not answer: route them, at the target, to a
 * host where they are not local and that does not forward.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IPPROTO_MYTCP_NUM	253
#define MAX_BATCH		256
#define IP_HLEN			20
#define L4_HLEN			24	/* 20 bytes of header, 4 of MSS option */
#define PKT_LEN			(IP_HLEN + L4_HLEN)

struct opts {
	int proto;
	uint32_t prefix, mask;		/* host order */
	struct in_addr dst;
	uint16_t port;
	double rate, seconds;
	unsigned long long count;
	unsigned int batch;
	uint16_t mss;
};

static int stop;

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
}

static void print_usage(void)
{
	fprintf(stderr,
		"usage: synflood [-P mytcp|tcp] [-s PREFIX/LEN] [-r RATE] [-t SECONDS]\n"
		"                [-n COUNT] [-b BATCH] [-m MSS] ADDRESS PORT\n");
	exit(2);
}

/* xorshift64*: fast, and good enough to scatter addresses and ports. */
static uint64_t rng_state;

static uint32_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The Internet checksum's 32-bit running sum of n bytes. */
static uint32_t sum_bytes(uint32_t sum, const void *data, size_t n)
{
	const uint8_t *p = data;

	for (; n > 1; p += 2, n -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (n)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t fold_sum(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* One SYN, IP header included, from a fresh random source. */
static void fill_syn(uint8_t *pkt, const struct opts *o)
{
	uint32_t src = o->prefix | (rng_next() & ~o->mask);
	uint8_t *ip = pkt, *th = pkt + IP_HLEN;
	uint8_t pseudo[12];
	uint32_t sum;

	memset(pkt, 0, PKT_LEN);
	ip[0] = 0x45;
	put16(ip + 2, PKT_LEN);
	put16(ip + 4, rng_next() & 0xffff);
	ip[8] = 64;
	ip[9] = o->proto;
	put32(ip + 12, src);
	memcpy(ip + 16, &o->dst.s_addr, 4);
	put16(ip + 10, fold_sum(sum_bytes(0, ip, IP_HLEN)));

	put16(th, 1024 + rng_next() % (65536 - 1024));
	put16(th + 2, o->port);
	put32(th + 4, rng_next());
	th[12] = (L4_HLEN / 4) << 4;
	th[13] = 0x02;			/* SYN */
	put16(th + 14, 65535);
	th[20] = 2;			/* MSS option */
	th[21] = 4;
	put16(th + 22, o->mss);

	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = o->proto;
	put16(pseudo + 10, L4_HLEN);
	sum = sum_bytes(sum_bytes(0, pseudo, sizeof(pseudo)), th, L4_HLEN);
	put16(th + 16, fold_sum(sum));
}

static int parse_prefix(const char *arg, struct opts *o)
{
	char buf[32], *slash;
	struct in_addr a;
	long len;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	len = strtol(slash + 1, NULL, 10);
	if (len < 1 || len > 32 || inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	o->mask = len == 32 ? 0xffffffffU : ~(0xffffffffU >> len);
	o->prefix = ntohl(a.s_addr) & o->mask;
	return 0;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	int c;

	o->proto = IPPROTO_MYTCP_NUM;
	parse_prefix("10.99.0.0/16", o);
	o->seconds = 10;
	o->batch = 64;
	o->mss = 1460;
	while ((c = getopt(argc, argv, "P:s:r:t:n:b:m:h")) != -1) {
		switch (c) {
		case 'P':
			if (!strcmp(optarg, "mytcp"))
				o->proto = IPPROTO_MYTCP_NUM;
			else if (!strcmp(optarg, "tcp"))
				o->proto = IPPROTO_TCP;
			else
				print_usage();
			break;
		case 's':
			if (parse_prefix(optarg, o))
				print_usage();
			break;
		case 'r':
			o->rate = strtod(optarg, NULL);
			break;
		case 't':
			o->seconds = strtod(optarg, NULL);
			break;
		case 'n':
			o->count = strtoull(optarg, NULL, 10);
			break;
		case 'b':
			o->batch = strtoul(optarg, NULL, 10);
			if (!o->batch || o->batch > MAX_BATCH)
				print_usage();
			break;
		case 'm':
			o->mss = strtoul(optarg, NULL, 10);
			break;
		default:
			print_usage();
		}
	}
	if (argc - optind != 2 || inet_pton(AF_INET, argv[optind], &o->dst) != 1)
		print_usage();
	o->port = strtoul(argv[optind + 1], NULL, 10);
	if (o->rate < 0 || o->seconds <= 0 || !o->port)
		print_usage();
}

/* How many SYNs may go now: all of a batch, or what the rate allows. */
static unsigned int batch_now(const struct opts *o, unsigned long long sent,
			      double start)
{
	unsigned long long due;
	unsigned int n = o->batch;

	if (o->count && o->count - sent < n)
		n = o->count - sent;
	if (o->rate <= 0)
		return n;
	due = (unsigned long long)((now_seconds() - start) * o->rate) + 1;
	if (due <= sent)
		return 0;
	return due - sent < n ? due - sent : n;
}

static int flood(int fd, const struct opts *o)
{
	static uint8_t pkts[MAX_BATCH][PKT_LEN];
	struct mmsghdr msgs[MAX_BATCH];
	struct iovec iov[MAX_BATCH];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = o->dst };
	unsigned long long sent = 0, errors = 0;
	double start = now_seconds(), elapsed;
	unsigned int i, n;
	int r;

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < MAX_BATCH; i++) {
		iov[i].iov_base = pkts[i];
		iov[i].iov_len = PKT_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &to;
		msgs[i].msg_hdr.msg_namelen = sizeof(to);
	}
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED) &&
	       (!o->count || sent < o->count) &&
	       now_seconds() - start < o->seconds) {
		n = batch_now(o, sent, start);
		if (!n) {
			usleep(200);
			continue;
		}
		for (i = 0; i < n; i++)
			fill_syn(pkts[i], o);
		r = sendmmsg(fd, msgs, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* A full queue (ENOBUFS) is a lost batch, not the end. */
			errors++;
			if (errno != ENOBUFS && errno != EAGAIN) {
				perror("synflood: sendmmsg");
				return 1;
			}
			continue;
		}
		sent += r;
	}
	elapsed = now_seconds() - start;
	printf("sent %llu SYNs in %.2f s: %.0f SYNs/s (%llu send errors)\n",
	       sent, elapsed, elapsed > 0 ? sent / elapsed : 0.0, errors);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct opts o = { 0 };
	int fd, one = 1;

	parse_args(argc, argv, &o);
	rng_state = ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL) ^
		    (uint64_t)(now_seconds() * 1e9);
	if (!rng_state)
		rng_state = 1;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("synflood: socket(AF_INET, SOCK_RAW)");
		return 1;
	}
	if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0) {
		perror("synflood: IP_HDRINCL");
		return 1;
	}
	return flood(fd, &o);
}
