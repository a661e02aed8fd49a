// SPDX-License-Identifier: GPL-2.0
/*
 * Listening sockets: the SYN queue of small half-open entries with their
 * SYN-ACK retransmission, the creation of a connected socket when the
 * handshake completes, and the accept queue.  Everything here runs under
 * the listener's socket lock.
 */
#include <linux/jhash.h>
#include <linux/slab.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/mytcp.h>
#include "trace.h"

/*
 * Half-open entries are found by the peer's address and port, and counted
 * per source address (max_syn_per_source) in a second table; both hashes
 * are keyed, so that spoofed sources cannot be chosen to share a chain.
 */
static unsigned int mytcp_synq_chain(const struct sock *sk, __be32 raddr,
				     __be16 rport)
{
	return jhash_2words((__force u32)raddr, (__force u32)rport,
			    mytcp_net(sock_net(sk))->hash_secret) % MYTCP_SYNQ_CHAINS;
}

static unsigned int mytcp_srcq_chain(const struct sock *sk, __be32 raddr)
{
	return jhash_1word((__force u32)raddr, mytcp_net(sock_net(sk))->hash_secret) %
	       MYTCP_SYNQ_CHAINS;
}

/* Whether @raddr holds @limit half-open entries at this listener. */
static bool mytcp_source_holds(struct sock *sk, __be32 raddr, unsigned int limit)
{
	struct mytcp_listen *l = mytcp_sk(sk)->listen;
	struct mytcp_request *req;
	unsigned int n = 0;

	hlist_for_each_entry(req, &l->srcq[mytcp_srcq_chain(sk, raddr)], src_node)
		if (req->raddr == raddr && ++n >= limit)
			return true;
	return false;
}

static void mytcp_link_request(struct sock *sk, struct mytcp_request *req)
{
	struct mytcp_listen *l = mytcp_sk(sk)->listen;

	hlist_add_head_rcu(&req->node,
			   &l->synq[mytcp_synq_chain(sk, req->raddr, req->rport)]);
	hlist_add_head(&req->src_node, &l->srcq[mytcp_srcq_chain(sk, req->raddr)]);
	l->synq_len++;
}

static void mytcp_unlink_request(struct sock *sk, struct mytcp_request *req)
{
	hlist_del_rcu(&req->node);
	hlist_del(&req->src_node);
	mytcp_sk(sk)->listen->synq_len--;
}

/**
 * mytcp_rcv_wscale_for() - the window scale that lets a window cover a buffer
 * @rcvbuf: the receive buffer in bytes
 *
 * Return: the smallest shift with 65535 << shift >= @rcvbuf, at most 14.
 */
int mytcp_rcv_wscale_for(int rcvbuf)
{
	int ws = 0;

	while (ws < MYTCP_MAX_WSCALE && (MYTCP_MAX_WINDOW << ws) < (u32)rcvbuf)
		ws++;
	return ws;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_rcv_wscale_for);

/**
 * mytcp_choose_rcv_wscale() - the window scale a SYN or SYN-ACK offers
 * @rcvbuf: the socket's receive buffer now (sk_rcvbuf)
 * @rmem_max: the largest it may grow to (the rmem sysctl's third value)
 * @locked: the user set SO_RCVBUF, so it will not grow
 *
 * The scale is fixed for the connection's life, so it must cover the
 * largest window autotuning may offer: a buffer of @rmem_max, as TCP
 * chooses from tcp_rmem[2] (7 at the default 6 MB).  A buffer the user
 * fixed will not grow, so its window is all the scale must cover: half
 * of it before any segment has shown its truesize, as TCP's
 * tcp_full_space().
 *
 * Return: a shift, 0 to 14.
 */
int mytcp_choose_rcv_wscale(int rcvbuf, int rmem_max, bool locked)
{
	if (locked)
		return mytcp_rcv_wscale_for(mytcp_space_window(max(rcvbuf, 0), 0,
							       MYTCP_MAX_WSCALE));
	return mytcp_rcv_wscale_for(max(rcvbuf, rmem_max));
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_choose_rcv_wscale);

