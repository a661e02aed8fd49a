// SPDX-License-Identifier: GPL-2.0
/*
 * Segments for a socket: RFC 9293 3.10.7 "SEGMENT ARRIVES" for SYN-SENT
 * and the synchronized states, the end of a connection (done, reset),
 * and the in-order delivery of data.  Runs under the socket's lock.
 */
#include <linux/skbuff.h>
#include <linux/random.h>
#include <net/sock.h>
#include <net/mytcp.h>

/**
 * mytcp_init_seq_state() - initial values a new connection derives
 * @sk: the socket, with iss and irs chosen (irs may still be 0)
 */
void mytcp_init_seq_state(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	msk->rcv_nxt = msk->irs + 1;
	msk->copied_seq = msk->rcv_nxt;
	msk->rcv_wup = msk->rcv_nxt;
	msk->rto = MYTCP_TIMEOUT_INIT;
	mytcp_init_sender(sk);
	msk->retransmits = 0;
	msk->probes_out = 0;
	msk->fin_queued = 0;
	msk->send_head = NULL;
	msk->total_retrans = 0;
	msk->rcv_tstamp = jiffies;
	msk->ofo_root = RB_ROOT;
	msk->sack_ok = 0;
	msk->ts_ok = 0;
	msk->ts_recent = 0;
	msk->ts_recent_stamp = 0;
	memset(&msk->sack, 0, sizeof(msk->sack));
	memset(&msk->drs, 0, sizeof(msk->drs));
	mytcp_reset_ack_state(sk);
}

static void mytcp_purge_write_queue(struct sock *sk)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&sk->sk_write_queue))) {
		sk_wmem_queued_add(sk, -skb->truesize);
		consume_skb(skb);
	}
	mytcp_sk(sk)->send_head = NULL;
	mytcp_purge_spares(sk);
}

/**
 * mytcp_done() - the connection is over: CLOSED, out of every table
 * @sk: the socket, locked; the caller holds a reference
 *
 * An orphan (closed by its application) is released; otherwise the
 * application is woken to see the end.
 */
void mytcp_done(struct sock *sk)
{
	if (sk->sk_state == MYTCP_CLOSE && !mytcp_sk(sk)->hashed_in)
		return;
	if (sk->sk_state == MYTCP_SYN_SENT || sk->sk_state == MYTCP_SYN_RECV)
		mytcp_inc_stats(sock_net(sk), MYTCP_MIB_ATTEMPTFAILS);
	mytcp_set_state(sk, MYTCP_CLOSE);
	mytcp_stop_timers(sk);
	mytcp_stop_delack(sk);
	mytcp_purge_ofo(sk);
	mytcp_unhash(sk);
	mytcp_unbind_port(sk);
	mytcp_purge_write_queue(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (sock_flag(sk, SOCK_DEAD)) {
		mytcp_drop_orphan();
		sock_put(sk);		/* the orphan's reference */
		return;
	}
	sk->sk_state_change(sk);
}

/**
 * mytcp_reset_sk() - the peer reset the connection
 * @sk: the socket, locked
 *
 * The error is the one TCP reports for the state (RFC 9293 3.10.7.4).
 */
void mytcp_reset_sk(struct sock *sk)
{
	switch (sk->sk_state) {
	case MYTCP_SYN_SENT:
	case MYTCP_SYN_RECV:
		WRITE_ONCE(sk->sk_err, ECONNREFUSED);
		break;
	case MYTCP_CLOSE_WAIT:
		WRITE_ONCE(sk->sk_err, EPIPE);
		break;
	case MYTCP_CLOSE:
		return;
	default:
		WRITE_ONCE(sk->sk_err, ECONNRESET);
	}
	if (!sock_flag(sk, SOCK_DEAD))
		sk_error_report(sk);
	mytcp_done(sk);
}

/*
 * Drop what the peer acknowledged from the head of the write queue (the
 * acknowledged part of a buffer it covers in part), and measure the RTT
 * on the oldest of it unless some was sent twice (Karn).
 * Return: the number of segments dropped; *@karn_us the sample, or -1;
 * *@resend_us the time since the newest resend of what it dropped, or
 * -1 if none was resent.
 */
static u32 mytcp_clean_acked(struct sock *sk, s32 *karn_us, s32 *resend_us)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	unsigned long first_sent = 0, resent = 0;
	bool retrans = false;
	struct sk_buff *skb;
	u32 acked = 0, segs;

	while ((skb = skb_peek(&sk->sk_write_queue)) && skb != msk->send_head) {
		struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

		if (!mytcp_seq_after(cb->end_seq, msk->snd_una)) {
			segs = mytcp_skb_pcount(skb);
		} else {
			if (!mytcp_seq_after(msk->snd_una, cb->seq))
				break;
			segs = mytcp_trim_acked(sk, skb);
			if (!segs)
				break;
		}
		if (!acked)
			first_sent = cb->when;
		if (cb->retrans && (!retrans || time_after(cb->when, resent)))
			resent = cb->when;
		retrans |= cb->retrans;
		acked += segs;
		if (mytcp_seq_after(cb->end_seq, msk->snd_una))
			break;
		if (msk->sack_ok)
			mytcp_sack_unlink(&msk->sack, skb);
		__skb_unlink(skb, &sk->sk_write_queue);
		mytcp_free_acked(sk, skb);
	}
	/*
	 * All acknowledged, and no writer holds the socket (the ACKs a bulk
	 * writer's release_sock() processes keep them): the spares go too.
	 */
	if (skb_queue_empty(&sk->sk_write_queue) && !sock_owned_by_user(sk))
		mytcp_purge_spares(sk);
	msk->packets_out -= min(acked, msk->packets_out);
	*karn_us = acked ? mytcp_karn_sample_us(first_sent, jiffies, retrans) : -1;
	*resend_us = retrans ? mytcp_karn_sample_us(resent, jiffies, false) : -1;
	return acked;
}

