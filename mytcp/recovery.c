// SPDX-License-Identifier: GPL-2.0
/*
 * Loss recovery of the sender: what is in flight, resending a segment,
 * fast retransmit on three duplicate ACKs with NewReno's fast recovery
 * (RFC 6582) without SACK, SACK-based recovery (RFC 6675, from the
 * scoreboard of sack.c) with it, tail loss probes (RFC 8985 7) with it,
 * and resending what a timeout declared lost as the congestion window
 * allows.
 */
#include <linux/skbuff.h>
#include <net/sock.h>
#include <net/mytcp.h>
#include "trace.h"

/* The next segment of the write queue, or NULL after the last. */
static struct sk_buff *mytcp_next_skb(struct sock *sk, struct sk_buff *skb)
{
	return skb_queue_is_last(&sk->sk_write_queue, skb) ? NULL : skb->next;
}

/**
 * mytcp_in_flight() - segments the network holds, as cwnd counts them
 * @sk: the socket, locked
 *
 * All segments sent and not acknowledged, except after a timeout: then
 * those declared lost and not yet resent are out of the network.
 *
 * Return: a number of segments.
 */
u32 mytcp_in_flight(const struct sock *sk)
{
	const struct mytcp_sock *msk = mytcp_sk(sk);
	struct sk_buff *skb;
	u32 n = 0;

	if (msk->sack_ok && msk->ca_state != MYTCP_CA_OPEN)
		return mytcp_sack_pipe(&msk->sack, msk->packets_out);
	if (msk->ca_state != MYTCP_CA_LOSS)
		return msk->packets_out;
	skb_queue_walk(&sk->sk_write_queue, skb) {
		u32 seq = MYTCP_SKB_CB(skb)->seq;

		if (skb == msk->send_head)
			break;
		if (mytcp_seq_before(seq, msk->rtx_next) ||
		    !mytcp_seq_before(seq, msk->recover))
			n += mytcp_skb_pcount(skb);
	}
	return n;
}

/**
 * mytcp_resend_segment() - send a segment of the write queue again
 * @sk: the socket, locked
 * @skb: a segment already sent
 *
 * Return: 0 when the segment left, NET_XMIT_DROP when the device refused
 * it (local congestion: veth says so when its peer's input backlog is
 * full), or a negative errno.
 */
int mytcp_resend_segment(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	int err;

	trace_mytcp_retransmit(sk, skb);
	/* net_xmit_eval() reads its argument twice: call first. */
	err = mytcp_transmit_skb(sk, skb);
	if (msk->sack_ok && !(MYTCP_SKB_CB(skb)->flags & MYTCPHDR_SYN))
		mytcp_sack_resent(&msk->sack, skb);
	if (!net_xmit_eval(err)) {
		SNMP_ADD_STATS(mytcp_net(sock_net(sk))->mib, MYTCP_MIB_RETRANSSEGS,
			       mytcp_skb_pcount(skb));
		if (MYTCP_SKB_CB(skb)->flags & MYTCPHDR_SYN)
			mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_SYNRETRANS);
	}
	msk->total_retrans++;
	return net_xmit_eval(err);
}

/**
 * mytcp_resend_lost() - after a timeout, resend what the window allows
 * @sk: the socket, locked, in MYTCP_CA_LOSS
 *
 * Everything that was in flight at the timeout is taken for lost; the
 * timer resent the head, and the rest goes again in order as ACKs open
 * the window in slow start (RFC 5681 3.1, TCP's loss state).
 */
void mytcp_resend_lost(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	u32 in_flight = mytcp_in_flight(sk);
	struct sk_buff *skb;

	if (msk->sack_ok) {
		mytcp_sack_resend(sk);
		return;
	}
	for (skb = skb_peek(&sk->sk_write_queue); skb && skb != msk->send_head;
	     skb = mytcp_next_skb(sk, skb)) {
		struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

		if (mytcp_seq_before(cb->seq, msk->rtx_next))
			continue;
		if (!mytcp_seq_before(cb->seq, msk->recover) ||
		    in_flight >= msk->snd_cwnd)
			break;
		mytcp_resend_segment(sk, skb);
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_SLOWSTARTRETRANS);
		msk->rtx_next = cb->end_seq;
		in_flight += mytcp_skb_pcount(skb);
	}
}

