// SPDX-License-Identifier: GPL-2.0
/*
 * Socket timers: retransmission (SYN, SYN-ACK of a simultaneous open,
 * data, FIN) with exponential backoff and its give-up limits, and the
 * persist timer that probes a closed window (both on rtx_timer, as TCP
 * shares one); keepalive; the FIN-WAIT-2 timeout of orphans.  How long
 * an orphan may retry is orphan.c's.
 */
#include <linux/netdevice.h>
#include <linux/timer.h>
#include <net/sock.h>
#include <net/mytcp.h>
#include "trace.h"

/**
 * mytcp_keepalive_time() - idle time before the first keepalive probe
 * @sk: the socket
 *
 * Return: seconds, from MYTCP_KEEPIDLE or else the sysctl.
 */
int mytcp_keepalive_time(const struct sock *sk)
{
	return mytcp_sk(sk)->keepalive_time ? :
	       READ_ONCE(mytcp_net(sock_net(sk))->sysctl_keepalive_time);
}

/**
 * mytcp_keepalive_intvl() - seconds between keepalive probes
 * @sk: the socket
 *
 * Return: MYTCP_KEEPINTVL, or else the sysctl.
 */
int mytcp_keepalive_intvl(const struct sock *sk)
{
	return mytcp_sk(sk)->keepalive_intvl ? :
	       READ_ONCE(mytcp_net(sock_net(sk))->sysctl_keepalive_intvl);
}

/**
 * mytcp_keepalive_probes() - unanswered probes before giving up
 * @sk: the socket
 *
 * Return: MYTCP_KEEPCNT, or else the sysctl.
 */
int mytcp_keepalive_probes(const struct sock *sk)
{
	return mytcp_sk(sk)->keepalive_probes ? :
	       READ_ONCE(mytcp_net(sock_net(sk))->sysctl_keepalive_probes);
}

/**
 * mytcp_fin_timeout() - how long an orphan waits in FIN-WAIT-2
 * @sk: the socket
 *
 * Return: seconds, from MYTCP_LINGER2 or else the fin_timeout sysctl.
 */
int mytcp_fin_timeout(const struct sock *sk)
{
	return mytcp_sk(sk)->linger2 ? :
	       READ_ONCE(mytcp_net(sock_net(sk))->sysctl_fin_timeout);
}

/* Start the idle time over, in the states where keepalive runs. */
static void mytcp_start_keepalive(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (sk->sk_state == MYTCP_LISTEN || sk->sk_state == MYTCP_CLOSE ||
	    sk->sk_state == MYTCP_SYN_SENT)
		return;
	msk->probes_out = 0;
	sk_reset_timer(sk, &msk->keepalive_timer,
		       jiffies + mytcp_keepalive_time(sk) * HZ);
}

/**
 * mytcp_arm_keepalive() - (re)start keepalive if SO_KEEPALIVE is on
 * @sk: the socket, locked
 */
void mytcp_arm_keepalive(struct sock *sk)
{
	if (sock_flag(sk, SOCK_KEEPOPEN))
		mytcp_start_keepalive(sk);
}

/**
 * mytcp_set_keepalive() - SO_KEEPALIVE was switched
 * @sk: the socket
 * @on: its new value
 */
void mytcp_set_keepalive(struct sock *sk, int on)
{
	/* Called before SOCK_KEEPOPEN changes: go by @on. */
	if (on)
		mytcp_start_keepalive(sk);
	else if (!sock_flag(sk, SOCK_DEAD))
		sk_stop_timer(sk, &mytcp_sk(sk)->keepalive_timer);
}

/* A bare ACK with an old sequence number: the peer answers with an ACK. */
static void mytcp_send_probe(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	u8 opts[MYTCP_TS_LEN];

	mytcp_send_bare(sock_net(sk), inet->inet_saddr, inet->inet_daddr,
			inet->inet_sport, inet->inet_dport, msk->snd_una - 1,
			msk->rcv_nxt, MYTCPHDR_ACK, mytcp_select_window(sk),
			opts, mytcp_sock_ts_option(msk, opts));
}

/* Give up on the connection: it timed out. */
static void mytcp_write_error(struct sock *sk, int err)
{
	mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_ABORTONTIMEOUT);
	WRITE_ONCE(sk->sk_err, err);
	if (!sock_flag(sk, SOCK_DEAD))
		sk_error_report(sk);
	mytcp_done(sk);
}

/* SYN and SYN-ACK retransmissions are counted; data's are timed. */
static bool mytcp_retries_exhausted(struct sock *sk)
{
	struct mytcp_net *mn = mytcp_net(sock_net(sk));
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (mytcp_retrans_timed_out(sk))
		return true;
	switch (sk->sk_state) {
	case MYTCP_SYN_SENT:
		return msk->retransmits >= (msk->syn_retries ? :
					    READ_ONCE(mn->sysctl_syn_retries));
	case MYTCP_SYN_RECV:
		return msk->retransmits >= READ_ONCE(mn->sysctl_synack_retries);
	default:
		return false;
	}
}

