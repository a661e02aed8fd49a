// SPDX-License-Identifier: GPL-2.0
/*
 * The per-namespace lookup tables: connections and TIME-WAIT entries by
 * 4-tuple, listeners by port, port owners by port; lookups under RCU,
 * changes under striped bucket locks; port choice for bind and connect.
 */
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <net/sock.h>
#include <net/mytcp.h>

#define MYTCP_EHASH_CHAINS	4096
#define MYTCP_EHASH_LOCKS	256
#define MYTCP_LHASH_CHAINS	64
#define MYTCP_LHASH_LOCKS	16
#define MYTCP_BHASH_CHAINS	1024

static int mytcp_alloc_table(struct mytcp_table *t, unsigned int chains,
			     unsigned int locks)
{
	unsigned int i;

	t->chains = kvcalloc(chains, sizeof(*t->chains), GFP_KERNEL);
	t->locks = kvmalloc_array(locks, sizeof(*t->locks), GFP_KERNEL);
	if (!t->chains || !t->locks) {
		kvfree(t->chains);
		kvfree(t->locks);
		return -ENOMEM;
	}
	for (i = 0; i < locks; i++)
		spin_lock_init(&t->locks[i]);
	t->mask = chains - 1;
	t->lock_mask = locks - 1;
	return 0;
}

static void mytcp_free_table(struct mytcp_table *t)
{
	kvfree(t->chains);
	kvfree(t->locks);
}

/**
 * mytcp_init_tables() - allocate a namespace's lookup tables
 * @net: the namespace
 *
 * Return: 0 or -ENOMEM.
 */
int mytcp_init_tables(struct net *net)
{
	struct mytcp_net *mn = mytcp_net(net);

	mn->hash_secret = get_random_u32();
	spin_lock_init(&mn->bind_lock);
	atomic_set(&mn->tw_count, 0);
	mn->bmask = MYTCP_BHASH_CHAINS - 1;
	mn->twchains = kvcalloc(MYTCP_EHASH_CHAINS, sizeof(*mn->twchains), GFP_KERNEL);
	mn->bchains = kvcalloc(MYTCP_BHASH_CHAINS, sizeof(*mn->bchains), GFP_KERNEL);
	mn->twbchains = kvcalloc(MYTCP_BHASH_CHAINS, sizeof(*mn->twbchains), GFP_KERNEL);
	if (!mn->twchains || !mn->bchains || !mn->twbchains)
		goto fail;
	if (mytcp_alloc_table(&mn->ehash, MYTCP_EHASH_CHAINS, MYTCP_EHASH_LOCKS))
		goto fail;
	if (mytcp_alloc_table(&mn->lhash, MYTCP_LHASH_CHAINS, MYTCP_LHASH_LOCKS)) {
		mytcp_free_table(&mn->ehash);
		goto fail;
	}
	return 0;
fail:
	kvfree(mn->twchains);
	kvfree(mn->bchains);
	kvfree(mn->twbchains);
	return -ENOMEM;
}

/**
 * mytcp_free_tables() - free a namespace's lookup tables
 * @net: the namespace; every socket and TIME-WAIT entry is gone
 */
void mytcp_free_tables(struct net *net)
{
	struct mytcp_net *mn = mytcp_net(net);

	mytcp_free_table(&mn->ehash);
	mytcp_free_table(&mn->lhash);
	kvfree(mn->twchains);
	kvfree(mn->bchains);
	kvfree(mn->twbchains);
}

/**
 * mytcp_hash_tuple() - hash of a 4-tuple, keyed per namespace
 * @mn: the namespace's state
 * @laddr: local address
 * @lport: local port
 * @raddr: remote address
 * @rport: remote port
 *
 * Return: the hash; its low bits pick the chain of the connection table
 * and of the TIME-WAIT table.
 */
