// SPDX-License-Identifier: GPL-2.0
/*
 * The round-trip time estimate and the retransmission timeout (RFC 6298):
 * SRTT and RTTVAR in TCP's scaled fixed point, samples taken by Karn's
 * rule, the timeout and its backoff, and when to give up retransmitting
 * (retries2 as TCP models it, or MYTCP_USER_TIMEOUT).
 */
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <net/sock.h>
#include <net/mytcp.h>

/**
 * mytcp_rtt_estimate() - fold an RTT measurement into the estimate
 * @rtt: the estimate; srtt_us 0 means no sample yet
 * @sample_us: the measurement in microseconds (0 counts as 1)
 *
 * RFC 6298 2.2 and 2.3 with alpha 1/8 and beta 1/4: srtt_us holds 8 *
 * SRTT and rttvar_us 4 * RTTVAR, so each update is an add and a shift.
 */
void mytcp_rtt_estimate(struct mytcp_rtt *rtt, u32 sample_us)
{
	s32 err;

	sample_us = max_t(u32, sample_us, 1);
	if (!rtt->srtt_us) {
		/* SRTT = R, RTTVAR = R / 2 */
		rtt->srtt_us = sample_us << 3;
		rtt->rttvar_us = sample_us << 1;
		return;
	}
	err = (s32)(sample_us - (rtt->srtt_us >> 3));
	rtt->srtt_us += err;			/* 8 SRTT += R - SRTT */
	if (err < 0)
		err = -err;
	/* 4 RTTVAR += |SRTT - R| - RTTVAR */
	rtt->rttvar_us += err - (rtt->rttvar_us >> 2);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_rtt_estimate);

/**
 * mytcp_rtt_rto_us() - the timeout the estimate gives
 * @rtt: the estimate, with at least one sample
 * @rto_min_us: the floor of the variance term, and so of the timeout
 * @rto_max_us: the ceiling
 *
 * RTO = SRTT + max(G, 4 * RTTVAR) (RFC 6298 2.3), where, as in Linux
 * TCP, the clock granularity term G is rto_min: the variance term never
 * falls below it, so RTO is at least rto_min plus the smoothed RTT.
 *
 * Return: the timeout in microseconds.
 */
u32 mytcp_rtt_rto_us(const struct mytcp_rtt *rtt, u32 rto_min_us, u32 rto_max_us)
{
	u64 rto = (u64)(rtt->srtt_us >> 3) + max(rtt->rttvar_us, rto_min_us);

	return (u32)min_t(u64, rto, rto_max_us);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_rtt_rto_us);

/**
 * mytcp_backoff_rto() - a timeout doubled @backoff times
 * @rto: the timeout
 * @backoff: how many times it was doubled (RFC 6298 5.5)
 * @rto_max: the ceiling
 *
 * Return: min(rto * 2^backoff, rto_max).
 */
u32 mytcp_backoff_rto(u32 rto, unsigned int backoff, u32 rto_max)
{
	if (backoff >= 32)
		return rto ? rto_max : 0;
	return (u32)min_t(u64, (u64)rto << backoff, rto_max);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_backoff_rto);

/**
 * mytcp_model_timeout() - how long @boundary backed-off timeouts take
 * @boundary: the number of retransmissions (retries2)
 * @rto_base: the first timeout
 * @rto_max: the ceiling each doubling stops at
 *
 * TCP's model of tcp_retries2: the time that @boundary retransmissions
 * would take if the first timeout were @rto_base and each doubled until
 * @rto_max.  Units are the caller's.
 *
 * Return: the total time.
 */
u32 mytcp_model_timeout(unsigned int boundary, u32 rto_base, u32 rto_max)
{
	unsigned int linear;

	if (!rto_base)
		return 0;
	linear = rto_max > rto_base ? ilog2(rto_max / rto_base) : 0;
	if (boundary <= linear)
		return ((2U << boundary) - 1) * rto_base;
	return ((2U << linear) - 1) * rto_base + (boundary - linear) * rto_max;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_model_timeout);

