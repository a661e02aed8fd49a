// SPDX-License-Identifier: GPL-2.0
/*
 * The AF_MYTCP socket family: socket creation and the socket calls
 * (bind, listen, accept, connect, send, receive, poll, shutdown, close,
 * names, options, ioctls), with the errnos TCP gives for the same misuse.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sockios.h>
#include <asm/ioctls.h>
#include <net/inet_common.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/mytcp.h>

static void mytcp_destruct_sock(struct sock *sk)
{
	mytcp_unregister_sock(sk);
	mytcp_purge_ofo(sk);
	__skb_queue_purge(&sk->sk_receive_queue);
	__skb_queue_purge(&sk->sk_error_queue);
	__skb_queue_purge(&sk->sk_write_queue);
	mytcp_purge_spares(sk);
	dst_release(rcu_dereference_protected(sk->sk_dst_cache, 1));
	RCU_INIT_POINTER(sk->sk_dst_cache, NULL);
	mytcp_release_mem_sock(sk);
}

/* Wake writers once the write queue has room again (stream semantics). */
static void mytcp_write_space(struct sock *sk)
{
	struct socket *sock = sk->sk_socket;
	struct socket_wq *wq;

	if (!sock || !sk_stream_is_writeable(sk))
		return;
	clear_bit(SOCK_NOSPACE, &sock->flags);
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait,
					   EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
	if (wq && wq->fasync_list && !(sk->sk_shutdown & SEND_SHUTDOWN))
		sock_wake_async(wq, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

static int mytcp_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	return mytcp_rcv_sk(sk, skb);
}

static int mytcp_init_sock(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	mytcp_register_sock(sk);
	mytcp_init_timers(sk);
	INIT_LIST_HEAD(&msk->accept_node);
	msk->ofo_root = RB_ROOT;
	mytcp_init_delack(sk);
	msk->advmss = MYTCP_DEFAULT_MSS;
	msk->mss_cache = MYTCP_DEFAULT_MSS;
	msk->rto = MYTCP_TIMEOUT_INIT;
	/* sk_setup_caps() then tells whether the route takes GSO (offload.c). */
	sk->sk_gso_type = SKB_GSO_SCTP;
	mytcp_init_sender(sk);
	mytcp_init_mem_sock(sk);
	return 0;
}

struct proto mytcp_prot = {
	.name		= "MYTCP",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct mytcp_sock),
	.init		= mytcp_init_sock,
	.backlog_rcv	= mytcp_backlog_rcv,
	.keepalive	= mytcp_set_keepalive,
};

/* A sockaddr_mytcp (or sockaddr_in of the same layout) from userspace. */
static int mytcp_check_addr(const struct sockaddr *uaddr, int addr_len,
			    bool any_unspec)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)uaddr;

	if (addr_len < (int)sizeof(struct sockaddr_in))
		return -EINVAL;
	if (sin->sin_family == AF_MYTCP)
		return 0;
	/* Like TCP's bind: AF_UNSPEC is accepted for the wildcard address. */
	if (any_unspec && sin->sin_family == AF_UNSPEC &&
	    sin->sin_addr.s_addr == htonl(INADDR_ANY))
		return 0;
	return -EAFNOSUPPORT;
}

static int mytcp_bind(struct socket *sock, struct sockaddr *uaddr, int addr_len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)uaddr;
	struct sock *sk = sock->sk;
	struct net *net = sock_net(sk);
	u16 port;
	int err, type;

	err = mytcp_check_addr(uaddr, addr_len, true);
	if (err)
		return err;
	port = ntohs(sin->sin_port);
	type = inet_addr_type_table(net, sin->sin_addr.s_addr, RT_TABLE_LOCAL);
	if (sin->sin_addr.s_addr != htonl(INADDR_ANY) && type != RTN_LOCAL &&
	    !inet_sk(sk)->freebind && !inet_sk(sk)->transparent &&
	    !READ_ONCE(net->ipv4.sysctl_ip_nonlocal_bind))
		return -EADDRNOTAVAIL;
	if (port && inet_port_requires_bind_service(net, port) &&
	    !ns_capable(net->user_ns, CAP_NET_BIND_SERVICE))
		return -EACCES;

	lock_sock(sk);
	if (sk->sk_state != MYTCP_CLOSE || inet_sk(sk)->inet_num)
		err = -EINVAL;
	else
		err = mytcp_bind_port(sk, sin->sin_addr.s_addr, port);
	if (!err) {
		inet_sk(sk)->inet_dport = 0;
		sk_dst_reset(sk);
	}
	release_sock(sk);
	return err;
}

static int mytcp_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	int somaxconn = READ_ONCE(sock_net(sk)->core.sysctl_somaxconn);
	int err = 0;

	if (backlog > somaxconn)
		backlog = somaxconn;
	if (backlog < 0)
		backlog = 0;
	lock_sock(sk);
	if (sock->state != SS_UNCONNECTED) {
		err = -EINVAL;
		goto out;
	}
	if (sk->sk_state == MYTCP_LISTEN) {
		WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
		goto out;
	}
	if (sk->sk_state != MYTCP_CLOSE) {
		err = -EINVAL;
		goto out;
	}
	if (!inet_sk(sk)->inet_num) {
		err = mytcp_bind_port(sk, 0, 0);
		if (err)
			goto out;
	}
	err = mytcp_start_listen(sk, backlog);