u32 mytcp_hash_tuple(const struct mytcp_net *mn, __be32 laddr, __be16 lport,
		     __be32 raddr, __be16 rport)
{
	return jhash_3words((__force u32)laddr, (__force u32)raddr,
			    ((__force u32)lport << 16) | (__force u32)rport,
			    mn->hash_secret);
}

static bool mytcp_match_sk(const struct sock *sk, __be32 laddr, __be16 lport,
			   __be32 raddr, __be16 rport)
{
	return sk->sk_rcv_saddr == laddr && sk->sk_daddr == raddr &&
	       inet_sk(sk)->inet_sport == lport && sk->sk_dport == rport;
}

static bool mytcp_match_tw(const struct mytcp_tw *tw, __be32 laddr,
			   __be16 lport, __be32 raddr, __be16 rport)
{
	return tw->laddr == laddr && tw->raddr == raddr &&
	       tw->lport == lport && tw->rport == rport;
}

/**
 * mytcp_lookup_established() - find the connection a segment belongs to
 * @net: the namespace
 * @laddr: local address
 * @lport: local port
 * @raddr: remote address
 * @rport: remote port
 *
 * Lockless: the chains are RCU lists and sockets are freed after a grace
 * period (SOCK_RCU_FREE).
 *
 * Return: the socket with a reference held, or NULL.
 */
struct sock *mytcp_lookup_established(struct net *net, __be32 laddr,
				      __be16 lport, __be32 raddr,
				      __be16 rport)
{
	struct mytcp_net *mn = mytcp_net(net);
	u32 hash = mytcp_hash_tuple(mn, laddr, lport, raddr, rport);
	struct sock *sk;

	rcu_read_lock();
	sk_for_each_rcu(sk, &mn->ehash.chains[hash & mn->ehash.mask]) {
		if (mytcp_match_sk(sk, laddr, lport, raddr, rport) &&
		    refcount_inc_not_zero(&sk->sk_refcnt)) {
			rcu_read_unlock();
			return sk;
		}
	}
	rcu_read_unlock();
	return NULL;
}

/**
 * mytcp_lookup_tw() - find the TIME-WAIT entry of a 4-tuple
 * @net: the namespace
 * @laddr: local address
 * @lport: local port
 * @raddr: remote address
 * @rport: remote port
 *
 * Return: the entry with a reference held (mytcp_put_tw()), or NULL.
 */
struct mytcp_tw *mytcp_lookup_tw(struct net *net, __be32 laddr, __be16 lport,
				 __be32 raddr, __be16 rport)
{
	struct mytcp_net *mn = mytcp_net(net);
	u32 hash = mytcp_hash_tuple(mn, laddr, lport, raddr, rport);
	struct mytcp_tw *tw;

	rcu_read_lock();
	hlist_for_each_entry_rcu(tw, &mn->twchains[hash & mn->ehash.mask], node) {
		if (mytcp_match_tw(tw, laddr, lport, raddr, rport) &&
		    refcount_inc_not_zero(&tw->refcnt)) {
			rcu_read_unlock();
			return tw;
		}
	}
	rcu_read_unlock();
	return NULL;
}

/**
 * mytcp_lookup_listener() - find the listener for a local address and port
 * @net: the namespace
 * @laddr: local address the segment was sent to
 * @lport: local port
 *
 * A listener bound to @laddr wins over one bound to the wildcard address.
 *
 * Return: the listener with a reference held, or NULL.
 */
struct sock *mytcp_lookup_listener(struct net *net, __be32 laddr,
				   __be16 lport)
{
	struct mytcp_net *mn = mytcp_net(net);
	unsigned int chain = ntohs(lport) & mn->lhash.mask;
	struct sock *sk, *best = NULL;

	rcu_read_lock();
	sk_for_each_rcu(sk, &mn->lhash.chains[chain]) {
		if (inet_sk(sk)->inet_sport != lport)
			continue;
		if (sk->sk_rcv_saddr == laddr) {
			best = sk;
			break;
		}
		if (!sk->sk_rcv_saddr && !best)
			best = sk;
	}
	if (best && !refcount_inc_not_zero(&best->sk_refcnt))
		best = NULL;
	rcu_read_unlock();
	return best;
}