/* Restart or stop the retransmission timer after an ACK of new data. */
static void mytcp_rearm_rtx(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	msk->retransmits = 0;
	msk->tlp_out = 0;
	if (msk->snd_una == msk->snd_nxt && !msk->send_head)
		sk_stop_timer(sk, &msk->rtx_timer);
	else
		mytcp_arm_rtx_timer(sk);
}

/* After an ACK of new data: the window grows, or recovery goes on. */
static void mytcp_ack_sender(struct sock *sk, u32 acked, u32 prior_in_flight)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (msk->ca_state == MYTCP_CA_RECOVERY) {
		mytcp_recovery_on_ack(sk, acked);
		return;
	}
	msk->dupacks = 0;
	mytcp_cong_on_ack(sk, acked, prior_in_flight);
	if (msk->ca_state == MYTCP_CA_LOSS &&
	    !mytcp_seq_before(msk->snd_una, msk->recover))
		msk->ca_state = MYTCP_CA_OPEN;
}

/*
 * A duplicate ACK (RFC 5681 2): nothing new acknowledged, no data, no
 * SYN or FIN, the same window, while data is in flight.
 */
static bool mytcp_is_dupack(const struct sock *sk, const struct sk_buff *skb,
			    u32 wnd)
{
	const struct mytcp_sock *msk = mytcp_sk(sk);
	const struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	return cb->ack_seq == msk->snd_una && !skb->len &&
	       !(cb->flags & (MYTCPHDR_SYN | MYTCPHDR_FIN)) &&
	       wnd == msk->snd_wnd && msk->packets_out &&
	       msk->snd_una != msk->snd_nxt;
}

static bool mytcp_fin_acked(const struct mytcp_sock *msk)
{
	return msk->fin_queued && msk->snd_una == msk->write_seq;
}

/*
 * The SYN-SENT state (RFC 9293 3.10.7.3).  Returns whether the segment
 * was taken (a SYN-ACK, or the peer's SYN of a simultaneous open); others
 * are dropped.
 */