/*
 * An orphan's timeout, as in TCP's tcp_write_timeout(): one that has to go
 * for want of resources goes now, with a reset unless it looks stuck.
 * Return: true when it was aborted.
 */
static bool mytcp_orphan_starved(struct sock *sk)
{
	bool alive = mytcp_sk(sk)->rto < mytcp_rto_max(sk);

	if (!sock_flag(sk, SOCK_DEAD) || sk->sk_state == MYTCP_SYN_RECV)
		return false;
	return mytcp_out_of_resources(sk, alive || !mytcp_retrans_timed_out(sk));
}

/*
 * After the device refused a segment (veth says NET_XMIT_DROP when its
 * peer's input backlog is full): somewhere in the second half of @when.
 * The refusals of a busy host come in bursts that hit many connections
 * with the same timeout at once; backed off alike, their timers fire
 * together again, their segments fill the backlog together again and are
 * refused together again, every time.  Spread, most go at the next try,
 * while the backoff still takes the load off the device.
 */
static u32 mytcp_spread_retry(u32 when)
{
	return when - get_random_u32() % (when / 2 + 1);
}

/*
 * Did the device refuse the first unsent segment?  It still waits, though
 * the peer's window let it go (with nothing in flight, as here).
 */
static bool mytcp_head_refused(const struct mytcp_sock *msk)
{
	const struct sk_buff *skb = msk->send_head;

	return skb && (!skb->len || mytcp_sendable(msk, skb));
}

/*
 * The persist timer (TCP's probe timer): data waits on a closed window
 * and nothing is in flight.  A segment with an old sequence number makes
 * the peer tell its window; the interval doubles each time.  Every answer
 * resets probes_out, so a peer that answers is probed for ever, as TCP
 * does; only retries2 unanswered probes, or the user timeout, end it.
 *
 * @refused: the window let the head go but the device refused it.  Then
 * no probe goes on top, as in TCP's tcp_write_wakeup(): it would only
 * load the device further.  The attempt counts and backs off as a probe,
 * and the next one is spread (mytcp_spread_retry()).
 */
static void mytcp_probe_window(struct sock *sk, bool refused)
{
	struct mytcp_net *mn = mytcp_net(sock_net(sk));
	struct mytcp_sock *msk = mytcp_sk(sk);
	int max_probes = READ_ONCE(mn->sysctl_retries2);
	u32 when;

	if (!msk->probes_stamp)
		msk->probes_stamp = jiffies | 1;
	if (sock_flag(sk, SOCK_DEAD)) {
		/* TCP's tcp_probe_timer(): an orphan probes orphan_retries times. */
		u32 rto_max = mytcp_rto_max(sk);
		bool alive = mytcp_backoff_rto(max(msk->rto, mytcp_rto_min(sk)),
					       msk->backoff, rto_max) < rto_max;

		max_probes = mytcp_orphan_retries(sk, alive);
		if (!alive && msk->backoff >= max_probes) {
			mytcp_write_error(sk, ETIMEDOUT);
			return;
		}
		if (mytcp_out_of_resources(sk, true))
			return;
	}
	if ((msk->user_timeout &&
	     time_after_eq(jiffies, msk->probes_stamp +
			   msecs_to_jiffies(msk->user_timeout))) ||
	    msk->probes_out >= max_probes) {
		mytcp_write_error(sk, ETIMEDOUT);
		return;
	}
	if (!refused) {
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_WINPROBE);
		mytcp_send_probe(sk);
	}
	if (msk->probes_out < U8_MAX)
		msk->probes_out++;
	if (msk->backoff < READ_ONCE(mn->sysctl_retries2))
		msk->backoff++;
	when = mytcp_backoff_rto(max(msk->rto, mytcp_rto_min(sk)), msk->backoff,
				 mytcp_rto_max(sk));
	if (refused)
		when = mytcp_spread_retry(when);
	if (msk->user_timeout) {
		long left = (long)(msk->probes_stamp +
				   msecs_to_jiffies(msk->user_timeout) - jiffies);

		when = clamp_t(long, left, 1, when);
	}
	sk_reset_timer(sk, &msk->rtx_timer, jiffies + when);
}

/*
 * The retransmission timer (RFC 6298 5.4-5.6): give up, or resend the
 * head, back the timeout off, and let the congestion control resend the
 * rest of what was in flight as ACKs come.
 */
