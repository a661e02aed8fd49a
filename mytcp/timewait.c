// SPDX-License-Identifier: GPL-2.0
/*
 * TIME-WAIT entries: the small record that replaces a socket in
 * TIME-WAIT, holds its 4-tuple and port for 2 * MSL, acknowledges a
 * retransmitted FIN (restarting the 2 * MSL timer) and lets a new SYN
 * through when it cannot be an old duplicate.
 */
#include <linux/slab.h>
#include <net/sock.h>
#include <net/mytcp.h>

static struct kmem_cache *mytcp_tw_cache;

/**
 * mytcp_create_tw_cache() - create the slab cache of TIME-WAIT entries
 *
 * Return: 0 or -ENOMEM.
 */
int mytcp_create_tw_cache(void)
{
	mytcp_tw_cache = kmem_cache_create("MYTCP_tw", sizeof(struct mytcp_tw),
					   0, SLAB_HWCACHE_ALIGN, NULL);
	return mytcp_tw_cache ? 0 : -ENOMEM;
}

/**
 * mytcp_destroy_tw_cache() - destroy it, once no entry can be left
 */
void mytcp_destroy_tw_cache(void)
{
	rcu_barrier();		/* entries are freed after a grace period */
	kmem_cache_destroy(mytcp_tw_cache);
}

static void mytcp_free_tw_rcu(struct rcu_head *head)
{
	kmem_cache_free(mytcp_tw_cache, container_of(head, struct mytcp_tw, rcu));
}

/**
 * mytcp_put_tw() - drop a reference to a TIME-WAIT entry
 * @tw: the entry
 */
void mytcp_put_tw(struct mytcp_tw *tw)
{
	if (refcount_dec_and_test(&tw->refcnt))
		call_rcu(&tw->rcu, mytcp_free_tw_rcu);
}

static spinlock_t *mytcp_tw_lock(struct mytcp_net *mn, struct mytcp_tw *tw,
				 u32 *chain)
{
	u32 hash = mytcp_hash_tuple(mn, tw->laddr, tw->lport, tw->raddr, tw->rport);

	*chain = hash & mn->ehash.mask;
	return &mn->ehash.locks[hash & mn->ehash.lock_mask];
}

/* Take the entry out of both tables and drop the tables' reference. */
static void mytcp_unlink_tw(struct mytcp_tw *tw)
{
	struct mytcp_net *mn = mytcp_net(tw->net);
	spinlock_t *lock;	/* of the entry's chain */
	u32 chain;

	lock = mytcp_tw_lock(mn, tw, &chain);
	spin_lock_bh(lock);
	hlist_del_rcu(&tw->node);
	spin_unlock_bh(lock);
	spin_lock_bh(&mn->bind_lock);
	hlist_del(&tw->bind_node);
	spin_unlock_bh(&mn->bind_lock);
	atomic_dec(&mn->tw_count);
	mytcp_put_tw(tw);
}

static void mytcp_expire_tw(struct timer_list *t)
{
	struct mytcp_tw *tw = from_timer(tw, t, timer);

	/* Still in the table: mytcp_purge_tw() waits for us. */
	mytcp_inc_ext_stats(tw->net, MYTCP_EXT_TW);
	mytcp_unlink_tw(tw);
}

/*
 * The timer owns the tables' reference: whoever stops it unlinks.
 * Return: true when this call ended the entry.
 */
static bool mytcp_kill_tw(struct mytcp_tw *tw)
{
	if (!del_timer_sync(&tw->timer))
		return false;
	mytcp_unlink_tw(tw);
	return true;
}

/**
 * mytcp_tw_timeout() - how long a TIME-WAIT entry lives: 2 MSL
 * @net: its namespace
 *
 * Return: jiffies.
 */
unsigned long mytcp_tw_timeout(const struct net *net)
{
	return 2UL * READ_ONCE(mytcp_net(net)->sysctl_msl) * HZ;
}

/**
 * mytcp_enter_time_wait() - replace a socket by a TIME-WAIT entry
 * @sk: the socket, locked, whose connection has just reached TIME-WAIT
 *
 * The entry takes over the socket's place in the connection table and
 * its port; the socket itself is done (CLOSED).  Without memory for the
 * entry the connection simply closes, as TCP does.
 */