/**
 * mytcp_sock_rcv_wscale() - mytcp_choose_rcv_wscale() for a socket
 * @sk: the listener, or a socket about to connect
 *
 * Return: the shift its SYN or SYN-ACK offers.
 */
int mytcp_sock_rcv_wscale(const struct sock *sk)
{
	return mytcp_choose_rcv_wscale(READ_ONCE(sk->sk_rcvbuf),
				       READ_ONCE(mytcp_sysctl_rmem[2]),
				       sk->sk_userlocks & SOCK_RCVBUF_LOCK);
}

/**
 * mytcp_start_listen() - make a bound socket a listener
 * @sk: the socket, locked, bound, CLOSED
 * @backlog: accept queue limit, already capped by somaxconn
 *
 * Return: 0 or -ENOMEM.
 */
int mytcp_start_listen(struct sock *sk, int backlog)
{
	struct mytcp_listen *l = kzalloc(sizeof(*l), GFP_KERNEL);

	if (!l)
		return -ENOMEM;
	INIT_LIST_HEAD(&l->acceptq);
	WRITE_ONCE(mytcp_sk(sk)->listen, l);
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	sk->sk_ack_backlog = 0;
	mytcp_set_state(sk, MYTCP_LISTEN);
	mytcp_hash_listener(sk);
	return 0;
}

static void mytcp_free_request(struct mytcp_request *req)
{
	sock_put(req->listener);
	kfree_rcu(req, rcu);
}

/* Unlink a request; free it unless its timer is running and will. */
static void mytcp_drop_request(struct sock *sk, struct mytcp_request *req)
{
	mytcp_unlink_request(sk, req);
	if (del_timer(&req->timer))
		mytcp_free_request(req);
	else
		req->dead = 1;
}

/*
 * Abort a child that was never accepted: RST, then gone.  Process
 * context; its lock is also taken by softirqs, so they are kept off.
 */
static void mytcp_abort_child(struct sock *child)
{
	local_bh_disable();
	bh_lock_sock(child);
	if (child->sk_state != MYTCP_CLOSE) {
		mytcp_send_active_reset(child);
		mytcp_done(child);
	}
	sock_orphan(child);
	bh_unlock_sock(child);
	local_bh_enable();
	sock_put(child);
}

/**
 * mytcp_stop_listen() - close a listener's queues
 * @sk: the socket, locked by its owner, LISTEN; CLOSED afterwards
 *
 * Half-open entries are dropped silently; connections never accepted are
 * reset, as in TCP.
 */
void mytcp_stop_listen(struct sock *sk)
{
	struct mytcp_listen *l = mytcp_sk(sk)->listen;
	struct mytcp_sock *child, *tmp;
	struct hlist_node *n;
	struct mytcp_request *req;
	int i;

	mytcp_unhash(sk);
	mytcp_set_state(sk, MYTCP_CLOSE);
	/* Request timers take the spinlock, not the owner lock: hold both. */
	spin_lock_bh(&sk->sk_lock.slock);
	for (i = 0; i < MYTCP_SYNQ_CHAINS; i++)
		hlist_for_each_entry_safe(req, n, &l->synq[i], node)
			mytcp_drop_request(sk, req);
	spin_unlock_bh(&sk->sk_lock.slock);

	list_for_each_entry_safe(child, tmp, &l->acceptq, accept_node) {
		list_del_init(&child->accept_node);
		sk_acceptq_removed(sk);
		mytcp_abort_child((struct sock *)child);
	}
	WRITE_ONCE(mytcp_sk(sk)->listen, NULL);
	kfree_rcu(l, rcu);
}

/**
 * mytcp_take_child() - take the oldest connection off the accept queue
 * @sk: the listener, locked
 *
 * Return: the child, whose reference passes to the caller, or NULL.
 */
