// SPDX-License-Identifier: GPL-2.0
/*
 * bench - one workload over AF_MYTCP or TCP, for tools/bench/run.
 *
 *   bench -f mytcp|tcp -w conn|rr|bulk [-a ADDR] [-S NETNS] [-C NETNS]
 *         [-b BYTES] [-P STREAMS] [-t SECONDS]
 *
 * A server (in netns -S) and a client (in netns -C) in two processes; the
 * client runs the workload for -t seconds and prints one line of
 * key=value pairs: the rate, the operations and bytes done, and the CPU
 * time all CPUs spent meanwhile (from /proc/stat).
 *
 *   conn  connect, 1-byte request, 1-byte response, close; per second
 *   rr    -b bytes request and response on one connection; per second
 *   bulk  -P streams of data, client to server; MB/s (10^6 bytes)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define AF_MYTCP	13
#define MAX_STREAMS	16
#define BULK_CHUNK	(64 * 1024)

static int family = -1;
static const char *workload;
static const char *addr = "127.0.0.1";
static const char *server_ns, *client_ns;
static size_t rr_bytes = 1;
static int streams = 1;
static double seconds = 5;
static struct sockaddr_in server;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Busy CPU time of all CPUs, in clock ticks, from the first line of /proc/stat. */
static unsigned long long cpu_busy(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		die("/proc/stat");
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		die("/proc/stat format");
	fclose(f);
	/* user nice system [idle] [iowait] irq softirq steal */
	return v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
}

static void enter_netns(const char *name)
{
	char path[256];
	int fd;

	if (!name)
		return;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		die(path);
	close(fd);
}

static int new_socket(void)
{
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	return fd;
}

/* False on end of file or an error. */
static bool read_full(int fd, char *buf, size_t n)
{
	errno = 0;
	while (n) {
		ssize_t r = read(fd, buf, n);

		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return false;
		}
		buf += r;
		n -= r;
	}
	return true;
}

static void must_read(int fd, char *buf, size_t n)
{
	if (!read_full(fd, buf, n)) {
		fprintf(stderr, "bench: the connection ended early (%s)\n",
			errno ? strerror(errno) : "end of file");
		exit(1);
	}
}

static void write_full(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t r = write(fd, buf, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		buf += r;
		n -= r;
	}
}

static void *serve_bulk(void *arg)
{
	int fd = (int)(long)arg;
	static char buf[BULK_CHUNK];
	char one = 1;

	/* Every stream writes into the same buffer: nobody looks at it. */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	write_full(fd, &one, 1);
	close(fd);
	return NULL;
}

/* The server, in its own process; tells the client its port over @pipe_fd. */
static void run_server(int pipe_fd)
{
	socklen_t len = sizeof(server);
	char *buf = malloc(rr_bytes);
	int lfd, fd;

	enter_netns(server_ns);
	lfd = new_socket();
	server.sin_family = family;
	server.sin_port = 0;
	if (bind(lfd, (struct sockaddr *)&server, sizeof(server)) ||
	    listen(lfd, 1024) ||
	    getsockname(lfd, (struct sockaddr *)&server, &len))
		die("server");
	write_full(pipe_fd, (char *)&server.sin_port, sizeof(server.sin_port));
	close(pipe_fd);
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			die("accept");
		if (!strcmp(workload, "bulk")) {
			pthread_t t;

			if (pthread_create(&t, NULL, serve_bulk, (void *)(long)fd))
				die("pthread_create");
			pthread_detach(t);
			continue;
		}
		if (!strcmp(workload, "conn")) {
			if (read_full(fd, buf, 1))
				write_full(fd, buf, 1);
			close(fd);
			continue;
		}
		for (;;) {	/* rr: until the client closes */
			ssize_t r = read(fd, buf, rr_bytes);

			if (r <= 0)
				break;
			if ((size_t)r < rr_bytes &&
			    !read_full(fd, buf + r, rr_bytes - r))
				break;
			write_full(fd, buf, rr_bytes);
		}
		close(fd);
	}
}

static int connect_server(void)
{
	int fd = new_socket();

	if (connect(fd, (struct sockaddr *)&server, sizeof(server)))
		die("connect");
	return fd;
}

static double deadline;