void mytcp_enter_time_wait(struct sock *sk)
{
	struct mytcp_net *mn = mytcp_net(sock_net(sk));
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct mytcp_tw *tw;
	spinlock_t *lock;	/* of the 4-tuple's chain, in both tables */
	u32 chain;

	tw = kmem_cache_zalloc(mytcp_tw_cache, GFP_ATOMIC);
	if (!tw) {
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_TWOVERFLOW);
		return;
	}
	tw->net = sock_net(sk);
	tw->laddr = sk->sk_rcv_saddr;
	tw->raddr = sk->sk_daddr;
	tw->lport = inet_sk(sk)->inet_sport;
	tw->rport = sk->sk_dport;
	tw->snd_nxt = msk->snd_nxt;
	tw->rcv_nxt = msk->rcv_nxt;
	tw->rcv_wnd = msk->rcv_wnd;
	tw->rcv_wscale = msk->rcv_wscale;
	tw->ts_ok = msk->ts_ok;
	tw->ts_offset = msk->ts_offset;
	tw->ts_recent = msk->ts_recent;
	tw->uid = sock_i_uid(sk);
	refcount_set(&tw->refcnt, 1);
	timer_setup(&tw->timer, mytcp_expire_tw, 0);

	/* Swap socket and entry under the chain's lock: no gap, no twin. */
	lock = mytcp_tw_lock(mn, tw, &chain);
	spin_lock_bh(lock);
	hlist_add_head_rcu(&tw->node, &mn->twchains[chain]);
	if (sk_del_node_init_rcu(sk))
		sock_prot_inuse_add(sock_net(sk), sk->sk_prot, -1);
	msk->hashed_in = MYTCP_IN_NONE;
	spin_unlock_bh(lock);

	spin_lock_bh(&mn->bind_lock);
	hlist_add_head(&tw->bind_node, &mn->twbchains[ntohs(tw->lport) & mn->bmask]);
	if (!hlist_unhashed(&sk->sk_bind_node)) {
		__sk_del_bind_node(sk);
		sk_node_init(&sk->sk_bind_node);
	}
	spin_unlock_bh(&mn->bind_lock);

	atomic_inc(&mn->tw_count);
	mytcp_inc_ext_stats(tw->net, MYTCP_EXT_TWCREATED);
	mod_timer(&tw->timer, jiffies + mytcp_tw_timeout(tw->net));
}

/*
 * The ACK of an entry: the connection's last numbers and window, and its
 * timestamps if it had them (TS.Recent as the connection left it).
 */
static void mytcp_ack_tw(const struct mytcp_tw *tw)
{
	u8 opts[MYTCP_TS_LEN];
	unsigned int len = 0;

	if (tw->ts_ok)
		len = mytcp_write_ts_option(opts, mytcp_ts_clock() + tw->ts_offset,
					    tw->ts_recent);
	mytcp_send_bare(tw->net, tw->laddr, tw->raddr, tw->lport, tw->rport,
			tw->snd_nxt, tw->rcv_nxt, MYTCPHDR_ACK,
			tw->rcv_wnd >> tw->rcv_wscale, opts, len);
}

/**
 * mytcp_rcv_time_wait() - a segment for a connection in TIME-WAIT
 * @tw: the entry, with a reference the caller drops
 * @skb: the segment
 *
 * A retransmitted FIN is acknowledged again and restarts the 2 * MSL
 * timer (RFC 9293 3.10.7.4); a RST ends the entry; a SYN whose sequence
 * number lies beyond what the old connection used ends it too and goes
 * on to the listener, as Linux TCP allows; anything else that occupies
 * sequence space is answered with an ACK.
 *
 * Return: true when the caller must hand the segment to a listener.
 */
bool mytcp_rcv_time_wait(struct mytcp_tw *tw, struct sk_buff *skb)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	if (cb->flags & MYTCPHDR_RST) {
		if (cb->seq == tw->rcv_nxt && mytcp_kill_tw(tw))
			mytcp_inc_ext_stats(tw->net, MYTCP_EXT_TWKILLED);
		return false;
	}
	if ((cb->flags & (MYTCPHDR_SYN | MYTCPHDR_ACK)) == MYTCPHDR_SYN &&
	    mytcp_seq_after(cb->seq, tw->rcv_nxt)) {
		if (mytcp_kill_tw(tw))
			mytcp_inc_ext_stats(tw->net, MYTCP_EXT_TWRECYCLED);
		return true;
	}
	if ((cb->flags & MYTCPHDR_FIN) && cb->end_seq == tw->rcv_nxt)
		mod_timer_pending(&tw->timer, jiffies + mytcp_tw_timeout(tw->net));
	if (cb->end_seq != cb->seq || (cb->flags & MYTCPHDR_SYN))
		mytcp_ack_tw(tw);
	return false;
}

/**
 * mytcp_purge_tw() - end every TIME-WAIT entry of a namespace
 * @net: the namespace, going away (or mytcp unloading)
 */
void mytcp_purge_tw(struct net *net)
{
	struct mytcp_net *mn = mytcp_net(net);
	struct mytcp_tw *tw;
	unsigned int i;

	for (i = 0; i <= mn->ehash.mask; i++) {
		for (;;) {
			spinlock_t *lock = &mn->ehash.locks[i & mn->ehash.lock_mask];

			spin_lock_bh(lock);
			tw = hlist_entry_safe(mn->twchains[i].first,
					      struct mytcp_tw, node);
			if (tw)
				refcount_inc(&tw->refcnt);
			spin_unlock_bh(lock);
			if (!tw)
				break;
			mytcp_kill_tw(tw);
			mytcp_put_tw(tw);
		}
	}
}
