// SPDX-License-Identifier: GPL-2.0
/*
 * Sending segments: building the header and its options, the checksum
 * over the IPv4 pseudo-header with protocol 253, the write queue (what is
 * sent, what waits for the window), SYN, FIN, ACK and RST, and segments
 * that belong to no socket (resets, TIME-WAIT acknowledgments).
 */
#include <linux/skbuff.h>
#include <asm/unaligned.h>
#include <net/checksum.h>
#include <net/inet_common.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/mytcp.h>
#include "trace.h"

/**
 * mytcp_mss_for_mtu() - the MSS that fits a path MTU
 * @mtu: the path MTU
 *
 * Return: MTU less the IPv4 and mytcp headers, at least MYTCP_MIN_MSS.
 */
u16 mytcp_mss_for_mtu(unsigned int mtu)
{
	int mss = (int)mtu - (int)sizeof(struct iphdr) - (int)MYTCP_HDR_LEN;

	return clamp(mss, MYTCP_MIN_MSS, 65535 - 40);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_mss_for_mtu);

/**
 * mytcp_write_syn_options() - the options of a SYN or SYN-ACK
 * @p: where to write, MYTCP_MAX_OPT_LEN bytes
 * @mss: the MSS to announce
 * @wscale: the window scale to announce, or -1 for none
 * @sack: announce SACK-permitted
 * @ts: TSval and TSecr of a timestamp option, or NULL for none
 *
 * The layouts of TCP's SYN: MSS, then SACK-permitted and the timestamp
 * option in one aligned run (or NOP, NOP before either alone), then NOP
 * and window scale.
 *
 * Return: the length written, a multiple of 4.
 */
unsigned int mytcp_write_syn_options(u8 *p, u16 mss, int wscale, bool sack,
				     const u32 *ts)
{
	unsigned int len = 0;

	p[len++] = MYTCPOPT_MSS;
	p[len++] = 4;
	p[len++] = mss >> 8;
	p[len++] = mss & 0xff;
	if (sack && ts) {
		p[len++] = MYTCPOPT_SACK_PERM;
		p[len++] = 2;
		p[len++] = MYTCPOPT_TIMESTAMP;
		p[len++] = MYTCPOLEN_TIMESTAMP;
		put_unaligned_be32(ts[0], p + len);
		put_unaligned_be32(ts[1], p + len + 4);
		len += 8;
	} else if (ts) {
		len += mytcp_write_ts_option(p + len, ts[0], ts[1]);
	} else if (sack) {
		p[len++] = MYTCPOPT_NOP;
		p[len++] = MYTCPOPT_NOP;
		p[len++] = MYTCPOPT_SACK_PERM;
		p[len++] = 2;
	}
	if (wscale >= 0) {
		p[len++] = MYTCPOPT_NOP;
		p[len++] = MYTCPOPT_WSCALE;
		p[len++] = 3;
		p[len++] = wscale;
	}
	return len;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_write_syn_options);

/**
 * mytcp_write_sack_option() - a SACK option (RFC 2018 3)
 * @p: where to write, 4 + 8 * @n bytes
 * @blocks: the blocks, the first one the most recent
 * @n: how many, at most MYTCP_MAX_SACK_BLOCKS
 *
 * Two NOPs align the blocks, as TCP sends them.
 *
 * Return: the length written, a multiple of 4.
 */
unsigned int mytcp_write_sack_option(u8 *p, const struct mytcp_sack_block *blocks,
				     unsigned int n)
{
	unsigned int i, len = 0;

	if (!n)
		return 0;
	p[len++] = MYTCPOPT_NOP;
	p[len++] = MYTCPOPT_NOP;
	p[len++] = MYTCPOPT_SACK;
	p[len++] = 2 + 8 * n;
	for (i = 0; i < n; i++) {
		put_unaligned_be32(blocks[i].start, p + len);
		put_unaligned_be32(blocks[i].end, p + len + 4);
		len += 8;
	}
	return len;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_write_sack_option);

/**
 * mytcp_walk_options() - walk the options of a received segment
 * @skb: the segment, its transport header set
 * @fn: called with the kind, size and start of each well-formed option
 * @arg: passed to @fn
 *
 * A malformed option ends the walk.
 */
void mytcp_walk_options(const struct sk_buff *skb,
			void (*fn)(int kind, int size, const u8 *p, void *arg),
			void *arg)
{
	const struct tcphdr *th = tcp_hdr(skb);
	const u8 *p = (const u8 *)(th + 1);
	int len = th->doff * 4 - MYTCP_HDR_LEN;

	while (len > 0) {
		int kind = *p, size;

		if (kind == MYTCPOPT_EOL)
			return;
		if (kind == MYTCPOPT_NOP) {
			p++;
			len--;
			continue;
		}
		if (len < 2)
			return;
		size = p[1];
		if (size < 2 || size > len)
			return;
		fn(kind, size, p, arg);
		p += size;
		len -= size;
	}
}