static bool mytcp_rcv_syn_sent(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct mytcp_options opt;
	struct sk_buff *syn;
	s32 karn_us, resend_us, ts_us;
	bool ack_ok = false;

	if (cb->flags & MYTCPHDR_ACK) {
		if (!mytcp_seq_after(cb->ack_seq, msk->iss) ||
		    mytcp_seq_after(cb->ack_seq, msk->snd_nxt)) {
			mytcp_send_reset_reply(sock_net(sk), skb);
			return false;
		}
		ack_ok = true;
	}
	if (cb->flags & MYTCPHDR_RST) {
		if (ack_ok)
			mytcp_reset_sk(sk);
		return false;
	}
	if (!(cb->flags & MYTCPHDR_SYN))
		return false;

	mytcp_parse_options(skb, &opt);
	msk->irs = cb->seq;
	msk->rcv_nxt = cb->seq + 1;
	msk->copied_seq = msk->rcv_nxt;
	msk->rcv_wup = msk->rcv_nxt;
	if (opt.wscale_ok) {
		msk->snd_wscale = opt.wscale;
	} else {
		msk->snd_wscale = 0;
		msk->rcv_wscale = 0;
	}
	msk->sack_ok = opt.sack_ok &&
		       READ_ONCE(mytcp_net(sock_net(sk))->sysctl_sack);
	if (opt.mss)
		msk->mss_cache = min_t(u16, msk->mss_cache, max_t(u16, opt.mss, MYTCP_MIN_MSS));
	else
		msk->mss_cache = min_t(u16, msk->mss_cache, MYTCP_DEFAULT_MSS);
	/* Our SYN offered timestamps (ts_ok) and the peer's has them too. */
	msk->ts_ok = msk->ts_ok && opt.ts_ok;
	if (msk->ts_ok) {
		mytcp_set_ts_recent(msk, opt.tsval);
		msk->mss_cache -= MYTCP_TS_LEN;
	}
	/* The window of a SYN is never scaled. */
	msk->snd_wnd = ntohs(tcp_hdr(skb)->window);
	msk->max_window = msk->snd_wnd;
	msk->snd_wl1 = cb->seq;
	msk->snd_wl2 = cb->ack_seq;
	msk->rcv_tstamp = jiffies;

	if (ack_ok) {
		msk->snd_una = cb->ack_seq;
		mytcp_clean_acked(sk, &karn_us, &resend_us);
		ts_us = mytcp_resend_rtt_us(mytcp_ts_rtt_us(msk, cb), resend_us);
		mytcp_rtt_sample_us(sk, mytcp_rtt_pick_us(karn_us, -1, ts_us));
		mytcp_rtt_no_sample(sk);
		mytcp_init_cwnd(sk);
		mytcp_rearm_rtx(sk);
		mytcp_set_state(sk, MYTCP_ESTABLISHED);
		mytcp_arm_keepalive(sk);
		mytcp_send_ack(sk);
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
		mytcp_push_pending(sk);
		return true;
	}
	/* Simultaneous open: our SYN goes out again, now with an ACK. */
	mytcp_set_state(sk, MYTCP_SYN_RECV);
	syn = skb_peek(&sk->sk_write_queue);
	if (syn)
		mytcp_transmit_skb(sk, syn);
	return true;
}

/* Nothing may be sent to us: the window we offered is used up. */
static bool mytcp_rcv_wnd_closed(const struct mytcp_sock *msk)
{
	return !mytcp_seq_after(msk->rcv_wup + msk->rcv_wnd, msk->rcv_nxt);
}

/* RFC 9293 3.10.7.4, first check: is the segment in the window? */
static bool mytcp_seq_acceptable(const struct mytcp_sock *msk,
				 const struct mytcp_skb_cb *cb)
{
	u32 wnd_end = msk->rcv_wup + msk->rcv_wnd;
	u32 len = cb->end_seq - cb->seq;

	/*
	 * A zero window takes only what starts at RCV.NXT: its ACK, RST or
	 * FIN count; its payload (a window probe) is dropped and answered.
	 */
	if (!mytcp_seq_after(wnd_end, msk->rcv_nxt))
		return cb->seq == msk->rcv_nxt;
	if (len == 0)
		return !mytcp_seq_before(cb->seq, msk->rcv_nxt) &&
		       mytcp_seq_before(cb->seq, wnd_end);
	/* Some of it must fall inside: start or end. */
	return (!mytcp_seq_before(cb->seq, msk->rcv_nxt) &&
		mytcp_seq_before(cb->seq, wnd_end)) ||
	       (mytcp_seq_after(cb->end_seq, msk->rcv_nxt) &&
		!mytcp_seq_after(cb->end_seq, wnd_end));
}