/**
 * mytcp_karn_sample_us() - the RTT an ACK measures, if it may be used
 * @sent: jiffies the acknowledged segment was sent
 * @now: jiffies the ACK came
 * @retrans: the segment was sent more than once
 *
 * Karn's rule (RFC 6298 3): a retransmitted segment's ACK is ambiguous
 * and gives no sample.
 *
 * Return: the sample in microseconds (at least 1), or -1 for none.
 */
s32 mytcp_karn_sample_us(unsigned long sent, unsigned long now, bool retrans)
{
	long delta = (long)(now - sent);

	if (retrans || delta < 0)
		return -1;
	return max_t(s32, jiffies_to_usecs(delta), 1);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_karn_sample_us);

/**
 * mytcp_rtt_pick_us() - the sample an ACK gives, from what it measured
 * @karn_us: from the oldest segment it acknowledged, or -1 (Karn's rule)
 * @sack_us: from the newest segment it newly SACKed, or -1
 * @ts_us: from its echoed TSval, or -1
 *
 * Each is a true round trip of some segment, but one whose ACKs were
 * lost also counts the time until a later ACK came, which can be a
 * whole backed-off RTO under heavy loss; a timeout set from it grows
 * further, and the connection stalls.  The least of them leaves that
 * out.  TCP takes the first of them that exists, in this order.  An ACK
 * that acknowledges nothing new passes its TSecr one only with a SACK
 * one, to bound it (RFC 7323's RTTM takes no sample from it alone: its
 * TSecr may be old); the time since the peer's TS.Recent was sent is
 * never less than a round trip, as the peer had that segment before it
 * sent the ACK.
 *
 * Return: the sample in microseconds, or -1 for none.
 */
s32 mytcp_rtt_pick_us(s32 karn_us, s32 sack_us, s32 ts_us)
{
	s32 best = -1;

	if (karn_us >= 0)
		best = karn_us;
	if (sack_us >= 0 && (best < 0 || sack_us < best))
		best = sack_us;
	if (ts_us >= 0 && (best < 0 || ts_us < best))
		best = ts_us;
	return best;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_rtt_pick_us);

/**
 * mytcp_resend_rtt_us() - an ACK's TSecr or SACK sample, if sound
 * @sample_us: the time since the TSval the ACK echoes, or since the
 *             newest segment it newly SACKs was sent; or -1
 * @resend_us: the time since the newest resend of what it acknowledges,
 *             or -1 if none of that was resent
 *
 * A peer that already had the data answers a resend of it with the echo
 * of the last segment that advanced its RCV.NXT (RFC 7323 answers an
 * old duplicate without taking its TSval), sent before the resend and
 * before the timeout that caused it; and with SACK blocks for what it
 * had long held, if every ACK that carried them before was lost.  Either
 * then measures the whole backed-off wait.  A sample older than the
 * newest resend is not taken: as Karn's rule does, better no sample than
 * a wrong one.  A tick of the jiffies clock and one of the timestamp
 * clock are allowed for.  TCP takes both.
 *
 * Return: @sample_us, or -1.
 */
s32 mytcp_resend_rtt_us(s32 sample_us, s32 resend_us)
{
	if (sample_us < 0 || resend_us < 0)
		return sample_us;
	if (sample_us > resend_us + (s32)(jiffies_to_usecs(1) + USEC_PER_MSEC))
		return -1;
	return sample_us;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_resend_rtt_us);

/**
 * mytcp_rto_min() - the namespace's floor of the timeout
 * @sk: the socket
 *
 * Return: jiffies.
 */
u32 mytcp_rto_min(const struct sock *sk)
{
	return msecs_to_jiffies(READ_ONCE(mytcp_net(sock_net(sk))->sysctl_rto_min_ms));
}

/**
 * mytcp_rto_max() - the namespace's ceiling of the timeout
 * @sk: the socket
 *
 * Return: jiffies.
 */
u32 mytcp_rto_max(const struct sock *sk)
{
	return msecs_to_jiffies(READ_ONCE(mytcp_net(sock_net(sk))->sysctl_rto_max_ms));
}

/**
 * mytcp_rtt_sample() - an ACK covered a segment sent once at @sent
 * @sk: the socket, locked
 * @sent: jiffies the segment was sent
 *
 * Updates the estimate and sets the timeout from it; backoff ends.
 */