static void mytcp_take_syn_option(int kind, int size, const u8 *p, void *arg)
{
	struct mytcp_options *opt = arg;

	if (kind == MYTCPOPT_MSS && size == 4)
		opt->mss = get_unaligned_be16(p + 2);
	if (kind == MYTCPOPT_WSCALE && size == 3) {
		opt->wscale = min_t(u8, p[2], MYTCP_MAX_WSCALE);
		opt->wscale_ok = 1;
	}
	if (kind == MYTCPOPT_SACK_PERM && size == 2)
		opt->sack_ok = 1;
	if (kind == MYTCPOPT_TIMESTAMP && size == MYTCPOLEN_TIMESTAMP) {
		opt->ts_ok = 1;
		opt->tsval = get_unaligned_be32(p + 2);
		opt->tsecr = get_unaligned_be32(p + 6);
	}
}

/**
 * mytcp_parse_options() - read the options of a SYN or SYN-ACK
 * @skb: a received segment, its header pulled in
 * @opt: filled in; fields stay zero for options that are absent
 *
 * MSS, window scale, SACK-permitted and timestamps.  Malformed options
 * end the parse; what was read before stands.
 */
void mytcp_parse_options(const struct sk_buff *skb, struct mytcp_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	mytcp_walk_options(skb, mytcp_take_syn_option, opt);
}

struct mytcp_sack_parse {
	struct mytcp_sack_block	*blocks;
	int			n;
};

static void mytcp_take_sack_option(int kind, int size, const u8 *p, void *arg)
{
	struct mytcp_sack_parse *sp = arg;
	int i;

	if (kind != MYTCPOPT_SACK || (size - 2) % 8 || sp->n)
		return;
	for (i = 0; i < (size - 2) / 8 && i < MYTCP_MAX_SACK_BLOCKS; i++) {
		sp->blocks[i].start = get_unaligned_be32(p + 2 + 8 * i);
		sp->blocks[i].end = get_unaligned_be32(p + 6 + 8 * i);
	}
	sp->n = i;
}

/**
 * mytcp_parse_sack() - the SACK blocks of a received segment
 * @skb: the segment, its header pulled in
 * @blocks: room for MYTCP_MAX_SACK_BLOCKS blocks
 *
 * The first SACK option counts; a malformed one is ignored.
 *
 * Return: how many blocks were read.
 */
int mytcp_parse_sack(const struct sk_buff *skb, struct mytcp_sack_block *blocks)
{
	struct mytcp_sack_parse sp = { .blocks = blocks };

	mytcp_walk_options(skb, mytcp_take_sack_option, &sp);
	return sp.n;
}

/* Fill in the header pushed on @skb; the checksum is left to the caller. */
static void mytcp_fill_fields(struct sk_buff *skb, __be16 sport, __be16 dport,
			      u32 seq, u32 ack, u8 flags, u16 window,
			      unsigned int hdrlen)
{
	struct tcphdr *th = tcp_hdr(skb);

	th->source = sport;
	th->dest = dport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	*(((__be16 *)th) + 6) = htons(((hdrlen >> 2) << 12) | flags);
	th->window = htons(window);
	th->check = 0;
	th->urg_ptr = 0;
}

/* Fill in the header pushed on a linear @skb and its checksum. */
static void mytcp_fill_header(struct sk_buff *skb, __be32 saddr, __be32 daddr,
			      __be16 sport, __be16 dport, u32 seq, u32 ack,
			      u8 flags, u16 window, unsigned int hdrlen)
{
	struct tcphdr *th = tcp_hdr(skb);

	mytcp_fill_fields(skb, sport, dport, seq, ack, flags, window, hdrlen);
	skb->ip_summed = CHECKSUM_NONE;
	th->check = csum_tcpudp_magic(saddr, daddr, skb->len, IPPROTO_MYTCP,
				      csum_partial(th, skb->len, 0));
}

/*
 * Whether the route's device checksums any protocol.  Not sk_route_caps:
 * sk_setup_caps() adds NETIF_F_HW_CSUM there for every socket that can
 * use software GSO, and a device that only sums TCP and UDP
 * (NETIF_F_IP_CSUM) would then be handed protocol 253 to sum.
 */
static bool mytcp_dev_sums_any(struct sock *sk)
{
	const struct dst_entry *dst = __sk_dst_get(sk);

	return dst && dst->dev && (dst->dev->features & NETIF_F_HW_CSUM);
}

/*
 * The checksum of a segment of the write queue, whose payload may sit in
 * page fragments.  A device that checksums any protocol (NETIF_F_HW_CSUM,
 * as lo and veth) finishes it from the pseudo-header sum left in the
 * field (CHECKSUM_PARTIAL; should the route change meanwhile, the IP
 * layer's skb_checksum_help() does it).  So does a GSO packet, whatever
 * the device: the sum then covers the whole packet, and the GSO callback
 * (offload.c) sums each segment it cuts.  For any other device it is done
 * here.
 */