out:
	release_sock(sk);
	return err;
}

static int mytcp_wait_for_child(struct sock *sk, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	int err = 0;

	add_wait_queue_exclusive(sk_sleep(sk), &wait);
	while (list_empty(&mytcp_sk(sk)->listen->acceptq)) {
		if (!*timeo) {
			err = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(*timeo);
			break;
		}
		release_sock(sk);
		*timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, *timeo);
		lock_sock(sk);
		if (sk->sk_state != MYTCP_LISTEN) {
			err = -EINVAL;
			break;
		}
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return err;
}

static int mytcp_accept(struct socket *sock, struct socket *newsock, int flags,
			bool kern)
{
	struct sock *sk = sock->sk, *child;
	long timeo;
	int err;

	lock_sock(sk);
	if (sk->sk_state != MYTCP_LISTEN) {
		err = -EINVAL;
		goto out;
	}
	timeo = sock_rcvtimeo(sk, flags & O_NONBLOCK);
	err = mytcp_wait_for_child(sk, &timeo);
	if (err)
		goto out;
	child = mytcp_take_child(sk);
	release_sock(sk);

	lock_sock(child);
	sock_graft(child, newsock);
	newsock->state = SS_CONNECTED;
	release_sock(child);
	return 0;
out:
	release_sock(sk);
	return err;
}

static int mytcp_disconnect(struct sock *sk)
{
	if (sk->sk_state == MYTCP_LISTEN) {
		mytcp_stop_listen(sk);
		mytcp_unbind_port(sk);
		inet_sk(sk)->inet_num = 0;
		return 0;
	}
	if (sk->sk_state != MYTCP_CLOSE && sk->sk_state != MYTCP_SYN_SENT)
		mytcp_send_active_reset(sk);
	mytcp_done(sk);
	__skb_queue_purge(&sk->sk_receive_queue);
	sk->sk_shutdown = 0;
	sock_reset_flag(sk, SOCK_DONE);
	inet_sk(sk)->inet_dport = 0;
	sk->sk_daddr = 0;
	if (mytcp_sk(sk)->autobound) {
		inet_sk(sk)->inet_num = 0;
		inet_sk(sk)->inet_sport = 0;
		mytcp_sk(sk)->autobound = false;
	} else if (inet_sk(sk)->inet_num) {
		/* Still bound to what bind() asked for. */
		mytcp_bind_port(sk, sk->sk_rcv_saddr, inet_sk(sk)->inet_num);
	}
	sk_dst_reset(sk);
	return 0;
}

/* Route, port, ISN, SYN: the start of an active open. */
static int mytcp_start_connect(struct sock *sk, struct sockaddr_in *sin)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct flowi4 *fl4 = &inet->cork.fl.u.ip4;
	__be16 orig_sport = inet->inet_sport;
	struct rtable *rt;
	int err;

	rt = ip_route_connect(fl4, sin->sin_addr.s_addr, inet->inet_saddr,
			      sk->sk_bound_dev_if, IPPROTO_MYTCP,
			      inet->inet_sport, sin->sin_port, sk);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	if (rt->rt_flags & (RTCF_MULTICAST | RTCF_BROADCAST)) {
		ip_rt_put(rt);
		return -ENETUNREACH;
	}
	if (!inet->inet_saddr)
		inet->inet_saddr = fl4->saddr;
	sk->sk_rcv_saddr = inet->inet_saddr;
	inet->inet_dport = sin->sin_port;
	sk->sk_daddr = sin->sin_addr.s_addr;

	mytcp_set_state(sk, MYTCP_SYN_SENT);
	err = mytcp_connect_port(sk);
	if (err)
		goto fail;
	rt = ip_route_newports(fl4, rt, orig_sport, sin->sin_port,
			       inet->inet_sport, inet->inet_dport, sk);
	if (IS_ERR(rt)) {
		err = PTR_ERR(rt);
		rt = NULL;
		goto fail;
	}
	sk_setup_caps(sk, &rt->dst);
	rt = NULL;

	msk->advmss = mytcp_mss_for_mtu(dst_mtu(__sk_dst_get(sk)));
	msk->mss_cache = msk->user_mss ? min(msk->advmss, msk->user_mss) : msk->advmss;
	msk->rcv_wscale = mytcp_sock_rcv_wscale(sk);
	msk->rcv_wnd = min_t(u32, READ_ONCE(sk->sk_rcvbuf) / 2, MYTCP_MAX_WINDOW);
	msk->rcv_ssthresh = msk->rcv_wnd;
	msk->iss = mytcp_make_isn(inet->inet_saddr, inet->inet_daddr,
				  inet->inet_sport, inet->inet_dport);
	msk->irs = 0;
	mytcp_init_seq_state(sk);
	msk->rcv_nxt = 0;
	msk->snd_una = msk->iss;
	msk->snd_nxt = msk->iss;
	msk->write_seq = msk->iss;
	msk->snd_wnd = 0;
	/* RFC 7323 7.1: a random offset per connection hides our clock. */
	msk->ts_ok = !!READ_ONCE(mytcp_net(sock_net(sk))->sysctl_timestamps);
	msk->ts_offset = get_random_u32();
	atomic_set(&inet->inet_id, get_random_u16());
	err = mytcp_send_syn(sk);
	if (err)
		goto fail;
	mytcp_inc_stats(sock_net(sk), MYTCP_MIB_ACTIVEOPENS);
	return 0;
