/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp's tracepoints, event system "mytcp": state changes, segments sent
 * and received, retransmissions, resets, SYN cookies.  Every event names
 * its namespace (the inode number of its net namespace) and a 4-tuple:
 * a segment's as its header says, else as seen from the local end.
 * Addresses are kept in network order, for %pI4.  Documentation/mytcp.rst,
 * "Tracepoints", describes each event and field.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mytcp

#if !defined(_MYTCP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MYTCP_TRACE_H

#include <linux/skbuff.h>
#include <linux/tracepoint.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/mytcp.h>

TRACE_DEFINE_ENUM(MYTCP_ESTABLISHED);
TRACE_DEFINE_ENUM(MYTCP_SYN_SENT);
TRACE_DEFINE_ENUM(MYTCP_SYN_RECV);
TRACE_DEFINE_ENUM(MYTCP_FIN_WAIT1);
TRACE_DEFINE_ENUM(MYTCP_FIN_WAIT2);
TRACE_DEFINE_ENUM(MYTCP_TIME_WAIT);
TRACE_DEFINE_ENUM(MYTCP_CLOSE);
TRACE_DEFINE_ENUM(MYTCP_CLOSE_WAIT);
TRACE_DEFINE_ENUM(MYTCP_LAST_ACK);
TRACE_DEFINE_ENUM(MYTCP_LISTEN);
TRACE_DEFINE_ENUM(MYTCP_CLOSING);
TRACE_DEFINE_ENUM(MYTCP_NEW_SYN_RECV);

#define mytcp_show_state(state)	__print_symbolic(state,		\
	{ MYTCP_ESTABLISHED,	"ESTABLISHED" },		\
	{ MYTCP_SYN_SENT,	"SYN-SENT" },			\
	{ MYTCP_SYN_RECV,	"SYN-RECEIVED" },		\
	{ MYTCP_FIN_WAIT1,	"FIN-WAIT-1" },			\
	{ MYTCP_FIN_WAIT2,	"FIN-WAIT-2" },			\
	{ MYTCP_TIME_WAIT,	"TIME-WAIT" },			\
	{ MYTCP_CLOSE,		"CLOSED" },			\
	{ MYTCP_CLOSE_WAIT,	"CLOSE-WAIT" },			\
	{ MYTCP_LAST_ACK,	"LAST-ACK" },			\
	{ MYTCP_LISTEN,		"LISTEN" },			\
	{ MYTCP_CLOSING,	"CLOSING" },			\
	{ MYTCP_NEW_SYN_RECV,	"NEW-SYN-RECV" })

/* One letter per flag, as tcpdump: "SA" is a SYN-ACK, "" none. */
#define mytcp_show_flags(flags)	__print_flags(flags, "",	\
	{ MYTCPHDR_FIN,	"F" },					\
	{ MYTCPHDR_SYN,	"S" },					\
	{ MYTCPHDR_RST,	"R" },					\
	{ MYTCPHDR_PSH,	"P" },					\
	{ MYTCPHDR_ACK,	"A" },					\
	{ MYTCPHDR_URG,	"U" })

TRACE_EVENT(mytcp_state_change,
	    TP_PROTO(const struct sock *sk, int oldstate, int newstate),
	    TP_ARGS(sk, oldstate, newstate),
	    TP_STRUCT__entry(__field(unsigned int, netns)
			     __field(u32, saddr)
			     __field(u32, daddr)
			     __field(u16, sport)
			     __field(u16, dport)
			     __field(int, oldstate)
			     __field(int, newstate)),
	    TP_fast_assign(__entry->netns = sock_net(sk)->ns.inum;
			   __entry->saddr = (__force u32)sk->sk_rcv_saddr;
			   __entry->daddr = (__force u32)sk->sk_daddr;
			   __entry->sport = sk->sk_num;
			   __entry->dport = ntohs(sk->sk_dport);
			   __entry->oldstate = oldstate;
			   __entry->newstate = newstate;),
	    TP_printk("net=%u src=%pI4:%u dst=%pI4:%u old=%s new=%s",
		      __entry->netns, &__entry->saddr, __entry->sport,
		      &__entry->daddr, __entry->dport,
		      mytcp_show_state(__entry->oldstate),
		      mytcp_show_state(__entry->newstate))
);