static void mytcp_set_checksum(struct sock *sk, struct sk_buff *skb)
{
	struct inet_sock *inet = inet_sk(sk);
	struct tcphdr *th = tcp_hdr(skb);
	__wsum csum;

	if (skb_is_gso(skb) || mytcp_dev_sums_any(sk)) {
		th->check = ~csum_tcpudp_magic(inet->inet_saddr, inet->inet_daddr,
					       skb->len, IPPROTO_MYTCP, 0);
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = skb_transport_header(skb) - skb->head;
		skb->csum_offset = offsetof(struct tcphdr, check);
		return;
	}
	skb->ip_summed = CHECKSUM_NONE;
	csum = skb_checksum(skb, 0, skb->len, 0);
	th->check = csum_tcpudp_magic(inet->inet_saddr, inet->inet_daddr,
				      skb->len, IPPROTO_MYTCP, csum);
}

/**
 * mytcp_send_bare() - send a segment that belongs to no socket
 * @net: the namespace
 * @saddr: source address
 * @daddr: destination address
 * @sport: source port
 * @dport: destination port
 * @seq: sequence number
 * @ack: acknowledgment number
 * @flags: MYTCPHDR_* flags
 * @window: window field
 * @opts: options, or NULL
 * @optlen: their length, a multiple of 4
 *
 * Used for resets, SYN-ACKs of half-open entries and the acknowledgments
 * of TIME-WAIT entries; sent through the namespace's control socket.
 *
 * Return: 0 or a negative errno.
 */
int mytcp_send_bare(struct net *net, __be32 saddr, __be32 daddr,
		    __be16 sport, __be16 dport, u32 seq, u32 ack, u8 flags,
		    u16 window, const u8 *opts, unsigned int optlen)
{
	struct sock *ctl = mytcp_net(net)->ctl_sk;
	unsigned int hdrlen = MYTCP_HDR_LEN + optlen;
	struct sk_buff *skb;
	struct flowi4 fl4;
	struct rtable *rt;

	skb = alloc_skb(MYTCP_HEADROOM, GFP_ATOMIC);
	if (!skb)
		return -ENOBUFS;
	skb_reserve(skb, MYTCP_HEADROOM);
	skb_push(skb, hdrlen);
	skb_reset_transport_header(skb);
	if (optlen)
		memcpy(skb->data + MYTCP_HDR_LEN, opts, optlen);
	mytcp_fill_header(skb, saddr, daddr, sport, dport, seq, ack, flags,
			  window, hdrlen);
	trace_mytcp_segment_send(net, tcp_hdr(skb), saddr, daddr, 0);

	flowi4_init_output(&fl4, 0, 0, 0, RT_SCOPE_UNIVERSE, IPPROTO_MYTCP, 0,
			   daddr, saddr, dport, sport, sock_net_uid(net, NULL));
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt)) {
		kfree_skb(skb);
		return PTR_ERR(rt);
	}
	skb_dst_set(skb, &rt->dst);
	mytcp_inc_stats(net, MYTCP_MIB_OUTSEGS);
	if (flags & MYTCPHDR_RST) {
		mytcp_inc_stats(net, MYTCP_MIB_OUTRSTS);
		trace_mytcp_send_reset(net, saddr, daddr, sport, dport, seq, ack);
	}
	return ip_build_and_send_pkt(skb, ctl, saddr, daddr, NULL, 0);
}

/**
 * mytcp_send_reset_reply() - answer a segment nobody takes with a RST
 * @net: the namespace
 * @skb: the segment; never a RST itself
 *
 * RFC 9293 3.10.7.1: if the segment has an ACK, the reset takes its
 * sequence number from it; otherwise the reset has sequence 0 and
 * acknowledges everything the segment occupied.
 */
void mytcp_send_reset_reply(struct net *net, struct sk_buff *skb)
{
	const struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);

	if (cb->flags & MYTCPHDR_RST)
		return;
	if (cb->flags & MYTCPHDR_ACK)
		mytcp_send_bare(net, iph->daddr, iph->saddr, th->dest, th->source,
				cb->ack_seq, 0, MYTCPHDR_RST, 0, NULL, 0);
	else
		mytcp_send_bare(net, iph->daddr, iph->saddr, th->dest, th->source,
				0, cb->end_seq, MYTCPHDR_RST | MYTCPHDR_ACK, 0,
				NULL, 0);
}

/**
 * mytcp_space_window() - the payload that buffer space holds
 * @space: bytes of receive buffer
 * @ratio: payload per 256 bytes of buffer (truesize), 0: unknown
 * @wscale: our window scale
 *
 * Return: the window, at most what the scaled field can say.
 */
u32 mytcp_space_window(u32 space, u8 ratio, u8 wscale)
{
	u32 win = (u32)(((u64)space * (ratio ? : 128)) >> 8);

	return min_t(u32, win, MYTCP_MAX_WINDOW << wscale);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_space_window);

/**
 * mytcp_next_rcv_ratio() - payload per 256 bytes of buffer, after a segment
 * @old: the ratio so far, 0: none yet
 * @len: the payload the segment brought
 * @truesize: the buffer it costs
 *
 * A segment that holds less payload per byte of buffer than the ratio
 * says lowers it at once: the window must not promise more than the
 * buffer holds.  One that holds more raises it by an eighth of the
 * difference, so that a large GSO packet does not open the window for
 * the smaller packets that follow it.
 *
 * Return: the new ratio, 16 to 255.
 */