fail:
	mytcp_set_state(sk, MYTCP_CLOSE);
	mytcp_unhash(sk);
	if (msk->autobound)
		mytcp_unbind_port(sk);
	if (rt)
		ip_rt_put(rt);
	sk_dst_reset(sk);
	inet->inet_dport = 0;
	sk->sk_daddr = 0;
	return err;
}

static long mytcp_wait_for_connect(struct sock *sk, long timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	add_wait_queue(sk_sleep(sk), &wait);
	while (sk->sk_state == MYTCP_SYN_SENT || sk->sk_state == MYTCP_SYN_RECV) {
		release_sock(sk);
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
		lock_sock(sk);
		if (signal_pending(current) || !timeo)
			break;
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return timeo;
}

static int mytcp_connect(struct socket *sock, struct sockaddr *uaddr,
			 int addr_len, int flags)
{
	struct sock *sk = sock->sk;
	long timeo;
	int err;

	if (addr_len < (int)sizeof(uaddr->sa_family))
		return -EINVAL;
	lock_sock(sk);
	if (uaddr->sa_family == AF_UNSPEC) {
		err = mytcp_disconnect(sk);
		sock->state = SS_UNCONNECTED;
		goto out;
	}
	switch (sock->state) {
	case SS_CONNECTED:
		err = -EISCONN;
		goto out;
	case SS_CONNECTING:
		if (sk->sk_state == MYTCP_SYN_SENT || sk->sk_state == MYTCP_SYN_RECV) {
			err = (flags & O_NONBLOCK) ? -EALREADY : 0;
			if (err)
				goto out;
			break;
		}
		err = sock_error(sk);
		if (err) {
			sock->state = SS_UNCONNECTED;
			goto out;
		}
		err = sk->sk_state == MYTCP_CLOSE ? -ECONNABORTED : -EISCONN;
		if (err == -EISCONN)
			sock->state = SS_CONNECTED;
		goto out;
	default:
		if (sk->sk_state != MYTCP_CLOSE) {
			err = -EISCONN;
			goto out;
		}
		err = mytcp_check_addr(uaddr, addr_len, false);
		if (err)
			goto out;
		err = mytcp_start_connect(sk, (struct sockaddr_in *)uaddr);
		if (err)
			goto out;
		sock->state = SS_CONNECTING;
	}

	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
	if (sk->sk_state == MYTCP_SYN_SENT || sk->sk_state == MYTCP_SYN_RECV) {
		err = -EINPROGRESS;
		if (!timeo)
			goto out;
		timeo = mytcp_wait_for_connect(sk, timeo);
		err = sock_intr_errno(timeo);
		if (signal_pending(current))
			goto out;
		err = -EINPROGRESS;
		if (sk->sk_state == MYTCP_SYN_SENT || sk->sk_state == MYTCP_SYN_RECV)
			goto out;
	}
	if (sk->sk_state == MYTCP_CLOSE) {
		err = sock_error(sk) ? : -ECONNABORTED;
		sock->state = SS_UNCONNECTED;
		goto out;
	}
	sock->state = SS_CONNECTED;
	err = 0;
out:
	release_sock(sk);
	return err;
}

static int mytcp_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	struct sockaddr_mytcp *addr = (struct sockaddr_mytcp *)uaddr;
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);

	memset(addr, 0, sizeof(*addr));
	addr->smt_family = AF_MYTCP;
	lock_sock(sk);
	if (peer) {
		if (!inet->inet_dport ||
		    sk->sk_state == MYTCP_CLOSE || sk->sk_state == MYTCP_SYN_SENT) {
			release_sock(sk);
			return -ENOTCONN;
		}
		addr->smt_port = inet->inet_dport;
		addr->smt_addr.s_addr = inet->inet_daddr;
	} else {
		addr->smt_port = inet->inet_sport;
		addr->smt_addr.s_addr = inet->inet_rcv_saddr;
	}
	release_sock(sk);
	return sizeof(*addr);
}

