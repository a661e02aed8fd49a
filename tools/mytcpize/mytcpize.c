// SPDX-License-Identifier: GPL-2.0
/*
 * libmytcpize.so - loaded with LD_PRELOAD by tools/mytcpize/mytcpize, it
 * makes an unmodified dynamically linked program use mytcp where it asks
 * for IPv4 TCP: socket(AF_INET, SOCK_STREAM, 0 or IPPROTO_TCP) becomes an
 * AF_MYTCP socket, addresses are translated in every call that takes or
 * returns one, and TCP-level socket options go to their SOL_MYTCP twins.
 * IPv6, UDP and every other socket are left alone.
 *
 * Environment:
 *   MYTCPIZE_PORTS="80,8080-8090"  only connections to or from these ports
 *   MYTCPIZE_VERBOSE=1             one line on stderr per translated socket
 *                                  and per option ignored or refused
 *
 * Without MYTCPIZE_PORTS the AF_MYTCP socket is made at socket() time.
 * With it, the port is not known yet there: socket() makes a TCP socket
 * and remembers the SOL_SOCKET and TCP options set on it; bind() to a
 * chosen port, or connect() to one, replaces it with an AF_MYTCP socket
 * on the same descriptor (dup3), with the same flags and options.  A bind
 * to another port, or a connect to one, leaves it TCP for good.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/mytcp.h>

#define MAX_OPTS	32	/* options remembered per undecided socket */
#define MAX_OPTLEN	32	/* bytes of one: an int, a linger, a name */

/* An option set on a TCP socket that may still become mytcp. */
struct saved_opt {
	int level, name;
	socklen_t len;
	unsigned char val[MAX_OPTLEN];
};

/* A TCP socket whose port is not known yet (MYTCPIZE_PORTS only). */
struct pending {
	int nopts;
	bool bound;			/* bound to port 0: redo it */
	struct sockaddr_in bind_addr;
	struct saved_opt opts[MAX_OPTS];
};

static int (*real_socket)(int, int, int);
static int (*real_bind)(int, const struct sockaddr *, socklen_t);
static int (*real_connect)(int, const struct sockaddr *, socklen_t);
static int (*real_accept)(int, struct sockaddr *, socklen_t *);
static int (*real_accept4)(int, struct sockaddr *, socklen_t *, int);
static int (*real_getsockname)(int, struct sockaddr *, socklen_t *);
static int (*real_getpeername)(int, struct sockaddr *, socklen_t *);
static ssize_t (*real_sendto)(int, const void *, size_t, int,
			      const struct sockaddr *, socklen_t);
static ssize_t (*real_recvfrom)(int, void *, size_t, int,
				struct sockaddr *, socklen_t *);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
static ssize_t (*real_recvmsg)(int, struct msghdr *, int);
static int (*real_setsockopt)(int, int, int, const void *, socklen_t);
static int (*real_getsockopt)(int, int, int, void *, socklen_t *);

static bool verbose;
static bool filtered;			/* MYTCPIZE_PORTS was given */
static uint8_t port_map[65536 / 8];	/* the ports it names */

/* Undecided sockets by descriptor; guarded by lock. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pending **pending;
static int npending;

static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* stderr may be buffered or locked by the program: write directly. */
	if (write(STDERR_FILENO, buf, n) < 0)
		return;
}

static void *find_real(const char *name)
{
	void *fn = dlsym(RTLD_NEXT, name);

	if (!fn) {
		say("mytcpize: cannot find %s: %s", name, dlerror());
		_exit(127);
	}
	return fn;
}

static bool port_selected(unsigned int port)
{
	return port_map[port / 8] & (1 << (port % 8));
}

/* "80,8080-8090": fill port_map, or say what is wrong and exit. */
static void parse_ports(const char *spec)
{
	const char *p = spec;

	while (*p) {
		unsigned long lo, hi;
		char *end;

		lo = strtoul(p, &end, 10);
		hi = lo;
		if (end == p)
			goto bad;
		if (*end == '-') {
			p = end + 1;
			hi = strtoul(p, &end, 10);
			if (end == p)
				goto bad;
		}
		if (lo < 1 || hi > 65535 || lo > hi)
			goto bad;
		for (; lo <= hi; lo++)
			port_map[lo / 8] |= 1 << (lo % 8);
		if (*end == ',')
			end++;
		else if (*end)
			goto bad;
		p = end;
	}
	filtered = true;
	return;
bad:
	say("mytcpize: MYTCPIZE_PORTS=\"%s\": want ports 1-65535 or ranges, as \"80,8080-8090\"",
	    spec);
	_exit(2);
}