/**
 * mytcp_sack_resend() - with SACK: resend lost segments while pipe allows
 * @sk: the socket, locked, in MYTCP_CA_RECOVERY or MYTCP_CA_LOSS
 *
 * In order, each segment taken for lost and not resent yet, while the
 * segments in flight are fewer than cwnd (RFC 6675 5, rule 1 of
 * NextSeg(); new data, rule 2, goes from mytcp_push_pending() after).
 */
void mytcp_sack_resend(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	u32 in_flight = mytcp_in_flight(sk);
	struct sk_buff *skb;
	int stat = msk->ca_state == MYTCP_CA_LOSS ? MYTCP_EXT_SLOWSTARTRETRANS :
						    MYTCP_EXT_FASTRETRANS;

	if (!msk->sack.lost_out)
		return;
	for (skb = skb_peek(&sk->sk_write_queue); skb && skb != msk->send_head;
	     skb = mytcp_next_skb(sk, skb)) {
		if (in_flight >= msk->snd_cwnd ||
		    msk->sack.retrans_out >= msk->sack.lost_out)
			break;
		if ((MYTCP_SKB_CB(skb)->sacked &
		     (MYTCP_SACKED_ACKED | MYTCP_SACKED_LOST | MYTCP_SACKED_RETRANS)) !=
		    MYTCP_SACKED_LOST)
			continue;
		mytcp_resend_segment(sk, skb);
		mytcp_inc_ext_stats(sock_net(sk), stat);
		in_flight += mytcp_skb_pcount(skb);
	}
}

/* Fast retransmit: the head's first segment again, counted as TCP does. */
static void mytcp_fast_retransmit(struct sock *sk)
{
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);

	if (!skb || skb == mytcp_sk(sk)->send_head)
		return;
	if (MYTCP_SKB_CB(skb)->pcount > 1)
		mytcp_split_sent(sk, skb, 1);
	mytcp_resend_segment(sk, skb);
	mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_FASTRETRANS);
}

/* Three duplicate ACKs: fast retransmit, fast recovery (RFC 6582 3.2). */
static void mytcp_enter_recovery(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_RENORECOVERY);
	msk->snd_ssthresh = msk->cong_ops->ssthresh(sk);
	msk->recover = msk->snd_nxt;
	msk->ca_state = MYTCP_CA_RECOVERY;
	mytcp_fast_retransmit(sk);
	msk->snd_cwnd = msk->snd_ssthresh + MYTCP_DUPTHRESH;
	msk->snd_cwnd_cnt = 0;
}

/**
 * mytcp_note_dupack() - a duplicate ACK came
 * @sk: the socket, locked, with data in flight
 *
 * The third, unless recovery of data sent before the last one is still
 * under way (RFC 6582 4.1), starts fast recovery; each one in recovery
 * inflates the window by a segment, as it left the network.
 */
void mytcp_note_dupack(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (msk->ca_state == MYTCP_CA_LOSS)
		return;
	if (msk->dupacks < U8_MAX)
		msk->dupacks++;
	/* With SACK, the scoreboard decides: mytcp_sack_recovery(). */
	if (msk->sack_ok)
		return;
	if (msk->ca_state == MYTCP_CA_RECOVERY) {
		msk->snd_cwnd++;
		return;
	}
	if (msk->dupacks == MYTCP_DUPTHRESH &&
	    !mytcp_seq_before(msk->snd_una, msk->recover))
		mytcp_enter_recovery(sk);
}

/**
 * mytcp_recovery_on_ack() - an ACK of new data in fast recovery
 * @sk: the socket, locked, in MYTCP_CA_RECOVERY
 * @acked: segments it acknowledged
 *
 * A full ACK (all that was sent when recovery began) ends it with the
 * window deflated to ssthresh; a partial one resends the next hole at
 * once and deflates the window by what it acknowledged, less one
 * (RFC 6582 3.2, steps 3 and 4).
 */