struct sock *mytcp_take_child(struct sock *sk)
{
	struct mytcp_listen *l = mytcp_sk(sk)->listen;
	struct mytcp_sock *child;

	if (!l || list_empty(&l->acceptq))
		return NULL;
	child = list_first_entry(&l->acceptq, struct mytcp_sock, accept_node);
	list_del_init(&child->accept_node);
	sk_acceptq_removed(sk);
	return (struct sock *)child;
}

static struct mytcp_request *mytcp_find_request(struct sock *sk,
						__be32 raddr, __be16 rport,
						__be32 laddr)
{
	struct mytcp_listen *l = mytcp_sk(sk)->listen;
	struct mytcp_request *req;

	hlist_for_each_entry(req, &l->synq[mytcp_synq_chain(sk, raddr, rport)], node)
		if (req->raddr == raddr && req->rport == rport &&
		    req->laddr == laddr)
			return req;
	return NULL;
}

static void mytcp_send_synack(struct mytcp_request *req)
{
	u32 ts[2] = { mytcp_ts_clock() + req->ts_offset, req->ts_recent };
	u8 opts[MYTCP_MAX_OPT_LEN];
	unsigned int len;
	u32 win = min_t(u32, READ_ONCE(req->listener->sk_rcvbuf) / 2,
			MYTCP_MAX_WINDOW);

	len = mytcp_write_syn_options(opts, req->advmss,
				      req->wscale_ok ? req->rcv_wscale : -1,
				      req->sack_ok, req->ts_ok ? ts : NULL);
	mytcp_send_bare(sock_net(req->listener), req->laddr, req->raddr,
			req->lport, req->rport, req->iss, req->irs + 1,
			MYTCPHDR_SYN | MYTCPHDR_ACK, win, opts, len);
}

/* A SYN-ACK sent again, for a retransmitted SYN or by the timer. */
static void mytcp_resend_synack(struct mytcp_request *req)
{
	struct net *net = sock_net(req->listener);

	mytcp_inc_stats(net, MYTCP_MIB_RETRANSSEGS);
	mytcp_inc_ext_stats(net, MYTCP_EXT_SYNRETRANS);
	req->synack_sent = 0;		/* Karn: no RTT sample from it */
	mytcp_send_synack(req);
}

/* A SYN or final ACK the listener could not take; @reason: MYTCP_EXT_* or -1. */
static void mytcp_count_listen_drop(struct sock *sk, int reason)
{
	struct net *net = sock_net(sk);

	if (reason >= 0)
		mytcp_inc_ext_stats(net, reason);
	mytcp_inc_ext_stats(net, MYTCP_EXT_LISTENDROPS);
}

static unsigned long mytcp_synack_timeout(int retrans)
{
	return min_t(unsigned long, MYTCP_TIMEOUT_INIT << retrans, MYTCP_RTO_MAX);
}

/*
 * Under pressure, a SYN queue at least half full, an entry whose SYN-ACK
 * went unanswered once already is given up sooner: after
 * synack_retries_pressure retransmissions (TCP does the like, down to 2).
 */
static int mytcp_synack_retries_for(struct sock *sk, const struct mytcp_request *req)
{
	struct mytcp_net *mn = mytcp_net(sock_net(sk));
	unsigned int limit = min_t(unsigned int, READ_ONCE(sk->sk_max_ack_backlog),
				   READ_ONCE(mn->sysctl_max_syn_backlog));
	int max = READ_ONCE(mn->sysctl_synack_retries);

	if (req->retrans && mytcp_sk(sk)->listen->synq_len * 2 >= limit)
		max = min(max, READ_ONCE(mn->sysctl_synack_retries_pressure));
	return max;
}