u8 mytcp_next_rcv_ratio(u8 old, u32 len, u32 truesize)
{
	u32 now = clamp_t(u32, ((u64)len << 8) / max(truesize, 1U), 16, 255);

	if (!old || now <= old)
		return now;
	return old + DIV_ROUND_UP(now - old, 8);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_next_rcv_ratio);

/**
 * mytcp_rcv_wnd_clamp() - the largest window the buffer could offer
 * @sk: the socket
 *
 * Return: bytes.
 */
u32 mytcp_rcv_wnd_clamp(const struct sock *sk)
{
	const struct mytcp_sock *msk = mytcp_sk(sk);

	return mytcp_space_window(max(READ_ONCE(sk->sk_rcvbuf), 0),
				  msk->rcv_ratio, msk->rcv_wscale);
}

/**
 * mytcp_free_window() - the window the free receive buffer allows
 * @sk: the socket
 *
 * Receiver silly window avoidance (RFC 9293 3.8.6.2.2, Linux's
 * __tcp_select_window()): while less than half the buffer is free, a
 * window smaller than a segment is offered as zero, so that the peer
 * waits for a useful one instead of sending slivers.  Under memory
 * pressure it offers at most four segments, as TCP's rcv_ssthresh.
 *
 * Return: bytes, rounded down to what the scaled field can say.
 */
u32 mytcp_free_window(const struct sock *sk)
{
	const struct mytcp_sock *msk = mytcp_sk(sk);
	int space = READ_ONCE(sk->sk_rcvbuf) - atomic_read(&sk->sk_rmem_alloc);
	u32 full = mytcp_rcv_wnd_clamp(sk);
	u32 mss = min_t(u32, msk->rcv_mss ? : msk->advmss, full);
	u32 win;

	win = mytcp_space_window(max(space, 0), msk->rcv_ratio, msk->rcv_wscale);
	if (mytcp_under_memory_pressure())
		win = min(win, 4 * mss);
	if (win < full / 2 && win < mss)
		return 0;
	return win & ~((1U << msk->rcv_wscale) - 1);
}

/**
 * mytcp_select_window() - the window field to advertise now
 * @sk: the socket
 *
 * The free receive buffer, never less than what was already offered
 * (RFC 9293 3.8.6.2.1: the window must not shrink), scaled down.
 *
 * Return: the value of the window field.
 */
u16 mytcp_select_window(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	u32 offered = mytcp_rcv_wnd_left(msk);
	u32 win = mytcp_free_window(sk);

	/* Keep the right edge: round what is left up, as the field needs. */
	if (win < offered)
		win = min_t(u32, ALIGN(offered, 1U << msk->rcv_wscale),
			    MYTCP_MAX_WINDOW << msk->rcv_wscale);
	msk->rcv_wnd = win;
	msk->rcv_wup = msk->rcv_nxt;
	return win >> msk->rcv_wscale;
}

/* Does our SYN (or SYN-ACK of a simultaneous open) offer SACK? */
static bool mytcp_syn_sack_ok(const struct sock *sk)
{
	if (sk->sk_state == MYTCP_SYN_SENT)
		return READ_ONCE(mytcp_net(sock_net(sk))->sysctl_sack);
	return mytcp_sk(sk)->sack_ok;
}

/*
 * The SACK blocks of the out-of-order queue, as many as @room bytes of
 * options hold (RFC 2018 4), written at @p.  Return: their length.
 */
static unsigned int mytcp_sack_options(struct sock *sk, u8 *p, unsigned int room)
{
	struct mytcp_sack_block blocks[MYTCP_MAX_SACK_BLOCKS];
	struct mytcp_sock *msk = mytcp_sk(sk);
	unsigned int n;

	if (!msk->sack_ok || RB_EMPTY_ROOT(&msk->ofo_root) || room < 12)
		return 0;
	n = mytcp_ofo_sack_blocks(sk, blocks,
				  min_t(unsigned int, (room - 4) / 8,
					MYTCP_MAX_SACK_BLOCKS));
	return mytcp_write_sack_option(p, blocks, n);
}

/*
 * Fill in the header pushed on @copy, a copy of queued segments, and
 * hand it to IP: the window and ACK it carries, and its checksum.
 */
static int mytcp_send_copy(struct sock *sk, struct sk_buff *copy, u32 seq,
			   u8 flags, unsigned int hdrlen)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	u16 window;

	if (sk->sk_state != MYTCP_SYN_SENT)
		flags |= MYTCPHDR_ACK;
	/* A SYN's window is never scaled (RFC 7323 2.2). */
	window = mytcp_select_window(sk);
	if (flags & MYTCPHDR_SYN)
		window = min_t(u32, msk->rcv_wnd, MYTCP_MAX_WINDOW);
	mytcp_fill_fields(copy, inet->inet_sport, inet->inet_dport, seq,
			  msk->rcv_nxt, flags, window, hdrlen);
	mytcp_set_checksum(sk, copy);
	trace_mytcp_segment_send(sock_net(sk), tcp_hdr(copy), inet->inet_saddr,
				 inet->inet_daddr, copy->len - hdrlen);
	/* receiver: the segment carries the ACK owed, maybe a reply */
	if (flags & MYTCPHDR_ACK)
		mytcp_ack_sent(sk);
	if (copy->len > hdrlen)
		mytcp_note_data_out(sk);
	skb_set_owner_w(copy, sk);
	return ip_queue_xmit(sk, copy, &inet->cork.fl);
}