/* Is the 4-tuple of @sk in use by a connection or a TIME-WAIT entry? */
static bool mytcp_tuple_taken(struct mytcp_net *mn, struct sock *sk, u32 hash)
{
	struct inet_sock *inet = inet_sk(sk);
	struct mytcp_tw *tw;
	struct sock *sk2;

	sk_for_each(sk2, &mn->ehash.chains[hash & mn->ehash.mask])
		if (mytcp_match_sk(sk2, sk->sk_rcv_saddr, inet->inet_sport,
				   sk->sk_daddr, sk->sk_dport))
			return true;
	hlist_for_each_entry(tw, &mn->twchains[hash & mn->ehash.mask], node)
		if (mytcp_match_tw(tw, sk->sk_rcv_saddr, inet->inet_sport,
				   sk->sk_daddr, sk->sk_dport))
			return true;
	return false;
}

/**
 * mytcp_hash_established() - enter a connection into the connection table
 * @sk: the socket, with its 4-tuple set
 *
 * Return: 0, or -EADDRNOTAVAIL when a connection or TIME-WAIT entry holds
 * the same 4-tuple.
 */
int mytcp_hash_established(struct sock *sk)
{
	struct mytcp_net *mn = mytcp_net(sock_net(sk));
	u32 hash = mytcp_hash_tuple(mn, sk->sk_rcv_saddr, inet_sk(sk)->inet_sport,
				    sk->sk_daddr, sk->sk_dport);
	spinlock_t *lock = &mn->ehash.locks[hash & mn->ehash.lock_mask];

	spin_lock_bh(lock);
	if (mytcp_tuple_taken(mn, sk, hash)) {
		spin_unlock_bh(lock);
		return -EADDRNOTAVAIL;
	}
	sk_add_node_rcu(sk, &mn->ehash.chains[hash & mn->ehash.mask]);
	mytcp_sk(sk)->hashed_in = MYTCP_IN_EHASH;
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, 1);
	spin_unlock_bh(lock);
	return 0;
}

/**
 * mytcp_hash_listener() - enter a listening socket into the listener table
 * @sk: the socket, bound
 */
void mytcp_hash_listener(struct sock *sk)
{
	struct mytcp_net *mn = mytcp_net(sock_net(sk));
	unsigned int chain = inet_sk(sk)->inet_num & mn->lhash.mask;
	spinlock_t *lock = &mn->lhash.locks[chain & mn->lhash.lock_mask];

	spin_lock_bh(lock);
	/* Listeners on a specific address go first: the lookup stops there. */
	if (sk->sk_rcv_saddr)
		sk_add_node_rcu(sk, &mn->lhash.chains[chain]);
	else
		sk_add_node_tail_rcu(sk, &mn->lhash.chains[chain]);
	mytcp_sk(sk)->hashed_in = MYTCP_IN_LHASH;
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, 1);
	spin_unlock_bh(lock);
}

/**
 * mytcp_unhash() - remove a socket from the connection or listener table
 * @sk: the socket; nothing happens when it is in neither
 */
void mytcp_unhash(struct sock *sk)
{
	struct mytcp_net *mn = mytcp_net(sock_net(sk));
	struct mytcp_sock *msk = mytcp_sk(sk);
	spinlock_t *lock;	/* of the chain the socket is in */
	u32 hash;

	switch (msk->hashed_in) {
	case MYTCP_IN_EHASH:
		hash = mytcp_hash_tuple(mn, sk->sk_rcv_saddr, inet_sk(sk)->inet_sport,
					sk->sk_daddr, sk->sk_dport);
		lock = &mn->ehash.locks[hash & mn->ehash.lock_mask];
		break;
	case MYTCP_IN_LHASH:
		hash = inet_sk(sk)->inet_num & mn->lhash.mask;
		lock = &mn->lhash.locks[hash & mn->lhash.lock_mask];
		break;
	default:
		return;
	}
	spin_lock_bh(lock);
	if (sk_del_node_init_rcu(sk))
		sock_prot_inuse_add(sock_net(sk), sk->sk_prot, -1);
	msk->hashed_in = MYTCP_IN_NONE;
	spin_unlock_bh(lock);
}

