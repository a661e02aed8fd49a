// SPDX-License-Identifier: GPL-2.0
/*
 * Congestion control: the list of algorithms and the choice of one per
 * socket (MYTCP_CONGESTION, the congestion_control sysctl), the window
 * at the start (RFC 6928) and after idle (RFC 5681 4.1), what an ACK and
 * a timeout do to it, and Reno (RFC 5681) with TCP's appropriate byte
 * counting in whole segments.  CUBIC is in cubic.c.
 */
#include <linux/list.h>
#include <linux/rculist.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <net/sock.h>
#include <net/mytcp.h>

static LIST_HEAD(mytcp_cong_list);
static DEFINE_SPINLOCK(mytcp_cong_lock);

/**
 * mytcp_slow_start() - grow the window by what was ACKed, up to ssthresh
 * @cwnd: the window in segments, updated
 * @ssthresh: the slow start threshold
 * @acked: segments newly acknowledged
 *
 * Return: the part of @acked that slow start did not use.
 */
u32 mytcp_slow_start(u32 *cwnd, u32 ssthresh, u32 acked)
{
	u32 grown = min_t(u32, *cwnd + acked, ssthresh);

	if (grown < *cwnd)		/* already above ssthresh */
		return acked;
	acked -= grown - *cwnd;
	*cwnd = grown;
	return acked;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_slow_start);

/**
 * mytcp_cong_avoid_ai() - additive increase: one segment per @w ACKed
 * @cwnd: the window in segments, updated
 * @cnt: segments ACKed towards the next increase, updated
 * @w: segments to ACK for one more (the window, for Reno)
 * @acked: segments newly acknowledged
 */
void mytcp_cong_avoid_ai(u32 *cwnd, u32 *cnt, u32 w, u32 acked)
{
	w = max_t(u32, w, 1);
	if (*cnt >= w) {
		*cnt = 0;
		(*cwnd)++;
	}
	*cnt += acked;
	if (*cnt >= w) {
		*cwnd += *cnt / w;
		*cnt %= w;
	}
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_cong_avoid_ai);

/**
 * mytcp_reno_ssthresh_for() - Reno's threshold after a loss
 * @in_flight: segments in flight when the loss was found
 *
 * Return: max(FlightSize / 2, 2) (RFC 5681, equation 4).
 */
u32 mytcp_reno_ssthresh_for(u32 in_flight)
{
	return max_t(u32, in_flight >> 1, 2);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_reno_ssthresh_for);

/**
 * mytcp_restart_cwnd() - the window after the sender was idle
 * @cwnd: the window before
 * @iw: the initial window
 * @idle: how long nothing was sent, jiffies
 * @rto: the retransmission timeout, jiffies
 *
 * RFC 5681 4.1 as TCP does it: halve the window for each RTO of idle
 * time, but not below min(@iw, @cwnd).
 *
 * Return: the new window.
 */
u32 mytcp_restart_cwnd(u32 cwnd, u32 iw, unsigned long idle, u32 rto)
{
	u32 floor = min(iw, cwnd);
	long left = (long)idle;

	if (!rto)
		return floor;
	while ((left -= rto) > 0 && cwnd > floor)
		cwnd >>= 1;
	return max(cwnd, floor);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_restart_cwnd);

static u32 mytcp_reno_ssthresh(struct sock *sk)
{
	return mytcp_reno_ssthresh_for(mytcp_in_flight(sk));
}

static void mytcp_reno_cong_avoid(struct sock *sk, u32 acked)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (msk->snd_cwnd < msk->snd_ssthresh) {
		acked = mytcp_slow_start(&msk->snd_cwnd, msk->snd_ssthresh, acked);
		if (!acked)
			return;
	}
	mytcp_cong_avoid_ai(&msk->snd_cwnd, &msk->snd_cwnd_cnt, msk->snd_cwnd, acked);
}

static struct mytcp_cong_ops mytcp_reno = {
	.name		= "reno",
	.ssthresh	= mytcp_reno_ssthresh,
	.cong_avoid	= mytcp_reno_cong_avoid,
};

/* Under RCU or the list's lock. */
static struct mytcp_cong_ops *mytcp_find_cong(const char *name)
{
	struct mytcp_cong_ops *ops;

	list_for_each_entry_rcu(ops, &mytcp_cong_list, list,
				lockdep_is_held(&mytcp_cong_lock)) {
		if (!strcmp(ops->name, name))
			return ops;
	}
	return NULL;
}

