// SPDX-License-Identifier: GPL-2.0
/*
 * Memory: the protocol's global accounting (the pages all mytcp sockets
 * hold, memory pressure, the mem, rmem and wmem sysctls of the initial
 * namespace, as TCP's tcp_mem, tcp_rmem and tcp_wmem), the charge of the
 * write queue and the reuse of its acknowledged segments, the buffer
 * sizes of new sockets, the growth of the send
 * buffer, and /proc/net/mytcp_sockstat.  The socket core does the rest
 * (sk_rmem_schedule(), sk_wmem_schedule(), sk_stream_wait_memory()).
 */
#include <linux/mm.h>
#include <linux/percpu_counter.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/mytcp.h>

static atomic_long_t mytcp_memory_allocated;	/* pages */
static DEFINE_PER_CPU(int, mytcp_memory_per_cpu_fw_alloc);
static struct percpu_counter mytcp_sockets_allocated;
/* jiffies when pressure began (never 0 then), or 0 */
static unsigned long mytcp_memory_pressure;

long mytcp_sysctl_mem[3] __read_mostly;
int mytcp_sysctl_rmem[3] __read_mostly = { 4096, 131072, 6291456 };
int mytcp_sysctl_wmem[3] __read_mostly = { 4096, 16384, 4194304 };

static struct ctl_table_header *mytcp_mem_sysctl_hdr;

/**
 * mytcp_default_mem() - TCP's tcp_mem for an amount of memory
 * @free_pages: the pages buffers may use (nr_free_buffer_pages())
 * @mem: low, pressure and high, in pages
 */
void mytcp_default_mem(unsigned long free_pages, long mem[3])
{
	unsigned long limit = max(free_pages / 16, 128UL);

	mem[0] = limit / 4 * 3;
	mem[1] = limit;
	mem[2] = mem[0] * 2;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_default_mem);

/**
 * mytcp_sndbuf_for() - the send buffer a congestion window needs
 * @mss: the segment size
 * @cwnd: the congestion window, in segments
 * @max: the largest buffer allowed (wmem[2])
 *
 * As TCP's tcp_sndbuf_expand(): twice the memory of max(cwnd, 10)
 * segments, so that the window can double while the older half waits
 * for its ACKs.
 *
 * Return: bytes, at most @max.
 */
int mytcp_sndbuf_for(unsigned int mss, u32 cwnd, int max)
{
	u64 per_mss = SKB_TRUESIZE(MYTCP_HEADROOM + mss);
	u64 want = 2 * per_mss * max_t(u32, cwnd, MYTCP_INIT_CWND);

	return (int)min_t(u64, want, max);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_sndbuf_for);

/**
 * mytcp_grow_rcvbuf() - the receive buffer after an RTT of reading
 * @copied: payload the application read during the last RTT
 * @space: the most it read in one RTT before
 * @ratio: payload per 256 bytes of buffer (truesize), 0: unknown
 * @mss: the segment size the peer sends us
 * @rcvbuf: the receive buffer now
 * @max: the largest buffer allowed (rmem[2])
 *
 * Dynamic right-sizing: a reader that took more in this RTT than in
 * any before may be limited by the window, so the buffer grows to hold
 * twice what it read, plus 16 segments for a sender in slow start, in
 * buffer bytes (the payload divided by @ratio).  The buffer never
 * shrinks here.
 *
 * Return: the new buffer, bytes, at least @rcvbuf, at most @max unless
 * @rcvbuf already was more.
 */
int mytcp_grow_rcvbuf(u32 copied, u32 space, u8 ratio, unsigned int mss,
		      int rcvbuf, int max)
{
	u64 win, want;

	if (copied <= space || rcvbuf >= max)
		return rcvbuf;
	win = 2 * (u64)copied + 16 * (u64)mss;
	want = div_u64(win << 8, ratio ? : 128);
	return (int)clamp_t(u64, want, rcvbuf, max);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_grow_rcvbuf);

static u32 mytcp_drs_clock(void)
{
	return (u32)div_u64(ktime_get_ns(), NSEC_PER_USEC) ? : 1;
}