/* A segment of the write queue goes out now: when, and what it counts. */
static void mytcp_stamp_segment(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	cb->when = jiffies;
	cb->tx = ++msk->sack.tx_count;
	/* As TCP, OutSegs leaves out retransmissions: RetransSegs has them. */
	if (!mytcp_seq_before(cb->seq, msk->snd_nxt))
		mytcp_inc_stats(sock_net(sk), MYTCP_MIB_OUTSEGS);
	else
		cb->retrans = 1;	/* Karn: its ACK measures nothing */
}

/**
 * mytcp_transmit_skb() - send (a copy of) a segment of the write queue
 * @sk: the socket, locked
 * @skb: the segment; it stays on the queue for retransmission
 *
 * Return: 0 or a negative errno from the IP layer.
 */
int mytcp_transmit_skb(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	u8 opts[MYTCP_MAX_OPT_LEN];
	unsigned int optlen = 0, hdrlen;
	struct sk_buff *copy;

	if (cb->flags & MYTCPHDR_SYN) {
		u32 ts[2] = { mytcp_ts_clock() + msk->ts_offset, msk->ts_recent };

		optlen = mytcp_write_syn_options(opts, msk->advmss,
						 msk->rcv_wscale,
						 mytcp_syn_sack_ok(sk),
						 msk->ts_ok ? ts : NULL);
	} else {
		/* mss_cache leaves room for the timestamp option already. */
		optlen = mytcp_sock_ts_option(msk, opts);
		if (skb->len < msk->mss_cache)
			optlen += mytcp_sack_options(sk, opts + optlen,
						     min_t(u32, MYTCP_MAX_OPT_LEN - optlen,
							   msk->mss_cache - skb->len));
	}
	hdrlen = MYTCP_HDR_LEN + optlen;

	/* A copy still in flight from the last send shares our headroom. */
	if (skb_cloned(skb))
		copy = pskb_copy(skb, GFP_ATOMIC);
	else
		copy = skb_clone(skb, GFP_ATOMIC);
	if (!copy)
		return -ENOBUFS;
	mytcp_stamp_segment(sk, skb);

	memset(copy->cb, 0, sizeof(copy->cb));
	skb_push(copy, hdrlen);
	skb_reset_transport_header(copy);
	if (optlen)
		memcpy(copy->data + MYTCP_HDR_LEN, opts, optlen);
	return mytcp_send_copy(sk, copy, cb->seq, cb->flags, hdrlen);
}

/**
 * mytcp_send_ack() - send a bare ACK for what has been received
 * @sk: the socket, locked
 */
void mytcp_send_ack(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	u8 opts[MYTCP_MAX_OPT_LEN];
	unsigned int hdrlen, optlen;
	struct sk_buff *skb;

	if (sk->sk_state == MYTCP_CLOSE || sk->sk_state == MYTCP_LISTEN)
		return;
	optlen = mytcp_sock_ts_option(msk, opts);
	optlen += mytcp_sack_options(sk, opts + optlen, MYTCP_MAX_OPT_LEN - optlen);
	hdrlen = MYTCP_HDR_LEN + optlen;
	skb = alloc_skb(MYTCP_HEADROOM, GFP_ATOMIC);
	if (!skb)
		return;
	skb_reserve(skb, MYTCP_HEADROOM);
	skb_push(skb, hdrlen);
	skb_reset_transport_header(skb);
	memcpy(skb->data + MYTCP_HDR_LEN, opts, hdrlen - MYTCP_HDR_LEN);
	mytcp_fill_header(skb, inet->inet_saddr, inet->inet_daddr,
			  inet->inet_sport, inet->inet_dport, msk->snd_nxt,
			  msk->rcv_nxt, MYTCPHDR_ACK, mytcp_select_window(sk),
			  hdrlen);
	trace_mytcp_segment_send(sock_net(sk), tcp_hdr(skb), inet->inet_saddr,
				 inet->inet_daddr, 0);
	mytcp_ack_sent(sk);
	skb_set_owner_w(skb, sk);
	mytcp_inc_stats(sock_net(sk), MYTCP_MIB_OUTSEGS);
	ip_queue_xmit(sk, skb, &inet->cork.fl);
}

/**
 * mytcp_send_active_reset() - abort the connection towards the peer
 * @sk: the socket, locked, in a synchronized state
 *
 * RFC 9293 asks for <SEQ=SND.NXT><CTL=RST>; like TCP, the reset also
 * acknowledges what was received.
 */
void mytcp_send_active_reset(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);

	mytcp_send_bare(sock_net(sk), inet->inet_saddr, inet->inet_daddr,
			inet->inet_sport, inet->inet_dport, msk->snd_nxt,
			msk->rcv_nxt, MYTCPHDR_RST | MYTCPHDR_ACK, 0, NULL, 0);
}