void mytcp_recovery_on_ack(struct sock *sk, u32 acked)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (!mytcp_seq_before(msk->snd_una, msk->recover)) {
		msk->snd_cwnd = msk->snd_ssthresh;
		msk->snd_cwnd_cnt = 0;
		msk->ca_state = MYTCP_CA_OPEN;
		msk->dupacks = 0;
		return;
	}
	/* With SACK, the scoreboard tells what to resend, pipe how much. */
	if (msk->sack_ok)
		return;
	mytcp_fast_retransmit(sk);
	if (acked)
		msk->snd_cwnd = msk->snd_cwnd > acked ? msk->snd_cwnd - acked + 1 : 1;
}

/*
 * SACK recovery begins (RFC 6675 5): ssthresh from the congestion
 * control, cwnd = ssthresh, the head taken for lost if the scoreboard
 * did not, and resent at once whatever pipe says.
 */
static void mytcp_enter_sack_recovery(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct sk_buff *head = skb_peek(&sk->sk_write_queue);

	mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_SACKRECOVERY);
	msk->snd_ssthresh = msk->cong_ops->ssthresh(sk);
	msk->recover = msk->snd_nxt;
	msk->ca_state = MYTCP_CA_RECOVERY;
	msk->snd_cwnd = msk->snd_ssthresh;
	msk->snd_cwnd_cnt = 0;
	if (!head || head == msk->send_head ||
	    (MYTCP_SKB_CB(head)->sacked & (MYTCP_SACKED_ACKED | MYTCP_SACKED_RETRANS)))
		return;
	mytcp_fast_retransmit(sk);
}

/**
 * mytcp_sack_recovery() - with SACK: after each ACK, find losses
 * @sk: the socket, locked, its scoreboard up to date with the ACK
 *
 * Marks what the scoreboard shows lost; out of the open state, a loss
 * or DupThresh duplicate ACKs (of data sent after the last recovery
 * began) start recovery.  DupThresh grows with the reordering seen
 * (mytcp_sack_dupthresh()); a segment sent before one that arrived is
 * lost once out for mytcp_reorder_window().  What to resend goes from
 * mytcp_push_pending().  Also called by the probe timer, with no ACK.
 */
void mytcp_sack_recovery(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	u32 dupthresh = mytcp_sack_dupthresh(&msk->sack);
	u32 lost_retrans = 0;

	if (!msk->sack_ok)
		return;
	if (msk->sack.reordered) {
		msk->sack.reordered = false;
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_SACKREORDER);
	}
	if (!msk->packets_out)
		return;
	mytcp_sack_mark_lost(&msk->sack, &sk->sk_write_queue, msk->send_head,
			     dupthresh, jiffies - mytcp_reorder_window(sk),
			     &lost_retrans);
	while (lost_retrans--)
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_LOSTRETRANSMIT);
	if (msk->ca_state != MYTCP_CA_OPEN)
		return;
	if (msk->sack.lost_out ||
	    (msk->dupacks >= dupthresh &&
	     !mytcp_seq_before(msk->snd_una, msk->recover)))
		mytcp_enter_sack_recovery(sk);
}

/**
 * mytcp_reorder_span() - how long a segment may trail one sent after it
 * @srtt_us: the smoothed RTT, << 3, in us (not 0)
 *
 * Two SRTTs, at least 10 ms: an RTT for the later segment's ACK to come,
 * and one more for reordering.  It is RACK's RTT plus reordering window
 * (RFC 8985 6.2) at its widest, one SRTT, for a timer of jiffies.
 *
 * Return: jiffies.
 */
u32 mytcp_reorder_span(u32 srtt_us)
{
	return max_t(u32, usecs_to_jiffies(srtt_us >> 2), msecs_to_jiffies(10));
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_reorder_span);

/**
 * mytcp_reorder_window() - the socket's mytcp_reorder_span()
 * @sk: the socket
 *
 * Before the first RTT sample, the RTO.
 *
 * Return: jiffies.
 */
u32 mytcp_reorder_window(const struct sock *sk)
{
	const struct mytcp_sock *msk = mytcp_sk(sk);

	return msk->rtt.srtt_us ? mytcp_reorder_span(msk->rtt.srtt_us) : msk->rto;
}

/**
 * mytcp_probe_timeout() - when a tail loss probe is due (RFC 8985 7.2)
 * @srtt_us: the smoothed RTT, << 3, in us (not 0)
 * @packets_out: segments in flight
 *
 * mytcp_reorder_span(): two SRTTs, at least 10 ms; with a single segment
 * in flight, plus the longest the peer may delay its ACK (200 ms).
 *
 * Return: jiffies.
 */