static void mytcp_sample_rcv_rtt(struct mytcp_sock *msk, u32 sample)
{
	u32 rtt = msk->drs.rtt_us;

	sample = max(sample, 1U);
	/* The smaller sample is the better one (no queue, no delayed ACK). */
	if (!rtt || sample < rtt)
		msk->drs.rtt_us = sample;
	else
		msk->drs.rtt_us = rtt + (sample - rtt) / 8;
}

/**
 * mytcp_measure_rcv_rtt() - the receiver's RTT, from an in-order segment
 * @sk: the socket, locked
 * @skb: a segment whose payload just advanced rcv_nxt
 *
 * A receiver that sends no data has no RTT of its own: it measures the
 * time from the TSval its ACK carried to the data segment that echoes
 * it (a new TSecr only: the sender echoes the same one until our next
 * ACK), or, without timestamps, the time the peer takes to send the
 * window last offered when the measurement began (the peer sends at most
 * a window per RTT).
 */
void mytcp_measure_rcv_rtt(struct sock *sk, const struct sk_buff *skb)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	const struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	u32 now = mytcp_drs_clock();
	s32 ts_rtt;

	if (msk->ts_ok && cb->saw_ts) {
		if (cb->tsecr == msk->drs.rtt_tsecr)
			return;
		msk->drs.rtt_tsecr = cb->tsecr;
		ts_rtt = mytcp_ts_rtt_us(msk, cb);
		if (ts_rtt > 0)
			mytcp_sample_rcv_rtt(msk, ts_rtt);
		return;
	}
	if (msk->drs.rtt_stamp && mytcp_seq_after(msk->drs.rtt_seq, msk->rcv_nxt))
		return;
	if (msk->drs.rtt_stamp)
		mytcp_sample_rcv_rtt(msk, now - msk->drs.rtt_stamp);
	msk->drs.rtt_seq = msk->rcv_nxt + max(msk->rcv_wnd, 1U);
	msk->drs.rtt_stamp = now;
}

/**
 * mytcp_adjust_rcv_space() - after a read: grow the buffer once per RTT
 * @sk: the socket, locked
 *
 * Once per receiver RTT (mytcp_measure_rcv_rtt()), the bytes the
 * application read since the last time go to mytcp_grow_rcvbuf(); the
 * window the buffer allows follows (mytcp_rcv_wnd_clamp() is computed
 * from sk_rcvbuf).  Not when the user set SO_RCVBUF, nor under memory
 * pressure.
 */
void mytcp_adjust_rcv_space(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	u32 now = mytcp_drs_clock();
	u32 copied;
	int rcvbuf;

	if (!msk->drs.stamp) {
		msk->drs.stamp = now;
		msk->drs.seq = msk->copied_seq;
		msk->drs.space = MYTCP_INIT_CWND * (msk->rcv_mss ? : msk->advmss);
		return;
	}
	if (!msk->drs.rtt_us || now - msk->drs.stamp < msk->drs.rtt_us)
		return;
	copied = msk->copied_seq - msk->drs.seq;
	if (copied > msk->drs.space) {
		if (!(sk->sk_userlocks & SOCK_RCVBUF_LOCK) &&
		    !mytcp_under_memory_pressure()) {
			rcvbuf = mytcp_grow_rcvbuf(copied, msk->drs.space,
						   msk->rcv_ratio,
						   msk->rcv_mss ? : msk->advmss,
						   READ_ONCE(sk->sk_rcvbuf),
						   READ_ONCE(mytcp_sysctl_rmem[2]));
			if (rcvbuf > READ_ONCE(sk->sk_rcvbuf))
				WRITE_ONCE(sk->sk_rcvbuf, rcvbuf);
		}
		msk->drs.space = copied;
	}
	msk->drs.seq = msk->copied_seq;
	msk->drs.stamp = now;
}

static void mytcp_enter_memory_pressure(struct sock *sk)
{
	unsigned long val;

	if (READ_ONCE(mytcp_memory_pressure))
		return;
	val = jiffies ? : -1UL;
	if (!cmpxchg(&mytcp_memory_pressure, 0, val))
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_MEMORYPRESSURES);
}