static __poll_t mytcp_poll(struct file *file, struct socket *sock,
			   poll_table *wait)
{
	struct sock *sk = sock->sk;
	int state = inet_sk_state_load(sk);
	u8 shutdown = READ_ONCE(sk->sk_shutdown);
	__poll_t mask = 0;

	sock_poll_wait(file, sock, wait);
	if (state == MYTCP_LISTEN) {
		struct mytcp_listen *l = READ_ONCE(mytcp_sk(sk)->listen);

		return l && READ_ONCE(sk->sk_ack_backlog) ? EPOLLIN | EPOLLRDNORM : 0;
	}
	if (shutdown == SHUTDOWN_MASK || state == MYTCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (state != MYTCP_SYN_SENT && state != MYTCP_SYN_RECV) {
		if (!skb_queue_empty_lockless(&sk->sk_receive_queue))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!(shutdown & SEND_SHUTDOWN)) {
			if (sk_stream_is_writeable(sk)) {
				mask |= EPOLLOUT | EPOLLWRNORM;
			} else {
				sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
				set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
				/*
				 * The bit must be visible before the check, or
				 * mytcp_write_space() could miss this waiter.
				 */
				smp_mb__after_atomic();
				if (sk_stream_is_writeable(sk))
					mask |= EPOLLOUT | EPOLLWRNORM;
			}
		} else {
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
	} else if (state == MYTCP_CLOSE) {
		mask |= EPOLLOUT | EPOLLWRNORM;
	}
	/* Pairs with the barrier in sk_error_report()'s writers of sk_err. */
	smp_rmb();
	if (READ_ONCE(sk->sk_err) || !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR;
	return mask;
}

static int mytcp_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct mytcp_sock *msk = mytcp_sk(sk);
	int answ;

	switch (cmd) {
	case SIOCINQ:
		if (sk->sk_state == MYTCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		answ = msk->rcv_nxt - msk->copied_seq;
		/* The FIN takes a sequence number but no byte. */
		if (answ && sock_flag(sk, SOCK_DONE))
			answ--;
		if (sk->sk_state == MYTCP_SYN_SENT || sk->sk_state == MYTCP_CLOSE)
			answ = skb_queue_empty(&sk->sk_receive_queue) ? 0 : answ;
		release_sock(sk);
		break;
	case SIOCOUTQ:
		if (sk->sk_state == MYTCP_LISTEN)
			return -EINVAL;
		answ = sk->sk_state == MYTCP_CLOSE || sk->sk_state == MYTCP_SYN_SENT ?
		       0 : READ_ONCE(msk->write_seq) - READ_ONCE(msk->snd_una);
		break;
	case SIOCOUTQNSD:
		if (sk->sk_state == MYTCP_LISTEN)
			return -EINVAL;
		answ = sk->sk_state == MYTCP_CLOSE || sk->sk_state == MYTCP_SYN_SENT ?
		       0 : READ_ONCE(msk->write_seq) - READ_ONCE(msk->snd_nxt);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(answ, (int __user *)arg);
}

static void mytcp_start_close(struct sock *sk)
{
	switch (sk->sk_state) {
	case MYTCP_ESTABLISHED:
	case MYTCP_SYN_RECV:
		mytcp_set_state(sk, MYTCP_FIN_WAIT1);
		mytcp_send_fin(sk);
		break;
	case MYTCP_CLOSE_WAIT:
		mytcp_set_state(sk, MYTCP_LAST_ACK);
		mytcp_send_fin(sk);
		break;
	}
}

static int mytcp_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	int err = 0;

	how++;	/* SHUT_RD, SHUT_WR, SHUT_RDWR -> 1, 2, 3 */
	if ((how & ~SHUTDOWN_MASK) || !how)
		return -EINVAL;
	lock_sock(sk);
	if (sock->state == SS_CONNECTING) {
		if (sk->sk_state == MYTCP_SYN_SENT || sk->sk_state == MYTCP_SYN_RECV ||
		    sk->sk_state == MYTCP_CLOSE)
			sock->state = SS_DISCONNECTING;
		else
			sock->state = SS_CONNECTED;
	}
	switch (sk->sk_state) {
	case MYTCP_CLOSE:
		err = -ENOTCONN;
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
		break;
	case MYTCP_LISTEN:
		if (how & RCV_SHUTDOWN) {
			mytcp_disconnect(sk);
			sock->state = SS_UNCONNECTED;
		}
		break;
	case MYTCP_SYN_SENT:
		mytcp_disconnect(sk);
		sock->state = SS_UNCONNECTED;
		break;
	default:
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
		if (how & SEND_SHUTDOWN)
			mytcp_start_close(sk);
	}
	sk->sk_state_change(sk);
	release_sock(sk);
	return err;
}

/* Wait for the FIN to be acknowledged, for SO_LINGER. */
static void mytcp_linger(struct sock *sk, long timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	add_wait_queue(sk_sleep(sk), &wait);
	while (timeo && !signal_pending(current) &&
	       (sk->sk_state == MYTCP_FIN_WAIT1 || sk->sk_state == MYTCP_CLOSING ||
		sk->sk_state == MYTCP_LAST_ACK)) {
		release_sock(sk);
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
		lock_sock(sk);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
}

/*
 * The application closed a connection that goes on: count the orphan and,
 * as TCP's __tcp_close() does, reset it at once when there are too many or
 * memory ran out.  The file's reference stays with it until mytcp_done().
 */
static void mytcp_keep_orphan(struct sock *sk)
{
	mytcp_add_orphan(sk);
	if (mytcp_check_oom(sk, 0)) {
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_ABORTONMEMORY);
		mytcp_send_active_reset(sk);
		mytcp_done(sk);
		return;
	}
	if (sk->sk_state == MYTCP_FIN_WAIT2) {
		/* An orphan waits fin_timeout for the peer's FIN. */
		sk_reset_timer(sk, &mytcp_sk(sk)->keepalive_timer,
			       jiffies + mytcp_fin_timeout(sk) * HZ);
	}
}

static int mytcp_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct mytcp_sock *msk;
	bool unread;

	if (!sk)
		return 0;
	msk = mytcp_sk(sk);
	lock_sock(sk);
	/*
	 * Ours until the end: a reset taken from the backlog by release_sock()
	 * may end the orphan and drop the file's reference before that returns.
	 */
	sock_hold(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	unread = msk->rcv_nxt != msk->copied_seq &&
		 !skb_queue_empty(&sk->sk_receive_queue);
	__skb_queue_purge(&sk->sk_receive_queue);

	if (sk->sk_state == MYTCP_LISTEN) {
		mytcp_stop_listen(sk);
		mytcp_unbind_port(sk);
	} else if (sk->sk_state == MYTCP_SYN_SENT) {
		mytcp_done(sk);
	} else if (sk->sk_state == MYTCP_CLOSE) {
		mytcp_unbind_port(sk);
	} else if (unread || (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime)) {
		/* RFC 2525 2.17: unread data, or zero linger: abort. */
		mytcp_inc_ext_stats(sock_net(sk), unread ? MYTCP_EXT_ABORTONCLOSE :
				    MYTCP_EXT_ABORTONDATA);
		mytcp_send_active_reset(sk);
		mytcp_done(sk);
	} else {
		mytcp_start_close(sk);
		if (sock_flag(sk, SOCK_LINGER))
			mytcp_linger(sk, sk->sk_lingertime);
	}

	sock_orphan(sk);
	sock->sk = NULL;
	if (sk->sk_state == MYTCP_CLOSE)
		sock_put(sk);		/* the file's: nothing lives on */
	else
		mytcp_keep_orphan(sk);
	release_sock(sk);
	sock_put(sk);
	return 0;
}

/* Room left in the last, never-sent buffer of the write queue. */
static struct sk_buff *mytcp_tail_with_room(struct sock *sk, u32 goal)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct sk_buff *tail = skb_peek_tail(&sk->sk_write_queue);

	if (!tail || !msk->send_head || tail->len >= goal ||
	    (MYTCP_SKB_CB(tail)->flags & (MYTCPHDR_SYN | MYTCPHDR_FIN)))
		return NULL;
	return tail;
}

/* A segment queued for a write that then copied nothing goes again. */
static void mytcp_drop_empty_tail(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct sk_buff *tail = skb_peek_tail(&sk->sk_write_queue);

	if (!tail || !msk->send_head || tail->len ||
	    (MYTCP_SKB_CB(tail)->flags & (MYTCPHDR_SYN | MYTCPHDR_FIN)))
		return;
	if (msk->send_head == tail)
		msk->send_head = NULL;
	__skb_unlink(tail, &sk->sk_write_queue);
	sk_wmem_queued_add(sk, -tail->truesize);
	consume_skb(tail);
}

/*
 * Copy up to @size bytes of the write into the socket's page fragment and
 * attach them to @skb, as TCP does: a segment costs what it carries, not
 * the MSS, and the copy needs no high-order allocation.
 *
 * Return: bytes copied, 0 when @skb has no fragment slot left, -ENOMEM
 * when no page could be had, -EFAULT.
 */
static int mytcp_copy_to_frags(struct sock *sk, struct sk_buff *skb,
			       struct msghdr *msg, int size)
{
	struct page_frag *pfrag = sk_page_frag(sk);
	int i = skb_shinfo(skb)->nr_frags;
	bool merge;
	int err;

	if (!sk_page_frag_refill(sk, pfrag))
		return -ENOMEM;
	merge = skb_can_coalesce(skb, i, pfrag->page, pfrag->offset);
	if (!merge && i >= MAX_SKB_FRAGS)
		return 0;
	size = min_t(int, size, pfrag->size - pfrag->offset);
	/* The fragment's bytes join the segment's charge (see mem.c). */
	if (!sk_wmem_schedule(sk, size))
		return -ENOMEM;
	err = skb_do_copy_data_nocache(sk, skb, &msg->msg_iter,
				       page_address(pfrag->page) + pfrag->offset,
				       size, skb->len);
	if (err)
		return err;
	if (merge) {
		skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], size);
	} else {
		skb_fill_page_desc(skb, i, pfrag->page, pfrag->offset, size);
		get_page(pfrag->page);
	}
	pfrag->offset += size;
	skb->len += size;
	skb->data_len += size;
	skb->truesize += size;
	sk_wmem_queued_add(sk, size);
	sk_mem_charge(sk, size);
	return size;
}