__attribute__((constructor)) static void mytcpize_init(void)
{
	const char *ports = getenv("MYTCPIZE_PORTS");
	const char *v = getenv("MYTCPIZE_VERBOSE");

	real_socket = find_real("socket");
	real_bind = find_real("bind");
	real_connect = find_real("connect");
	real_accept = find_real("accept");
	real_accept4 = find_real("accept4");
	real_getsockname = find_real("getsockname");
	real_getpeername = find_real("getpeername");
	real_sendto = find_real("sendto");
	real_recvfrom = find_real("recvfrom");
	real_sendmsg = find_real("sendmsg");
	real_recvmsg = find_real("recvmsg");
	real_setsockopt = find_real("setsockopt");
	real_getsockopt = find_real("getsockopt");
	verbose = v && *v && strcmp(v, "0");
	if (ports && *ports)
		parse_ports(ports);
}

/* Is fd an AF_MYTCP socket? */
static bool is_mytcp(int fd)
{
	socklen_t len = sizeof(int);
	int domain;

	return !real_getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) &&
	       domain == AF_MYTCP;
}

/* Is fd (still) an IPv4 TCP socket?  A record may outlive its socket. */
static bool is_inet_tcp(int fd)
{
	socklen_t len = sizeof(int);
	int domain, proto;

	if (real_getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) ||
	    domain != AF_INET)
		return false;
	len = sizeof(int);
	return !real_getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) &&
	       proto == IPPROTO_TCP;
}

/* A returned address of family AF_MYTCP: the program asked for AF_INET. */
static void fix_out_addr(struct sockaddr *addr, socklen_t room)
{
	if (addr && room >= sizeof(sa_family_t) && addr->sa_family == AF_MYTCP)
		addr->sa_family = AF_INET;
}

/*
 * An AF_INET address given to a mytcp socket: copy it into *out with
 * family AF_MYTCP and return out, else return addr as it is.
 */
static const struct sockaddr *fix_in_addr(int fd, const struct sockaddr *addr,
					  socklen_t len,
					  struct sockaddr_storage *out)
{
	if (!addr || len < sizeof(struct sockaddr_in) ||
	    len > sizeof(*out) || addr->sa_family != AF_INET || !is_mytcp(fd))
		return addr;
	memcpy(out, addr, len);
	out->ss_family = AF_MYTCP;
	return (const struct sockaddr *)out;
}

/* Take fd's pending record out of the table (NULL: none); under lock. */
static struct pending *take_pending(int fd)
{
	struct pending *p = NULL;

	if (fd >= 0 && fd < npending) {
		p = pending[fd];
		pending[fd] = NULL;
	}
	return p;
}

/* Record a new undecided socket; without memory it just stays TCP. */
static void add_pending(int fd)
{
	struct pending *p = calloc(1, sizeof(*p));

	pthread_mutex_lock(&lock);
	free(take_pending(fd));
	if (p && fd >= npending) {
		int n = fd + 64;
		struct pending **t = realloc(pending, n * sizeof(*t));

		if (t) {
			memset(t + npending, 0, (n - npending) * sizeof(*t));
			pending = t;
			npending = n;
		}
	}
	if (p && fd < npending) {
		pending[fd] = p;
		p = NULL;
	}
	pthread_mutex_unlock(&lock);
	free(p);
}

/* Why no AF_MYTCP socket could be made; errno is kept. */
static void say_no_mytcp(void)
{
	int err = errno;

	say("mytcpize: cannot make an AF_MYTCP socket: %s%s", strerror(err),
	    err == EAFNOSUPPORT ? " (is the mytcp module loaded?)" : "");
	errno = err;
}

/* Forget fd's record: the descriptor was closed and is now another socket. */
static void drop_pending(int fd)
{
	pthread_mutex_lock(&lock);
	free(take_pending(fd));
	pthread_mutex_unlock(&lock);
}