static void mytcp_leave_memory_pressure(struct sock *sk)
{
	unsigned long val = READ_ONCE(mytcp_memory_pressure);

	if (!val || cmpxchg(&mytcp_memory_pressure, val, 0) != val)
		return;
	SNMP_ADD_STATS(mytcp_net(sock_net(sk))->ext_mib,
		       MYTCP_EXT_MEMORYPRESSURESCHRONO,
		       jiffies_to_msecs(jiffies - val));
}

/**
 * mytcp_init_mem_sock() - the buffers and the count of a new socket
 * @sk: a socket just created (not a clone: the core counts those)
 *
 * SO_SNDBUF is wmem[1], as TCP's.  SO_RCVBUF is rmem[1] but not less
 * than what sock_init_data() gave (net.core.rmem_default): a segment
 * mytcp sends over loopback is one linear buffer of a 64 KB MSS (truesize
 * over 128 KB), and a 128 KB buffer would hold just one.
 */
void mytcp_init_mem_sock(struct sock *sk)
{
	WRITE_ONCE(sk->sk_sndbuf, READ_ONCE(mytcp_sysctl_wmem[1]));
	WRITE_ONCE(sk->sk_rcvbuf, max(READ_ONCE(mytcp_sysctl_rmem[1]),
				      READ_ONCE(sk->sk_rcvbuf)));
	sk_sockets_allocated_inc(sk);
}

/**
 * mytcp_release_mem_sock() - a socket's last pages go back
 * @sk: a socket being destroyed, its queues already purged
 */
void mytcp_release_mem_sock(struct sock *sk)
{
	sk_mem_reclaim_final(sk);
	WARN_ON_ONCE(sk->sk_forward_alloc);
	sk_sockets_allocated_dec(sk);
}

/* Charge @size bytes even over the limits: a FIN must go out. */
static void mytcp_force_mem(struct sock *sk, int size)
{
	int pages;

	if (size <= sk->sk_forward_alloc)
		return;
	pages = sk_mem_pages(size - sk->sk_forward_alloc);
	atomic_long_add(pages, &mytcp_memory_allocated);
	sk_forward_alloc_add(sk, pages << PAGE_SHIFT);
}

/* A write-queue segment gives its charge back when it is freed. */
static void mytcp_wqueue_destructor(struct sk_buff *skb)
{
	sk_mem_uncharge(skb->sk, skb->truesize);
}

/**
 * mytcp_charge_wqueue() - charge a new write-queue segment to its socket
 * @sk: the socket, locked
 * @skb: the segment, not yet owned
 *
 * Always succeeds: a sender that must respect the limits asks
 * mytcp_wmem_room() first, as TCP schedules before it allocates.
 */
void mytcp_charge_wqueue(struct sock *sk, struct sk_buff *skb)
{
	if (!sk_wmem_schedule(sk, skb->truesize))
		mytcp_force_mem(sk, skb->truesize);
	sk_wmem_queued_add(sk, skb->truesize);
	sk_mem_charge(sk, skb->truesize);
	skb->sk = sk;
	skb->destructor = mytcp_wqueue_destructor;
}

/*
 * A sender keeps this many acknowledged segments for the next ones it
 * queues: a bulk sender frees and queues one per MSS, and the slab
 * allocator's round trip (and the zeroing of the head) was a good part of
 * its time.  While they wait, their heads stay charged to the socket's
 * memory (the protocol's pages), not to its send buffer.
 * mytcp_purge_spares() frees them once the write queue empties while the
 * application does not hold the socket, and when the connection ends.
 */
#define MYTCP_SPARE_SEGS	64

/*
 * Could @skb, just unlinked from the write queue, be used again?  Not
 * under memory pressure: then the memory goes back at once.  Nor when the
 * ACK takes all that was written and no writer holds the socket: the
 * spares would be purged at once (mytcp_clean_acked()), as they were
 * after every request of a request/response exchange.
 */
