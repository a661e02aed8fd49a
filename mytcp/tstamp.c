// SPDX-License-Identifier: GPL-2.0
/*
 * Timestamps (RFC 7323 3 to 5): the millisecond clock behind TSval, the
 * option as it is written and read on every segment of a connection
 * that negotiated it, TS.Recent and its update rule, PAWS (old
 * duplicates dropped by their TSval), and the RTT an echoed TSval
 * measures even for a retransmitted segment.
 */
#include <linux/ktime.h>
#include <linux/skbuff.h>
#include <linux/timekeeping.h>
#include <asm/unaligned.h>
#include <net/sock.h>
#include <net/mytcp.h>

/* A TS.Recent older than this no longer rejects anything (RFC 7323 5.5). */
#define MYTCP_PAWS_IDLE		(24 * 24 * 60 * 60)	/* s: 24 days */
/* How far behind TS.Recent a TSval may be and still pass, as TCP's. */
#define MYTCP_PAWS_WINDOW	1

/**
 * mytcp_ts_clock() - the clock timestamps count, in milliseconds
 *
 * Return: milliseconds of the monotonic clock, truncated to 32 bits.
 */
u32 mytcp_ts_clock(void)
{
	return (u32)div_u64(ktime_get_ns(), NSEC_PER_MSEC);
}

/**
 * mytcp_write_ts_option() - the timestamp option, behind two NOPs
 * @p: where to write, MYTCP_TS_LEN bytes
 * @tsval: TSval
 * @tsecr: TSecr
 *
 * Return: MYTCP_TS_LEN.
 */
unsigned int mytcp_write_ts_option(u8 *p, u32 tsval, u32 tsecr)
{
	p[0] = MYTCPOPT_NOP;
	p[1] = MYTCPOPT_NOP;
	p[2] = MYTCPOPT_TIMESTAMP;
	p[3] = MYTCPOLEN_TIMESTAMP;
	put_unaligned_be32(tsval, p + 4);
	put_unaligned_be32(tsecr, p + 8);
	return MYTCP_TS_LEN;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_write_ts_option);

/**
 * mytcp_sock_ts_option() - a connection's timestamp option, if it has one
 * @msk: the socket
 * @p: where to write, MYTCP_TS_LEN bytes
 *
 * Return: the length written: MYTCP_TS_LEN, or 0 without timestamps.
 */
unsigned int mytcp_sock_ts_option(const struct mytcp_sock *msk, u8 *p)
{
	if (!msk->ts_ok)
		return 0;
	return mytcp_write_ts_option(p, mytcp_ts_clock() + msk->ts_offset,
				     msk->ts_recent);
}

static void mytcp_take_ts_option(int kind, int size, const u8 *p, void *arg)
{
	struct mytcp_skb_cb *cb = arg;

	if (kind != MYTCPOPT_TIMESTAMP || size != MYTCPOLEN_TIMESTAMP)
		return;
	cb->saw_ts = 1;
	cb->tsval = get_unaligned_be32(p + 2);
	cb->tsecr = get_unaligned_be32(p + 6);
}

/**
 * mytcp_parse_ts_option() - note a received segment's timestamp option
 * @skb: the segment, its control block filled in
 *
 * The layout every stack sends (NOP, NOP, timestamp first) is read at
 * once; any other goes through the option walk.
 */
void mytcp_parse_ts_option(struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);
	const u8 *p = (const u8 *)(th + 1);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	if (th->doff * 4 < MYTCP_HDR_LEN + MYTCP_TS_LEN)
		return;
	if (p[0] == MYTCPOPT_NOP && p[1] == MYTCPOPT_NOP &&
	    p[2] == MYTCPOPT_TIMESTAMP && p[3] == MYTCPOLEN_TIMESTAMP) {
		cb->saw_ts = 1;
		cb->tsval = get_unaligned_be32(p + 4);
		cb->tsecr = get_unaligned_be32(p + 8);
		return;
	}
	mytcp_walk_options(skb, mytcp_take_ts_option, cb);
}