int socket(int domain, int type, int protocol)
{
	int fd;

	if (domain != AF_INET || (type & 0xf) != SOCK_STREAM ||
	    (protocol && protocol != IPPROTO_TCP)) {
		fd = real_socket(domain, type, protocol);
		if (fd >= 0 && filtered)
			drop_pending(fd);
		return fd;
	}
	if (filtered) {
		fd = real_socket(domain, type, protocol);
		if (fd >= 0)
			add_pending(fd);
		return fd;
	}
	fd = real_socket(AF_MYTCP, type, 0);
	if (fd < 0) {
		say_no_mytcp();
		return fd;
	}
	if (verbose)
		say("mytcpize: fd %d: IPv4 TCP made AF_MYTCP", fd);
	return fd;
}

/* An option remembered on a TCP socket, as it goes to the mytcp one. */
static int set_mytcp_opt(int fd, int level, int name, const void *val,
			 socklen_t len);

/* Replace fd's TCP socket by an AF_MYTCP one: same flags, options, bind. */
static int switch_to_mytcp(int fd, struct pending *p, unsigned int port)
{
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);
	int nfd, i, err;

	if (fl < 0 || fdfl < 0)
		return -1;
	nfd = real_socket(AF_MYTCP, SOCK_STREAM, 0);
	if (nfd < 0) {
		say_no_mytcp();
		return -1;
	}
	if (dup3(nfd, fd, fdfl & FD_CLOEXEC ? O_CLOEXEC : 0) < 0 ||
	    fcntl(fd, F_SETFL, fl) < 0) {
		err = errno;
		close(nfd);
		errno = err;
		return -1;
	}
	close(nfd);
	for (i = 0; i < p->nopts; i++) {
		struct saved_opt *o = &p->opts[i];

		if (set_mytcp_opt(fd, o->level, o->name, o->val, o->len) &&
		    verbose)
			say("mytcpize: fd %d: option %d/%d not carried over: %s",
			    fd, o->level, o->name, strerror(errno));
	}
	if (verbose)
		say("mytcpize: fd %d: IPv4 TCP for port %u made AF_MYTCP",
		    fd, port);
	if (p->bound) {
		struct sockaddr_in a = p->bind_addr;

		a.sin_family = AF_MYTCP;
		return real_bind(fd, (struct sockaddr *)&a, sizeof(a));
	}
	return 0;
}

/*
 * With MYTCPIZE_PORTS: decide an undecided socket at bind or connect to
 * @addr.  @at_bind: a bind to port 0 leaves it undecided.  Returns -1 if
 * it had to become mytcp and could not.
 */
static int decide(int fd, const struct sockaddr *addr, socklen_t len,
		  bool at_bind)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)addr;
	struct pending *p;
	unsigned int port;
	int ret = 0;

	if (!filtered || !addr || len < sizeof(*sin) ||
	    addr->sa_family != AF_INET)
		return 0;
	port = ntohs(sin->sin_port);
	pthread_mutex_lock(&lock);
	p = take_pending(fd);
	if (p && at_bind && !port) {
		/* The real bind follows: remember it for a later switch. */
		p->bound = true;
		p->bind_addr = *sin;
		pending[fd] = p;
		p = NULL;
	}
	pthread_mutex_unlock(&lock);
	if (p && port_selected(port) && is_inet_tcp(fd))
		ret = switch_to_mytcp(fd, p, port);
	free(p);
	return ret;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage ss;

	if (decide(fd, addr, len, true))
		return -1;
	return real_bind(fd, fix_in_addr(fd, addr, len, &ss), len);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage ss;

	if (decide(fd, addr, len, false))
		return -1;
	return real_connect(fd, fix_in_addr(fd, addr, len, &ss), len);
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	socklen_t room = addr && len ? *len : 0;
	int ret = real_accept(fd, addr, len);

	if (ret >= 0)
		fix_out_addr(addr, room);
	return ret;
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	socklen_t room = addr && len ? *len : 0;
	int ret = real_accept4(fd, addr, len, flags);

	if (ret >= 0)
		fix_out_addr(addr, room);
	return ret;
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	socklen_t room = addr && len ? *len : 0;
	int ret = real_getsockname(fd, addr, len);

	if (!ret)
		fix_out_addr(addr, room);
	return ret;
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	socklen_t room = addr && len ? *len : 0;
	int ret = real_getpeername(fd, addr, len);

	if (!ret)
		fix_out_addr(addr, room);
	return ret;
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags,
	       const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage ss;

	return real_sendto(fd, buf, n, flags, fix_in_addr(fd, addr, len, &ss),
			   len);
}