static void mytcp_retransmit_synack(struct timer_list *t)
{
	struct mytcp_request *req = from_timer(req, t, timer);
	struct sock *sk = req->listener;
	int max;

	bh_lock_sock(sk);
	if (req->dead) {
		bh_unlock_sock(sk);
		mytcp_free_request(req);
		return;
	}
	if (sock_owned_by_user(sk)) {
		mod_timer(&req->timer, jiffies + HZ / 20);
		goto out;
	}
	max = mytcp_synack_retries_for(sk, req);
	if (req->retrans >= max) {
		if (max < READ_ONCE(mytcp_net(sock_net(sk))->sysctl_synack_retries))
			mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_SYNACKPRESSUREDROPS);
		mytcp_unlink_request(sk, req);
		bh_unlock_sock(sk);
		mytcp_free_request(req);
		return;
	}
	req->retrans++;
	trace_mytcp_retransmit_synack(req);
	mytcp_resend_synack(req);
	req->expires = jiffies + mytcp_synack_timeout(req->retrans);
	mod_timer(&req->timer, req->expires);
out:
	bh_unlock_sock(sk);
}

/* The entry's addresses, the peer's ISN and options, our MSS for the route. */
static void mytcp_fill_request(struct sock *sk, struct sk_buff *skb,
			       struct mytcp_request *req)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct mytcp_options opt;
	struct flowi4 fl4;
	struct rtable *rt;
	unsigned int mtu = 576;

	mytcp_parse_options(skb, &opt);
	req->laddr = iph->daddr;
	req->raddr = iph->saddr;
	req->lport = th->dest;
	req->rport = th->source;
	req->irs = MYTCP_SKB_CB(skb)->seq;
	req->mss = opt.mss ? max_t(u16, opt.mss, MYTCP_MIN_MSS) : MYTCP_DEFAULT_MSS;
	req->wscale_ok = opt.wscale_ok;
	req->snd_wscale = opt.wscale_ok ? opt.wscale : 0;
	req->rcv_wscale = opt.wscale_ok ? mytcp_sock_rcv_wscale(sk) : 0;
	req->sack_ok = opt.sack_ok &&
		       READ_ONCE(mytcp_net(sock_net(sk))->sysctl_sack);
	req->ts_ok = opt.ts_ok &&
		     READ_ONCE(mytcp_net(sock_net(sk))->sysctl_timestamps);
	req->ts_recent = opt.tsval;
	req->ts_offset = get_random_u32();

	flowi4_init_output(&fl4, 0, 0, 0, RT_SCOPE_UNIVERSE, IPPROTO_MYTCP, 0,
			   req->raddr, req->laddr, req->rport, req->lport,
			   sock_net_uid(sock_net(sk), sk));
	rt = ip_route_output_key(sock_net(sk), &fl4);
	if (!IS_ERR(rt)) {
		mtu = dst_mtu(&rt->dst);
		ip_rt_put(rt);
	}
	req->advmss = mytcp_mss_for_mtu(mtu);
}

/* The 4-tuple of a segment for a listener, as cookies see it. */
static void mytcp_cookie_tuple_of(const struct sk_buff *skb,
				  struct mytcp_cookie_tuple *t)
{
	t->laddr = ip_hdr(skb)->daddr;
	t->raddr = ip_hdr(skb)->saddr;
	t->lport = tcp_hdr(skb)->dest;
	t->rport = tcp_hdr(skb)->source;
}

/*
 * A cookie connection keeps nothing of the SYN but what the cookie holds:
 * the MSS, rounded down to the table, and no window scaling, SACK or
 * timestamps (TCP hides them in the TSval of the SYN-ACK; mytcp does
 * not).
 */
static void mytcp_set_cookie_options(struct mytcp_request *req, u16 mss)
{
	req->mss = mss;
	req->wscale_ok = 0;
	req->sack_ok = 0;
	req->ts_ok = 0;
	req->snd_wscale = 0;
	req->rcv_wscale = 0;
}

