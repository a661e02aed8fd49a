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

/* The payload the receive buffer's free space holds, uncapped. */
static u32 mytcp_space_left_window(const struct sock *sk)
{
	const struct mytcp_sock *msk = mytcp_sk(sk);
	int space = READ_ONCE(sk->sk_rcvbuf) - atomic_read(&sk->sk_rmem_alloc);

	return mytcp_space_window(max(space, 0), msk->rcv_ratio, msk->rcv_wscale);
}

/**
 * mytcp_next_rcv_ssthresh() - the window cap after in-order data arrived
 * @ssthresh: the cap so far
 * @cap: what it may grow to: the free buffer's window, at most the clamp
 * @len: the payload that arrived
 * @advmss: our MSS
 *
 * The cap grows by two of our segments or twice the payload, whichever
 * is more, so that the window a new connection offers opens about as
 * fast as the peer's congestion window: Linux's tcp_grow_window(), whose
 * truesize check mytcp's rcv_ratio already makes for every window.
 *
 * Return: the new cap, never more than @cap unless it was already.
 */
u32 mytcp_next_rcv_ssthresh(u32 ssthresh, u32 cap, u32 len, u32 advmss)
{
	if (ssthresh >= cap)
		return ssthresh;
	return ssthresh + min(cap - ssthresh, max(2 * advmss, 2 * len));
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_next_rcv_ssthresh);

/**
 * mytcp_grow_rcv_ssthresh() - in-order data arrived: the window may open
 * @sk: the socket, locked, the payload already queued and charged
 * @len: its length
 *
 * Small segments (under 128 bytes) and memory pressure leave the cap as
 * it is (tcp_event_data_recv()).  The cap grows at most to the window
 * the buffer has free with this payload in it: a request/response
 * connection's cap settles where one request leaves the buffer, so the
 * next request's ACK offers no smaller window and may go at once
 * (mytcp_ack_check()), while a bulk receiver's window follows its
 * buffer down as unread data fills it.
 */
void mytcp_grow_rcv_ssthresh(struct sock *sk, unsigned int len)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	u32 cap;

	if (len < 128 || mytcp_under_memory_pressure())
		return;
	cap = min(mytcp_rcv_wnd_clamp(sk), mytcp_space_left_window(sk));
	msk->rcv_ssthresh = mytcp_next_rcv_ssthresh(msk->rcv_ssthresh, cap, len,
						    msk->advmss);
}

/**
 * mytcp_free_window() - the window the free receive buffer allows
 * @sk: the socket
 *
 * Receiver silly window avoidance (RFC 9293 3.8.6.2.2, Linux's
 * __tcp_select_window()): while less than half the buffer is free, a
 * window smaller than a segment is offered as zero, so that the peer
 * waits for a useful one instead of sending slivers.  Otherwise the
 * window is at most rcv_ssthresh (mytcp_grow_rcv_ssthresh()), and under
 * memory pressure at most four segments.
 *
 * Return: bytes, rounded down to what the scaled field can say.
 */
u32 mytcp_free_window(const struct sock *sk)
{
	const struct mytcp_sock *msk = mytcp_sk(sk);
	u32 full = mytcp_rcv_wnd_clamp(sk);
	u32 mss = min_t(u32, msk->rcv_mss ? : msk->advmss, full);
	u32 win = mytcp_space_left_window(sk);

	if (win < full / 2 && win < mss)
		return 0;
	win = min(win, msk->rcv_ssthresh);
	if (mytcp_under_memory_pressure())
		win = min(win, 4 * mss);
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

/*
 * The segments @skb counts for (what it went as the first time, or what
 * the MSS cuts it into), and in *@size the payload of each one but the
 * last.  Never more than the MSS now: should the path MTU have fallen
 * since the first send, a resend is cut smaller (its count stays).
 */
static u32 mytcp_tx_segs(const struct mytcp_sock *msk, const struct sk_buff *skb,
			 u32 *size)
{
	const struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	*size = msk->mss_cache;
	if (cb->pcount) {
		*size = min_t(u32, cb->seg_size ? : *size, *size);
		return cb->pcount;
	}
	return max_t(u32, DIV_ROUND_UP(skb->len, *size), 1);
}

/* A buffer of the write queue goes out now: when, and what it counts. */
static void mytcp_stamp_segment(struct sock *sk, struct sk_buff *skb, u32 segs)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	cb->when = jiffies;
	/* The number of its last segment: later ones overtake from there. */
	msk->sack.tx_count += segs;
	cb->tx = msk->sack.tx_count;
	/* As TCP, OutSegs leaves out retransmissions: RetransSegs has them. */
	if (!mytcp_seq_before(cb->seq, msk->snd_nxt))
		SNMP_ADD_STATS(mytcp_net(sock_net(sk))->mib, MYTCP_MIB_OUTSEGS, segs);
	else
		cb->retrans = 1;	/* Karn: its ACK measures nothing */
}