void mytcp_rtt_sample(struct sock *sk, unsigned long sent)
{
	mytcp_rtt_sample_us(sk, mytcp_karn_sample_us(sent, jiffies, false));
}

/**
 * mytcp_rtt_sample_us() - an RTT measured, in microseconds
 * @sk: the socket, locked
 * @us: the sample; negative for none, which changes nothing
 *
 * Updates the estimate and sets the timeout from it; backoff ends (RFC
 * 6298 5.7 keeps a backed-off timeout only until a valid sample).
 */
void mytcp_rtt_sample_us(struct sock *sk, s32 us)
{
	struct mytcp_net *mn = mytcp_net(sock_net(sk));
	struct mytcp_sock *msk = mytcp_sk(sk);
	u32 rto_us;

	if (us < 0)
		return;
	mytcp_rtt_estimate(&msk->rtt, us);
	rto_us = mytcp_rtt_rto_us(&msk->rtt,
				  READ_ONCE(mn->sysctl_rto_min_ms) * USEC_PER_MSEC,
				  READ_ONCE(mn->sysctl_rto_max_ms) * USEC_PER_MSEC);
	msk->rto = usecs_to_jiffies(rto_us);
	msk->backoff = 0;
}

/**
 * mytcp_rtt_no_sample() - the handshake ended without an RTT sample
 * @sk: the socket, locked
 *
 * Its SYN or SYN-ACK was retransmitted: RFC 6298 5.7 and TCP go on with
 * a timeout of 3 s until a sample comes.
 */
void mytcp_rtt_no_sample(struct sock *sk)
{
	if (!mytcp_sk(sk)->rtt.srtt_us)
		mytcp_sk(sk)->rto = MYTCP_TIMEOUT_FALLBACK;
}

/**
 * mytcp_retrans_timed_out() - has retransmitting lasted too long?
 * @sk: the socket, locked, with its head segment retransmitted
 *
 * With MYTCP_USER_TIMEOUT, when that many ms passed since the head was
 * first sent; otherwise, in a synchronized state, when the time that
 * retries2 backoffs from rto_min would take passed (TCP's rule, which
 * does not depend on the RTO the connection really had).  An orphan
 * counts orphan_retries backoffs instead (mytcp_orphan_retries()).
 *
 * Return: true to give up.
 */
bool mytcp_retrans_timed_out(struct sock *sk)
{
	struct mytcp_net *mn = mytcp_net(sock_net(sk));
	struct mytcp_sock *msk = mytcp_sk(sk);
	unsigned long elapsed = jiffies - msk->retrans_stamp;
	unsigned int boundary;
	u32 limit_ms;

	if (!msk->retransmits)
		return false;
	if (msk->user_timeout) {
		limit_ms = msk->user_timeout;
	} else {
		if (sk->sk_state == MYTCP_SYN_SENT || sk->sk_state == MYTCP_SYN_RECV)
			return false;	/* syn_retries counts those */
		boundary = READ_ONCE(mn->sysctl_retries2);
		if (sock_flag(sk, SOCK_DEAD))
			boundary = mytcp_orphan_retries(sk, msk->rto < mytcp_rto_max(sk));
		limit_ms = mytcp_model_timeout(boundary,
					       READ_ONCE(mn->sysctl_rto_min_ms),
					       READ_ONCE(mn->sysctl_rto_max_ms));
	}
	return elapsed >= msecs_to_jiffies(limit_ms);
}

/**
 * mytcp_rto_clamped() - the timeout, cut short by MYTCP_USER_TIMEOUT
 * @sk: the socket, locked, retransmitting
 *
 * So that the connection gives up when the user timeout ends, not at the
 * end of a long backed-off timeout.
 *
 * Return: jiffies, at least 1.
 */
u32 mytcp_rto_clamped(const struct sock *sk)
{
	const struct mytcp_sock *msk = mytcp_sk(sk);
	long remaining;

	if (!msk->user_timeout)
		return msk->rto;
	remaining = (long)msecs_to_jiffies(msk->user_timeout) -
		    (long)(jiffies - msk->retrans_stamp);
	if (remaining <= 0)
		return 1;
	return min_t(u32, msk->rto, remaining);
}