static bool mytcp_segment_reusable(const struct sock *sk, struct sk_buff *skb)
{
	const struct mytcp_sock *msk = mytcp_sk(sk);

	return msk->nr_spare_segs < MYTCP_SPARE_SEGS &&
	       (msk->snd_una != msk->write_seq || sock_owned_by_user(sk)) &&
	       !mytcp_under_memory_pressure() &&
	       skb->destructor == mytcp_wqueue_destructor &&
	       refcount_read(&skb->users) == 1 && !skb_cloned(skb) &&
	       !skb->head_frag && !skb->pfmemalloc && !skb_zcopy(skb) &&
	       !skb_has_frag_list(skb) && !skb_has_extensions(skb) &&
	       /* a head given its own copy (wqueue.c) may differ in size */
	       skb->truesize == SKB_TRUESIZE(skb_end_offset(skb)) + skb->data_len;
}

/*
 * Give @skb's page fragments and their charge back and make it what
 * alloc_skb() returns with MYTCP_HEADROOM reserved: every field before
 * the data pointers zero, its shared info too.  The head stays charged
 * to the socket's memory (not to its send buffer).
 */
static void mytcp_strip_segment(struct sock *sk, struct sk_buff *skb)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	unsigned int head = SKB_TRUESIZE(skb_end_offset(skb));
	int i;

	sk_mem_uncharge(sk, skb->truesize - head);
	for (i = 0; i < shinfo->nr_frags; i++)
		skb_frag_unref(skb, i);
	memset(skb, 0, offsetof(struct sk_buff, tail));
	skb->data = skb->head + MYTCP_HEADROOM;
	skb_reset_tail_pointer(skb);
	skb->mac_header = (typeof(skb->mac_header))~0U;
	skb->transport_header = (typeof(skb->transport_header))~0U;
	skb->truesize = head;
	memset(shinfo, 0, offsetof(struct skb_shared_info, dataref));
	atomic_set(&shinfo->dataref, 1);
}

/**
 * mytcp_free_acked() - free an acknowledged segment, or keep it for reuse
 * @sk: the socket, locked
 * @skb: the segment, unlinked from the write queue
 */
void mytcp_free_acked(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	sk_wmem_queued_add(sk, -skb->truesize);
	if (!mytcp_segment_reusable(sk, skb)) {
		consume_skb(skb);
		return;
	}
	mytcp_strip_segment(sk, skb);
	skb->next = msk->spare_segs;
	msk->spare_segs = skb;
	msk->nr_spare_segs++;
}

/**
 * mytcp_take_spare() - a segment kept by mytcp_free_acked(), if any
 * @sk: the socket, locked
 *
 * Return: an empty segment with MYTCP_HEADROOM reserved, its charge
 * given back, or NULL.
 */
struct sk_buff *mytcp_take_spare(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct sk_buff *skb = msk->spare_segs;

	if (!skb)
		return NULL;
	msk->spare_segs = skb->next;
	msk->nr_spare_segs--;
	skb->next = NULL;
	sk_mem_uncharge(sk, skb->truesize);
	return skb;
}

/**
 * mytcp_purge_spares() - free the segments kept for reuse
 * @sk: the socket, locked, or being destroyed
 */
void mytcp_purge_spares(struct sock *sk)
{
	struct sk_buff *skb;

	while ((skb = mytcp_take_spare(sk)))
		consume_skb(skb);
}

/**
 * mytcp_wmem_room() - may a writer queue another segment of @mss
 * @sk: the socket, locked
 * @mss: the payload of the segment
 *
 * As tcp_stream_alloc_skb(): when the global limits refuse the memory
 * the protocol enters pressure and the send buffer shrinks to what is
 * queued, so that the writer waits in sk_stream_wait_memory().
 *
 * Return: true if the memory is reserved.
 */
bool mytcp_wmem_room(struct sock *sk, unsigned int mss)
{
	int size = SKB_TRUESIZE(MYTCP_HEADROOM + mss);

	if (sk_wmem_schedule(sk, size))
		return true;
	mytcp_enter_memory_pressure(sk);
	sk_stream_moderate_sndbuf(sk);
	return false;
}

/*
 * Is the receive buffer too full for @skb?  Past SO_RCVBUF, data inside
 * the window already offered is still taken, up to twice SO_RCVBUF.  The
 * window translated free buffer into payload with the ratio of earlier
 * segments (mytcp_free_window()); segments that then cost more truesize
 * per byte (a few small ones after GSO packets: 160 against 250 per 256)
 * must not be lost by a peer that kept inside the window.  TCP offers
 * half its buffer and collapses its queue when it is full; mytcp offers
 * what the buffer holds, so it keeps the promise with this margin.  The
 * window itself stays shut while the buffer is over SO_RCVBUF.
 */