/* Answer a SYN with a cookie SYN-ACK, keeping no state. */
static void mytcp_send_cookie_synack(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_cookie_tuple t;
	struct mytcp_request req = {};

	mytcp_fill_request(sk, skb, &req);
	req.listener = sk;
	mytcp_cookie_tuple_of(skb, &t);
	req.iss = mytcp_make_cookie(&t, req.irs, req.mss);
	mytcp_set_cookie_options(&req, mytcp_cookie_mss_value(mytcp_cookie_mss_index(req.mss)));
	trace_mytcp_syncookie_send(sk, skb, req.iss, req.mss);
	mytcp_send_synack(&req);
	mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_SYNCOOKIESSENT);
}

static bool mytcp_synq_is_full(struct sock *sk)
{
	unsigned int len = mytcp_sk(sk)->listen->synq_len;

	return len >= READ_ONCE(sk->sk_max_ack_backlog) ||
	       len >= (unsigned int)READ_ONCE(mytcp_net(sock_net(sk))->sysctl_max_syn_backlog);
}

/* max_syn_per_source: a source that holds that many entries gets no more. */
static bool mytcp_source_over_limit(struct sock *sk, struct sk_buff *skb)
{
	int limit = READ_ONCE(mytcp_net(sock_net(sk))->sysctl_max_syn_per_source);

	return limit && mytcp_source_holds(sk, ip_hdr(skb)->saddr, limit);
}

/*
 * A SYN for a listener: a new half-open entry and its SYN-ACK; or, with
 * syncookies 2, or 1 and a full SYN queue, a cookie SYN-ACK and no entry.
 * Returns whether it was answered; a SYN not answered was dropped.
 */
static bool mytcp_open_request(struct sock *sk, struct sk_buff *skb)
{
	int cookies = READ_ONCE(mytcp_net(sock_net(sk))->sysctl_syncookies);
	struct mytcp_listen *l = mytcp_sk(sk)->listen;
	bool want_cookie = cookies == 2;
	struct mytcp_request *req;

	if (mytcp_synq_is_full(sk)) {
		if (!cookies) {
			mytcp_count_listen_drop(sk, MYTCP_EXT_REQQFULLDROP);
			return false;
		}
		want_cookie = true;
		l->last_overflow = jiffies | 1;
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_REQQFULLDOCOOKIES);
	}
	if (sk_acceptq_is_full(sk)) {
		mytcp_count_listen_drop(sk, MYTCP_EXT_LISTENOVERFLOWS);
		return false;
	}
	if (!want_cookie && mytcp_source_over_limit(sk, skb)) {
		mytcp_count_listen_drop(sk, MYTCP_EXT_SYNSOURCEDROPS);
		return false;
	}
	if (want_cookie) {
		mytcp_send_cookie_synack(sk, skb);
		return true;
	}

	req = kzalloc(sizeof(*req), GFP_ATOMIC);
	if (!req) {
		mytcp_count_listen_drop(sk, -1);
		return false;
	}
	mytcp_fill_request(sk, skb, req);
	req->iss = mytcp_make_isn(req->laddr, req->raddr, req->lport, req->rport);

	sock_hold(sk);
	req->listener = sk;
	timer_setup(&req->timer, mytcp_retransmit_synack, 0);
	mytcp_link_request(sk, req);
	mytcp_send_synack(req);
	req->synack_sent = jiffies | 1;
	req->expires = jiffies + MYTCP_TIMEOUT_INIT;
	mod_timer(&req->timer, req->expires);
	return true;
}

/* The handshake is complete: a connected socket for the accept queue. */
static struct sock *mytcp_create_child(struct sock *sk, struct mytcp_request *req,
				       struct sk_buff *skb)
{
	struct mytcp_sock *msk;
	struct inet_sock *inet;
	struct sock *child;