/*
 * Whether a write should send what it queued so far, now that a buffer
 * is full (mytcp_size_goal()): every segment, without GSO; with GSO, once
 * what waits unsent makes a full GSO packet or half the largest window
 * the peer offered (TCP's forced push), so that segments leave together.
 * The rest goes when the write ends or waits for memory.
 */
static bool mytcp_push_due(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	u32 goal;

	if (!msk->send_head)
		return false;
	if (!sk_can_gso(sk))
		return true;
	goal = min_t(u32, sk->sk_gso_max_size,
		     max_t(u32, msk->max_window / 2, msk->mss_cache));
	return msk->write_seq - MYTCP_SKB_CB(msk->send_head)->seq >= goal;
}

static int mytcp_sendmsg(struct socket *sock, struct msghdr *msg, size_t size)
{
	struct sock *sk = sock->sk;
	struct mytcp_sock *msk = mytcp_sk(sk);
	int flags = msg->msg_flags;
	size_t copied = 0;
	long timeo;
	int err = 0;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	lock_sock(sk);
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	/* Waits out a handshake; EPIPE for a socket that is not connecting. */
	if (sk->sk_state != MYTCP_ESTABLISHED && sk->sk_state != MYTCP_CLOSE_WAIT) {
		err = sk_stream_wait_connect(sk, &timeo);
		if (err)
			goto error;
	}
	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN)) {
		err = sk->sk_err ? sock_error(sk) : -EPIPE;
		goto error;
	}

	while (msg_data_left(msg)) {
		u32 goal = mytcp_size_goal(sk);
		struct sk_buff *skb;
		int chunk;

		skb = mytcp_tail_with_room(sk, goal);
		if (!skb) {
			if (!sk_stream_memory_free(sk) ||
			    !mytcp_wmem_room(sk, msk->mss_cache))
				goto wait;
			skb = mytcp_queue_segment(sk, 0, 0);
			if (!skb)
				goto wait;
		}
		chunk = min_t(size_t, msg_data_left(msg), goal - skb->len);
		chunk = mytcp_copy_to_frags(sk, skb, msg, chunk);
		if (chunk == -ENOMEM)
			goto wait;
		if (chunk < 0) {
			err = chunk;
			goto error_push;
		}
		if (!chunk) {
			/* No fragment slot left: the next write starts a segment. */
			mytcp_push_pending(sk);
			if (skb == skb_peek_tail(&sk->sk_write_queue) &&
			    !mytcp_queue_segment(sk, 0, 0))
				goto wait;
			continue;
		}
		MYTCP_SKB_CB(skb)->end_seq += chunk;
		msk->write_seq += chunk;
		copied += chunk;
		/* As TCP does, PSH marks the segment that ends a write. */
		if (!msg_data_left(msg))
			MYTCP_SKB_CB(skb)->flags |= MYTCPHDR_PSH;
		if (skb->len >= goal && mytcp_push_due(sk))
			mytcp_push_pending(sk);
		continue;
wait:
		mytcp_drop_empty_tail(sk);
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		mytcp_push_pending(sk);
		err = sk_stream_wait_memory(sk, &timeo);
		if (err)
			goto error_push;
		if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN)) {
			err = sk->sk_err ? sock_error(sk) : -EPIPE;
			goto error_push;
		}
	}
	mytcp_push_pending(sk);
	release_sock(sk);
	return copied;

