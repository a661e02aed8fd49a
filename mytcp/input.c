// SPDX-License-Identifier: GPL-2.0
/*
 * The IPv4 protocol handler for IPPROTO_MYTCP: where every received
 * segment enters mytcp.  Checks the header and the checksum, finds the
 * connection, TIME-WAIT entry or listener it belongs to (lockless, under
 * RCU), and hands it over under that socket's lock or to its backlog.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sizes.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/protocol.h>
#include <net/sock.h>
#include <net/mytcp.h>
#include "trace.h"

/* A malformed header: an input error, and which kind (MYTCP_EXT_*). */
static bool mytcp_drop_bad_header(struct net *net, int ext_field)
{
	mytcp_inc_stats(net, MYTCP_MIB_INERRS);
	mytcp_inc_ext_stats(net, ext_field);
	return false;
}

/* Check the header and fill in the control block; false: drop it. */
static bool mytcp_check_segment(struct net *net, struct sk_buff *skb)
{
	struct mytcp_skb_cb *cb;
	const struct tcphdr *th;
	unsigned int doff;

	if (skb->pkt_type != PACKET_HOST)
		return false;
	mytcp_inc_stats(net, MYTCP_MIB_INSEGS);
	if (skb->len < MYTCP_HDR_LEN)
		return mytcp_drop_bad_header(net, MYTCP_EXT_SHORTSEGS);
	if (!pskb_may_pull(skb, MYTCP_HDR_LEN))
		return false;
	th = tcp_hdr(skb);
	doff = th->doff * 4;
	if (doff < MYTCP_HDR_LEN || doff > skb->len)
		return mytcp_drop_bad_header(net, MYTCP_EXT_BADOFFSET);
	if (!pskb_may_pull(skb, doff))
		return false;
	if (skb_checksum_init(skb, IPPROTO_MYTCP, inet_compute_pseudo) ||
	    skb_checksum_complete(skb)) {
		mytcp_inc_stats(net, MYTCP_MIB_INERRS);
		mytcp_inc_stats(net, MYTCP_MIB_CSUMERRORS);
		return false;
	}

	th = tcp_hdr(skb);
	cb = MYTCP_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->flags = ((u8 *)th)[13];
	cb->seq = ntohl(th->seq);
	cb->ack_seq = ntohl(th->ack_seq);
	if (doff > MYTCP_HDR_LEN)
		mytcp_parse_ts_option(skb);
	/* The payload is what follows the header. */
	__skb_pull(skb, doff);
	cb->end_seq = cb->seq + skb->len + !!(cb->flags & MYTCPHDR_SYN) +
		      !!(cb->flags & MYTCPHDR_FIN);
	/* A segment both starting and resetting a connection is nonsense. */
	if ((cb->flags & (MYTCPHDR_SYN | MYTCPHDR_RST)) ==
	    (MYTCPHDR_SYN | MYTCPHDR_RST))
		return false;
	return true;
}

/*
 * What the backlog and the receive queue may hold together while the
 * owner runs.  TCP allows both buffers and 64 KB more (one GSO packet),
 * and offers at most half its buffer as window.  mytcp offers what the
 * buffer holds (payload per byte of truesize), and a batch of the backlog
 * being processed counts twice until the batch ends (in the receive queue
 * and in the backlog's length, which __release_sock() zeroes only then):
 * so the receive buffer counts twice here.
 */
static unsigned int mytcp_backlog_limit(const struct sock *sk)
{
	return 2 * READ_ONCE(sk->sk_rcvbuf) + READ_ONCE(sk->sk_sndbuf) + SZ_64K;
}

/**
 * mytcp_deliver_segment() - process a segment now, or leave it to the owner
 * @sk: the socket it belongs to
 * @skb: the segment, consumed
 * @subclass: lockdep subclass of the socket's spinlock: SINGLE_DEPTH_NESTING
 *            from the protocol handler, 0 for a listener's child while the
 *            listener is held (the order sk_clone_lock() uses)
 *
 * Under the socket's spinlock, with bottom halves disabled.
 */
void mytcp_deliver_segment(struct sock *sk, struct sk_buff *skb, int subclass)
{
	spin_lock_nested(&sk->sk_lock.slock, subclass);
	if (!sock_owned_by_user(sk)) {
		mytcp_rcv_sk(sk, skb);
	} else if (sk_add_backlog(sk, skb, mytcp_backlog_limit(sk))) {
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_BACKLOGDROP);
		kfree_skb(skb);
	}
	bh_unlock_sock(sk);
}

static int mytcp_receive_segment(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev);
	const struct iphdr *iph;
	const struct tcphdr *th;
	struct mytcp_tw *tw;
	struct sock *sk;

	if (!mytcp_check_segment(net, skb))
		goto drop;
	iph = ip_hdr(skb);
	th = tcp_hdr(skb);
	trace_mytcp_segment_receive(net, th, iph->saddr, iph->daddr, skb->len);
	trace_mytcp_receive_reset(net, skb);

	sk = mytcp_lookup_established(net, iph->daddr, th->dest, iph->saddr,
				      th->source);
	if (sk)
		goto deliver;
	tw = mytcp_lookup_tw(net, iph->daddr, th->dest, iph->saddr, th->source);
	if (tw) {
		bool to_listener = mytcp_rcv_time_wait(tw, skb);

		mytcp_put_tw(tw);
		if (!to_listener)
			goto drop;
	}
	sk = mytcp_lookup_listener(net, iph->daddr, th->dest);
	if (!sk) {
		mytcp_inc_ext_stats(net, MYTCP_EXT_NOSOCKET);
		mytcp_send_reset_reply(net, skb);
		goto drop;
	}
deliver:
	mytcp_deliver_segment(sk, skb, SINGLE_DEPTH_NESTING);
	sock_put(sk);
	return 0;
drop:
	kfree_skb(skb);
	return 0;
}

static int mytcp_receive_icmp(struct sk_buff *skb, u32 info)
{
	return 0;
}

static const struct net_protocol mytcp_ip_protocol = {
	.handler	= mytcp_receive_segment,
	.err_handler	= mytcp_receive_icmp,
	.no_policy	= 1,
};

/**
 * mytcp_register_protocol() - take IP protocol number IPPROTO_MYTCP
 *
 * Return: 0, or -EBUSY when another handler holds the number; the
 * kernel log then names that handler.
 */
int mytcp_register_protocol(void)
{
	const struct net_protocol *other;

	if (!inet_add_protocol(&mytcp_ip_protocol, IPPROTO_MYTCP))
		return 0;

	rcu_read_lock();
	other = rcu_dereference(inet_protos[IPPROTO_MYTCP]);
	if (other)
		pr_err("IP protocol %d is already handled by %pS; not loading\n",
		       IPPROTO_MYTCP, other->handler);
	else
		pr_err("IP protocol %d could not be registered; not loading\n",
		       IPPROTO_MYTCP);
	rcu_read_unlock();
	return -EBUSY;
}

/**
 * mytcp_unregister_protocol() - give IPPROTO_MYTCP back
 *
 * inet_del_protocol() waits until no CPU can still be inside the handler.
 */
void mytcp_unregister_protocol(void)
{
	inet_del_protocol(&mytcp_ip_protocol, IPPROTO_MYTCP);
}