DECLARE_EVENT_CLASS(mytcp_segment,
		    TP_PROTO(const struct net *net, const struct tcphdr *th, __be32 saddr,
			     __be32 daddr, unsigned int len),
		    TP_ARGS(net, th, saddr, daddr, len),
		    TP_STRUCT__entry(__field(unsigned int, netns)
				     __field(u32, saddr)
				     __field(u32, daddr)
				     __field(u16, sport)
				     __field(u16, dport)
				     __field(u32, seq)
				     __field(u32, ack)
				     __field(unsigned int, len)
				     __field(u16, window)
				     __field(u8, flags)),
		    TP_fast_assign(__entry->netns = net->ns.inum;
				   __entry->saddr = (__force u32)saddr;
				   __entry->daddr = (__force u32)daddr;
				   __entry->sport = ntohs(th->source);
				   __entry->dport = ntohs(th->dest);
				   __entry->seq = ntohl(th->seq);
				   __entry->ack = ntohl(th->ack_seq);
				   __entry->len = len;
				   __entry->window = ntohs(th->window);
				   __entry->flags = ((const u8 *)th)[13];),
		    TP_printk("net=%u src=%pI4:%u dst=%pI4:%u flags=%s seq=%u ack=%u len=%u win=%u",
			      __entry->netns, &__entry->saddr, __entry->sport,
			      &__entry->daddr, __entry->dport,
			      mytcp_show_flags(__entry->flags), __entry->seq, __entry->ack,
			      __entry->len, __entry->window)
);

/* Every segment that leaves; src and dst as in its header. */
DEFINE_EVENT(mytcp_segment, mytcp_segment_send,
	     TP_PROTO(const struct net *net, const struct tcphdr *th, __be32 saddr,
		      __be32 daddr, unsigned int len),
	     TP_ARGS(net, th, saddr, daddr, len)
);

/* Every segment that arrives with a sound header and checksum. */
DEFINE_EVENT(mytcp_segment, mytcp_segment_receive,
	     TP_PROTO(const struct net *net, const struct tcphdr *th, __be32 saddr,
		      __be32 daddr, unsigned int len),
	     TP_ARGS(net, th, saddr, daddr, len)
);

/* A segment of a socket's write queue sent again by the timer. */
TRACE_EVENT(mytcp_retransmit,
	    TP_PROTO(const struct sock *sk, const struct sk_buff *skb),
	    TP_ARGS(sk, skb),
	    TP_STRUCT__entry(__field(unsigned int, netns)
			     __field(u32, saddr)
			     __field(u32, daddr)
			     __field(u16, sport)
			     __field(u16, dport)
			     __field(u32, seq)
			     __field(u32, end_seq)
			     __field(u8, flags)
			     __field(u8, count)
			     __field(int, state)),
	    TP_fast_assign(__entry->netns = sock_net(sk)->ns.inum;
			   __entry->saddr = (__force u32)sk->sk_rcv_saddr;
			   __entry->daddr = (__force u32)sk->sk_daddr;
			   __entry->sport = sk->sk_num;
			   __entry->dport = ntohs(sk->sk_dport);
			   __entry->seq = MYTCP_SKB_CB(skb)->seq;
			   __entry->end_seq = MYTCP_SKB_CB(skb)->end_seq;
			   __entry->flags = MYTCP_SKB_CB(skb)->flags;
			   __entry->count = mytcp_sk(sk)->retransmits;
			   __entry->state = sk->sk_state;),
	    TP_printk("net=%u src=%pI4:%u dst=%pI4:%u flags=%s seq=%u end_seq=%u count=%u state=%s",
		      __entry->netns, &__entry->saddr, __entry->sport,
		      &__entry->daddr, __entry->dport,
		      mytcp_show_flags(__entry->flags), __entry->seq,
		      __entry->end_seq, __entry->count,
		      mytcp_show_state(__entry->state))
);

/* The SYN-ACK of a half-open entry (no socket yet) sent again. */
TRACE_EVENT(mytcp_retransmit_synack,
	    TP_PROTO(const struct mytcp_request *req),
	    TP_ARGS(req),
	    TP_STRUCT__entry(__field(unsigned int, netns)
			     __field(u32, saddr)
			     __field(u32, daddr)
			     __field(u16, sport)
			     __field(u16, dport)
			     __field(u32, seq)
			     __field(u8, count)),
	    TP_fast_assign(__entry->netns = sock_net(req->listener)->ns.inum;
			   __entry->saddr = (__force u32)req->laddr;
			   __entry->daddr = (__force u32)req->raddr;
			   __entry->sport = ntohs(req->lport);
			   __entry->dport = ntohs(req->rport);
			   __entry->seq = req->iss;
			   __entry->count = req->retrans;),
	    TP_printk("net=%u src=%pI4:%u dst=%pI4:%u seq=%u count=%u",
		      __entry->netns, &__entry->saddr, __entry->sport,
		      &__entry->daddr, __entry->dport, __entry->seq,
		      __entry->count)
);