static bool mytcp_addrs_overlap(__be32 a, __be32 b)
{
	return !a || !b || a == b;
}

/* May @sk own @port on @addr?  Under bind_lock.  TCP's rules. */
static bool mytcp_port_conflict(struct mytcp_net *mn, struct sock *sk,
				__be32 addr, u16 port)
{
	unsigned int chain = port & mn->bmask;
	struct mytcp_tw *tw;
	struct sock *sk2;

	sk_for_each_bound(sk2, &mn->bchains[chain]) {
		if (sk2 == sk || inet_sk(sk2)->inet_num != port ||
		    !mytcp_addrs_overlap(addr, sk2->sk_rcv_saddr))
			continue;
		if (sk->sk_reuse && sk2->sk_reuse && sk2->sk_state != MYTCP_LISTEN)
			continue;
		if (sk->sk_reuseport && sk2->sk_reuseport &&
		    uid_eq(sock_i_uid(sk), sock_i_uid(sk2)))
			continue;
		return true;
	}
	hlist_for_each_entry(tw, &mn->twbchains[chain], bind_node) {
		if (ntohs(tw->lport) == port && !sk->sk_reuse &&
		    mytcp_addrs_overlap(addr, tw->laddr))
			return true;
	}
	return false;
}

/* Is @port owned by anything at all?  Under bind_lock. */
static bool mytcp_port_in_use(struct mytcp_net *mn, u16 port)
{
	unsigned int chain = port & mn->bmask;
	struct mytcp_tw *tw;
	struct sock *sk2;

	sk_for_each_bound(sk2, &mn->bchains[chain])
		if (inet_sk(sk2)->inet_num == port)
			return true;
	hlist_for_each_entry(tw, &mn->twbchains[chain], bind_node)
		if (ntohs(tw->lport) == port)
			return true;
	return false;
}

static void mytcp_take_port(struct mytcp_net *mn, struct sock *sk, u16 port)
{
	inet_sk(sk)->inet_num = port;
	inet_sk(sk)->inet_sport = htons(port);
	sk_add_bind_node(sk, &mn->bchains[port & mn->bmask]);
}

static void mytcp_read_port_range(struct mytcp_net *mn, int *low, int *high)
{
	int lo, hi;

	/* The pair is written under no lock: fall back if it looks torn. */
	lo = READ_ONCE(mn->sysctl_local_port_range[0]);
	hi = READ_ONCE(mn->sysctl_local_port_range[1]);
	if (lo < 1 || hi > 65535 || lo > hi) {
		lo = 32768;
		hi = 60999;
	}
	*low = lo;
	*high = hi;
}

/**
 * mytcp_bind_port() - give a socket a local address and port
 * @sk: the socket, not bound yet
 * @addr: local address, or INADDR_ANY
 * @port: the port, or 0 for any free port of local_port_range
 *
 * Return: 0, or -EADDRINUSE when the port is taken under TCP's rules
 * (SO_REUSEADDR, SO_REUSEPORT) or, for port 0, when no port is free.
 */