error_push:
	mytcp_drop_empty_tail(sk);
	mytcp_push_pending(sk);
	if (copied) {
		release_sock(sk);
		return copied;
	}
error:
	err = sk_stream_error(sk, flags, err);
	release_sock(sk);
	return err;
}

static int mytcp_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
			 int flags)
{
	struct sock *sk = sock->sk;
	struct mytcp_sock *msk = mytcp_sk(sk);
	u32 peek_seq, *seq;
	int copied = 0, target, err = 0;
	long timeo;

	if (flags & MSG_OOB)
		return -EINVAL;
	lock_sock(sk);
	if (sk->sk_state == MYTCP_LISTEN) {
		err = -ENOTCONN;
		goto out;
	}
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	seq = &msk->copied_seq;
	if (flags & MSG_PEEK) {
		peek_seq = msk->copied_seq;
		seq = &peek_seq;
	}

	while (copied < len) {
		struct sk_buff *skb;
		u32 offset;
		bool found = false;

		skb_queue_walk(&sk->sk_receive_queue, skb) {
			offset = *seq - MYTCP_SKB_CB(skb)->seq;
			if (offset < skb->len) {
				found = true;
				break;
			}
		}
		if (found) {
			size_t chunk = min_t(size_t, skb->len - offset, len - copied);

			if (skb_copy_datagram_msg(skb, offset, msg, chunk)) {
				if (!copied)
					copied = -EFAULT;
				break;
			}
			*seq += chunk;
			copied += chunk;
			if (!(flags & MSG_PEEK) && offset + chunk >= skb->len) {
				__skb_unlink(skb, &sk->sk_receive_queue);
				consume_skb(skb);
			}
			continue;
		}
		if (copied >= target)
			break;
		if (copied) {
			if (sk->sk_err || sk->sk_state == MYTCP_CLOSE ||
			    (sk->sk_shutdown & RCV_SHUTDOWN) || !timeo ||
			    signal_pending(current))
				break;
		} else {
			if (sock_flag(sk, SOCK_DONE) && (sk->sk_shutdown & RCV_SHUTDOWN)) {
				/* EOF: the FIN is consumed too, as in TCP. */
				if (!(flags & MSG_PEEK) && msk->copied_seq + 1 == msk->rcv_nxt)
					msk->copied_seq = msk->rcv_nxt;
				break;
			}
			if (sk->sk_err) {
				copied = sock_error(sk);
				break;
			}
			if (sk->sk_shutdown & RCV_SHUTDOWN)
				break;
			if (sk->sk_state == MYTCP_CLOSE) {
				copied = -ENOTCONN;
				break;
			}
			if (!timeo) {
				copied = -EAGAIN;
				break;
			}
			if (signal_pending(current)) {
				copied = sock_intr_errno(timeo);
				break;
			}
		}
		if (!(flags & MSG_PEEK))
			mytcp_cleanup_rbuf(sk, copied);
		sk_wait_data(sk, &timeo, NULL);
	}
	if (!(flags & MSG_PEEK) && copied > 0) {
		mytcp_adjust_rcv_space(sk);
		mytcp_cleanup_rbuf(sk, copied);
	}
	err = copied;
out:
	release_sock(sk);
	return err;
}