/* The ACK field of a segment in a synchronized state. */
static bool mytcp_rcv_ack(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	u32 wnd = (u32)ntohs(tcp_hdr(skb)->window) << msk->snd_wscale;
	u32 prior_in_flight, acked, ack = cb->ack_seq;
	s32 karn_us, sack_us, resend_us, ts_us;

	if (sk->sk_state == MYTCP_SYN_RECV) {
		if (!mytcp_seq_after(ack, msk->snd_una) ||
		    mytcp_seq_after(ack, msk->snd_nxt)) {
			mytcp_send_reset_reply(sock_net(sk), skb);
			return false;
		}
		mytcp_set_state(sk, MYTCP_ESTABLISHED);
		/* A child measured its SYN-ACK; a crossed SYN was sent twice. */
		mytcp_rtt_no_sample(sk);
		mytcp_init_cwnd(sk);
		mytcp_arm_keepalive(sk);
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
	}
	if (mytcp_seq_after(ack, msk->snd_nxt)) {
		/* Acknowledges something never sent. */
		mytcp_send_ack(sk);
		return false;
	}
	if (mytcp_seq_after(ack, msk->snd_una)) {
		prior_in_flight = mytcp_in_flight(sk);
		msk->snd_una = ack;
		acked = mytcp_clean_acked(sk, &karn_us, &resend_us);
		sack_us = mytcp_resend_rtt_us(mytcp_sack_on_ack(sk, skb), resend_us);
		ts_us = mytcp_resend_rtt_us(mytcp_ts_rtt_us(msk, cb), resend_us);
		mytcp_rtt_sample_us(sk, mytcp_rtt_pick_us(karn_us, sack_us, ts_us));
		if (acked)
			mytcp_new_space(sk);
		mytcp_rearm_rtx(sk);
		mytcp_ack_sender(sk, acked, prior_in_flight);
		mytcp_sack_recovery(sk);
	} else {
		/* Its TSecr only bounds a SACK sample: mytcp_rtt_pick_us(). */
		sack_us = mytcp_sack_on_ack(sk, skb);
		if (sack_us >= 0)
			mytcp_rtt_sample_us(sk, mytcp_rtt_pick_us(-1, sack_us,
								  mytcp_ts_rtt_us(msk, cb)));
		if (mytcp_is_dupack(sk, skb, wnd))
			mytcp_note_dupack(sk);
		mytcp_sack_recovery(sk);
	}
	/* Window update (RFC 9293 3.10.7.4, fifth check). */
	if (mytcp_seq_before(msk->snd_wl1, cb->seq) ||
	    (msk->snd_wl1 == cb->seq && !mytcp_seq_before(ack, msk->snd_wl2))) {
		msk->snd_wnd = wnd;
		msk->max_window = max(msk->max_window, msk->snd_wnd);
		msk->snd_wl1 = cb->seq;
		msk->snd_wl2 = ack;
	}
	return true;
}

/* Our FIN was acknowledged: where that takes each closing state. */
static bool mytcp_rcv_fin_ack(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (!mytcp_fin_acked(msk))
		return true;
	switch (sk->sk_state) {
	case MYTCP_FIN_WAIT1:
		mytcp_set_state(sk, MYTCP_FIN_WAIT2);
		sk->sk_state_change(sk);
		if (sock_flag(sk, SOCK_DEAD)) {
			sk_reset_timer(sk, &msk->keepalive_timer,
				       jiffies + mytcp_fin_timeout(sk) * HZ);
		}
		return true;
	case MYTCP_CLOSING:
		mytcp_set_state(sk, MYTCP_TIME_WAIT);
		mytcp_enter_time_wait(sk);
		mytcp_done(sk);
		return false;
	case MYTCP_LAST_ACK:
		mytcp_done(sk);
		return false;
	}
	return true;
}

/*
 * Room in the receive buffer: as TCP, a segment is taken while the buffer
 * is not over its size yet and the protocol's memory allows; out-of-order
 * data is dropped from the far end to make room, as TCP prunes before
 * dropping.
 */
static bool mytcp_rmem_room(struct sock *sk, struct sk_buff *skb)
{
	if (mytcp_rmem_schedule(sk, skb, true))
		return true;
	mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_PRUNECALLED);
	mytcp_prune_ofo(sk, mytcp_sk(sk)->rcv_nxt);
	if (mytcp_rmem_schedule(sk, skb, true))
		return true;
	mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_RCVPRUNED);
	return false;
}