u32 mytcp_probe_timeout(u32 srtt_us, u32 packets_out)
{
	u32 pto = mytcp_reorder_span(srtt_us);

	if (packets_out == 1)
		pto += MYTCP_DELACK_MAX;
	return pto;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_probe_timeout);

/**
 * mytcp_arm_rtx_timer() - (re)start the retransmission timer
 * @sk: the socket, locked, with segments in flight or waiting
 *
 * For the RTO; or, with SACK and an RTT estimate, for the probe when
 * that comes sooner: mytcp_fire_probe() looks for losses the time passed
 * shows, and outside recovery, with no probe out since the last ACK of
 * new data, sends a tail loss probe.
 */
void mytcp_arm_rtx_timer(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	u32 when = msk->rto;

	msk->tlp_armed = 0;
	if (msk->sack_ok && msk->rtt.srtt_us && msk->packets_out &&
	    (msk->ca_state != MYTCP_CA_OPEN || !msk->tlp_out)) {
		u32 pto = mytcp_probe_timeout(msk->rtt.srtt_us, msk->packets_out);

		if (pto < when) {
			when = pto;
			msk->tlp_armed = 1;
		}
	}
	sk_reset_timer(sk, &msk->rtx_timer, jiffies + when);
}

/*
 * A tail loss probe (RFC 8985 7.3): the last segment sent goes again (cut
 * off the buffer that holds it),
 * not marked lost: its SACK or ACK shows the peer what is missing before
 * it, or makes the scoreboard's transmission rules find the losses, so
 * that recovery starts without a timeout (TCP prefers new data when the
 * windows allow it).
 */
static void mytcp_send_loss_probe(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct sk_buff *skb;

	/* The segment before send_head: the last one sent. */
	skb = msk->send_head ? msk->send_head->prev :
			       skb_peek_tail(&sk->sk_write_queue);
	if (!skb || skb == (struct sk_buff *)&sk->sk_write_queue)
		return;
	if (MYTCP_SKB_CB(skb)->pcount > 1 &&
	    !mytcp_split_sent(sk, skb, MYTCP_SKB_CB(skb)->pcount - 1))
		skb = skb->next;
	msk->tlp_out = 1;
	if (!(MYTCP_SKB_CB(skb)->sacked & MYTCP_SACKED_ACKED)) {
		int err;

		trace_mytcp_retransmit(sk, skb);
		/* net_xmit_eval() reads its argument twice: call first. */
		err = mytcp_transmit_skb(sk, skb);
		if (!net_xmit_eval(err))
			SNMP_ADD_STATS(mytcp_net(sock_net(sk))->mib,
				       MYTCP_MIB_RETRANSSEGS, mytcp_skb_pcount(skb));
		msk->total_retrans++;
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_LOSSPROBES);
	}
}

/**
 * mytcp_fire_probe() - the probe timer fired
 * @sk: the socket, locked, with SACK and segments in flight
 *
 * No ACK of new data came for mytcp_probe_timeout().  First the
 * scoreboard is read again: segments sent before one that arrived may
 * have been out long enough now to be lost (mytcp_sack_recovery()); they
 * go at once, recovery begun if it was not, and the probe timer waits
 * for the next.  A resend lost in recovery, or after a timeout, is
 * found so without waiting for the (backed-off) RTO.  Else, in the open
 * state, a tail loss probe goes.  Then the timer waits for the RTO.
 */
void mytcp_fire_probe(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	u32 resent = msk->total_retrans;

	msk->tlp_armed = 0;
	if (msk->sack.sacked_out || msk->ca_state != MYTCP_CA_OPEN)
		mytcp_unbundle_sent(sk);
	mytcp_sack_recovery(sk);
	if (msk->ca_state != MYTCP_CA_OPEN)
		mytcp_push_pending(sk);
	if (msk->total_retrans != resent) {
		mytcp_arm_rtx_timer(sk);
		return;
	}
	if (msk->ca_state == MYTCP_CA_OPEN && !msk->tlp_out)
		mytcp_send_loss_probe(sk);
	sk_reset_timer(sk, &msk->rtx_timer, jiffies + msk->rto);
}