	child = sk_clone_lock(sk, GFP_ATOMIC);
	if (!child)
		return NULL;
	/* Its registry_node is the listener's, copied: replace it first. */
	mytcp_register_sock(child);
	msk = mytcp_sk(child);
	inet = inet_sk(child);
	sk_node_init(&child->sk_node);
	sk_node_init(&child->sk_bind_node);
	msk->listen = NULL;
	msk->hashed_in = MYTCP_IN_NONE;
	msk->spare_segs = NULL;
	msk->nr_spare_segs = 0;
	INIT_LIST_HEAD(&msk->accept_node);
	inet->inet_saddr = req->laddr;
	child->sk_rcv_saddr = req->laddr;
	child->sk_daddr = req->raddr;
	child->sk_dport = req->rport;
	inet->inet_sport = req->lport;
	inet->inet_num = ntohs(req->lport);
	atomic_set(&inet->inet_id, get_random_u16());
	mytcp_init_timers(child);
	mytcp_init_delack(child);

	msk->iss = req->iss;
	msk->irs = req->irs;
	mytcp_init_seq_state(child);
	msk->snd_una = req->iss + 1;
	msk->snd_nxt = req->iss + 1;
	msk->write_seq = req->iss + 1;
	msk->snd_wscale = req->snd_wscale;
	msk->rcv_wscale = req->rcv_wscale;
	msk->sack_ok = req->sack_ok;
	msk->ts_ok = req->ts_ok;
	msk->ts_offset = req->ts_offset;
	if (req->ts_ok)
		mytcp_set_ts_recent(msk, MYTCP_SKB_CB(skb)->saw_ts ?
				    MYTCP_SKB_CB(skb)->tsval : req->ts_recent);
	msk->snd_wnd = ntohs(tcp_hdr(skb)->window) << msk->snd_wscale;
	msk->max_window = msk->snd_wnd;
	msk->snd_wl1 = MYTCP_SKB_CB(skb)->seq;
	msk->snd_wl2 = MYTCP_SKB_CB(skb)->ack_seq;
	msk->rcv_wnd = min_t(u32, READ_ONCE(sk->sk_rcvbuf) / 2, MYTCP_MAX_WINDOW);
	msk->rcv_ssthresh = msk->rcv_wnd;
	msk->advmss = req->advmss;
	msk->mss_cache = min_t(u16, req->mss, req->advmss);
	if (msk->user_mss)
		msk->mss_cache = min(msk->mss_cache, msk->user_mss);
	if (msk->ts_ok)
		msk->mss_cache -= MYTCP_TS_LEN;
	/* The SYN-ACK's RTT seeds the estimate, if it was sent once. */
	if (req->synack_sent)
		mytcp_rtt_sample(child, req->synack_sent);
	mytcp_rtt_no_sample(child);

	mytcp_set_state(child, MYTCP_SYN_RECV);
	if (mytcp_hash_established(child)) {
		/* Nothing refers to it yet: undo the clone entirely. */
		child->sk_state = MYTCP_CLOSE;
		sk_free_unlock_clone(child);
		return NULL;
	}
	mytcp_inherit_port(child, sk);
	mytcp_set_state(child, MYTCP_ESTABLISHED);
	mytcp_init_cwnd(child);
	mytcp_inc_stats(sock_net(sk), MYTCP_MIB_PASSIVEOPENS);
	return child;
}

/*
 * The connection of a completed handshake (an entry's, or a cookie's)
 * goes to the accept queue with its segment.  Return: false when it could
 * not be made, counted.
 */
static bool mytcp_make_child(struct sock *sk, struct mytcp_request *req,
			     struct sk_buff *skb)
{
	struct sock *child = mytcp_create_child(sk, req, skb);

	if (!child) {
		mytcp_count_listen_drop(sk, -1);
		return false;
	}
	/* For sparse: sk_clone_lock() returned the child locked. */
	__acquire(&child->sk_lock.slock);
	list_add_tail(&mytcp_sk(child)->accept_node, &mytcp_sk(sk)->listen->acceptq);
	sk_acceptq_added(sk);
	/* Data or a FIN riding on the third segment are the child's. */
	mytcp_rcv_sk(child, skb);
	bh_unlock_sock(child);
	/* sk_clone_lock() left two references; the table holds its own. */
	sock_put(child);
	sk->sk_data_ready(sk);
	return true;
}