/* Append a segment occupying @flags' sequence space to the write queue. */
static int mytcp_queue_control(struct sock *sk, u8 flags)
{
	struct sk_buff *skb = mytcp_queue_segment(sk, 0, flags);

	if (!skb)
		return -ENOBUFS;
	MYTCP_SKB_CB(skb)->end_seq++;
	mytcp_sk(sk)->write_seq++;
	return 0;
}

/**
 * mytcp_send_syn() - queue and send the SYN of an active open
 * @sk: the socket, locked, in SYN-SENT, with iss chosen
 *
 * Return: 0 or -ENOBUFS.
 */
int mytcp_send_syn(struct sock *sk)
{
	int err = mytcp_queue_control(sk, MYTCPHDR_SYN);

	if (!err)
		mytcp_push_pending(sk);
	return err;
}

/**
 * mytcp_send_fin() - queue a FIN after all data and send what can be sent
 * @sk: the socket, locked
 *
 * The FIN rides on the last data segment when that one was never sent.
 */
void mytcp_send_fin(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct sk_buff *tail = skb_peek_tail(&sk->sk_write_queue);

	if (msk->fin_queued)
		return;
	msk->fin_queued = 1;
	if (tail && msk->send_head && tail->len &&
	    !(MYTCP_SKB_CB(tail)->flags & (MYTCPHDR_SYN | MYTCPHDR_FIN))) {
		MYTCP_SKB_CB(tail)->flags |= MYTCPHDR_FIN;
		MYTCP_SKB_CB(tail)->end_seq++;
		msk->write_seq++;
	} else if (mytcp_queue_control(sk, MYTCPHDR_FIN)) {
		/* No memory for even a FIN: abort rather than hang. */
		msk->fin_queued = 0;
		return;
	}
	mytcp_push_pending(sk);
}

/* A segment for the write queue with room for @size bytes of payload. */
static struct sk_buff *mytcp_alloc_segment(struct sock *sk, unsigned int size,
					   gfp_t gfp)
{
	struct sk_buff *skb = size ? NULL : mytcp_take_spare(sk);

	if (!skb) {
		skb = alloc_skb(MYTCP_HEADROOM + size, gfp);
		if (!skb)
			return NULL;
		skb_reserve(skb, MYTCP_HEADROOM);
	}
	/* Copies need no running sum: mytcp_set_checksum() does it. */
	skb->ip_summed = CHECKSUM_PARTIAL;
	mytcp_charge_wqueue(sk, skb);
	return skb;
}

/**
 * mytcp_queue_segment() - append an empty segment to the write queue
 * @sk: the socket, locked
 * @size: room for payload in its linear part (data sent by the user goes
 *        into page fragments instead)
 * @flags: MYTCPHDR_* flags it will carry
 *
 * The segment starts at write_seq and occupies nothing yet.
 *
 * Return: the segment, or NULL without memory.
 */
struct sk_buff *mytcp_queue_segment(struct sock *sk, unsigned int size, u8 flags)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct sk_buff *skb;

	skb = mytcp_alloc_segment(sk, size, sk->sk_allocation);
	if (!skb)
		return NULL;
	MYTCP_SKB_CB(skb)->seq = msk->write_seq;
	MYTCP_SKB_CB(skb)->end_seq = msk->write_seq;
	MYTCP_SKB_CB(skb)->flags = flags;
	__skb_queue_tail(&sk->sk_write_queue, skb);
	if (!msk->send_head)
		msk->send_head = skb;
	return skb;
}

/*
 * Cut the first @len bytes of a never-sent segment off into their own;
 * the page fragments beyond @len move to the new segment with the truesize
 * they were charged.
 */
static int mytcp_split_segment(struct sock *sk, struct sk_buff *skb, u32 len)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb), *ncb;
	u32 head = skb_headlen(skb) > len ? skb_headlen(skb) - len : 0;
	struct sk_buff *tail;
	u32 moved;

	tail = mytcp_alloc_segment(sk, head, GFP_ATOMIC);
	if (!tail)
		return -ENOBUFS;
	skb_split(skb, tail, len);
	moved = tail->data_len;
	skb->truesize -= moved;
	tail->truesize += moved;
	ncb = MYTCP_SKB_CB(tail);
	ncb->seq = cb->seq + len;
	ncb->end_seq = cb->end_seq;
	ncb->flags = cb->flags;		/* FIN and PSH stay at the end */
	cb->flags &= ~(MYTCPHDR_FIN | MYTCPHDR_PSH);
	cb->end_seq = ncb->seq;
	__skb_queue_after(&sk->sk_write_queue, skb, tail);
	return 0;
}

/**
 * mytcp_sendable() - how much of a segment the peer's window lets go now
 * @msk: the socket
 * @skb: the first unsent segment
 *
 * All of it when it fits the window; a window's worth when that is at
 * least half the largest window the peer offered or nothing is in flight
 * (sender-side silly window avoidance, RFC 9293 3.8.6.2.1); else nothing.
 * SYN and a bare FIN (no payload) go regardless of the window.
 *
 * Return: bytes of payload; for a segment without payload, 0.
 */