/* MYTCP_CONGESTION: a name, as long as the option or up to the NUL. */
static int mytcp_setsockopt_cong(struct sock *sk, sockptr_t optval,
				 unsigned int optlen)
{
	char name[MYTCP_CA_NAME_MAX];
	long len;
	int err;

	if (optlen < 1)
		return -EINVAL;
	len = strncpy_from_sockptr(name, optval,
				   min_t(unsigned int, optlen, sizeof(name) - 1));
	if (len < 0)
		return -EFAULT;
	name[len] = 0;
	lock_sock(sk);
	err = mytcp_set_cong_by_name(sk, name);
	release_sock(sk);
	return err;
}

/* The name of the socket's algorithm, cut to the caller's buffer. */
static int mytcp_getsockopt_cong(struct sock *sk, char __user *optval,
				 int __user *optlen, int len)
{
	const struct mytcp_cong_ops *ops = READ_ONCE(mytcp_sk(sk)->cong_ops);

	len = min_t(unsigned int, len, MYTCP_CA_NAME_MAX);
	if (put_user(len, optlen) || copy_to_user(optval, ops->name, len))
		return -EFAULT;
	return 0;
}

static int mytcp_setsockopt(struct socket *sock, int level, int optname,
			    sockptr_t optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	struct mytcp_sock *msk = mytcp_sk(sk);
	int val, err = 0;

	if (level != SOL_MYTCP)
		return -ENOPROTOOPT;
	if (optname == MYTCP_CONGESTION)
		return mytcp_setsockopt_cong(sk, optval, optlen);
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;

	lock_sock(sk);
	switch (optname) {
	case MYTCP_NODELAY:
		msk->nodelay = !!val;
		if (val)
			mytcp_push_pending(sk);
		break;
	case MYTCP_MAXSEG:
		if (val && (val < MYTCP_MIN_MSS || val > (int)MYTCP_MAX_WINDOW))
			err = -EINVAL;
		else
			msk->user_mss = val;
		break;
	case MYTCP_KEEPIDLE:
		if (val < 1 || val > 32767) {
			err = -EINVAL;
			break;
		}
		msk->keepalive_time = val;
		if (sock_flag(sk, SOCK_KEEPOPEN))
			mytcp_arm_keepalive(sk);
		break;
	case MYTCP_KEEPINTVL:
		if (val < 1 || val > 32767)
			err = -EINVAL;
		else
			msk->keepalive_intvl = val;
		break;
	case MYTCP_KEEPCNT:
		if (val < 1 || val > 127)
			err = -EINVAL;
		else
			msk->keepalive_probes = val;
		break;
	case MYTCP_SYNCNT:
		if (val < 1 || val > 127)
			err = -EINVAL;
		else
			msk->syn_retries = val;
		break;
	case MYTCP_LINGER2:
		msk->linger2 = val < 0 ? 0 : min(val, 24 * 3600);
		break;
	case MYTCP_QUICKACK:
		mytcp_set_quickack(sk, val);
		break;
	case MYTCP_USER_TIMEOUT:
		if (val < 0)
			err = -EINVAL;
		else
			msk->user_timeout = val;
		break;
	default:
		err = -ENOPROTOOPT;
	}
	release_sock(sk);
	return err;
}