/*
 * The third segment (or any acceptable ACK) for a half-open entry.
 * Return: true when the segment went on to the new connection.
 */
static bool mytcp_complete_request(struct sock *sk, struct mytcp_request *req,
				   struct sk_buff *skb)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	if (cb->ack_seq != req->iss + 1) {
		mytcp_send_reset_reply(sock_net(sk), skb);
		return false;
	}
	if (sk_acceptq_is_full(sk)) {
		mytcp_count_listen_drop(sk, MYTCP_EXT_LISTENOVERFLOWS);
		/* By default the peer retransmits, and so do we. */
		if (READ_ONCE(mytcp_net(sock_net(sk))->sysctl_abort_on_overflow)) {
			mytcp_send_reset_reply(sock_net(sk), skb);
			mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_EMBRYONICRSTS);
			mytcp_drop_request(sk, req);
		}
		return false;
	}
	if (!mytcp_make_child(sk, req, skb))
		return false;
	mytcp_drop_request(sk, req);
	return true;
}

/*
 * Cookies are checked with syncookies 2, or with 1 while cookies sent when
 * the SYN queue was last full may still come back.
 */
static bool mytcp_cookies_expected(struct sock *sk)
{
	int cookies = READ_ONCE(mytcp_net(sock_net(sk))->sysctl_syncookies);
	unsigned long last = mytcp_sk(sk)->listen->last_overflow;

	return cookies == 2 ||
	       (cookies == 1 && last &&
		time_before(jiffies, last + (MYTCP_COOKIE_MAX_AGE + 1) * 64 * HZ));
}

/*
 * An ACK for no half-open entry may return a cookie.  Return: 1 when the
 * segment went on to a new connection, 0 when it was a valid cookie but
 * dropped, -1 when it is no cookie of ours (the caller resets).
 */
static int mytcp_rcv_cookie(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct mytcp_cookie_tuple t;
	struct mytcp_request req = {};
	u16 mss;

	/* The cheap check first: a flood of stray ACKs costs no route lookup. */
	mytcp_cookie_tuple_of(skb, &t);
	mss = mytcp_check_cookie(&t, cb->seq - 1, cb->ack_seq - 1);
	trace_mytcp_syncookie_check(sk, skb, cb->ack_seq - 1, mss);
	if (!mss) {
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_SYNCOOKIESFAILED);
		return -1;
	}
	mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_SYNCOOKIESRECV);
	if (sk_acceptq_is_full(sk)) {
		mytcp_count_listen_drop(sk, MYTCP_EXT_LISTENOVERFLOWS);
		return 0;
	}
	mytcp_fill_request(sk, skb, &req);
	req.listener = sk;
	req.irs = cb->seq - 1;
	req.iss = cb->ack_seq - 1;
	mytcp_set_cookie_options(&req, mss);
	return mytcp_make_child(sk, &req, skb) ? 1 : 0;
}

/*
 * A peer whose SYN drew a cookie while the SYN queue was full, and whose
 * retransmitted SYN then found room, was sent two SYN-ACKs with two ISNs.
 * If it answers the cookie's, the connection is made from the cookie and
 * the entry goes (TCP resets the ACK instead, failing the peer's connect).
 * Return: true when the ACK returned a valid cookie; it is consumed.
 */
static bool mytcp_rcv_cookie_for_request(struct sock *sk,
					 struct mytcp_request *req,
					 struct sk_buff *skb)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct mytcp_cookie_tuple t;

	if (cb->ack_seq == req->iss + 1 || !mytcp_cookies_expected(sk))
		return false;
	mytcp_cookie_tuple_of(skb, &t);
	if (!mytcp_check_cookie(&t, cb->seq - 1, cb->ack_seq - 1))
		return false;
	mytcp_drop_request(sk, req);
	if (mytcp_rcv_cookie(sk, skb) <= 0)
		kfree_skb(skb);
	return true;
}