u32 mytcp_sendable(const struct mytcp_sock *msk, const struct sk_buff *skb)
{
	u32 limit = msk->snd_una + msk->snd_wnd;
	u32 seq = MYTCP_SKB_CB(skb)->seq;
	u32 usable;

	if (!skb->len || !mytcp_seq_after(seq + skb->len, limit))
		return skb->len;
	if (!mytcp_seq_after(limit, seq))
		return 0;
	usable = limit - seq;
	if (usable >= msk->max_window / 2 || msk->snd_una == msk->snd_nxt)
		return usable;
	return 0;
}

/*
 * Nagle's algorithm as TCP has it (RFC 896 with Minshall's change): the
 * last, sub-MSS segment waits while an earlier small segment is still
 * unacknowledged, unless MYTCP_NODELAY is set or it carries a FIN.
 */
static bool mytcp_nagle_holds(struct sock *sk, const struct sk_buff *skb)
{
	const struct mytcp_sock *msk = mytcp_sk(sk);

	if (msk->nodelay || skb->len >= msk->mss_cache ||
	    (MYTCP_SKB_CB(skb)->flags & (MYTCPHDR_FIN | MYTCPHDR_SYN)) ||
	    !skb_queue_is_last(&sk->sk_write_queue, skb))
		return false;
	return msk->packets_out && mytcp_seq_after(msk->snd_sml, msk->snd_una);
}

/* May the segment at send_head go now, as far as cwnd and Nagle go? */
static bool mytcp_cwnd_allows(struct sock *sk, const struct sk_buff *skb)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (MYTCP_SKB_CB(skb)->flags & MYTCPHDR_SYN)
		return true;
	/* After a timeout, what was lost goes before anything new. */
	if (!msk->sack_ok && msk->ca_state == MYTCP_CA_LOSS &&
	    mytcp_seq_before(msk->rtx_next, msk->recover))
		return false;
	/* With SACK, what the peer SACKed left the network (RFC 6675). */
	if (msk->sack_ok)
		return mytcp_sack_pipe(&msk->sack, msk->packets_out) < msk->snd_cwnd;
	return mytcp_in_flight(sk) < msk->snd_cwnd;
}

/* Book-keeping of a segment sent for the first time. */
static void mytcp_sent_new(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	if (mytcp_seq_after(cb->end_seq, msk->snd_nxt))
		msk->snd_nxt = cb->end_seq;
	if (skb->len < msk->mss_cache)
		msk->snd_sml = cb->end_seq;
	msk->send_head = skb_queue_is_last(&sk->sk_write_queue, skb) ?
			 NULL : skb->next;
	/* The first in flight starts the timer; a probe timer ends. */
	if (!msk->packets_out++) {
		msk->backoff = 0;
		msk->probes_stamp = 0;
		msk->tlp_out = 0;
		mytcp_arm_rtx_timer(sk);
	}
	msk->lsndtime = jiffies;
}

/*
 * Full-sized segments that go together, gathered into one GSO packet
 * (offload.c) while push_pending walks the queue: the IP layer and the
 * device then see one packet, not one per segment.
 */
struct mytcp_run {
	struct sk_buff	*skb;		/* the packet being built, or NULL */
	struct sk_buff	*first;		/* its first segment on the queue */
	u32		snd_nxt;	/* snd_nxt before the run */
	u16		segs;
	u8		flags;		/* PSH, FIN of its last segment */
};

/* Does @skb end its run: shorter than the MSS, or with PSH or FIN? */
static bool mytcp_run_ends(struct sock *sk, const struct sk_buff *skb)
{
	return skb->len != mytcp_sk(sk)->mss_cache ||
	       (MYTCP_SKB_CB(skb)->flags & (MYTCPHDR_PSH | MYTCPHDR_FIN));
}

/*
 * May @skb go in a run: a data segment all in fragments, full-sized, or
 * shorter or with FIN to end a run (GSO cuts gso_size pieces, the last
 * one what is left).  A segment that ends a run goes alone when it should
 * carry SACK blocks.
 */
static bool mytcp_run_fits(struct sock *sk, const struct mytcp_run *run,
			   const struct sk_buff *skb)
{
	const struct mytcp_sock *msk = mytcp_sk(sk);

	if (!sk_can_gso(sk) || !skb->len || skb_headlen(skb) ||
	    (MYTCP_SKB_CB(skb)->flags & ~(MYTCPHDR_PSH | MYTCPHDR_FIN)))
		return false;
	if (!mytcp_run_ends(sk, skb))
		return true;
	return run->skb && (!msk->sack_ok || RB_EMPTY_ROOT(&msk->ofo_root));
}

/* The run's segments were not sent after all: they wait again. */
static void mytcp_unsend_run(struct sock *sk, const struct mytcp_run *run)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	msk->send_head = run->first;
	msk->snd_nxt = run->snd_nxt;
	msk->packets_out -= run->segs;
}

/*
 * Send the run built so far, as one segment or as a GSO packet.  Should
 * IP refuse it (a negative errno, or NET_XMIT_DROP from the device), its
 * segments wait at send_head again, as a refused single segment does.
 * Return: 0 or a negative errno.
 */