/*
 * Payload: in order to the receive queue (and what it lets follow from
 * the out-of-order queue), beyond a hole to the out-of-order queue, old
 * duplicates dropped.  *@fin is set when the peer's FIN came in order
 * with queued out-of-order data.
 */
static bool mytcp_queue_data(struct sock *sk, struct sk_buff *skb, bool *fin)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	u32 len = skb->len;
	u32 trim;

	if (!len)
		return false;
	if (mytcp_seq_after(cb->seq, msk->rcv_nxt))
		return mytcp_queue_ofo(sk, skb);
	trim = msk->rcv_nxt - cb->seq;
	if (trim >= len)
		return false;	/* an old duplicate */
	/* The window bounds what a well-behaved peer sends; this, the rest. */
	if (!mytcp_rmem_room(sk, skb)) {
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_RCVQDROP);
		return false;
	}
	if (trim) {
		if (!pskb_pull(skb, trim))
			return false;
		cb->seq += trim;
		len -= trim;
	}
	skb_dst_drop(skb);
	/* Remember how much payload a byte of buffer holds, for the window. */
	msk->rcv_ratio = mytcp_next_rcv_ratio(msk->rcv_ratio, len, skb->truesize);
	skb_set_owner_r(skb, sk);
	__skb_queue_tail(&sk->sk_receive_queue, skb);
	msk->rcv_nxt += len;
	if (!RB_EMPTY_ROOT(&msk->ofo_root))
		mytcp_drain_ofo(sk, fin);
	return true;
}

/*
 * The payload of an acceptable segment, and whether its ACK goes at once:
 * out-of-order data and duplicates are acknowledged at once (RFC 5681
 * 4.2: the duplicate ACKs the peer's fast retransmit counts; a filled
 * hole, too); in-order data owes an ACK that mytcp_ack_check() may delay.
 */
static bool mytcp_take_payload(struct sock *sk, struct sk_buff *skb, bool *fin,
			       bool *ack_now)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	bool in_order = !mytcp_seq_after(MYTCP_SKB_CB(skb)->seq, msk->rcv_nxt);
	bool had_ofo = !RB_EMPTY_ROOT(&msk->ofo_root);
	unsigned int len = skb->len;
	u32 old = msk->rcv_nxt;
	bool queued;

	queued = mytcp_queue_data(sk, skb, fin);
	if (!in_order) {
		*ack_now = true;
		return queued;
	}
	if (msk->rcv_nxt == old) {
		/* Nothing new: the peer resent what it thinks we missed. */
		if (!mytcp_seq_after(MYTCP_SKB_CB(skb)->end_seq, old)) {
			mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_DELAYEDACKLOST);
			mytcp_enter_quickack(sk);
		}
		*ack_now = true;
		return queued;
	}
	mytcp_note_data_in(sk, len);
	mytcp_measure_rcv_rtt(sk, skb);
	if (had_ofo)
		msk->ack_pending |= MYTCP_ACK_NOW;
	sk->sk_data_ready(sk);
	return queued;
}

/*
 * Can the payload go to the reader before the ACK is taken in?  Yes for
 * in-order data in ESTABLISHED that mytcp_rcv_ack() will accept: the ACK's
 * work (freeing what it covers, RTT, congestion window, timers) changes
 * nothing about what is received, and the reader, woken first, comes
 * round while that work is done.  TCP wakes the reader last.
 */
static bool mytcp_deliver_first(const struct sock *sk,
				const struct sk_buff *skb)
{
	const struct mytcp_sock *msk = mytcp_sk(sk);
	const struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	return sk->sk_state == MYTCP_ESTABLISHED && skb->len &&
	       cb->seq == msk->rcv_nxt &&
	       !mytcp_seq_after(cb->ack_seq, msk->snd_nxt) &&
	       !mytcp_rcv_wnd_closed(msk) && !sock_flag(sk, SOCK_DEAD);
}

/* A FIN in sequence: where it takes each state. */
static bool mytcp_rcv_fin(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	msk->rcv_nxt++;
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
	sock_set_flag(sk, SOCK_DONE);
	switch (sk->sk_state) {
	case MYTCP_SYN_RECV:
	case MYTCP_ESTABLISHED:
		mytcp_set_state(sk, MYTCP_CLOSE_WAIT);
		break;
	case MYTCP_FIN_WAIT1:
		/* Our FIN is not acknowledged yet, or we would be in FIN-WAIT-2. */
		mytcp_set_state(sk, MYTCP_CLOSING);
		break;
	case MYTCP_FIN_WAIT2:
		mytcp_set_state(sk, MYTCP_TIME_WAIT);
		mytcp_send_ack(sk);
		mytcp_enter_time_wait(sk);
		mytcp_done(sk);
		return false;
	}
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_HUP);
	}
	return true;
}

