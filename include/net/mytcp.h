/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp internal interface: the socket and per-namespace structures, the
 * sequence number arithmetic, and the functions the files of mytcp/ offer
 * each other.
 */
#ifndef _NET_MYTCP_H
#define _NET_MYTCP_H

#include <linux/types.h>
#include <net/inet_sock.h>
#include <net/netns/generic.h>
#include <uapi/linux/mytcp.h>

/*
 * Functions with pure logic are exported to the KUnit module only, in
 * their own namespace, and only when the kernel has KUnit.
 */
#if IS_ENABLED(CONFIG_KUNIT)
#define EXPORT_SYMBOL_IF_MYTCP_KUNIT(sym)	EXPORT_SYMBOL_NS_GPL(sym, MYTCP_KUNIT)
#else
#define EXPORT_SYMBOL_IF_MYTCP_KUNIT(sym)
#endif

/* A mytcp socket; struct inet_sock (and so struct sock) comes first. */
struct mytcp_sock {
	struct inet_sock	inet;
};

/* Per network namespace state. */
struct mytcp_net {
	struct ctl_table_header	*sysctl_hdr;

	/* sysctls: see Documentation/mytcp.rst, "Sysctls" */
	int			sysctl_syn_retries;
	int			sysctl_synack_retries;
	int			sysctl_fin_timeout;
	int			sysctl_msl;
	int			sysctl_keepalive_time;
	int			sysctl_keepalive_intvl;
	int			sysctl_keepalive_probes;
	int			sysctl_local_port_range[2];
};

extern unsigned int mytcp_net_id;

static inline struct mytcp_net *mytcp_net(const struct net *net)
{
	return net_generic(net, mytcp_net_id);
}

/*
 * Sequence number arithmetic, modulo 2^32 (RFC 9293, section 3.4): a is
 * before b when b lies less than 2^31 ahead of a.
 */
static inline bool mytcp_seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool mytcp_seq_after(u32 a, u32 b)
{
	return mytcp_seq_before(b, a);
}

/* True when low <= seq <= high, walking forward from low. */
static inline bool mytcp_seq_between(u32 seq, u32 low, u32 high)
{
	return high - low >= seq - low;
}

/* state.c */
const char *mytcp_state_name(int state);

/* sysctl.c */
void mytcp_set_default_sysctls(struct mytcp_net *mn);
int mytcp_check_port_range(const int range[2]);
int mytcp_register_sysctls(struct net *net);
void mytcp_unregister_sysctls(struct net *net);

/* proc.c */
int mytcp_create_proc(struct net *net);
void mytcp_remove_proc(struct net *net);

/* socket.c */
extern struct proto mytcp_prot;
int mytcp_register_family(void);
void mytcp_unregister_family(void);

/* input.c */
int mytcp_register_protocol(void);
void mytcp_unregister_protocol(void);

#endif /* _NET_MYTCP_H */
