// SPDX-License-Identifier: GPL-2.0
/*
 * CUBIC congestion control (RFC 9438): the cubic window curve around
 * W_max, its Reno-friendly region, the decrease by beta 0.7 with fast
 * convergence, the integer cube root it needs, and the per-socket state
 * it keeps in ca_priv.  Slow start is Reno's; there is no HyStart.
 */
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <net/sock.h>
#include <net/mytcp.h>

/*
 * RFC 9438's constants as fractions: beta_cubic 0.7 = 7/10, C 0.4,
 * (1 + beta_cubic) / 2 = 17/20 for fast convergence, and alpha_cubic =
 * 3 * (1 - beta_cubic) / (1 + beta_cubic) = 9/17 for the Reno-friendly
 * estimate.  Time is in ms: C * t^3 with t in ms is t^3 * 2 / 5e9.
 */
#define MYTCP_CUBIC_C_DIV	5000000000ULL	/* segments = 2 * ms^3 / this */
#define MYTCP_CUBIC_K_MUL	2500000000ULL	/* ms^3 per segment of W_max - cwnd */
#define MYTCP_CUBIC_ALPHA	9		/* alpha_cubic = 9/17 */
#define MYTCP_CUBIC_ALPHA_DIV	17
#define MYTCP_CUBIC_T_MAX	1048576U	/* ms of |t - K| counted: 17 min */

/* A socket's state, in its ca_priv. */
struct mytcp_cubic {
	u32		w_max;		/* segments; 0: none (start, after an RTO) */
	u32		cwnd_prior;	/* cwnd when ssthresh was last set */
	u32		origin;		/* W_max of this epoch's curve */
	u32		k_ms;		/* K: ms from the epoch to origin */
	u32		w_est;		/* the Reno-friendly estimate, segments */
	u32		est_cnt;	/* its fraction, in 1/(17 cwnd) */
	unsigned long	epoch;		/* jiffies the epoch started */
	bool		epoch_on;	/* an epoch runs (0 after a reduction) */
};

static_assert(sizeof(struct mytcp_cubic) <= MYTCP_CA_PRIV_SIZE);

/**
 * mytcp_calc_cbrt() - integer cube root
 * @x: the number
 *
 * One bit of the root per step, from the top: with y the root so far,
 * (2y + 1)^3 - (2y)^3 = 3 * 2y * (2y + 1) + 1 is what one more bit costs.
 *
 * Return: the largest y with y^3 <= @x.
 */
u32 mytcp_calc_cbrt(u64 x)
{
	u64 y = 0, b;
	int s;

	for (s = 63; s >= 0; s -= 3) {
		y <<= 1;
		b = 3 * y * (y + 1) + 1;
		if ((x >> s) >= b) {
			x -= b << s;
			y++;
		}
	}
	return y;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_calc_cbrt);

/**
 * mytcp_cubic_k_ms() - K of RFC 9438 4.2: when the curve reaches W_max
 * @w_max: W_max, segments
 * @cwnd_epoch: the window at the start of the epoch, segments
 *
 * K = cbrt((W_max - cwnd_epoch) / C) seconds.
 *
 * Return: K in ms, rounded down; 0 if @cwnd_epoch is not below @w_max.
 */
u32 mytcp_cubic_k_ms(u32 w_max, u32 cwnd_epoch)
{
	if (cwnd_epoch >= w_max)
		return 0;
	return mytcp_calc_cbrt((u64)(w_max - cwnd_epoch) * MYTCP_CUBIC_K_MUL);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_cubic_k_ms);

/**
 * mytcp_cubic_window() - W_cubic(t) = C * (t - K)^3 + W_max (RFC 9438 4.2)
 * @w_max: W_max of the curve, segments
 * @k_ms: K, ms
 * @t_ms: t, ms since the epoch started
 *
 * |t - K| is counted up to MYTCP_CUBIC_T_MAX, enough for any real window.
 *
 * Return: the window in segments, rounded down, between 0 and U32_MAX.
 */
u32 mytcp_cubic_window(u32 w_max, u32 k_ms, u32 t_ms)
{
	u32 d = t_ms > k_ms ? t_ms - k_ms : k_ms - t_ms;
	u64 delta;

	d = min(d, MYTCP_CUBIC_T_MAX);
	/* Rounded so that the window, not the step, is rounded down. */
	if (t_ms < k_ms) {
		delta = DIV64_U64_ROUND_UP((u64)d * d * d * 2, MYTCP_CUBIC_C_DIV);
		return delta < w_max ? w_max - (u32)delta : 0;
	}
	delta = div64_u64((u64)d * d * d * 2, MYTCP_CUBIC_C_DIV);
	return min_t(u64, (u64)w_max + delta, U32_MAX);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_cubic_window);

/**
 * mytcp_cubic_grow_est() - the Reno-friendly estimate, RFC 9438 4.3
 * @w_est: W_est in segments, updated
 * @cnt: its fraction, in 1/(17 * @cwnd) of a segment, updated
 * @cwnd: the window
 * @acked: segments newly acknowledged
 * @alpha_one: alpha_cubic is 1 (W_est has reached cwnd_prior), else 9/17
 *
 * W_est += alpha_cubic * @acked / @cwnd.
 */
void mytcp_cubic_grow_est(u32 *w_est, u32 *cnt, u32 cwnd, u32 acked, bool alpha_one)
{
	u64 unit = (u64)max_t(u32, cwnd, 1) * MYTCP_CUBIC_ALPHA_DIV;
	u64 sum = *cnt + (u64)acked * (alpha_one ? MYTCP_CUBIC_ALPHA_DIV :
						    MYTCP_CUBIC_ALPHA);
	u64 rem;

	*w_est += div64_u64_rem(sum, unit, &rem);
	*cnt = rem;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_cubic_grow_est);