static bool mytcp_rmem_full(const struct sock *sk, const struct sk_buff *skb)
{
	const struct mytcp_sock *msk = mytcp_sk(sk);
	u32 end = MYTCP_SKB_CB(skb)->seq + skb->len;
	u32 limit = READ_ONCE(sk->sk_rcvbuf);

	if (!mytcp_seq_after(end, msk->rcv_wup + msk->rcv_wnd))
		limit *= 2;
	return (u32)atomic_read(&sk->sk_rmem_alloc) > limit;
}

/**
 * mytcp_rmem_schedule() - may @skb be charged to the receive buffer
 * @sk: the socket, locked
 * @skb: the segment, not yet owned
 * @in_order: it goes to the receive queue (else out of order)
 *
 * Within SO_RCVBUF (twice that for data inside the offered window, see
 * mytcp_rmem_full()) and the global limits.  In-order data for an empty
 * receive queue is taken over the global limits, as TCP does, so that
 * the reader can always make progress.
 *
 * Return: true if the memory is reserved.
 */
bool mytcp_rmem_schedule(struct sock *sk, struct sk_buff *skb, bool in_order)
{
	if (mytcp_rmem_full(sk, skb))
		return false;
	if (sk_rmem_schedule(sk, skb, skb->truesize))
		return true;
	if (!in_order || !skb_queue_empty(&sk->sk_receive_queue))
		return false;
	mytcp_force_mem(sk, skb->truesize);
	return true;
}

/**
 * mytcp_under_memory_pressure() - is the protocol short of memory
 *
 * Return: true between crossing mem[1] and falling under mem[0].
 */
bool mytcp_under_memory_pressure(void)
{
	return READ_ONCE(mytcp_memory_pressure);
}

/**
 * mytcp_grow_sndbuf() - size the send buffer for the congestion window
 * @sk: the socket, locked
 *
 * As TCP's tcp_sndbuf_expand(), at establishment and after ACKs: only
 * up, only while memory is plentiful, never when SO_SNDBUF was set.
 */
void mytcp_grow_sndbuf(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	int want;

	if ((sk->sk_userlocks & SOCK_SNDBUF_LOCK) ||
	    mytcp_under_memory_pressure() ||
	    sk_memory_allocated(sk) >= sk_prot_mem_limits(sk, 0))
		return;
	want = mytcp_sndbuf_for(msk->mss_cache, msk->snd_cwnd,
				READ_ONCE(mytcp_sysctl_wmem[2]));
	if (want > READ_ONCE(sk->sk_sndbuf))
		WRITE_ONCE(sk->sk_sndbuf, want);
}

/**
 * mytcp_new_space() - an ACK freed part of the write queue
 * @sk: the socket, locked
 *
 * As TCP's tcp_new_space(): the send buffer grows with the congestion
 * window, then, if a writer or poll() found it full (SOCK_NOSPACE) and
 * there is room now, they are woken (tcp_check_space()).  Not otherwise:
 * a task asleep in recv() waits on the same queue, and was woken by
 * every ACK for nothing.
 */
void mytcp_new_space(struct sock *sk)
{
	mytcp_grow_sndbuf(sk);
	/* Pairs with the barrier after set_bit(SOCK_NOSPACE) in mytcp_poll(). */
	smp_mb();
	if (sk->sk_socket && test_bit(SOCK_NOSPACE, &sk->sk_socket->flags) &&
	    sk_stream_memory_free(sk))
		sk->sk_write_space(sk);
}

/* The exact number of pages charged: the per-CPU reserves too. */
static long mytcp_memory_pages(void)
{
	long pages = atomic_long_read(&mytcp_memory_allocated);
	int cpu;

	for_each_possible_cpu(cpu)
		pages += *per_cpu_ptr(&mytcp_memory_per_cpu_fw_alloc, cpu);
	return pages;
}

