// SPDX-License-Identifier: GPL-2.0
/*
 * When the receiver acknowledges (RFC 9293 3.8.6.3, RFC 1122 4.2.3.2,
 * RFC 5681 4.2), the way Linux TCP does it: quick ACKs at the start of a
 * connection and after anything unusual, then delayed ACKs: at least
 * every second full-sized segment, otherwise after the ACK timeout (ato,
 * 40 ms to 200 ms) of the delayed-ACK timer; interactive (ping-pong)
 * connections leave the ACK to ride on the reply.  Also the window
 * update a read earns (Linux's tcp_cleanup_rbuf()) and MYTCP_QUICKACK.
 */
#include <linux/timer.h>
#include <net/sock.h>
#include <net/mytcp.h>

/* Whether the delayed-ACK timer should stay quiet: nothing to say. */
static bool mytcp_ack_idle(const struct sock *sk)
{
	return sk->sk_state == MYTCP_CLOSE || sk->sk_state == MYTCP_LISTEN ||
	       !(mytcp_sk(sk)->ack_pending & MYTCP_ACK_SCHED);
}

/* Until the peer's segments are seen: the smaller of ours and 536. */
static void mytcp_guess_rcv_mss(struct mytcp_sock *msk)
{
	if (!msk->rcv_mss)
		msk->rcv_mss = clamp_t(u16, msk->advmss, MYTCP_MIN_MSS,
				       MYTCP_DEFAULT_MSS);
}

/* Give the next few segments an ACK each, at once (tcp_incr_quickack). */
static void mytcp_incr_quickack(struct sock *sk, unsigned int max_quick)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	unsigned int quick;

	mytcp_guess_rcv_mss(msk);
	quick = msk->rcv_wnd / (2 * msk->rcv_mss);

	if (!quick)
		quick = 2;
	quick = min(quick, max_quick);
	if (quick > msk->quick)
		msk->quick = quick;
}

/**
 * mytcp_enter_quickack() - acknowledge the next segments at once
 * @sk: the socket, locked
 *
 * After a duplicate, data outside the window, or a long silence: the
 * peer may be recovering, so it gets its ACKs without delay.
 */
void mytcp_enter_quickack(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	mytcp_incr_quickack(sk, MYTCP_MAX_QUICKACKS);
	msk->pingpong = 0;
	msk->ato = MYTCP_ATO_MIN;
}

static bool mytcp_in_quickack(const struct mytcp_sock *msk)
{
	return msk->quick && !msk->pingpong;
}

/**
 * mytcp_next_ato() - the ACK timeout after data arrives
 * @ato: the current one, jiffies
 * @gap: jiffies since the data before
 * @rto: the retransmission timeout, jiffies
 *
 * Follows the peer's pace: back-to-back data halves it towards the
 * minimum, a gap shorter than it moves it towards the gap.
 *
 * Return: the new ato, in jiffies.
 */
u32 mytcp_next_ato(u32 ato, u32 gap, u32 rto)
{
	if (gap <= MYTCP_ATO_MIN / 2)
		return ato / 2 + MYTCP_ATO_MIN / 2;
	if (gap < ato)
		return min(ato / 2 + gap, rto);
	return ato;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_next_ato);

/* How big the peer's segments are; smaller ones were pushed. */
static void mytcp_measure_rcv_mss(struct sock *sk, unsigned int len)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (len >= msk->rcv_mss) {
		msk->rcv_mss = min_t(unsigned int, len, msk->advmss);
		return;
	}
	if (msk->ack_pending & MYTCP_ACK_PUSHED)
		msk->ack_pending |= MYTCP_ACK_PUSHED2;
	msk->ack_pending |= MYTCP_ACK_PUSHED;
}

/**
 * mytcp_note_data_in() - new data arrived in order
 * @sk: the socket, locked
 * @len: its length
 *
 * An ACK is owed from now on, and the window may open further
 * (tcp_event_data_recv()).
 */
void mytcp_note_data_in(struct sock *sk, unsigned int len)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	u32 now = jiffies, gap;

	mytcp_guess_rcv_mss(msk);
	msk->ack_pending |= MYTCP_ACK_SCHED;
	mytcp_measure_rcv_mss(sk, len);
	mytcp_grow_rcv_ssthresh(sk, len);
	gap = now - msk->lrcvtime;
	if (!msk->ato) {
		/* The first data: quick ACKs while the peer's window opens. */
		mytcp_incr_quickack(sk, MYTCP_MAX_QUICKACKS);
		msk->ato = MYTCP_ATO_MIN;
	} else if (gap > msk->rto) {
		/* A long silence: start again as at the beginning. */
		mytcp_incr_quickack(sk, MYTCP_MAX_QUICKACKS);
	} else {
		msk->ato = mytcp_next_ato(msk->ato, gap, msk->rto);
	}
	msk->lrcvtime = now;
}