/**
 * mytcp_cubic_ssthresh_for() - the threshold after a loss, RFC 9438 4.6
 * @cwnd: the window when the loss was found
 *
 * RFC 9438 allows cwnd in place of the flight size where the window
 * grows only while it limits the sender, as mytcp_cong_on_ack() does.
 *
 * Return: max(@cwnd * 0.7, 2).
 */
u32 mytcp_cubic_ssthresh_for(u32 cwnd)
{
	return max_t(u32, div_u64((u64)cwnd * 7, 10), 2);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_cubic_ssthresh_for);

/**
 * mytcp_cubic_w_max_for() - W_max after a loss, with fast convergence
 * @cwnd: the window when the loss was found
 * @w_max: W_max before it
 *
 * RFC 9438 4.7: a window that did not get back to W_max means that a
 * flow came in; W_max then drops further, to @cwnd * (1 + 0.7) / 2, to
 * leave it room.
 *
 * Return: the new W_max.
 */
u32 mytcp_cubic_w_max_for(u32 cwnd, u32 w_max)
{
	if (cwnd < w_max)
		return div_u64((u64)cwnd * 17, 20);
	return cwnd;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_cubic_w_max_for);

/* A loss: the epoch ends, W_max and ssthresh follow RFC 9438 4.6 and 4.7. */
static u32 mytcp_cubic_ssthresh(struct sock *sk)
{
	struct mytcp_cubic *ca = mytcp_ca(sk);
	u32 cwnd = mytcp_sk(sk)->snd_cwnd;

	ca->epoch_on = false;
	ca->w_max = mytcp_cubic_w_max_for(cwnd, ca->w_max);
	ca->cwnd_prior = cwnd;
	return mytcp_cubic_ssthresh_for(cwnd);
}

/*
 * RFC 9438 4.8: after a timeout the next congestion avoidance starts a
 * curve of its own, K 0 and W_max the window it starts with.
 */
static void mytcp_cubic_on_loss(struct sock *sk)
{
	struct mytcp_cubic *ca = mytcp_ca(sk);

	ca->epoch_on = false;
	ca->w_max = 0;
}

/*
 * Time with nothing to send does not count on the curve (RFC 9438 5.8):
 * the epoch moves on by the idle time.  When the idle rule shrank the
 * window, congestion avoidance starts a new epoch instead.
 */
static void mytcp_cubic_after_idle(struct sock *sk, unsigned long idle,
				   bool restarted)
{
	struct mytcp_cubic *ca = mytcp_ca(sk);
	unsigned long now = jiffies;

	if (!ca->epoch_on)
		return;
	if (restarted) {
		ca->epoch_on = false;
		return;
	}
	ca->epoch += idle;
	if (time_after(ca->epoch, now))
		ca->epoch = now;
}

/* The first ACK of congestion avoidance after a reduction (RFC 9438 4.2). */
static void mytcp_cubic_start_epoch(struct mytcp_cubic *ca, u32 cwnd)
{
	ca->epoch_on = true;
	ca->epoch = jiffies;
	if (ca->w_max > cwnd) {
		ca->origin = ca->w_max;
		ca->k_ms = mytcp_cubic_k_ms(ca->w_max, cwnd);
	} else {
		ca->origin = cwnd;
		ca->k_ms = 0;
	}
	ca->w_est = cwnd;
	ca->est_cnt = 0;
}

static void mytcp_cubic_cong_avoid(struct sock *sk, u32 acked)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct mytcp_cubic *ca = mytcp_ca(sk);
	u32 cwnd, t_ms, rtt_ms, now_w, target;

	if (msk->snd_cwnd < msk->snd_ssthresh) {
		acked = mytcp_slow_start(&msk->snd_cwnd, msk->snd_ssthresh, acked);
		if (!acked)
			return;
	}
	cwnd = msk->snd_cwnd;
	if (!ca->epoch_on)
		mytcp_cubic_start_epoch(ca, cwnd);
	t_ms = jiffies_to_msecs(min_t(unsigned long, jiffies - ca->epoch,
				      msecs_to_jiffies(MYTCP_CUBIC_T_MAX)));
	rtt_ms = (msk->rtt.srtt_us >> 3) / USEC_PER_MSEC;

	mytcp_cubic_grow_est(&ca->w_est, &ca->est_cnt, cwnd, acked,
			     ca->w_est >= ca->cwnd_prior);
	now_w = mytcp_cubic_window(ca->origin, ca->k_ms, t_ms);
	if (now_w < ca->w_est) {
		/* The Reno-friendly region: as fast as Reno would be. */
		if (ca->w_est > cwnd) {
			msk->snd_cwnd = ca->w_est;
			msk->snd_cwnd_cnt = 0;
		}
		return;
	}
	/* Concave or convex: towards W_cubic(t + RTT), at most 1.5 cwnd. */
	target = mytcp_cubic_window(ca->origin, ca->k_ms, t_ms + rtt_ms);
	target = min_t(u32, target, cwnd + cwnd / 2);
	if (target <= cwnd)
		return;
	mytcp_cong_avoid_ai(&msk->snd_cwnd, &msk->snd_cwnd_cnt,
			    cwnd / (target - cwnd), acked);
}

struct mytcp_cong_ops mytcp_cubic = {
	.name		= "cubic",
	.ssthresh	= mytcp_cubic_ssthresh,
	.cong_avoid	= mytcp_cubic_cong_avoid,
	.on_loss	= mytcp_cubic_on_loss,
	.after_idle	= mytcp_cubic_after_idle,
};