/**
 * mytcp_register_cong() - offer an algorithm
 * @ops: it; lives as long as the module
 *
 * Algorithms are files of this module: the list holds no module
 * references, and an algorithm stays registered until the module goes.
 */
void mytcp_register_cong(struct mytcp_cong_ops *ops)
{
	spin_lock(&mytcp_cong_lock);
	if (!mytcp_find_cong(ops->name))
		list_add_tail_rcu(&ops->list, &mytcp_cong_list);
	spin_unlock(&mytcp_cong_lock);
}

/**
 * mytcp_unregister_cong() - withdraw it, once no socket uses it
 * @ops: it
 */
void mytcp_unregister_cong(struct mytcp_cong_ops *ops)
{
	spin_lock(&mytcp_cong_lock);
	list_del_rcu(&ops->list);
	spin_unlock(&mytcp_cong_lock);
	synchronize_rcu();
}

/**
 * mytcp_init_cong() - register the algorithms built in (Reno, CUBIC)
 *
 * Return: 0.
 */
int mytcp_init_cong(void)
{
	mytcp_register_cong(&mytcp_reno);
	mytcp_register_cong(&mytcp_cubic);
	return 0;
}

/**
 * mytcp_exit_cong() - unregister them
 */
void mytcp_exit_cong(void)
{
	mytcp_unregister_cong(&mytcp_cubic);
	mytcp_unregister_cong(&mytcp_reno);
}

/**
 * mytcp_get_available_cong() - the names of the registered algorithms
 * @buf: where to write them, space-separated, NUL-terminated
 * @len: its size
 *
 * As tcp_available_congestion_control; names that do not fit are left out.
 */
void mytcp_get_available_cong(char *buf, size_t len)
{
	struct mytcp_cong_ops *ops;
	size_t offs = 0;
	int n;

	if (!len)
		return;
	buf[0] = 0;
	rcu_read_lock();
	list_for_each_entry_rcu(ops, &mytcp_cong_list, list) {
		n = snprintf(buf + offs, len - offs, "%s%s", offs ? " " : "", ops->name);
		if (n < 0 || (size_t)n >= len - offs) {
			buf[offs] = 0;
			break;
		}
		offs += n;
	}
	rcu_read_unlock();
}

/* A socket's algorithm starts afresh: its own state zeroed. */
static void mytcp_init_ca(struct sock *sk)
{
	memset(mytcp_sk(sk)->ca_priv, 0, sizeof(mytcp_sk(sk)->ca_priv));
}

/**
 * mytcp_cong_name_ok() - is an algorithm of that name registered?
 * @name: the name
 *
 * Return: true if so.
 */
bool mytcp_cong_name_ok(const char *name)
{
	bool ok;

	rcu_read_lock();
	ok = mytcp_find_cong(name);
	rcu_read_unlock();
	return ok;
}

/**
 * mytcp_set_cong_by_name() - MYTCP_CONGESTION
 * @sk: the socket, locked
 * @name: the algorithm's name
 *
 * The algorithm's state starts afresh, also on a connected socket (as
 * TCP_CONGESTION does); the window and ssthresh are kept.
 *
 * Return: 0, or -ENOENT for an unknown name (as TCP_CONGESTION).
 */
int mytcp_set_cong_by_name(struct sock *sk, const char *name)
{
	struct mytcp_cong_ops *ops;

	rcu_read_lock();
	ops = mytcp_find_cong(name);
	if (ops)
		mytcp_sk(sk)->cong_ops = ops;
	rcu_read_unlock();
	if (!ops)
		return -ENOENT;
	mytcp_init_ca(sk);
	return 0;
}

/**
 * mytcp_set_default_cong() - the namespace's congestion_control, or Reno
 * @sk: a new socket
 */
void mytcp_set_default_cong(struct sock *sk)
{
	struct mytcp_net *mn = mytcp_net(sock_net(sk));
	char name[MYTCP_CA_NAME_MAX];

	/* The sysctl may change under us: read it once, whole. */
	strscpy(name, mn->sysctl_congestion_control, sizeof(name));
	if (mytcp_set_cong_by_name(sk, name)) {
		mytcp_sk(sk)->cong_ops = &mytcp_reno;
		mytcp_init_ca(sk);
	}
}