static int mytcp_getsockopt(struct socket *sock, int level, int optname,
			    char __user *optval, int __user *optlen)
{
	struct sock *sk = sock->sk;
	struct mytcp_sock *msk = mytcp_sk(sk);
	int val, len;

	if (level != SOL_MYTCP)
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (optname == MYTCP_CONGESTION)
		return mytcp_getsockopt_cong(sk, optval, optlen, len);
	if (optname == MYTCP_INFO)
		return mytcp_get_info(sk, optval, optlen, len);
	len = min_t(unsigned int, len, sizeof(int));

	switch (optname) {
	case MYTCP_NODELAY:
		val = msk->nodelay;
		break;
	case MYTCP_MAXSEG:
		val = sk->sk_state == MYTCP_CLOSE || sk->sk_state == MYTCP_LISTEN ?
		      (msk->user_mss ? : MYTCP_DEFAULT_MSS) : msk->mss_cache;
		break;
	case MYTCP_KEEPIDLE:
		val = mytcp_keepalive_time(sk);
		break;
	case MYTCP_KEEPINTVL:
		val = mytcp_keepalive_intvl(sk);
		break;
	case MYTCP_KEEPCNT:
		val = mytcp_keepalive_probes(sk);
		break;
	case MYTCP_SYNCNT:
		val = msk->syn_retries ? :
		      READ_ONCE(mytcp_net(sock_net(sk))->sysctl_syn_retries);
		break;
	case MYTCP_LINGER2:
		val = mytcp_fin_timeout(sk);
		break;
	case MYTCP_QUICKACK:
		val = !msk->pingpong;
		break;
	case MYTCP_USER_TIMEOUT:
		val = msk->user_timeout;
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

static const struct proto_ops mytcp_stream_ops = {
	.family		= PF_MYTCP,
	.owner		= THIS_MODULE,
	.release	= mytcp_release,
	.bind		= mytcp_bind,
	.connect	= mytcp_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= mytcp_accept,
	.getname	= mytcp_getname,
	.poll		= mytcp_poll,
	.ioctl		= mytcp_ioctl,
	.listen		= mytcp_listen,
	.shutdown	= mytcp_shutdown,
	.setsockopt	= mytcp_setsockopt,
	.getsockopt	= mytcp_getsockopt,
	.sendmsg	= mytcp_sendmsg,
	.recvmsg	= mytcp_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};

/* The errnos are inet_create()'s for the same mistakes. */
static int mytcp_create_socket(struct net *net, struct socket *sock,
			       int protocol, int kern)
{
	struct sock *sk;

	if (sock->type != SOCK_STREAM)
		return -ESOCKTNOSUPPORT;
	if (protocol && protocol != IPPROTO_MYTCP)
		return -EPROTONOSUPPORT;

	sk = sk_alloc(net, PF_MYTCP, GFP_KERNEL, &mytcp_prot, kern);
	if (!sk)
		return -ENOBUFS;

	sock->state = SS_UNCONNECTED;
	sock->ops = &mytcp_stream_ops;
	sock_init_data(sock, sk);
	sk->sk_protocol = IPPROTO_MYTCP;
	sk->sk_state = MYTCP_CLOSE;
	sk->sk_destruct = mytcp_destruct_sock;
	sk->sk_backlog_rcv = sk->sk_prot->backlog_rcv;
	sk->sk_write_space = mytcp_write_space;
	/* Lockless lookups may still see it for a grace period. */
	sock_set_flag(sk, SOCK_RCU_FREE);
	inet_sk(sk)->uc_ttl = -1;
	inet_sk(sk)->mc_ttl = 1;
	inet_sk(sk)->pmtudisc = IP_PMTUDISC_WANT;
	return sk->sk_prot->init(sk);
}

static const struct net_proto_family mytcp_family = {
	.family	= PF_MYTCP,
	.create	= mytcp_create_socket,
	.owner	= THIS_MODULE,
};

/* Name whoever holds our family slot, by asking it for a socket. */
static void mytcp_report_family_conflict(void)
{
	struct socket *sock;
	int err;

	err = sock_create_kern(&init_net, PF_MYTCP, SOCK_STREAM, 0, &sock);
	if (err) {
		pr_err("address family %d (AF_NETBEUI's slot) is already registered by another module; not loading\n",
		       PF_MYTCP);
		return;
	}
	pr_err("address family %d (AF_NETBEUI's slot) is already registered by %s; not loading\n",
	       PF_MYTCP, sock->ops->owner ? module_name(sock->ops->owner) :
	       "the kernel");
	sock_release(sock);
}

/**
 * mytcp_register_family() - register the AF_MYTCP socket family
 *
 * Return: 0, or -EEXIST when the slot is taken; the kernel log then names
 * the module that holds it.
 */
int mytcp_register_family(void)
{
	int err;

	err = sock_register(&mytcp_family);
	if (err == -EEXIST)
		mytcp_report_family_conflict();
	return err;
}

/**
 * mytcp_unregister_family() - unregister the AF_MYTCP socket family
 *
 * No new socket can be created afterwards; existing ones hold a reference
 * on the module, so unloading waits for them to close.
 */
void mytcp_unregister_family(void)
{
	sock_unregister(PF_MYTCP);
}