/**
 * mytcp_note_data_out() - we send new data
 * @sk: the socket, locked
 *
 * A reply within ato of the peer's data makes the connection
 * interactive: its ACKs ride on the replies from then on.
 */
void mytcp_note_data_out(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (msk->ato && (u32)jiffies - msk->lrcvtime < msk->ato)
		msk->pingpong = 1;
}

/**
 * mytcp_ack_sent() - a segment acknowledging rcv_nxt leaves
 * @sk: the socket, locked
 *
 * Whatever ACK was owed is paid: the timer stops; one quick ACK is used.
 */
void mytcp_ack_sent(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (msk->quick) {
		if (!--msk->quick)
			msk->ato = MYTCP_ATO_MIN;
	}
	msk->ack_pending = 0;
	msk->ack_blocked = 0;
	if (timer_pending(&msk->delack_timer))
		sk_stop_timer(sk, &msk->delack_timer);
}

/* Start (or keep, when it is sooner) the delayed-ACK timer. */
static void mytcp_send_delayed_ack(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	unsigned long ato = msk->ato, timeout;

	if (ato > MYTCP_ATO_MIN) {
		unsigned long max_ato = HZ / 2;

		if (msk->pingpong || (msk->ack_pending & MYTCP_ACK_PUSHED))
			max_ato = MYTCP_DELACK_MAX;
		ato = min(ato, max_ato);
	}
	timeout = jiffies + ato;
	if (msk->ack_pending & MYTCP_ACK_TIMER) {
		/* Due (almost) now anyway: send it. */
		if (time_before_eq(msk->delack_timer.expires, jiffies + (ato >> 2))) {
			mytcp_send_ack(sk);
			return;
		}
		if (!time_before(timeout, msk->delack_timer.expires))
			timeout = msk->delack_timer.expires;
	}
	msk->ack_pending |= MYTCP_ACK_SCHED | MYTCP_ACK_TIMER;
	sk_reset_timer(sk, &msk->delack_timer, timeout);
}

/*
 * More than a full-sized segment is owed an ACK, and sending it now moves
 * the window's right edge at least as far as the data moved its left one:
 * the window is capped by rcv_ssthresh below the free buffer (the reader
 * keeps up, or the connection exchanges requests), the reader has taken
 * everything, or it has less than SO_RCVLOWAT waiting and needs more to
 * wake.  While data waits unread in a buffer that sets the window, the
 * ACK is left to the read that takes it (mytcp_cleanup_rbuf()) or to the
 * timer, as TCP does (__tcp_ack_snd_check()): each ACK would only offer
 * a smaller window and cost the sender a packet to process.
 */
static bool mytcp_ack_due(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (msk->rcv_nxt - msk->rcv_wup <= msk->rcv_mss)
		return false;
	return msk->rcv_nxt - msk->copied_seq < (u32)READ_ONCE(sk->sk_rcvlowat) ||
	       mytcp_free_window(sk) >= msk->rcv_wnd;
}

/**
 * mytcp_ack_check() - send the owed ACK now, or delay it
 * @sk: the socket, locked, after a segment's data was taken
 *
 * At once: more than a full-sized segment unacknowledged and a window
 * that would not shrink, quick-ACK mode, out-of-order data held, or an
 * ACK asked for now; otherwise the delayed-ACK timer sends it
 * (__tcp_ack_snd_check()).
 */
void mytcp_ack_check(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (!(msk->ack_pending & MYTCP_ACK_SCHED))
		return;
	if (mytcp_ack_due(sk) ||
	    mytcp_in_quickack(msk) || (msk->ack_pending & MYTCP_ACK_NOW) ||
	    !RB_EMPTY_ROOT(&msk->ofo_root))
		mytcp_send_ack(sk);
	else
		mytcp_send_delayed_ack(sk);
}