/**
 * mytcp_init_sender() - the sender's state of a new connection
 * @sk: the socket
 */
void mytcp_init_sender(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	msk->rtt.srtt_us = 0;
	msk->rtt.rttvar_us = 0;
	msk->backoff = 0;
	msk->dupacks = 0;
	msk->retrans_stamp = 0;
	msk->probes_stamp = 0;
	msk->packets_out = 0;
	msk->ca_state = MYTCP_CA_OPEN;
	msk->snd_cwnd = MYTCP_INIT_CWND;
	msk->snd_cwnd_cnt = 0;
	msk->snd_ssthresh = MYTCP_INFINITE_SSTHRESH;
	if (!msk->cong_ops)
		mytcp_set_default_cong(sk);
}

/**
 * mytcp_init_cwnd() - the connection is established: the initial window
 * @sk: the socket, locked
 */
void mytcp_init_cwnd(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	msk->snd_cwnd = MYTCP_INIT_CWND;
	msk->snd_cwnd_cnt = 0;
	msk->snd_ssthresh = MYTCP_INFINITE_SSTHRESH;
	msk->ca_state = MYTCP_CA_OPEN;
	msk->dupacks = 0;
	msk->recover = msk->snd_una;
	msk->snd_sml = msk->snd_una;
	msk->lsndtime = jiffies;
	mytcp_init_ca(sk);
	mytcp_grow_sndbuf(sk);
}

/* Did the window limit what was sent before this ACK? (TCP's test) */
static bool mytcp_cwnd_limited(const struct mytcp_sock *msk, u32 prior_in_flight)
{
	if (msk->snd_cwnd < msk->snd_ssthresh)
		return msk->snd_cwnd < 2 * prior_in_flight;
	return prior_in_flight >= msk->snd_cwnd;
}

/**
 * mytcp_cong_on_ack() - an ACK of new data outside fast recovery
 * @sk: the socket, locked
 * @acked: segments it acknowledged
 * @prior_in_flight: segments in flight before it
 */
void mytcp_cong_on_ack(struct sock *sk, u32 acked, u32 prior_in_flight)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (!acked || !mytcp_cwnd_limited(msk, prior_in_flight))
		return;
	msk->cong_ops->cong_avoid(sk, acked);
}

/**
 * mytcp_cong_enter_loss() - the retransmission timer fired
 * @sk: the socket, locked
 *
 * RFC 5681 3.1: ssthresh from the algorithm (unless already lowered for
 * this loss), cwnd one segment (the loss window); all that was in
 * flight is resent from the head as the window allows.
 */
void mytcp_cong_enter_loss(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	if (msk->ca_state == MYTCP_CA_OPEN ||
	    (msk->ca_state == MYTCP_CA_LOSS && !msk->retransmits))
		msk->snd_ssthresh = msk->cong_ops->ssthresh(sk);
	if (msk->cong_ops->on_loss)
		msk->cong_ops->on_loss(sk);
	msk->snd_cwnd = 1;
	msk->snd_cwnd_cnt = 0;
	msk->ca_state = MYTCP_CA_LOSS;
	msk->recover = msk->snd_nxt;
	msk->rtx_next = msk->snd_una;
	msk->dupacks = 0;
}

/**
 * mytcp_cwnd_restart() - new data after the sender was idle
 * @sk: the socket, locked, with nothing in flight
 *
 * With slow_start_after_idle (TCP's default), more than an RTO without
 * sending shrinks the window (RFC 5681 4.1); ssthresh keeps 3/4 of it.
 * The algorithm hears of the idle time either way (after_idle).
 */
void mytcp_cwnd_restart(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	unsigned long idle = jiffies - msk->lsndtime;
	bool restart;

	restart = READ_ONCE(mytcp_net(sock_net(sk))->sysctl_slow_start_after_idle) &&
		  msk->ca_state == MYTCP_CA_OPEN && (long)idle > (long)msk->rto;
	if (restart) {
		msk->snd_ssthresh = max(msk->snd_ssthresh,
					(msk->snd_cwnd >> 1) + (msk->snd_cwnd >> 2));
		msk->snd_cwnd = mytcp_restart_cwnd(msk->snd_cwnd, MYTCP_INIT_CWND,
						   idle, msk->rto);
		msk->snd_cwnd_cnt = 0;
	}
	if (msk->cong_ops->after_idle)
		msk->cong_ops->after_idle(sk, idle, restart);
}