ssize_t recvfrom(int fd, void *buf, size_t n, int flags,
		 struct sockaddr *addr, socklen_t *len)
{
	socklen_t room = addr && len ? *len : 0;
	ssize_t ret = real_recvfrom(fd, buf, n, flags, addr, len);

	if (ret >= 0 && len && *len)
		fix_out_addr(addr, room);
	return ret;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct sockaddr_storage ss;
	struct msghdr m;

	if (!msg || !msg->msg_name)
		return real_sendmsg(fd, msg, flags);
	m = *msg;
	m.msg_name = (void *)fix_in_addr(fd, msg->msg_name, msg->msg_namelen,
					 &ss);
	return real_sendmsg(fd, &m, flags);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	socklen_t room = msg && msg->msg_name ? msg->msg_namelen : 0;
	ssize_t ret = real_recvmsg(fd, msg, flags);

	if (ret >= 0 && room && msg->msg_namelen)
		fix_out_addr(msg->msg_name, room);
	return ret;
}

/*
 * TCP options mytcp has no twin for and whose absence changes only how
 * fast data goes, not what arrives: accepted and ignored.
 */
static bool tcp_opt_is_hint(int name)
{
	switch (name) {
	case TCP_CORK:
	case TCP_DEFER_ACCEPT:
	case TCP_WINDOW_CLAMP:
	case TCP_FASTOPEN:
	case TCP_FASTOPEN_CONNECT:
	case TCP_NOTSENT_LOWAT:
	case TCP_THIN_LINEAR_TIMEOUTS:
	case TCP_THIN_DUPACK:
		return true;
	}
	return false;
}

/*
 * A TCP-level option on a mytcp socket: the option numbers are TCP's, so
 * it goes to SOL_MYTCP as it is; mytcp refuses what it does not know with
 * ENOPROTOOPT.  Hints are ignored.
 */
static int set_mytcp_opt(int fd, int level, int name, const void *val,
			 socklen_t len)
{
	int ret;

	if (level != IPPROTO_TCP)
		return real_setsockopt(fd, level, name, val, len);
	if (tcp_opt_is_hint(name)) {
		if (verbose)
			say("mytcpize: fd %d: TCP option %d ignored (a hint mytcp lacks)",
			    fd, name);
		return 0;
	}
	ret = real_setsockopt(fd, SOL_MYTCP, name, val, len);
	if (ret && errno == ENOPROTOOPT && verbose)
		say("mytcpize: fd %d: TCP option %d refused: mytcp has no equivalent",
		    fd, name);
	return ret;
}

/* Remember an option set on an undecided socket, for its switch. */
static void save_opt(int fd, int level, int name, const void *val,
		     socklen_t len)
{
	struct pending *p;

	if (level != SOL_SOCKET && level != IPPROTO_TCP)
		return;
	pthread_mutex_lock(&lock);
	p = fd >= 0 && fd < npending ? pending[fd] : NULL;
	if (p && val && len <= MAX_OPTLEN) {
		struct saved_opt *o = NULL;
		int i;

		for (i = 0; i < p->nopts && !o; i++)
			if (p->opts[i].level == level && p->opts[i].name == name)
				o = &p->opts[i];
		if (!o && p->nopts < MAX_OPTS)
			o = &p->opts[p->nopts++];
		if (o) {
			o->level = level;
			o->name = name;
			o->len = len;
			memcpy(o->val, val, len);
		}
	}
	pthread_mutex_unlock(&lock);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int ret;

	if (level == IPPROTO_TCP && is_mytcp(fd))
		return set_mytcp_opt(fd, level, name, val, len);
	ret = real_setsockopt(fd, level, name, val, len);
	if (!ret && filtered)
		save_opt(fd, level, name, val, len);
	return ret;
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	int ret;

	if (level == IPPROTO_TCP && is_mytcp(fd))
		return real_getsockopt(fd, SOL_MYTCP, name, val, len);
	ret = real_getsockopt(fd, level, name, val, len);
	/* The program made an IPv4 TCP socket: let it look like one. */
	if (!ret && level == SOL_SOCKET && val && len && *len >= sizeof(int)) {
		int *v = val;

		if (name == SO_DOMAIN && *v == AF_MYTCP)
			*v = AF_INET;
		else if (name == SO_PROTOCOL && *v == IPPROTO_MYTCP)
			*v = IPPROTO_TCP;
	}
	return ret;
}