/* The delayed-ACK timer fired, the socket ours. */
static void mytcp_delack_fire(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (mytcp_ack_idle(sk) || !(msk->ack_pending & MYTCP_ACK_TIMER))
		return;
	msk->ack_pending &= ~MYTCP_ACK_TIMER;
	if (!msk->pingpong) {
		/* It had to wait a whole ato: the peer is slower than that. */
		msk->ato = min_t(u32, msk->ato << 1, msk->rto);
	} else {
		/* No reply came to carry it: not so interactive after all. */
		msk->pingpong = 0;
		msk->ato = MYTCP_ATO_MIN;
	}
	mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_DELAYEDACKS);
	mytcp_send_ack(sk);
}

static void mytcp_expire_delack(struct timer_list *t)
{
	struct mytcp_sock *msk = from_timer(msk, t, delack_timer);
	struct sock *sk = (struct sock *)msk;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		/* The owner is reading, likely: it sends the ACK when done. */
		msk->ack_blocked = 1;
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_DELAYEDACKLOCKED);
		sk_reset_timer(sk, &msk->delack_timer, jiffies + MYTCP_ATO_MIN);
	} else {
		mytcp_delack_fire(sk);
	}
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * mytcp_init_delack() - set up the delayed-ACK timer of a new socket
 * @sk: the socket, or a listener's new child
 */
void mytcp_init_delack(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	timer_setup(&msk->delack_timer, mytcp_expire_delack, 0);
	mytcp_reset_ack_state(sk);
}

/**
 * mytcp_reset_ack_state() - a new connection owes no ACK yet
 * @sk: the socket
 */
void mytcp_reset_ack_state(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	msk->ack_pending = 0;
	msk->ack_blocked = 0;
	msk->quick = 0;
	msk->pingpong = 0;
	msk->ato = 0;
	msk->rcv_mss = 0;
	msk->lrcvtime = jiffies;
}

/**
 * mytcp_stop_delack() - the connection is over: no ACK will be owed
 * @sk: the socket, locked
 */
void mytcp_stop_delack(struct sock *sk)
{
	mytcp_sk(sk)->ack_pending = 0;
	sk_stop_timer(sk, &mytcp_sk(sk)->delack_timer);
}

/**
 * mytcp_set_quickack() - MYTCP_QUICKACK, as TCP_QUICKACK
 * @sk: the socket, locked
 * @val: 0 enters interactive mode (ACKs wait for a reply); otherwise it
 *       is left, and an owed ACK goes now (odd values) or the mode is
 *       entered again right after (even values)
 */
void mytcp_set_quickack(struct sock *sk, int val)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (!val) {
		msk->pingpong = 1;
		return;
	}
	msk->pingpong = 0;
	if ((sk->sk_state == MYTCP_ESTABLISHED || sk->sk_state == MYTCP_CLOSE_WAIT) &&
	    (msk->ack_pending & MYTCP_ACK_SCHED)) {
		msk->ack_pending |= MYTCP_ACK_PUSHED;
		mytcp_cleanup_rbuf(sk, 1);
		if (!(val & 1))
			msk->pingpong = 1;
	}
}

/**
 * mytcp_cleanup_rbuf() - after a read: an owed ACK, or a window update
 * @sk: the socket, locked
 * @copied: bytes the read took
 *
 * The ACK goes now if the owed one was held back (two segments, or a
 * timer that found the socket busy), if the read emptied a buffer that
 * held a pushed segment, or if the window the read opened is at least
 * twice the one offered (receiver SWS avoidance: only big updates).
 */
void mytcp_cleanup_rbuf(struct sock *sk, int copied)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	bool ack = false;

	if (sk->sk_state == MYTCP_CLOSE || sk->sk_state == MYTCP_LISTEN ||
	    sk->sk_state == MYTCP_SYN_SENT)
		return;
	if (msk->ack_pending & MYTCP_ACK_SCHED) {
		if (msk->ack_blocked || msk->rcv_nxt - msk->rcv_wup > msk->rcv_mss ||
		    (copied > 0 && !atomic_read(&sk->sk_rmem_alloc) &&
		     ((msk->ack_pending & MYTCP_ACK_PUSHED2) ||
		      ((msk->ack_pending & MYTCP_ACK_PUSHED) && !msk->pingpong))))
			ack = true;
	}
	if (copied > 0 && !ack && !(sk->sk_shutdown & RCV_SHUTDOWN)) {
		u32 offered = mytcp_rcv_wnd_left(msk);

		if (2 * offered <= mytcp_rcv_wnd_clamp(sk)) {
			u32 win = mytcp_free_window(sk);

			if (win && win >= 2 * offered)
				ack = true;
		}
	}
	if (ack)
		mytcp_send_ack(sk);
}
