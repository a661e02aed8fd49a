// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/mytcp: one row per listener, half-open entry, connection and
 * TIME-WAIT entry of the reader's namespace, in the columns and encodings
 * of /proc/net/tcp.  Read under RCU, without taking any socket's lock.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/mytcp.h>

/* Rows are padded to the width /proc/net/tcp uses, newline included. */
#define MYTCP_PROC_ROW_WIDTH	150

enum { MYTCP_ROW_LISTENER, MYTCP_ROW_REQUEST, MYTCP_ROW_CONN, MYTCP_ROW_TW };

struct mytcp_proc_iter {
	struct seq_net_private	p;
	int			type;	/* of the current entry */
};

/* The entry at @pos in listener, connection, TIME-WAIT order; under RCU. */
static void *mytcp_find_entry(struct seq_file *seq, loff_t pos)
{
	struct mytcp_proc_iter *it = seq->private;
	struct mytcp_net *mn = mytcp_net(seq_file_net(seq));
	struct mytcp_tw *tw;
	struct sock *sk;
	unsigned int i;

	for (i = 0; i <= mn->lhash.mask; i++) {
		sk_for_each_rcu(sk, &mn->lhash.chains[i]) {
			struct mytcp_listen *l = READ_ONCE(mytcp_sk(sk)->listen);
			struct mytcp_request *req;
			unsigned int j;

			if (!pos--) {
				it->type = MYTCP_ROW_LISTENER;
				return sk;
			}
			for (j = 0; l && j < MYTCP_SYNQ_CHAINS; j++)
				hlist_for_each_entry_rcu(req, &l->synq[j], node)
					if (!pos--) {
						it->type = MYTCP_ROW_REQUEST;
						return req;
					}
		}
	}
	for (i = 0; i <= mn->ehash.mask; i++)
		sk_for_each_rcu(sk, &mn->ehash.chains[i])
			if (!pos--) {
				it->type = MYTCP_ROW_CONN;
				return sk;
			}
	for (i = 0; i <= mn->ehash.mask; i++)
		hlist_for_each_entry_rcu(tw, &mn->twchains[i], node)
			if (!pos--) {
				it->type = MYTCP_ROW_TW;
				return tw;
			}
	return NULL;
}

static void *mytcp_start_proc(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	rcu_read_lock();
	return *pos ? mytcp_find_entry(seq, *pos - 1) : SEQ_START_TOKEN;
}

static void *mytcp_next_proc(struct seq_file *seq, void *v, loff_t *pos)
{
	++*pos;
	return mytcp_find_entry(seq, *pos - 1);
}

static void mytcp_stop_proc(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

/* The cwnd column: the congestion window in segments; 0 for listeners. */
static u32 mytcp_proc_cwnd(const struct mytcp_sock *msk, int state)
{
	if (state == MYTCP_LISTEN)
		return 0;
	return READ_ONCE(msk->snd_cwnd);
}

/* The ssthresh column: -1 until a loss set it, as /proc/net/tcp shows. */
static int mytcp_proc_ssthresh(const struct mytcp_sock *msk, int state)
{
	u32 ssthresh = READ_ONCE(msk->snd_ssthresh);

	if (state == MYTCP_LISTEN)
		return 0;
	return ssthresh >= MYTCP_INFINITE_SSTHRESH ? -1 : (int)ssthresh;
}

static void mytcp_show_sock(struct seq_file *seq, struct sock *sk, int row)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	int state = inet_sk_state_load(sk);
	unsigned long expires = 0;
	int timer = 0, rx, tx;

	if (timer_pending(&msk->rtx_timer)) {
		timer = msk->send_head && msk->snd_una == msk->snd_nxt ? 4 : 1;
		expires = msk->rtx_timer.expires;
	} else if (timer_pending(&msk->keepalive_timer)) {
		timer = 2;
		expires = msk->keepalive_timer.expires;
	} else {
		expires = jiffies;
	}
	if (state == MYTCP_LISTEN) {
		rx = READ_ONCE(sk->sk_ack_backlog);
		tx = 0;
	} else {
		rx = max_t(int, READ_ONCE(msk->rcv_nxt) - READ_ONCE(msk->copied_seq), 0);
		tx = READ_ONCE(msk->write_seq) - READ_ONCE(msk->snd_una);
	}
	/* receiver: ato, and quick ACKs left << 1 | ping-pong, as TCP's. */
	seq_printf(seq, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK %lu %lu %u %u %d",
		   row, (__force u32)inet->inet_rcv_saddr, ntohs(inet->inet_sport),
		   (__force u32)inet->inet_daddr, ntohs(inet->inet_dport), state,
		   tx, rx, timer, jiffies_delta_to_clock_t(expires - jiffies),
		   msk->retransmits,
		   from_kuid_munged(seq_user_ns(seq), sock_i_uid(sk)),
		   msk->probes_out, sock_i_ino(sk), refcount_read(&sk->sk_refcnt),
		   sk, jiffies_to_clock_t(msk->rto), jiffies_to_clock_t(msk->ato),
		   (msk->quick << 1) | msk->pingpong,
		   mytcp_proc_cwnd(msk, state), mytcp_proc_ssthresh(msk, state));
}