static int mytcp_sockstat_show(struct seq_file *seq, void *v)
{
	seq_printf(seq, "MYTCP: orphan %lld alloc %lld mem %ld pressure %d\n",
		   mytcp_count_orphans(),
		   percpu_counter_sum_positive(&mytcp_sockets_allocated),
		   mytcp_memory_pages(), mytcp_under_memory_pressure());
	return 0;
}

/**
 * mytcp_create_sockstat_proc() - create /proc/net/mytcp_sockstat
 * @net: the namespace
 *
 * Return: 0 or -ENOMEM.
 */
int mytcp_create_sockstat_proc(struct net *net)
{
	if (!proc_create_net_single("mytcp_sockstat", 0444, net->proc_net,
				    mytcp_sockstat_show, NULL))
		return -ENOMEM;
	return 0;
}

/**
 * mytcp_remove_sockstat_proc() - remove /proc/net/mytcp_sockstat
 * @net: the namespace
 */
void mytcp_remove_sockstat_proc(struct net *net)
{
	remove_proc_entry("mytcp_sockstat", net->proc_net);
}

static struct ctl_table mytcp_mem_table[] = {
	{
		.procname	= "mem",
		.data		= &mytcp_sysctl_mem,
		.maxlen		= sizeof(mytcp_sysctl_mem),
		.mode		= 0644,
		.proc_handler	= proc_doulongvec_minmax,
	},
	{
		.procname	= "rmem",
		.data		= &mytcp_sysctl_rmem,
		.maxlen		= sizeof(mytcp_sysctl_rmem),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
	},
	{
		.procname	= "wmem",
		.data		= &mytcp_sysctl_wmem,
		.maxlen		= sizeof(mytcp_sysctl_wmem),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
	},
	{
		/* orphan.c's; global, as tcp_max_orphans */
		.procname	= "max_orphans",
		.data		= &mytcp_sysctl_max_orphans,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
	},
	{ }
};

/**
 * mytcp_init_mem() - the global accounting, before the protocol registers
 *
 * Return: 0 or -ENOMEM.
 */
int mytcp_init_mem(void)
{
	int err;

	mytcp_default_mem(nr_free_buffer_pages(), mytcp_sysctl_mem);
	err = percpu_counter_init(&mytcp_sockets_allocated, 0, GFP_KERNEL);
	if (err)
		return err;
	return 0;
}

/**
 * mytcp_register_mem_sysctls() - mem, rmem and wmem in the initial namespace
 *
 * They are global, as tcp_mem is; only the initial namespace shows them.
 *
 * Return: 0 or -ENOMEM.
 */
int mytcp_register_mem_sysctls(void)
{
	mytcp_mem_sysctl_hdr = register_net_sysctl(&init_net, "net/mytcp",
						   mytcp_mem_table);
	return mytcp_mem_sysctl_hdr ? 0 : -ENOMEM;
}

/**
 * mytcp_unregister_mem_sysctls() - remove mem, rmem and wmem
 */
void mytcp_unregister_mem_sysctls(void)
{
	unregister_net_sysctl_table(mytcp_mem_sysctl_hdr);
}

/**
 * mytcp_exit_mem() - after the protocol is unregistered
 */
void mytcp_exit_mem(void)
{
	percpu_counter_destroy(&mytcp_sockets_allocated);
}

/**
 * mytcp_set_proto_mem() - point the protocol at the accounting
 * @prot: mytcp_prot, before proto_register()
 */
void mytcp_set_proto_mem(struct proto *prot)
{
	prot->enter_memory_pressure = mytcp_enter_memory_pressure;
	prot->leave_memory_pressure = mytcp_leave_memory_pressure;
	prot->memory_allocated = &mytcp_memory_allocated;
	prot->per_cpu_fw_alloc = &mytcp_memory_per_cpu_fw_alloc;
	prot->sockets_allocated = &mytcp_sockets_allocated;
	prot->memory_pressure = &mytcp_memory_pressure;
	prot->sysctl_mem = mytcp_sysctl_mem;
	prot->sysctl_rmem = mytcp_sysctl_rmem;
	prot->sysctl_wmem = mytcp_sysctl_wmem;
}