static void mytcp_retransmit(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);
	bool refused;
	u32 when;

	if (!skb || sk->sk_state == MYTCP_CLOSE)
		return;
	if (!msk->packets_out) {
		if (!msk->send_head)
			return;
		/*
		 * A segment that never left, because the window was closed or
		 * because the device dropped it (veth says NET_XMIT_DROP when
		 * its peer's backlog is full): send it if it may go now, as
		 * TCP's tcp_write_wakeup() does, else probe the window.
		 */
		mytcp_push_pending(sk);
		if (!msk->packets_out)
			mytcp_probe_window(sk, mytcp_head_refused(msk));
		return;
	}
	if (msk->tlp_armed) {
		mytcp_fire_probe(sk);
		return;
	}
	if (mytcp_orphan_starved(sk))
		return;
	if (mytcp_retries_exhausted(sk)) {
		mytcp_write_error(sk, ETIMEDOUT);
		return;
	}
	if (!msk->retransmits)
		msk->retrans_stamp = MYTCP_SKB_CB(skb)->when;
	mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_TIMEOUTS);
	if (msk->sack_ok && msk->ca_state == MYTCP_CA_RECOVERY)
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_SACKRECOVERYFAIL);
	/* What was in flight goes again segment by segment. */
	mytcp_unbundle_sent(sk);
	mytcp_cong_enter_loss(sk);
	if (msk->sack_ok)
		mytcp_sack_on_timeout(sk);
	msk->retransmits++;
	refused = mytcp_resend_segment(sk, skb) > 0;
	msk->rtx_next = MYTCP_SKB_CB(skb)->end_seq;
	msk->rto = min_t(u32, msk->rto * 2, mytcp_rto_max(sk));
	when = mytcp_rto_clamped(sk);
	sk_reset_timer(sk, &msk->rtx_timer,
		       jiffies + (refused ? mytcp_spread_retry(when) : when));
}

static void mytcp_expire_rtx(struct timer_list *t)
{
	struct mytcp_sock *msk = from_timer(msk, t, rtx_timer);
	struct sock *sk = (struct sock *)msk;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk))
		sk_reset_timer(sk, &msk->rtx_timer, jiffies + HZ / 20);
	else
		mytcp_retransmit(sk);
	bh_unlock_sock(sk);
	sock_put(sk);
}

static void mytcp_keepalive_probe(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	unsigned long idle = jiffies - msk->rcv_tstamp;
	unsigned long keepidle = mytcp_keepalive_time(sk) * HZ;

	if (idle < keepidle && !msk->probes_out) {
		sk_reset_timer(sk, &msk->keepalive_timer, jiffies + keepidle - idle);
		return;
	}
	if (msk->probes_out >= mytcp_keepalive_probes(sk)) {
		mytcp_send_active_reset(sk);
		mytcp_write_error(sk, ETIMEDOUT);
		return;
	}
	mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_KEEPALIVE);
	mytcp_send_probe(sk);
	msk->probes_out++;
	sk_reset_timer(sk, &msk->keepalive_timer,
		       jiffies + mytcp_keepalive_intvl(sk) * HZ);
}

static void mytcp_expire_keepalive(struct timer_list *t)
{
	struct mytcp_sock *msk = from_timer(msk, t, keepalive_timer);
	struct sock *sk = (struct sock *)msk;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		sk_reset_timer(sk, &msk->keepalive_timer, jiffies + HZ / 20);
		goto out;
	}
	if (sk->sk_state == MYTCP_FIN_WAIT2 && sock_flag(sk, SOCK_DEAD)) {
		/*
		 * fin_timeout passed: the peer never closed.  Give up and, as
		 * TCP does, tell the peer with a reset.
		 */
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_FINWAIT2TIMEOUTS);
		mytcp_send_active_reset(sk);
		mytcp_done(sk);
		goto out;
	}
	if (sock_flag(sk, SOCK_KEEPOPEN) &&
	    (sk->sk_state == MYTCP_ESTABLISHED || sk->sk_state == MYTCP_CLOSE_WAIT))
		mytcp_keepalive_probe(sk);
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * mytcp_init_timers() - set up a socket's timers
 * @sk: the socket
 */
void mytcp_init_timers(struct sock *sk)
{
	timer_setup(&mytcp_sk(sk)->rtx_timer, mytcp_expire_rtx, 0);
	timer_setup(&mytcp_sk(sk)->keepalive_timer, mytcp_expire_keepalive, 0);
}

/**
 * mytcp_stop_timers() - stop them; each pending one drops its reference
 * @sk: the socket, locked
 */
void mytcp_stop_timers(struct sock *sk)
{
	sk_stop_timer(sk, &mytcp_sk(sk)->rtx_timer);
	sk_stop_timer(sk, &mytcp_sk(sk)->keepalive_timer);
}