/* A RST sent (by a socket or for no socket) ... */
TRACE_EVENT(mytcp_send_reset,
	    TP_PROTO(const struct net *net, __be32 saddr, __be32 daddr,
		     __be16 sport, __be16 dport, u32 seq, u32 ack),
	    TP_ARGS(net, saddr, daddr, sport, dport, seq, ack),
	    TP_STRUCT__entry(__field(unsigned int, netns)
			     __field(u32, saddr)
			     __field(u32, daddr)
			     __field(u16, sport)
			     __field(u16, dport)
			     __field(u32, seq)
			     __field(u32, ack)),
	    TP_fast_assign(__entry->netns = net->ns.inum;
			   __entry->saddr = (__force u32)saddr;
			   __entry->daddr = (__force u32)daddr;
			   __entry->sport = ntohs(sport);
			   __entry->dport = ntohs(dport);
			   __entry->seq = seq;
			   __entry->ack = ack;),
	    TP_printk("net=%u src=%pI4:%u dst=%pI4:%u seq=%u ack=%u",
		      __entry->netns, &__entry->saddr, __entry->sport,
		      &__entry->daddr, __entry->dport, __entry->seq, __entry->ack)
);

/* ... and one received, before it is judged; src is its sender. */
TRACE_EVENT_CONDITION(mytcp_receive_reset,
		      TP_PROTO(const struct net *net, const struct sk_buff *skb),
		      TP_ARGS(net, skb),
		      TP_CONDITION(tcp_hdr(skb)->rst),
		      TP_STRUCT__entry(__field(unsigned int, netns)
				       __field(u32, saddr)
				       __field(u32, daddr)
				       __field(u16, sport)
				       __field(u16, dport)
				       __field(u32, seq)
				       __field(u32, ack)),
		      TP_fast_assign(__entry->netns = net->ns.inum;
				     __entry->saddr = (__force u32)ip_hdr(skb)->saddr;
				     __entry->daddr = (__force u32)ip_hdr(skb)->daddr;
				     __entry->sport = ntohs(tcp_hdr(skb)->source);
				     __entry->dport = ntohs(tcp_hdr(skb)->dest);
				     __entry->seq = ntohl(tcp_hdr(skb)->seq);
				     __entry->ack = ntohl(tcp_hdr(skb)->ack_seq);),
		      TP_printk("net=%u src=%pI4:%u dst=%pI4:%u seq=%u ack=%u",
				__entry->netns, &__entry->saddr, __entry->sport,
				&__entry->daddr, __entry->dport, __entry->seq, __entry->ack)
);

/*
 * SYN cookies: one sent in a SYN-ACK for the SYN @skb; one returned in
 * the ACK @skb and checked, @mss the MSS it carried or 0 when it failed.
 * src is the listener's end.
 */
DECLARE_EVENT_CLASS(mytcp_syncookie,
		    TP_PROTO(const struct sock *sk, const struct sk_buff *skb, u32 cookie,
			     u16 mss),
		    TP_ARGS(sk, skb, cookie, mss),
		    TP_STRUCT__entry(__field(unsigned int, netns)
				     __field(u32, saddr)
				     __field(u32, daddr)
				     __field(u16, sport)
				     __field(u16, dport)
				     __field(u32, cookie)
				     __field(u16, mss)),
		    TP_fast_assign(__entry->netns = sock_net(sk)->ns.inum;
				   __entry->saddr = (__force u32)ip_hdr(skb)->daddr;
				   __entry->daddr = (__force u32)ip_hdr(skb)->saddr;
				   __entry->sport = ntohs(tcp_hdr(skb)->dest);
				   __entry->dport = ntohs(tcp_hdr(skb)->source);
				   __entry->cookie = cookie;
				   __entry->mss = mss;),
		    TP_printk("net=%u src=%pI4:%u dst=%pI4:%u cookie=%u mss=%u result=%s",
			      __entry->netns, &__entry->saddr, __entry->sport,
			      &__entry->daddr, __entry->dport, __entry->cookie,
			      __entry->mss, __entry->mss ? "ok" : "failed")
);

DEFINE_EVENT(mytcp_syncookie, mytcp_syncookie_send,
	     TP_PROTO(const struct sock *sk, const struct sk_buff *skb, u32 cookie,
		      u16 mss),
	     TP_ARGS(sk, skb, cookie, mss)
);

DEFINE_EVENT(mytcp_syncookie, mytcp_syncookie_check,
	     TP_PROTO(const struct sock *sk, const struct sk_buff *skb, u32 cookie,
		      u16 mss),
	     TP_ARGS(sk, skb, cookie, mss)
);

#endif /* _MYTCP_TRACE_H */

/* Out of tree: define_trace.h finds this file beside its .c files. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