static void mytcp_show_tw(struct seq_file *seq, struct mytcp_tw *tw, int row)
{
	long delta = tw->timer.expires - jiffies;

	seq_printf(seq, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5d %8d %d %d %pK",
		   row, (__force u32)tw->laddr, ntohs(tw->lport),
		   (__force u32)tw->raddr, ntohs(tw->rport), MYTCP_TIME_WAIT,
		   0, 0, 3, jiffies_delta_to_clock_t(delta), 0, 0, 0, 0,
		   refcount_read(&tw->refcnt), tw);
}

static void mytcp_show_request(struct seq_file *seq, struct mytcp_request *req,
			       int row)
{
	long delta = READ_ONCE(req->expires) - jiffies;

	seq_printf(seq, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %u %d %pK",
		   row, (__force u32)req->laddr, ntohs(req->lport),
		   (__force u32)req->raddr, ntohs(req->rport), MYTCP_SYN_RECV,
		   0, 0, 1, jiffies_delta_to_clock_t(delta), req->retrans,
		   from_kuid_munged(seq_user_ns(seq), sock_i_uid(req->listener)),
		   0, 0, 0, req);
}

static int mytcp_show_proc(struct seq_file *seq, void *v)
{
	struct mytcp_proc_iter *it = seq->private;
	int row = seq->index - 1;

	seq_setwidth(seq, MYTCP_PROC_ROW_WIDTH - 1);
	if (v == SEQ_START_TOKEN)
		seq_puts(seq, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
	else if (it->type == MYTCP_ROW_TW)
		mytcp_show_tw(seq, v, row);
	else if (it->type == MYTCP_ROW_REQUEST)
		mytcp_show_request(seq, v, row);
	else
		mytcp_show_sock(seq, v, row);
	seq_pad(seq, '\n');
	return 0;
}

static const struct seq_operations mytcp_proc_ops = {
	.start	= mytcp_start_proc,
	.next	= mytcp_next_proc,
	.stop	= mytcp_stop_proc,
	.show	= mytcp_show_proc,
};

/**
 * mytcp_create_proc() - create /proc/net/mytcp in a namespace
 * @net: the namespace
 *
 * Return: 0 or -ENOMEM.
 */
int mytcp_create_proc(struct net *net)
{
	if (!proc_create_net("mytcp", 0444, net->proc_net, &mytcp_proc_ops,
			     sizeof(struct mytcp_proc_iter)))
		return -ENOMEM;
	return 0;
}

/**
 * mytcp_remove_proc() - remove /proc/net/mytcp from a namespace
 * @net: the namespace
 */
void mytcp_remove_proc(struct net *net)
{
	remove_proc_entry("mytcp", net->proc_net);
}