int mytcp_bind_port(struct sock *sk, __be32 addr, u16 port)
{
	struct mytcp_net *mn = mytcp_net(sock_net(sk));
	int low, high, n, i;
	int err = 0;

	spin_lock_bh(&mn->bind_lock);
	sk->sk_rcv_saddr = addr;
	inet_sk(sk)->inet_saddr = addr;
	if (port) {
		if (mytcp_port_conflict(mn, sk, addr, port))
			err = -EADDRINUSE;
		else
			mytcp_take_port(mn, sk, port);
		goto out;
	}
	mytcp_read_port_range(mn, &low, &high);
	n = high - low + 1;
	port = low + get_random_u32() % n;
	for (i = 0; i < n; i++, port = port < high ? port + 1 : low) {
		if (!mytcp_port_in_use(mn, port)) {
			mytcp_take_port(mn, sk, port);
			goto out;
		}
	}
	err = -EADDRINUSE;
out:
	if (err) {
		sk->sk_rcv_saddr = 0;
		inet_sk(sk)->inet_saddr = 0;
	}
	spin_unlock_bh(&mn->bind_lock);
	return err;
}

/* May connect() use @port for @sk's 4-tuple?  Under bind_lock. */
static bool mytcp_port_shareable(struct mytcp_net *mn, u16 port)
{
	struct sock *sk2;

	/* Ports chosen by connect() are shared; bound ones are not. */
	sk_for_each_bound(sk2, &mn->bchains[port & mn->bmask])
		if (inet_sk(sk2)->inet_num == port && !mytcp_sk(sk2)->autobound)
			return false;
	return true;
}

/**
 * mytcp_connect_port() - bind (if needed) and hash a connecting socket
 * @sk: the socket, with its local and remote address and remote port set
 *
 * An unbound socket gets a port of local_port_range that gives it a
 * unique 4-tuple; ports chosen this way are shared between connections
 * to different peers, as in TCP.
 *
 * Return: 0, or -EADDRNOTAVAIL when no port (or, for a bound socket, not
 * its port) gives a unique 4-tuple.
 */
int mytcp_connect_port(struct sock *sk)
{
	struct mytcp_net *mn = mytcp_net(sock_net(sk));
	int low, high, n, i;
	u16 port;

	if (inet_sk(sk)->inet_num)
		return mytcp_hash_established(sk);

	mytcp_read_port_range(mn, &low, &high);
	n = high - low + 1;
	port = low + get_random_u32() % n;
	spin_lock_bh(&mn->bind_lock);
	for (i = 0; i < n; i++, port = port < high ? port + 1 : low) {
		if (!mytcp_port_shareable(mn, port))
			continue;
		inet_sk(sk)->inet_sport = htons(port);
		if (mytcp_hash_established(sk))
			continue;
		mytcp_take_port(mn, sk, port);
		mytcp_sk(sk)->autobound = true;
		spin_unlock_bh(&mn->bind_lock);
		return 0;
	}
	inet_sk(sk)->inet_sport = 0;
	spin_unlock_bh(&mn->bind_lock);
	return -EADDRNOTAVAIL;
}

/**
 * mytcp_inherit_port() - an accepted connection shares its listener's port
 * @child: the new socket
 * @listener: the listener it came from
 */
void mytcp_inherit_port(struct sock *child, struct sock *listener)
{
	struct mytcp_net *mn = mytcp_net(sock_net(child));
	u16 port = inet_sk(listener)->inet_num;

	spin_lock_bh(&mn->bind_lock);
	inet_sk(child)->inet_num = port;
	mytcp_sk(child)->autobound = true;
	sk_add_bind_node(child, &mn->bchains[port & mn->bmask]);
	spin_unlock_bh(&mn->bind_lock);
}

/**
 * mytcp_unbind_port() - give a socket's port back
 * @sk: the socket; nothing happens when it owns none
 */
void mytcp_unbind_port(struct sock *sk)
{
	struct mytcp_net *mn = mytcp_net(sock_net(sk));

	spin_lock_bh(&mn->bind_lock);
	if (!hlist_unhashed(&sk->sk_bind_node)) {
		__sk_del_bind_node(sk);
		sk_node_init(&sk->sk_bind_node);
	}
	spin_unlock_bh(&mn->bind_lock);
}