/*
 * Make @copy a GSO packet of segments of @size, or a plain one when its
 * payload fits one: its shared info may be the write-queue buffer's (a
 * clone), holding what an earlier send set.
 */
static void mytcp_mark_copy(struct sk_buff *copy, u32 size)
{
	if (copy->len > size)
		mytcp_gso_mark(copy, size, DIV_ROUND_UP(copy->len, size));
	else
		skb_gso_reset(copy);
}

/**
 * mytcp_transmit_skb() - send (a copy of) a buffer of the write queue
 * @sk: the socket, locked
 * @skb: the buffer; it stays on the queue for retransmission
 *
 * A buffer longer than a segment goes as one GSO packet (offload.c cuts
 * it, in software or in the device).
 *
 * Return: 0, a negative errno, or what the IP layer returned
 * (net_xmit_eval() tells whether it left).
 */
int mytcp_transmit_skb(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	u8 opts[MYTCP_MAX_OPT_LEN];
	unsigned int optlen = 0, hdrlen;
	struct sk_buff *copy;
	u32 segs, size;

	segs = mytcp_tx_segs(msk, skb, &size);
	if (cb->flags & MYTCPHDR_SYN) {
		u32 ts[2] = { mytcp_ts_clock() + msk->ts_offset, msk->ts_recent };

		optlen = mytcp_write_syn_options(opts, msk->advmss,
						 msk->rcv_wscale,
						 mytcp_syn_sack_ok(sk),
						 msk->ts_ok ? ts : NULL);
	} else {
		/* mss_cache leaves room for the timestamp option already. */
		optlen = mytcp_sock_ts_option(msk, opts);
		if (segs == 1 && skb->len < msk->mss_cache)
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
	mytcp_stamp_segment(sk, skb, segs);

	memset(copy->cb, 0, sizeof(copy->cb));
	if (!(cb->flags & MYTCPHDR_SYN))
		mytcp_mark_copy(copy, size);
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

/**
 * mytcp_sendable() - how much of a buffer the peer's window lets go now
 * @msk: the socket
 * @skb: the first unsent buffer
 *
 * All of it when it fits the window.  Else, when at least its first
 * segment fits, the whole segments that fit (TCP's tcp_snd_wnd_test()
 * and tcp_mss_split_point()).  Else a window's worth when that is at
 * least half the largest window the peer offered or nothing is in flight
 * (sender-side silly window avoidance, RFC 9293 3.8.6.2.1); else
 * nothing.  SYN and a bare FIN (no payload) go regardless of the window.
 *
 * Return: bytes of payload; for a buffer without payload, 0.
 */
u32 mytcp_sendable(const struct mytcp_sock *msk, const struct sk_buff *skb)
{
	u32 limit = msk->snd_una + msk->snd_wnd;
	u32 seq = MYTCP_SKB_CB(skb)->seq;
	u32 mss = msk->mss_cache;
	u32 usable;

	if (!skb->len || !mytcp_seq_after(seq + skb->len, limit))
		return skb->len;
	if (!mytcp_seq_after(limit, seq))
		return 0;
	usable = limit - seq;
	if (usable >= mss)
		return usable - usable % mss;
	if (usable >= msk->max_window / 2 || msk->snd_una == msk->snd_nxt)
		return usable;
	return 0;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_sendable);

/*
 * Nagle's algorithm as TCP has it (RFC 896 with Minshall's change): a
 * sub-MSS segment at the end of the queue waits while an earlier small
 * segment is still unacknowledged, unless MYTCP_NODELAY is set or it
 * carries a FIN.  Would @skb's short last segment wait?
 */
static bool mytcp_nagle_holds(struct sock *sk, const struct sk_buff *skb)
{
	const struct mytcp_sock *msk = mytcp_sk(sk);

	if (msk->nodelay ||
	    (MYTCP_SKB_CB(skb)->flags & (MYTCPHDR_FIN | MYTCPHDR_SYN)) ||
	    !skb_queue_is_last(&sk->sk_write_queue, skb))
		return false;
	return msk->packets_out && mytcp_seq_after(msk->snd_sml, msk->snd_una);
}

/*
 * How many more segments the congestion window lets go: cwnd less what
 * is in flight.  A SYN goes regardless.
 */
static u32 mytcp_cwnd_quota(struct sock *sk, const struct sk_buff *skb)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	u32 in_flight;

	if (MYTCP_SKB_CB(skb)->flags & MYTCPHDR_SYN)
		return 1;
	/* After a timeout, what was lost goes before anything new. */
	if (!msk->sack_ok && msk->ca_state == MYTCP_CA_LOSS &&
	    mytcp_seq_before(msk->rtx_next, msk->recover))
		return 0;
	/* With SACK, what the peer SACKed left the network (RFC 6675). */
	if (msk->sack_ok)
		in_flight = mytcp_sack_pipe(&msk->sack, msk->packets_out);
	else
		in_flight = mytcp_in_flight(sk);
	return in_flight < msk->snd_cwnd ? msk->snd_cwnd - in_flight : 0;
}

/*
 * How much of @skb, the first unsent buffer, goes now: @len, what the
 * peer's window lets go (mytcp_sendable()), cut to @quota segments and
 * to one segment without GSO; and at the end of the queue, only its full
 * segments when Nagle holds its short last one (TCP's
 * tcp_mss_split_point()).
 */
static u32 mytcp_send_limit(struct sock *sk, const struct sk_buff *skb,
			    u32 len, u32 quota)
{
	u32 mss = mytcp_sk(sk)->mss_cache;
	u32 most = mss * min_t(u32, quota, sk_can_gso(sk) ? sk->sk_gso_max_segs : 1);

	if (len > most)
		return most;
	if (len == skb->len && len > mss && len % mss &&
	    mytcp_nagle_holds(sk, skb))
		return len - len % mss;
	return len;
}

/* Book-keeping of a buffer sent for the first time. */
static void mytcp_sent_new(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	u32 segs, size;

	segs = mytcp_tx_segs(msk, skb, &size);
	cb->pcount = segs;
	cb->seg_size = size;
	if (mytcp_seq_after(cb->end_seq, msk->snd_nxt))
		msk->snd_nxt = cb->end_seq;
	if (!skb->len || skb->len % msk->mss_cache)
		msk->snd_sml = cb->end_seq;
	msk->send_head = skb_queue_is_last(&sk->sk_write_queue, skb) ?
			 NULL : skb->next;
	msk->packets_out += segs;
	/* The first in flight starts the timer; a probe timer ends. */
	if (msk->packets_out == segs) {
		msk->backoff = 0;
		msk->probes_stamp = 0;
		msk->tlp_out = 0;
		mytcp_arm_rtx_timer(sk);
	}
	msk->lsndtime = jiffies;
}

/**
 * mytcp_push_pending() - send the queued data the windows allow
 * @sk: the socket, locked
 *
 * After a timeout, and in SACK recovery, first resends what was lost
 * (in order, as the window allows).  Then new data goes while the peer's
 * window, the congestion window and Nagle allow, each buffer as one GSO
 * packet, cut first to what may go.  A buffer IP refused (a negative
 * errno, or NET_XMIT_DROP from the device) waits at send_head again.
 * When data waits on a closed window with nothing in flight, the timer
 * becomes the persist timer and probes the window.
 */
void mytcp_push_pending(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct sk_buff *skb;
	u32 len, quota;
	int err;

	if (msk->ca_state == MYTCP_CA_LOSS ||
	    (msk->sack_ok && msk->ca_state == MYTCP_CA_RECOVERY))
		mytcp_resend_lost(sk);
	while ((skb = msk->send_head)) {
		len = mytcp_sendable(msk, skb);
		/* SYN and a bare FIN go regardless of the window. */
		if (skb->len && !len)
			break;
		quota = mytcp_cwnd_quota(sk, skb);
		if (!quota ||
		    (skb->len < msk->mss_cache && mytcp_nagle_holds(sk, skb)))
			break;
		if (!msk->packets_out && skb->len)
			mytcp_cwnd_restart(sk);
		len = mytcp_send_limit(sk, skb, len, quota);
		if (len < skb->len && mytcp_split_unsent(sk, skb, len))
			break;
		/* net_xmit_eval() reads its argument twice: call first. */
		err = mytcp_transmit_skb(sk, skb);
		if (net_xmit_eval(err))
			break;
		mytcp_sent_new(sk, skb);
	}
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