/* The peer reset a half-open connection: it is dropped. */
static void mytcp_reset_request(struct sock *sk, struct mytcp_request *req)
{
	mytcp_inc_stats(sock_net(sk), MYTCP_MIB_ATTEMPTFAILS);
	mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_EMBRYONICRSTS);
	mytcp_drop_request(sk, req);
}

/*
 * While the listener is busy, the segments that follow the third ACK of a
 * connection wait in its backlog behind that ACK; once the ACK has made
 * the connection they belong to it, not to the listener (which would
 * answer them with a reset).  Return: true when the connection took it.
 */
static bool mytcp_pass_to_child(struct sock *sk, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct sock *child;

	child = mytcp_lookup_established(sock_net(sk), iph->daddr, th->dest,
					 iph->saddr, th->source);
	if (!child)
		return false;
	local_bh_disable();
	mytcp_deliver_segment(child, skb, 0);
	local_bh_enable();
	sock_put(child);
	return true;
}

/**
 * mytcp_rcv_listen() - a segment for a listener
 * @sk: the listener, locked
 * @skb: the segment, consumed
 *
 * RFC 9293 3.10.7.2 for LISTEN, and SYN-RECEIVED for its half-open
 * entries: a retransmitted SYN draws the SYN-ACK again, an exact RST
 * drops the entry, an acceptable ACK makes the connection.
 *
 * Return: 0.
 */
int mytcp_rcv_listen(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	const struct iphdr *iph = ip_hdr(skb);
	struct mytcp_request *req;

	req = mytcp_find_request(sk, iph->saddr, tcp_hdr(skb)->source, iph->daddr);
	if (req) {
		if (cb->flags & MYTCPHDR_RST) {
			if (cb->seq == req->irs + 1)
				mytcp_reset_request(sk, req);
		} else if (cb->flags & MYTCPHDR_SYN) {
			if (cb->seq == req->irs)
				mytcp_resend_synack(req);
			else	/* not ours: tell the sender what we expect */
				mytcp_send_bare(sock_net(sk), req->laddr, req->raddr,
						req->lport, req->rport, req->iss + 1,
						req->irs + 1, MYTCPHDR_ACK, 0, NULL, 0);
		} else if (cb->flags & MYTCPHDR_ACK) {
			if (cb->seq == req->irs + 1 &&
			    (mytcp_rcv_cookie_for_request(sk, req, skb) ||
			     mytcp_complete_request(sk, req, skb)))
				return 0;
			if (cb->seq != req->irs + 1)
				mytcp_send_bare(sock_net(sk), req->laddr, req->raddr,
						req->lport, req->rport, req->iss + 1,
						req->irs + 1, MYTCPHDR_ACK, 0, NULL, 0);
		}
		goto out;
	}

	if (!(cb->flags & MYTCPHDR_SYN) && mytcp_pass_to_child(sk, skb))
		return 0;
	if (cb->flags & MYTCPHDR_RST)
		goto out;
	if (cb->flags & MYTCPHDR_ACK) {
		if (!(cb->flags & MYTCPHDR_SYN) && mytcp_cookies_expected(sk)) {
			int ret = mytcp_rcv_cookie(sk, skb);

			if (ret > 0)
				return 0;
			if (!ret)
				goto out;
		}
		mytcp_send_reset_reply(sock_net(sk), skb);
		goto out;
	}
	if ((cb->flags & MYTCPHDR_SYN) && mytcp_open_request(sk, skb)) {
		consume_skb(skb);	/* answered, not dropped */
		return 0;
	}
out:
	kfree_skb(skb);
	return 0;
}