/* At most one challenge ACK per invalid_ratelimit ms on a connection. */
static bool mytcp_challenge_too_soon(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	int ms = READ_ONCE(mytcp_net(sock_net(sk))->sysctl_invalid_ratelimit);

	if (msk->last_challenge &&
	    time_before(jiffies, msk->last_challenge + msecs_to_jiffies(ms)))
		return true;
	msk->last_challenge = jiffies | 1;
	return false;
}

/*
 * And at most challenge_ack_limit per second in the namespace (RFC 5961
 * section 7).  Each second's budget is drawn between half the limit and
 * the limit, so that an attacker cannot count it exactly to learn what
 * the challenges of others used (CVE-2016-5696).  Racing CPUs may let a
 * few more through: the budget is kept without a lock on purpose.
 */
static bool mytcp_challenge_over_limit(struct net *net)
{
	struct mytcp_net *mn = mytcp_net(net);
	int limit = READ_ONCE(mn->sysctl_challenge_ack_limit);
	int left;

	if (time_after(jiffies, READ_ONCE(mn->challenge_window) + HZ) ||
	    !READ_ONCE(mn->challenge_window)) {
		WRITE_ONCE(mn->challenge_window, jiffies | 1);
		WRITE_ONCE(mn->challenge_budget,
			   limit - (int)(get_random_u32() % (limit / 2 + 1)));
	}
	left = READ_ONCE(mn->challenge_budget);
	if (left <= 0)
		return true;
	WRITE_ONCE(mn->challenge_budget, left - 1);
	return false;
}

/* RFC 5961's answer to a RST or SYN that may be forged, rate-limited. */
static void mytcp_send_challenge_ack(struct sock *sk)
{
	if (mytcp_challenge_too_soon(sk) ||
	    mytcp_challenge_over_limit(sock_net(sk))) {
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_ACKSKIPPEDCHALLENGE);
		return;
	}
	mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_CHALLENGEACK);
	mytcp_send_ack(sk);
}

/* A SYN on a connection; in ESTABLISHED, TCP counts it an input error. */
static void mytcp_count_syn_challenge(struct sock *sk)
{
	mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_SYNCHALLENGE);
	if (sk->sk_state == MYTCP_ESTABLISHED)
		mytcp_inc_stats(sock_net(sk), MYTCP_MIB_INERRS);
}

/*
 * Simultaneous open (RFC 9293, figure 8): in SYN-RECEIVED, the peer's
 * SYN-ACK that repeats its SYN and acknowledges all we sent is the ACK
 * that completes the handshake, not a new SYN to challenge.  Take its SYN
 * off so that it goes on as that ACK.
 */
static void mytcp_strip_crossed_synack(struct sock *sk, struct mytcp_skb_cb *cb)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (sk->sk_state != MYTCP_SYN_RECV ||
	    (cb->flags & (MYTCPHDR_SYN | MYTCPHDR_ACK | MYTCPHDR_RST)) !=
	    (MYTCPHDR_SYN | MYTCPHDR_ACK) ||
	    cb->seq + 1 != msk->rcv_nxt || cb->ack_seq != msk->snd_nxt)
		return;
	cb->seq++;
	cb->flags &= ~MYTCPHDR_SYN;
}