/**
 * mytcp_paws_old() - is a TSval older than TS.Recent allows (PAWS)?
 * @tsval: the segment's TSval
 * @ts_recent: TS.Recent
 * @age: seconds since TS.Recent was taken
 *
 * RFC 7323 5.3: older than TS.Recent, by more than TCP's one-tick
 * allowance, unless TS.Recent has been idle for 24 days (5.5).
 *
 * Return: true when the segment is to be dropped.
 */
bool mytcp_paws_old(u32 tsval, u32 ts_recent, u32 age)
{
	return (s32)(ts_recent - tsval) > MYTCP_PAWS_WINDOW &&
	       age < MYTCP_PAWS_IDLE;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_paws_old);

/* Seconds since TS.Recent was taken. */
static u32 mytcp_ts_recent_age(const struct mytcp_sock *msk)
{
	return (u32)ktime_get_seconds() - msk->ts_recent_stamp;
}

/**
 * mytcp_paws_reject() - should PAWS drop this segment of a connection?
 * @msk: the socket, with timestamps
 * @cb: the segment's control block
 *
 * A RST is never dropped by PAWS (RFC 7323 5.3, R1), nor a segment
 * without the option, nor anything before TS.Recent was first taken.
 *
 * Return: true when the segment is an old duplicate.
 */
bool mytcp_paws_reject(const struct mytcp_sock *msk, const struct mytcp_skb_cb *cb)
{
	if (!msk->ts_ok || !cb->saw_ts || !msk->ts_recent_stamp ||
	    (cb->flags & MYTCPHDR_RST))
		return false;
	return mytcp_paws_old(cb->tsval, msk->ts_recent, mytcp_ts_recent_age(msk));
}

/**
 * mytcp_set_ts_recent() - take a TSval as TS.Recent
 * @msk: the socket
 * @tsval: the TSval
 */
void mytcp_set_ts_recent(struct mytcp_sock *msk, u32 tsval)
{
	msk->ts_recent = tsval;
	msk->ts_recent_stamp = (u32)ktime_get_seconds() ? : 1;
}

/**
 * mytcp_update_ts_recent() - RFC 7323 4.3: an acceptable segment's TSval
 * @msk: the socket, with timestamps
 * @cb: the segment's control block, past PAWS and the window check
 *
 * TS.Recent takes the TSval of a segment that covers Last.ACK.sent (the
 * rcv_nxt we last advertised, rcv_wup), and is not older: so the echo
 * goes to the segment that the next ACK answers, and a delayed ACK
 * echoes the earliest segment it covers.
 */
void mytcp_update_ts_recent(struct mytcp_sock *msk, const struct mytcp_skb_cb *cb)
{
	if (!msk->ts_ok || !cb->saw_ts ||
	    mytcp_seq_after(cb->seq, msk->rcv_wup))
		return;
	if ((s32)(cb->tsval - msk->ts_recent) >= 0 || !msk->ts_recent_stamp ||
	    mytcp_ts_recent_age(msk) >= MYTCP_PAWS_IDLE)
		mytcp_set_ts_recent(msk, cb->tsval);
}

/**
 * mytcp_ts_rtt_us() - the RTT the echoed TSval of an ACK measures
 * @msk: the socket, with timestamps
 * @cb: the ACK's control block
 *
 * RFC 7323 4.1: TSecr is the TSval of the segment the peer answers, so
 * the time since is a round trip, whether that segment was the first
 * transmission or a retransmission (no ambiguity, Karn's rule does not
 * apply).  A delta of 0 counts as one tick, as TCP counts it.
 *
 * Return: microseconds, or -1 when the ACK measures nothing.
 */
s32 mytcp_ts_rtt_us(const struct mytcp_sock *msk, const struct mytcp_skb_cb *cb)
{
	u32 delta;

	if (!msk->ts_ok || !cb->saw_ts || !cb->tsecr)
		return -1;
	delta = mytcp_ts_clock() + msk->ts_offset - cb->tsecr;
	if (delta >= INT_MAX / USEC_PER_MSEC)
		return -1;
	return max(delta, 1U) * USEC_PER_MSEC;
}
