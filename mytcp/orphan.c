// SPDX-License-Identifier: GPL-2.0
/*
 * Orphans: connections their application closed that still deliver their
 * data and FIN or wait for its ACK.  Their global count and its limit
 * (max_orphans), how long an orphan retransmits (orphan_retries), and the
 * resource check that aborts an orphan when there are too many of them or
 * memory ran out: Linux TCP's tcp_orphan_count, tcp_orphan_retries(),
 * tcp_check_oom() and tcp_out_of_resources(), with their defaults.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/percpu_counter.h>
#include <linux/swap.h>
#include <net/sock.h>
#include <net/mytcp.h>

/* Orphans of every namespace, as TCP counts them: one global figure. */
static struct percpu_counter mytcp_orphan_count;

/* Global, as tcp_max_orphans: only the initial namespace shows it. */
int mytcp_sysctl_max_orphans __read_mostly;

/**
 * mytcp_default_max_orphans() - TCP's default tcp_max_orphans
 * @pages: the pages of memory the kernel may use for buffers
 *
 * TCP sizes its connection table at one chain per 128 KB of memory (a
 * power of two) and allows half as many orphans as it has chains.
 *
 * Return: the number of orphans allowed, at least 128.
 */
int mytcp_default_max_orphans(unsigned long pages)
{
	unsigned long chains = pages >> (17 - PAGE_SHIFT);

	chains = roundup_pow_of_two(max(chains, 256UL));
	return min_t(unsigned long, chains / 2, INT_MAX);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_default_max_orphans);

/**
 * mytcp_pick_orphan_retries() - the retry limit of an orphan
 * @sysctl: the namespace's orphan_retries
 * @alive: the orphan's timeout is not backed off to rto_max yet
 * @soft_error: an ICMP error arrived for the connection
 *
 * As tcp_orphan_retries(): 0 means 8 while the orphan is alive (8 backoffs
 * from rto_min are some 100 s), and no retry at all once an ICMP error came
 * and the timeout is at its maximum.
 *
 * Return: the number of retransmissions before the orphan is given up.
 */
int mytcp_pick_orphan_retries(int sysctl, bool alive, bool soft_error)
{
	if (soft_error && !alive)
		sysctl = 0;
	if (!sysctl && alive)
		sysctl = 8;
	return sysctl;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_pick_orphan_retries);

/**
 * mytcp_orphan_retries() - the retry limit of this orphan
 * @sk: the socket, dead (closed by its application), locked
 * @alive: its timeout is not backed off to rto_max yet
 *
 * Return: retransmissions or window probes before it is given up.
 */
int mytcp_orphan_retries(const struct sock *sk, bool alive)
{
	return mytcp_pick_orphan_retries(READ_ONCE(mytcp_net(sock_net(sk))->sysctl_orphan_retries),
					 alive, READ_ONCE(sk->sk_err_soft));
}

/**
 * mytcp_add_orphan() - count a socket its application just closed
 * @sk: the socket, dead, not CLOSED, locked
 *
 * mytcp_done() takes it off the count when the orphan ends.
 */
void mytcp_add_orphan(struct sock *sk)
{
	sock_owned_by_me(sk);
	percpu_counter_inc(&mytcp_orphan_count);
}

/**
 * mytcp_drop_orphan() - an orphan ended
 */
void mytcp_drop_orphan(void)
{
	percpu_counter_dec(&mytcp_orphan_count);
}

/**
 * mytcp_count_orphans() - the orphans of every namespace, exactly
 *
 * Return: their number.
 */
s64 mytcp_count_orphans(void)
{
	return percpu_counter_sum_positive(&mytcp_orphan_count);
}

/* TCP's too_many_orphans(): @shift penalizes an orphan that looks stuck. */
static bool mytcp_too_many_orphans(int shift)
{
	s64 max = READ_ONCE(mytcp_sysctl_max_orphans);

	return percpu_counter_compare(&mytcp_orphan_count, max >> shift) > 0;
}

/* TCP's tcp_out_of_memory(): it holds data and the hard limit is passed. */
static bool mytcp_out_of_memory(struct sock *sk)
{
	return sk->sk_wmem_queued > SOCK_MIN_SNDBUF &&
	       sk_memory_allocated(sk) > sk_prot_mem_limits(sk, 2);
}

/**
 * mytcp_check_oom() - should this orphan go for want of resources?
 * @sk: the socket, dead
 * @shift: 0, or more to count the orphans as 2^@shift times as many
 *
 * Return: true when there are too many orphans or memory ran out.
 */
bool mytcp_check_oom(struct sock *sk, int shift)
{
	if (mytcp_too_many_orphans(shift)) {
		net_info_ratelimited("too many orphaned sockets\n");
		return true;
	}
	if (mytcp_out_of_memory(sk)) {
		net_info_ratelimited("out of memory -- consider tuning mytcp mem\n");
		return true;
	}
	return false;
}

/**
 * mytcp_out_of_resources() - a timer of an orphan: abort it if it must go
 * @sk: the socket, dead, locked
 * @do_reset: tell the peer with a reset
 *
 * As tcp_out_of_resources(): an orphan whose peer has been silent for
 * long, or that had an ICMP error, counts as more orphans than it is.
 * One aborted for want of resources gets a reset if it sent recently or
 * its peer's window is closed, even when @do_reset is false.
 *
 * Return: true when the orphan was aborted (it is CLOSED now).
 */
bool mytcp_out_of_resources(struct sock *sk, bool do_reset)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	u32 rto_max = mytcp_rto_max(sk);
	int shift = 0;

	sock_owned_by_me(sk);
	if (time_after(jiffies, msk->lsndtime + 2UL * rto_max) ||
	    !do_reset)
		shift++;
	if (READ_ONCE(sk->sk_err_soft))
		shift++;
	if (mytcp_check_oom(sk, shift)) {
		if (time_before_eq(jiffies, msk->lsndtime + mytcp_tw_timeout(sock_net(sk))) ||
		    (!msk->snd_wnd && !msk->packets_out))
			do_reset = true;
		if (do_reset)
			mytcp_send_active_reset(sk);
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_ABORTONMEMORY);
		mytcp_done(sk);
		return true;
	}
	if (!check_net(sock_net(sk))) {
		/* The namespace is going: no reset can leave it. */
		mytcp_done(sk);
		return true;
	}
	return false;
}

/**
 * mytcp_init_orphans() - the orphan count and its default limit
 *
 * Return: 0 or -ENOMEM.
 */
int mytcp_init_orphans(void)
{
	mytcp_sysctl_max_orphans = mytcp_default_max_orphans(nr_free_buffer_pages());
	return percpu_counter_init(&mytcp_orphan_count, 0, GFP_KERNEL);
}

/**
 * mytcp_exit_orphans() - after the protocol is unregistered: none is left
 */
void mytcp_exit_orphans(void)
{
	percpu_counter_destroy(&mytcp_orphan_count);
}
