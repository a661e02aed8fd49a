/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mytcp user API: the address family, the IP protocol number, the socket
 * address, socket option names and connection state numbers.
 *
 * Userspace: include <netinet/in.h> (or <sys/socket.h>) before this file,
 * as for any header that pulls in <linux/in.h>.
 */
#ifndef _UAPI_LINUX_MYTCP_H
#define _UAPI_LINUX_MYTCP_H

#include <linux/types.h>
#include <linux/socket.h>
#include <linux/in.h>

/*
 * Address family.  13 is the slot of AF_NETBEUI, which Linux has never
 * implemented: no kernel registers it, and mytcp refuses to load if
 * something else has.  See Documentation/mytcp.rst, "Address family".
 */
#define AF_MYTCP	13
#define PF_MYTCP	AF_MYTCP

/* IP protocol number: 253 is reserved for experiments by RFC 3692. */
#define IPPROTO_MYTCP	253

/* Socket option level, like SOL_TCP == IPPROTO_TCP. */
#define SOL_MYTCP	IPPROTO_MYTCP

/*
 * Socket address.  Byte for byte the layout of struct sockaddr_in, so a
 * struct sockaddr_in with sin_family = AF_MYTCP is accepted as well.
 */
struct sockaddr_mytcp {
	__kernel_sa_family_t	smt_family;	/* AF_MYTCP */
	__be16			smt_port;	/* port, network byte order */
	struct in_addr		smt_addr;	/* IPv4 address */
	unsigned char		smt_zero[8];	/* must be zero */
};

/*
 * Socket options at level SOL_MYTCP.  The numbers are TCP's for the same
 * option, so code that uses TCP_NODELAY and friends maps one to one.
 */
#define MYTCP_NODELAY		1	/* no Nagle delay */
#define MYTCP_MAXSEG		2	/* maximum segment size */
#define MYTCP_KEEPIDLE		4	/* idle seconds before keepalive */
#define MYTCP_KEEPINTVL		5	/* seconds between keepalive probes */
#define MYTCP_KEEPCNT		6	/* unanswered probes before giving up */
#define MYTCP_SYNCNT		7	/* SYN retransmissions before giving up */
#define MYTCP_LINGER2		8	/* lifetime of orphaned FIN-WAIT-2 */
#define MYTCP_INFO		11	/* get: struct tcp_info, mytcp's fields */
#define MYTCP_QUICKACK		12	/* leave delayed-ACK mode */
#define MYTCP_CONGESTION	13	/* congestion control algorithm, by name */
#define MYTCP_USER_TIMEOUT	18	/* ms of unacknowledged data allowed */

/* Connection states: the numbers of TCP's states, as /proc/net/tcp shows. */
enum {
	MYTCP_ESTABLISHED = 1,
	MYTCP_SYN_SENT,
	MYTCP_SYN_RECV,
	MYTCP_FIN_WAIT1,
	MYTCP_FIN_WAIT2,
	MYTCP_TIME_WAIT,
	MYTCP_CLOSE,
	MYTCP_CLOSE_WAIT,
	MYTCP_LAST_ACK,
	MYTCP_LISTEN,
	MYTCP_CLOSING,
	MYTCP_NEW_SYN_RECV,	/* a half-open request entry */

	MYTCP_MAX_STATES	/* keep last */
};

#endif /* _UAPI_LINUX_MYTCP_H */