/* The synchronized states (RFC 9293 3.10.7.4). */
static void mytcp_rcv_synchronized(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	bool fin = cb->flags & MYTCPHDR_FIN;
	bool queued = false, ack_now = false, ofo_fin = false, early;

	mytcp_strip_crossed_synack(sk, cb);
	/* RFC 7323 5.3: an old duplicate by its TSval, answered with an ACK. */
	if (mytcp_paws_reject(msk, cb)) {
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_PAWSESTAB);
		mytcp_send_ack(sk);
		goto drop;
	}
	if (!mytcp_seq_acceptable(msk, cb)) {
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_OUTOFWINDOW);
		if (cb->flags & MYTCPHDR_SYN) {
			/* Counted as TCP counts a SYN, wherever it falls. */
			mytcp_count_syn_challenge(sk);
			mytcp_send_challenge_ack(sk);
		} else if (!(cb->flags & MYTCPHDR_RST)) {
			mytcp_send_ack(sk);
		}
		goto drop;
	}
	msk->rcv_tstamp = jiffies;
	msk->probes_out = 0;
	mytcp_update_ts_recent(msk, cb);

	if (cb->flags & MYTCPHDR_RST) {
		/* RFC 5961 3.2: only an exact RST resets; others are challenged. */
		if (cb->seq == msk->rcv_nxt)
			mytcp_reset_sk(sk);
		else
			mytcp_send_challenge_ack(sk);
		goto drop;
	}
	if (cb->flags & MYTCPHDR_SYN) {
		/* RFC 5961 4.2: a challenge ACK, whatever the sequence number. */
		mytcp_count_syn_challenge(sk);
		mytcp_send_challenge_ack(sk);
		goto drop;
	}
	if (!(cb->flags & MYTCPHDR_ACK))
		goto drop;
	early = mytcp_deliver_first(sk, skb);
	if (early)
		queued = mytcp_take_payload(sk, skb, &ofo_fin, &ack_now);
	if (!mytcp_rcv_ack(sk, skb)) {
		if (queued)	/* not reached: mytcp_deliver_first() */
			return;
		goto drop;
	}
	if (!mytcp_rcv_fin_ack(sk))
		goto out;	/* the ACK of our FIN ended the connection */

	/* Payload: the closing states have had the peer's FIN already. */
	switch (sk->sk_state) {
	case MYTCP_ESTABLISHED:
	case MYTCP_FIN_WAIT1:
	case MYTCP_FIN_WAIT2:
		if (skb->len && !early && sock_flag(sk, SOCK_DEAD) &&
		    (sk->sk_shutdown & RCV_SHUTDOWN)) {
			/* Nobody will read it: abort (RFC 9293 3.10.4). */
			mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_ABORTONDATA);
			mytcp_send_active_reset(sk);
			mytcp_reset_sk(sk);
			goto drop;
		}
		if (skb->len && !early && mytcp_rcv_wnd_closed(msk)) {
			/* A probe of our zero window: its ACK says we are full. */
			mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_ZEROWINDOWDROP);
			mytcp_enter_quickack(sk);
			ack_now = true;
		} else if (skb->len && !early) {
			queued = mytcp_take_payload(sk, skb, &ofo_fin, &ack_now);
		}
		if (skb->len && (!queued || mytcp_seq_after(cb->seq, msk->rcv_nxt)))
			fin = false;	/* comes again, or is queued */
		if (ofo_fin || (fin && cb->end_seq == msk->rcv_nxt + 1)) {
			ack_now = true;
			if (!mytcp_rcv_fin(sk))
				goto out;
		}
		break;
	default:
		/* CLOSE-WAIT, CLOSING, LAST-ACK: a retransmitted FIN. */
		if (fin)
			ack_now = true;
	}
	if (ack_now)
		mytcp_send_ack(sk);
	mytcp_push_pending(sk);
	mytcp_ack_check(sk);
out:
	if (queued)
		return;
	/* Taken in full: an ACK, a bare FIN.  Payload left here was dropped. */
	if (!skb->len) {
		consume_skb(skb);
		return;
	}
drop:
	kfree_skb(skb);
}

/**
 * mytcp_rcv_sk() - a segment for a socket
 * @sk: the socket, locked (by a softirq or, through the backlog, by its
 *      owner)
 * @skb: the segment, consumed
 *
 * Return: 0.
 */
int mytcp_rcv_sk(struct sock *sk, struct sk_buff *skb)
{
	switch (sk->sk_state) {
	case MYTCP_LISTEN:
		return mytcp_rcv_listen(sk, skb);
	case MYTCP_CLOSE:
		mytcp_send_reset_reply(sock_net(sk), skb);
		break;
	case MYTCP_SYN_SENT:
		if (mytcp_rcv_syn_sent(sk, skb)) {
			consume_skb(skb);
			return 0;
		}
		break;
	default:
		mytcp_rcv_synchronized(sk, skb);
		return 0;
	}
	kfree_skb(skb);
	return 0;
}