static int mytcp_flush_run(struct sock *sk, struct mytcp_run *run)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct sk_buff *skb = run->skb;
	unsigned int hdrlen;
	int err;

	if (!skb)
		return 0;
	run->skb = NULL;
	if (run->segs > 1)
		mytcp_gso_mark(skb, msk->mss_cache, run->segs);
	hdrlen = MYTCP_HDR_LEN + (msk->ts_ok ? MYTCP_TS_LEN : 0);
	skb_push(skb, hdrlen);
	skb_reset_transport_header(skb);
	mytcp_sock_ts_option(msk, skb->data + MYTCP_HDR_LEN);
	err = mytcp_send_copy(sk, skb, MYTCP_SKB_CB(run->first)->seq,
			      run->flags, hdrlen);
	err = net_xmit_eval(err);
	if (!err)
		return 0;
	mytcp_unsend_run(sk, run);
	return err < 0 ? err : -ENOBUFS;
}

/* A new run, starting with @skb.  Return: false without memory. */
static bool mytcp_start_run(struct sock *sk, struct mytcp_run *run,
			    struct sk_buff *skb)
{
	unsigned int room = MYTCP_HEADROOM;

	run->skb = alloc_skb(room, GFP_ATOMIC);
	if (!run->skb)
		return false;
	skb_reserve(run->skb, room);
	run->skb->ip_summed = CHECKSUM_PARTIAL;
	run->first = skb;
	run->snd_nxt = mytcp_sk(sk)->snd_nxt;
	run->segs = 0;
	return true;
}

/*
 * Put @skb, which may go now, in the run, sending the run first when it
 * is full, and after @skb when @skb ends it.  Return: 1 when it joined,
 * 0 when it must go alone, or the errno of a run that could not be sent.
 */
static int mytcp_join_run(struct sock *sk, struct mytcp_run *run,
			  struct sk_buff *skb)
{
	u8 flags = MYTCP_SKB_CB(skb)->flags;
	int err;

	if (!mytcp_run_fits(sk, run, skb))
		return 0;
	if (run->skb && (run->segs >= sk->sk_gso_max_segs ||
			 run->skb->len + skb->len > sk->sk_gso_max_size ||
			 !mytcp_gso_append(run->skb, skb))) {
		err = mytcp_flush_run(sk, run);
		if (err)
			return err;
	}
	if (!run->skb) {
		if (!mytcp_start_run(sk, run, skb))
			return 0;
		mytcp_gso_append(run->skb, skb);
	}
	run->segs++;
	run->flags = flags;
	mytcp_stamp_segment(sk, skb);
	mytcp_sent_new(sk, skb);
	if (mytcp_run_ends(sk, skb))
		return mytcp_flush_run(sk, run) ? : 1;
	return 1;
}

/**
 * mytcp_push_pending() - send the queued segments the windows allow
 * @sk: the socket, locked
 *
 * After a timeout, and in SACK recovery, first resends what was lost
 * (in order, as the window allows).  Then new segments go
 * while the peer's window, the congestion window and Nagle allow, full
 * ones together as GSO packets.  When data waits on a closed window with
 * nothing in flight, the timer becomes the persist timer and probes the
 * window.
 */
void mytcp_push_pending(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct mytcp_run run = { };
	struct sk_buff *skb;
	int joined;

	if (msk->ca_state == MYTCP_CA_LOSS ||
	    (msk->sack_ok && msk->ca_state == MYTCP_CA_RECOVERY))
		mytcp_resend_lost(sk);
	while ((skb = msk->send_head)) {
		u32 len = mytcp_sendable(msk, skb);

		/* SYN and a bare FIN go regardless of the window. */
		if (skb->len && !len)
			break;
		if (!mytcp_cwnd_allows(sk, skb) || mytcp_nagle_holds(sk, skb))
			break;
		if (!msk->packets_out && skb->len)
			mytcp_cwnd_restart(sk);
		if (len < skb->len && mytcp_split_segment(sk, skb, len))
			break;
		joined = mytcp_join_run(sk, &run, skb);
		if (joined < 0)
			break;
		if (joined)
			continue;
		if (mytcp_flush_run(sk, &run) || mytcp_transmit_skb(sk, skb))
			break;
		mytcp_sent_new(sk, skb);
	}
	mytcp_flush_run(sk, &run);
	/* Data waits on a closed window: the timer probes it. */
	if (msk->send_head && !timer_pending(&msk->rtx_timer))
		sk_reset_timer(sk, &msk->rtx_timer,
			       jiffies + max(msk->rto, mytcp_rto_min(sk)));
}

/**
 * mytcp_create_ctl_sock() - the namespace's socket for bare segments
 * @net: the namespace
 *
 * Return: 0 or a negative errno.
 */
int mytcp_create_ctl_sock(struct net *net)
{
	return inet_ctl_sock_create(&mytcp_net(net)->ctl_sk, PF_INET, SOCK_RAW,
				    IPPROTO_MYTCP, net);
}

/**
 * mytcp_destroy_ctl_sock() - release it
 * @net: the namespace
 */
void mytcp_destroy_ctl_sock(struct net *net)
{
	inet_ctl_sock_destroy(mytcp_net(net)->ctl_sk);
}