static void client_conn(unsigned long long *ops)
{
	char c = 1;

	while (now() < deadline) {
		int fd = connect_server();

		write_full(fd, &c, 1);
		must_read(fd, &c, 1);
		close(fd);
		++*ops;
	}
}

static void client_rr(unsigned long long *ops)
{
	char *buf = calloc(1, rr_bytes);
	int fd = connect_server();

	while (now() < deadline) {
		write_full(fd, buf, rr_bytes);
		must_read(fd, buf, rr_bytes);
		++*ops;
	}
	close(fd);
}

struct stream {
	pthread_t		thread;
	unsigned long long	bytes;
};

static void *client_stream(void *arg)
{
	struct stream *s = arg;
	static char buf[BULK_CHUNK];
	int fd = connect_server();
	char one;

	while (now() < deadline) {
		write_full(fd, buf, sizeof(buf));
		s->bytes += sizeof(buf);
	}
	/* Done when the server has read everything. */
	if (shutdown(fd, SHUT_WR))
		die("shutdown");
	must_read(fd, &one, 1);
	close(fd);
	return NULL;
}

static void client_bulk(unsigned long long *bytes)
{
	struct stream s[MAX_STREAMS] = { 0 };
	int i;

	for (i = 0; i < streams; i++)
		if (pthread_create(&s[i].thread, NULL, client_stream, &s[i]))
			die("pthread_create");
	for (i = 0; i < streams; i++) {
		pthread_join(s[i].thread, NULL);
		*bytes += s[i].bytes;
	}
}

static void print_usage(void)
{
	fputs("usage: bench -f mytcp|tcp -w conn|rr|bulk [-a ADDR] [-S NETNS]\n"
	      "             [-C NETNS] [-b BYTES] [-P STREAMS] [-t SECONDS]\n", stderr);
	exit(2);
}

static void parse_args(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "f:w:a:S:C:b:P:t:")) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "mytcp"))
				family = AF_MYTCP;
			else if (!strcmp(optarg, "tcp"))
				family = AF_INET;
			else
				print_usage();
			break;
		case 'w':
			workload = optarg;
			break;
		case 'a':
			addr = optarg;
			break;
		case 'S':
			server_ns = optarg;
			break;
		case 'C':
			client_ns = optarg;
			break;
		case 'b':
			rr_bytes = strtoul(optarg, NULL, 0);
			break;
		case 'P':
			streams = atoi(optarg);
			break;
		case 't':
			seconds = atof(optarg);
			break;
		default:
			print_usage();
		}
	}
	if (family < 0 || !workload || rr_bytes < 1 || streams < 1 ||
	    streams > MAX_STREAMS || seconds <= 0 ||
	    (strcmp(workload, "conn") && strcmp(workload, "rr") && strcmp(workload, "bulk")) ||
	    inet_pton(AF_INET, addr, &server.sin_addr) != 1)
		print_usage();
}

int main(int argc, char **argv)
{
	unsigned long long ops = 0, bytes = 0, busy;
	int pipe_fds[2], status;
	double start, elapsed;
	pid_t pid;

	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	if (pipe(pipe_fds))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		close(pipe_fds[0]);
		run_server(pipe_fds[1]);
	}
	close(pipe_fds[1]);
	must_read(pipe_fds[0], (char *)&server.sin_port, sizeof(server.sin_port));
	server.sin_family = family;
	enter_netns(client_ns);

	busy = cpu_busy();
	start = now();
	deadline = start + seconds;
	if (!strcmp(workload, "conn"))
		client_conn(&ops);
	else if (!strcmp(workload, "rr"))
		client_rr(&ops);
	else
		client_bulk(&bytes);
	elapsed = now() - start;
	busy = cpu_busy() - busy;

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (bytes) {
		printf("rate=%.3f unit=MB/s bytes=%llu secs=%.3f", bytes / elapsed / 1e6,
		       bytes, elapsed);
		printf(" cpu_ticks=%llu ticks_per_mb=%.3f\n", busy, busy / (bytes / 1e6));
	} else {
		printf("rate=%.1f unit=ops/s ops=%llu secs=%.3f", ops / elapsed, ops,
		       elapsed);
		printf(" cpu_ticks=%llu ticks_per_kop=%.3f\n", busy,
		       ops ? busy * 1000.0 / ops : 0.0);
	}
	return 0;
}
