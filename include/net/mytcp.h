/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp internal interface: the socket and per-namespace structures, the
 * sequence number arithmetic, and the functions the files of mytcp/ offer
 * each other.
 */
#ifndef _NET_MYTCP_H
#define _NET_MYTCP_H

#include <linux/types.h>
#include <net/inet_sock.h>
#include <net/netns/generic.h>
#include <net/snmp.h>
#include <linux/siphash.h>
#include <linux/tcp.h>
#include <uapi/linux/mytcp.h>

/*
 * Functions with pure logic are exported to the KUnit module only, in
 * their own namespace, and only when the kernel has KUnit.
 */
#if IS_ENABLED(CONFIG_KUNIT)
#define EXPORT_SYMBOL_IF_MYTCP_KUNIT(sym)	EXPORT_SYMBOL_NS_GPL(sym, MYTCP_KUNIT)
#else
#define EXPORT_SYMBOL_IF_MYTCP_KUNIT(sym)
#endif

/*
 * Segment header: TCP's layout and option encoding (RFC 9293, 3.1), so
 * struct tcphdr describes it; only the IP protocol number differs.
 */
#define MYTCP_HDR_LEN		sizeof(struct tcphdr)
#define MYTCP_MAX_OPT_LEN	40

/*
 * Headroom of the buffers mytcp builds: its header with options, then
 * 128 bytes for IPv4's header with options and the link layer's (the IP
 * layer makes more room for a device that needs it).  Not MAX_HEADER:
 * with it a buffer's head and skb_shared_info no longer fit a 512-byte
 * slab object, and every full-sized segment and every ACK costs 1 KB of
 * buffer (zeroed at allocation by init_on_alloc) for 1448 bytes of
 * payload.
 */
#define MYTCP_HEADROOM		(MYTCP_HDR_LEN + MYTCP_MAX_OPT_LEN + 128)

/* Flag bits of byte 13 of the header. */
#define MYTCPHDR_FIN	0x01
#define MYTCPHDR_SYN	0x02
#define MYTCPHDR_RST	0x04
#define MYTCPHDR_PSH	0x08
#define MYTCPHDR_ACK	0x10
#define MYTCPHDR_URG	0x20

#define MYTCP_DEFAULT_MSS	536	/* RFC 9293 3.7.1, without an option */
#define MYTCP_MIN_MSS		88	/* as TCP's TCP_MIN_MSS */
#define MYTCP_MAX_WSCALE	14
#define MYTCP_MAX_WINDOW	65535U

/* Timers, in jiffies: TCP's values. */
#define MYTCP_TIMEOUT_INIT	(1 * HZ)	/* RFC 6298 2.1 */
#define MYTCP_RTO_MIN		(HZ / 5)
#define MYTCP_RTO_MAX		(120 * HZ)

/* Per-segment state, in skb->cb once a segment is ours. */
struct mytcp_skb_cb {
	u32	seq;		/* first sequence number */
	u32	end_seq;	/* seq + SYN + FIN + payload length */
	u32	ack_seq;	/* acknowledgment number (received) */
	u8	flags;		/* MYTCPHDR_* */
	unsigned long	when;	/* jiffies when last sent */
	/* sender: */
	u8		retrans;	/* sent more than once: no RTT sample */
	u8		sacked;		/* MYTCP_SACKED_* scoreboard bits */
	u16		pcount;		/* segments it went as (0: never sent) */
	u32		tx;		/* transmission number of its last send */
	/* receiver: its timestamp option (RFC 7323), when saw_ts */
	u32		tsval;
	u32		tsecr;
	u8		saw_ts;
	/* sender: the payload of each segment but the last, when sent */
	u16		seg_size;
};

/* sender: scoreboard bits of a sent segment (sack.c) */
enum {
	MYTCP_SACKED_ACKED	= 1,	/* the peer's SACK blocks cover it */
	MYTCP_SACKED_LOST	= 2,	/* taken for lost: to be resent */
	MYTCP_SACKED_RETRANS	= 4,	/* resent, the resend still in flight */
};

#define MYTCP_SKB_CB(skb)	((struct mytcp_skb_cb *)&((skb)->cb[0]))

/*
 * The segments a write-queue buffer counts for in packets_out and the
 * scoreboard: what it went as, or 1 before it was sent (a SYN, a FIN).
 */
static inline u32 mytcp_skb_pcount(const struct sk_buff *skb)
{
	return MYTCP_SKB_CB(skb)->pcount ? : 1;
}

/* Options of a received SYN or SYN-ACK. */
struct mytcp_options {
	u16	mss;		/* 0: none */
	u8	wscale;
	u8	wscale_ok:1,
		sack_ok:1,	/* SACK-permitted (RFC 2018) */
		ts_ok:1;	/* a timestamp option (RFC 7323) */
	u32	tsval;		/* its fields, when ts_ok */
	u32	tsecr;
};

/* Option kinds, as TCP's. */
#define MYTCPOPT_EOL		0
#define MYTCPOPT_NOP		1
#define MYTCPOPT_MSS		2
#define MYTCPOPT_WSCALE		3
#define MYTCPOPT_SACK_PERM	4	/* RFC 2018 */
#define MYTCPOPT_SACK		5
#define MYTCPOPT_TIMESTAMP	8	/* RFC 7323 */
#define MYTCPOLEN_TIMESTAMP	10
/* The timestamp option as sent, behind two NOPs. */
#define MYTCP_TS_LEN		12

/* A SACK block: [start, end) of data the peer holds beyond a hole. */
struct mytcp_sack_block {
	u32	start;
	u32	end;
};

#define MYTCP_MAX_SACK_BLOCKS	4	/* 2 + 4 * 8 bytes fit 40 with 2 NOPs */
#define MYTCP_DUPTHRESH		3	/* RFC 5681 3.2, RFC 6675's DupThresh */
#define MYTCP_MAX_REORDERING	300	/* TCP's tcp_max_reordering */

/*
 * sender: the scoreboard of the segments in flight (sack.c), in segments.
 * In flight ("pipe", RFC 6675) = packets_out - sacked_out - lost_out +
 * retrans_out.
 */
struct mytcp_scoreboard {
	u32	sacked_out;	/* segments SACKed */
	u32	lost_out;	/* segments taken for lost */
	u32	retrans_out;	/* lost segments resent, the resend in flight */
	u32	tx_count;	/* transmissions so far: stamps MYTCP_SKB_CB()->tx */
	u32	delivered_tx;	/* the latest transmission known to have arrived */
	u32	reordering;	/* sends seen to overtake a segment, + 1; 0: none */
	bool	reordered;	/* reordering grew since the last ACK's count */
};

struct mytcp_listen;

/* sender: RFC 6298's estimate, scaled as TCP scales it. */
struct mytcp_rtt {
	u32	srtt_us;	/* smoothed RTT << 3, in us; 0: no sample yet */
	u32	rttvar_us;	/* 4 * RTT variation, in us */
};

/* sender: where the sender is in loss recovery (TCP's ca_state). */
enum { MYTCP_CA_OPEN, MYTCP_CA_RECOVERY, MYTCP_CA_LOSS };

#define MYTCP_CA_NAME_MAX	16
#define MYTCP_CA_BUF_MAX	256	/* the names of all, space-separated */
#define MYTCP_CA_PRIV_SIZE	48	/* bytes of an algorithm's own state */
#define MYTCP_INIT_CWND		10	/* RFC 6928, TCP's TCP_INIT_CWND */
#define MYTCP_INFINITE_SSTHRESH	0x7fffffff
#define MYTCP_TIMEOUT_FALLBACK	(3 * HZ)	/* RFC 6298 5.7 */

/**
 * struct mytcp_cong_ops - a congestion control algorithm
 * @list: in the list of registered algorithms
 * @name: what MYTCP_CONGESTION and the congestion_control sysctl say
 * @ssthresh: the slow start threshold after a loss, in segments
 * @cong_avoid: grow the window for @acked newly acknowledged segments
 * @on_loss: an RTO fired (may be NULL); the window is 1 after it
 * @after_idle: new data goes with nothing in flight, @idle jiffies after
 *	the last (may be NULL); @restarted: the window was shrunk for it
 */
struct mytcp_cong_ops {
	struct list_head	list;
	char			name[MYTCP_CA_NAME_MAX];
	u32	(*ssthresh)(struct sock *sk);
	void	(*cong_avoid)(struct sock *sk, u32 acked);
	void	(*on_loss)(struct sock *sk);
	void	(*after_idle)(struct sock *sk, unsigned long idle, bool restarted);
};

/* A mytcp socket; struct inet_sock (and so struct sock) comes first. */
struct mytcp_sock {
	struct inet_sock	inet;

	/* send sequence space (RFC 9293 3.3.1) */
	u32			iss;
	u32			snd_una;
	u32			snd_nxt;
	u32			snd_wnd;	/* peer's window, unscaled */
	u32			snd_wl1;
	u32			snd_wl2;
	u32			write_seq;	/* next byte the application queues */
	u32			max_window;

	/* receive sequence space */
	u32			irs;
	u32			rcv_nxt;
	u32			copied_seq;	/* next byte the application reads */
	u32			rcv_wnd;	/* window last advertised */
	u32			rcv_wup;	/* rcv_nxt when it was advertised */
	u32			rcv_ssthresh;	/* most window offered for now */
	u8			rcv_ratio;	/* payload per 256 bytes of truesize */
	/* the receiver's RTT and the buffer's growth (mem.c, "autotuning") */
	struct {
		u32		rtt_us;		/* the receiver's RTT, 0: none yet */
		u32		rtt_seq;	/* window measurement ends here */
		u32		rtt_stamp;	/* and began then, us; 0: idle */
		u32		rtt_tsecr;	/* the last TSecr sampled */
		u32		space;		/* most copied in one RTT so far */
		u32		seq;		/* copied_seq when the RTT began */
		u32		stamp;		/* and when, us; 0: not yet */
	} drs;

	u16			mss_cache;	/* payload per segment we send */
	u16			advmss;		/* MSS we announce */
	u16			user_mss;	/* MYTCP_MAXSEG, 0: none */
	u8			snd_wscale;
	u8			rcv_wscale;
	u8			nodelay:1,
				fin_queued:1,	/* FIN is in the write queue */
				keepalive_on:1,
				sack_ok:1,	/* SACK negotiated (RFC 2018) */
				ts_ok:1;	/* timestamps negotiated (RFC 7323) */
	u32			ts_offset;	/* added to our clock in TSval */
	u32			ts_recent;	/* TS.Recent: the TSval to echo */
	u32			ts_recent_stamp; /* seconds when it was taken */

	struct sk_buff		*send_head;	/* first segment never sent */
	/* acknowledged segments kept for reuse, chained by ->next (mem.c) */
	struct sk_buff		*spare_segs;
	u8			nr_spare_segs;

	/* retransmission */
	struct timer_list	rtx_timer;
	u32			rto;		/* jiffies */
	u8			retransmits;	/* in a row, for this segment */
	u8			syn_retries;	/* MYTCP_SYNCNT, 0: sysctl */
	u32			total_retrans;

	/* keepalive, FIN-WAIT-2 and TIME-WAIT of a full socket */
	struct timer_list	keepalive_timer;
	int			keepalive_time;	/* s, 0: sysctl */
	int			keepalive_intvl;
	int			keepalive_probes;
	u8			probes_out;
	int			linger2;	/* s, 0: sysctl fin_timeout */
	unsigned long		rcv_tstamp;	/* jiffies of last segment in */
	unsigned long		last_challenge;	/* jiffies | 1 of the last, or 0 */

	/* listener: SYN queue and accept queue */
	struct mytcp_listen	*listen;
	/* child: its entry in the listener's accept queue */
	struct list_head	accept_node;
	struct list_head	registry_node;	/* registry.c */
	int			registry_cpu;
	bool			autobound;	/* port chosen by connect() */
	u8			hashed_in;	/* MYTCP_IN_* */

	/* receiver: out-of-order segments, by sequence number (ofo.c) */
	struct rb_root		ofo_root;
	u32			ofo_last;	/* seq of the last one queued */
	/* receiver: when to acknowledge (ack.c) */
	struct timer_list	delack_timer;
	u32			ato;		/* ACK timeout, jiffies; 0: no data yet */
	u32			lrcvtime;	/* jiffies of the last data in */
	u16			rcv_mss;	/* the peer's segment size, as seen */
	u8			ack_pending;	/* MYTCP_ACK_* */
	u8			quick;		/* quick ACKs left */
	u8			pingpong:1,	/* interactive: ACKs ride on replies */
				ack_blocked:1;	/* the timer found the socket busy */

	/* sender: RTO estimate, congestion window, recovery, Nagle, persist */
	struct mytcp_rtt	rtt;
	u8			backoff;	/* RTO or probe doublings */
	u8			tlp_armed:1,	/* rtx_timer is a tail loss probe's */
				tlp_out:1;	/* a probe went, no new ACK since */
	u8			ca_state;	/* MYTCP_CA_* */
	u8			dupacks;	/* duplicate ACKs in a row */
	u32			user_timeout;	/* ms, MYTCP_USER_TIMEOUT; 0: none */
	unsigned long		retrans_stamp;	/* jiffies head was first sent */
	unsigned long		probes_stamp;	/* jiffies first window probe */
	unsigned long		lsndtime;	/* jiffies new data was last sent */
	u32			snd_cwnd;	/* segments */
	u32			snd_cwnd_cnt;	/* ACKed segments towards +1 */
	u32			snd_ssthresh;
	u32			packets_out;	/* segments sent, not yet ACKed */
	u32			recover;	/* snd_nxt when recovery began */
	u32			rtx_next;	/* where recovery resends next */
	u32			snd_sml;	/* end of last small segment sent */
	struct mytcp_scoreboard	sack;		/* with SACK only */
	const struct mytcp_cong_ops *cong_ops;
	u64			ca_priv[MYTCP_CA_PRIV_SIZE / sizeof(u64)];
};

/* receiver: ack_pending bits, as Linux's ICSK_ACK_* */
enum {
	MYTCP_ACK_SCHED		= 1,	/* an ACK is owed */
	MYTCP_ACK_TIMER		= 2,	/* the delayed-ACK timer runs for it */
	MYTCP_ACK_PUSHED	= 4,	/* a segment shorter than rcv_mss came */
	MYTCP_ACK_PUSHED2	= 8,	/* and another one */
	MYTCP_ACK_NOW		= 16,	/* send it at once */
};

/* receiver: delayed ACKs, TCP's values (TCP_ATO_MIN, TCP_DELACK_MAX) */
#define MYTCP_ATO_MIN		(HZ / 25)
#define MYTCP_DELACK_MAX	(HZ / 5)
#define MYTCP_MAX_QUICKACKS	16U

enum { MYTCP_IN_NONE, MYTCP_IN_EHASH, MYTCP_IN_LHASH };

static inline struct mytcp_sock *mytcp_sk(const struct sock *sk)
{
	return (struct mytcp_sock *)sk;
}

/* The congestion control algorithm's own state (ca_priv). */
static inline void *mytcp_ca(const struct sock *sk)
{
	return mytcp_sk(sk)->ca_priv;
}

/* A hash table of RCU lists with striped bucket locks. */
struct mytcp_table {
	struct hlist_head	*chains;
	spinlock_t		*locks;		/* chain i: locks[i & lock_mask] */
	unsigned int		mask;		/* chains - 1 */
	unsigned int		lock_mask;	/* locks - 1 */
};

/* A TIME-WAIT entry: what is left of a connection after its socket. */
struct mytcp_tw {
	struct hlist_node	node;		/* in the TIME-WAIT table */
	struct hlist_node	bind_node;	/* holds the port */
	struct rcu_head		rcu;
	refcount_t		refcnt;
	struct net		*net;
	__be32			laddr;
	__be32			raddr;
	__be16			lport;
	__be16			rport;
	u32			snd_nxt;
	u32			rcv_nxt;
	u32			rcv_wnd;
	u8			rcv_wscale;
	bool			ts_ok;		/* its ACKs carry timestamps */
	u32			ts_offset;
	u32			ts_recent;
	bool			dead;
	kuid_t			uid;
	struct timer_list	timer;
};

/*
 * Counters, per namespace and per CPU; /proc/net/mytcp_snmp prints them
 * and Documentation/mytcp.rst, "Counters", says what each one counts.
 * The "Mytcp:" lines: the counters of RFC 4022's TCP group, as Linux
 * TCP keeps them for the "Tcp:" lines of /proc/net/snmp.
 */
enum {
	MYTCP_MIB_ACTIVEOPENS,
	MYTCP_MIB_PASSIVEOPENS,
	MYTCP_MIB_ATTEMPTFAILS,
	MYTCP_MIB_ESTABRESETS,
	MYTCP_MIB_CURRESTAB,		/* a gauge: incremented and decremented */
	MYTCP_MIB_INSEGS,
	MYTCP_MIB_OUTSEGS,
	MYTCP_MIB_RETRANSSEGS,
	MYTCP_MIB_INERRS,
	MYTCP_MIB_OUTRSTS,
	MYTCP_MIB_CSUMERRORS,
	MYTCP_MIB_MAX
};

/* The "MytcpExt:" lines, named as in TcpExt of /proc/net/netstat. */
enum {
	MYTCP_EXT_EMBRYONICRSTS,
	MYTCP_EXT_LISTENOVERFLOWS,
	MYTCP_EXT_LISTENDROPS,
	MYTCP_EXT_REQQFULLDROP,
	MYTCP_EXT_TWCREATED,
	MYTCP_EXT_TW,
	MYTCP_EXT_TWKILLED,
	MYTCP_EXT_TWRECYCLED,
	MYTCP_EXT_TWOVERFLOW,
	MYTCP_EXT_SYNRETRANS,
	MYTCP_EXT_TIMEOUTS,
	MYTCP_EXT_ABORTONTIMEOUT,
	MYTCP_EXT_KEEPALIVE,
	MYTCP_EXT_WINPROBE,
	MYTCP_EXT_FINWAIT2TIMEOUTS,
	MYTCP_EXT_ABORTONCLOSE,
	MYTCP_EXT_ABORTONDATA,
	MYTCP_EXT_ABORTONMEMORY,
	MYTCP_EXT_CHALLENGEACK,
	MYTCP_EXT_SYNCHALLENGE,
	MYTCP_EXT_OUTOFWINDOW,
	MYTCP_EXT_RCVQDROP,
	MYTCP_EXT_BACKLOGDROP,
	MYTCP_EXT_NOSOCKET,
	MYTCP_EXT_SHORTSEGS,
	MYTCP_EXT_BADOFFSET,
	MYTCP_EXT_SYNCOOKIESSENT,
	MYTCP_EXT_SYNCOOKIESRECV,
	MYTCP_EXT_SYNCOOKIESFAILED,
	MYTCP_EXT_REQQFULLDOCOOKIES,
	MYTCP_EXT_ACKSKIPPEDCHALLENGE,
	MYTCP_EXT_SYNACKPRESSUREDROPS,
	MYTCP_EXT_SYNSOURCEDROPS,
	/* receiver: reassembly and receive memory */
	MYTCP_EXT_OFOQUEUE,
	MYTCP_EXT_OFODROP,
	MYTCP_EXT_OFOMERGE,
	MYTCP_EXT_PRUNECALLED,
	MYTCP_EXT_RCVPRUNED,
	MYTCP_EXT_OFOPRUNED,
	MYTCP_EXT_ZEROWINDOWDROP,
	/* receiver: delayed ACKs */
	MYTCP_EXT_DELAYEDACKS,
	MYTCP_EXT_DELAYEDACKLOCKED,
	MYTCP_EXT_DELAYEDACKLOST,
	/* sender: */
	MYTCP_EXT_FASTRETRANS,
	MYTCP_EXT_RENORECOVERY,
	MYTCP_EXT_SLOWSTARTRETRANS,
	/* memory: */
	MYTCP_EXT_MEMORYPRESSURES,
	MYTCP_EXT_MEMORYPRESSURESCHRONO,
	/* sender: SACK (sack.c) */
	MYTCP_EXT_SACKRECOVERY,
	MYTCP_EXT_SACKRECOVERYFAIL,
	MYTCP_EXT_SACKRENEGING,
	MYTCP_EXT_SACKDISCARD,
	MYTCP_EXT_SACKREORDER,
	/* timestamps (tstamp.c) */
	MYTCP_EXT_PAWSESTAB,
	MYTCP_EXT_LOSTRETRANSMIT,
	MYTCP_EXT_LOSSPROBES,
	MYTCP_EXT_MAX
};

struct mytcp_mib {
	unsigned long	mibs[MYTCP_MIB_MAX];
};

struct mytcp_ext_mib {
	unsigned long	mibs[MYTCP_EXT_MAX];
};

/* Per network namespace state. */
struct mytcp_net {
	DEFINE_SNMP_STAT(struct mytcp_mib, mib);
	DEFINE_SNMP_STAT(struct mytcp_ext_mib, ext_mib);
	struct ctl_table_header	*sysctl_hdr;
	struct sock		*ctl_sk;	/* sends segments of no socket */
	u32			hash_secret;

	/* connections (full sockets), and TIME-WAIT entries: one lock array */
	struct mytcp_table	ehash;
	struct hlist_head	*twchains;
	/* listening sockets, by local port */
	struct mytcp_table	lhash;
	/* every socket and TIME-WAIT entry that owns a port, by port */
	struct hlist_head	*bchains;
	struct hlist_head	*twbchains;	/* TIME-WAIT entries, by port */
	unsigned int		bmask;
	spinlock_t		bind_lock;	/* bchains and twbchains */
	atomic_t		tw_count;

	/* sysctls: see Documentation/mytcp.rst, "Sysctls" */
	int			sysctl_syn_retries;
	int			sysctl_synack_retries;
	int			sysctl_fin_timeout;
	int			sysctl_msl;
	int			sysctl_keepalive_time;
	int			sysctl_keepalive_intvl;
	int			sysctl_keepalive_probes;
	int			sysctl_local_port_range[2];
	int			sysctl_max_syn_backlog;
	int			sysctl_abort_on_overflow;
	int			sysctl_syncookies;
	int			sysctl_invalid_ratelimit;	/* ms */
	int			sysctl_challenge_ack_limit;	/* per second */
	int			sysctl_synack_retries_pressure;
	int			sysctl_max_syn_per_source;	/* 0: no limit */
	/* sender: */
	int			sysctl_rto_min_ms;
	int			sysctl_rto_max_ms;
	int			sysctl_retries2;
	int			sysctl_orphan_retries;	/* 0: 8 while alive */
	int			sysctl_slow_start_after_idle;
	int			sysctl_sack;
	int			sysctl_timestamps;
	char			sysctl_congestion_control[MYTCP_CA_NAME_MAX];
	/* RFC 5961 challenge ACKs of the namespace: a one-second budget */
	unsigned long		challenge_window;	/* jiffies it began */
	int			challenge_budget;	/* left in it */
};

extern unsigned int mytcp_net_id;

static inline struct mytcp_net *mytcp_net(const struct net *net)
{
	return net_generic(net, mytcp_net_id);
}

/*
 * Counting: one per-CPU add, no lock, from any context (process, softirq,
 * timer).  this_cpu_*() keeps it safe where preemption is enabled.
 */
static inline void mytcp_inc_stats(const struct net *net, int field)
{
	SNMP_INC_STATS(mytcp_net(net)->mib, field);
}

static inline void mytcp_dec_stats(const struct net *net, int field)
{
	SNMP_DEC_STATS(mytcp_net(net)->mib, field);
}

static inline void mytcp_inc_ext_stats(const struct net *net, int field)
{
	SNMP_INC_STATS(mytcp_net(net)->ext_mib, field);
}

/*
 * Sequence number arithmetic, modulo 2^32 (RFC 9293, section 3.4): a is
 * before b when b lies less than 2^31 ahead of a.
 */
static inline bool mytcp_seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool mytcp_seq_after(u32 a, u32 b)
{
	return mytcp_seq_before(b, a);
}

/* True when low <= seq <= high, walking forward from low. */
static inline bool mytcp_seq_between(u32 seq, u32 low, u32 high)
{
	return high - low >= seq - low;
}

/* state.c */
const char *mytcp_state_name(int state);
void mytcp_set_state(struct sock *sk, int state);

/* hash.c */
int mytcp_init_tables(struct net *net);
void mytcp_free_tables(struct net *net);
u32 mytcp_hash_tuple(const struct mytcp_net *mn, __be32 laddr, __be16 lport,
		     __be32 raddr, __be16 rport);
struct sock *mytcp_lookup_established(struct net *net, __be32 laddr,
				      __be16 lport, __be32 raddr,
				      __be16 rport);
struct mytcp_tw *mytcp_lookup_tw(struct net *net, __be32 laddr, __be16 lport,
				 __be32 raddr, __be16 rport);
struct sock *mytcp_lookup_listener(struct net *net, __be32 laddr,
				   __be16 lport);
int mytcp_hash_established(struct sock *sk);
void mytcp_unhash(struct sock *sk);
void mytcp_hash_listener(struct sock *sk);
int mytcp_bind_port(struct sock *sk, __be32 addr, u16 port);
int mytcp_connect_port(struct sock *sk);
void mytcp_inherit_port(struct sock *child, struct sock *listener);
void mytcp_unbind_port(struct sock *sk);

#define MYTCP_SYNQ_CHAINS	256

/* A half-open connection (SYN-RECEIVED) of a listener: no socket yet. */
struct mytcp_request {
	struct hlist_node	node;		/* in the listener's SYN table */
	struct hlist_node	src_node;	/* in its table by source address */
	struct rcu_head		rcu;		/* /proc/net/mytcp reads under RCU */
	struct sock		*listener;	/* holds a reference */
	struct timer_list	timer;		/* SYN-ACK retransmission */
	unsigned long		expires;
	__be32			laddr;
	__be32			raddr;
	__be16			lport;
	__be16			rport;
	u32			iss;
	u32			irs;
	u16			mss;		/* peer's, or the default */
	u16			advmss;		/* ours, from the route */
	u8			snd_wscale;
	u8			rcv_wscale;
	u8			wscale_ok:1,
				sack_ok:1,
				ts_ok:1,
				dead:1;
	u8			retrans;
	u32			ts_offset;	/* as mytcp_sock's */
	u32			ts_recent;
	/* sender: */
	unsigned long		synack_sent;	/* jiffies | 1; 0: sent again */
};

/* What a listening socket has beyond a socket: its two queues. */
struct mytcp_listen {
	struct rcu_head		rcu;
	struct hlist_head	synq[MYTCP_SYNQ_CHAINS];	/* by address and port */
	struct hlist_head	srcq[MYTCP_SYNQ_CHAINS];	/* by address alone */
	unsigned int		synq_len;
	struct list_head	acceptq;	/* children, by mytcp_sock.accept_node */
	unsigned long		last_overflow;	/* jiffies: SYN queue last full */
};

/* syncookie.c */
#define MYTCP_COOKIE_MSS_NUM	4
#define MYTCP_COOKIE_LOW_MASK	0xffffffU
#define MYTCP_COOKIE_MAX_AGE	2	/* clock ticks of 64 s */

struct mytcp_cookie_keys {
	siphash_key_t		k[2];
};

/* A connection's 4-tuple, seen from the listener. */
struct mytcp_cookie_tuple {
	__be32			laddr;
	__be32			raddr;
	__be16			lport;
	__be16			rport;
};

void mytcp_init_cookie_secret(void);
u32 mytcp_cookie_clock(void);
unsigned int mytcp_cookie_mss_index(u16 mss);
u16 mytcp_cookie_mss_value(unsigned int index);
u32 mytcp_encode_cookie(const struct mytcp_cookie_keys *keys,
			const struct mytcp_cookie_tuple *t, u32 rseq, u32 count,
			unsigned int mss_index);
int mytcp_decode_cookie(const struct mytcp_cookie_keys *keys,
			const struct mytcp_cookie_tuple *t, u32 rseq, u32 cookie,
			u32 now);
u32 mytcp_make_cookie(const struct mytcp_cookie_tuple *t, u32 rseq, u16 mss);
u16 mytcp_check_cookie(const struct mytcp_cookie_tuple *t, u32 rseq, u32 cookie);

/* listen.c */
int mytcp_start_listen(struct sock *sk, int backlog);
void mytcp_stop_listen(struct sock *sk);
int mytcp_rcv_listen(struct sock *sk, struct sk_buff *skb);
struct sock *mytcp_take_child(struct sock *sk);
int mytcp_rcv_wscale_for(int rcvbuf);
int mytcp_choose_rcv_wscale(int rcvbuf, int rmem_max, bool locked);
int mytcp_sock_rcv_wscale(const struct sock *sk);

/* rcv.c */
int mytcp_rcv_sk(struct sock *sk, struct sk_buff *skb);
void mytcp_done(struct sock *sk);
void mytcp_reset_sk(struct sock *sk);
void mytcp_init_seq_state(struct sock *sk);

/* ofo.c */
bool mytcp_queue_ofo(struct sock *sk, struct sk_buff *skb);
bool mytcp_drain_ofo(struct sock *sk, bool *fin);
bool mytcp_prune_ofo(struct sock *sk, u32 keep);
unsigned int mytcp_ofo_sack_blocks(struct sock *sk, struct mytcp_sack_block *blocks,
				   unsigned int max);
void mytcp_purge_ofo(struct sock *sk);

/* The receive buffer holds more than SO_RCVBUF allows. */
static inline bool mytcp_rmem_over(const struct sock *sk)
{
	return atomic_read(&sk->sk_rmem_alloc) > READ_ONCE(sk->sk_rcvbuf);
}

/* ack.c */
void mytcp_enter_quickack(struct sock *sk);
u32 mytcp_next_ato(u32 ato, u32 gap, u32 rto);
void mytcp_note_data_in(struct sock *sk, unsigned int len);
void mytcp_note_data_out(struct sock *sk);
void mytcp_ack_sent(struct sock *sk);
void mytcp_ack_check(struct sock *sk);
void mytcp_init_delack(struct sock *sk);
void mytcp_reset_ack_state(struct sock *sk);
void mytcp_stop_delack(struct sock *sk);
void mytcp_set_quickack(struct sock *sk, int val);
void mytcp_cleanup_rbuf(struct sock *sk, int copied);

/* What is left of the window last offered, from rcv_nxt. */
static inline u32 mytcp_rcv_wnd_left(const struct mytcp_sock *msk)
{
	s32 left = (s32)(msk->rcv_wup + msk->rcv_wnd - msk->rcv_nxt);

	return left > 0 ? left : 0;
}

/* timer.c */
void mytcp_init_timers(struct sock *sk);
void mytcp_stop_timers(struct sock *sk);
void mytcp_arm_keepalive(struct sock *sk);
int mytcp_keepalive_time(const struct sock *sk);
int mytcp_keepalive_intvl(const struct sock *sk);
int mytcp_keepalive_probes(const struct sock *sk);
int mytcp_fin_timeout(const struct sock *sk);
void mytcp_set_keepalive(struct sock *sk, int on);

/* timewait.c */
int mytcp_create_tw_cache(void);
void mytcp_destroy_tw_cache(void);
void mytcp_enter_time_wait(struct sock *sk);
unsigned long mytcp_tw_timeout(const struct net *net);
void mytcp_put_tw(struct mytcp_tw *tw);
bool mytcp_rcv_time_wait(struct mytcp_tw *tw, struct sk_buff *skb);
void mytcp_purge_tw(struct net *net);

/* output.c */
int mytcp_send_bare(struct net *net, __be32 saddr, __be32 daddr,
		    __be16 sport, __be16 dport, u32 seq, u32 ack, u8 flags,
		    u16 window, const u8 *opts, unsigned int optlen);
void mytcp_send_reset_reply(struct net *net, struct sk_buff *skb);
int mytcp_transmit_skb(struct sock *sk, struct sk_buff *skb);
void mytcp_send_ack(struct sock *sk);
void mytcp_send_active_reset(struct sock *sk);
int mytcp_send_syn(struct sock *sk);
void mytcp_push_pending(struct sock *sk);
u32 mytcp_sendable(const struct mytcp_sock *msk, const struct sk_buff *skb);
void mytcp_send_fin(struct sock *sk);
u16 mytcp_select_window(struct sock *sk);
u32 mytcp_space_window(u32 space, u8 ratio, u8 wscale);
u8 mytcp_next_rcv_ratio(u8 old, u32 len, u32 truesize);
u32 mytcp_next_rcv_ssthresh(u32 ssthresh, u32 cap, u32 len, u32 advmss);
void mytcp_grow_rcv_ssthresh(struct sock *sk, unsigned int len);
u32 mytcp_rcv_wnd_clamp(const struct sock *sk);
u32 mytcp_free_window(const struct sock *sk);
unsigned int mytcp_write_syn_options(u8 *p, u16 mss, int wscale, bool sack,
				     const u32 *ts);
void mytcp_walk_options(const struct sk_buff *skb,
			void (*fn)(int kind, int size, const u8 *p, void *arg),
			void *arg);
unsigned int mytcp_write_sack_option(u8 *p, const struct mytcp_sack_block *blocks,
				     unsigned int n);
int mytcp_parse_sack(const struct sk_buff *skb, struct mytcp_sack_block *blocks);
void mytcp_parse_options(const struct sk_buff *skb, struct mytcp_options *opt);
u16 mytcp_mss_for_mtu(unsigned int mtu);
int mytcp_create_ctl_sock(struct net *net);
void mytcp_destroy_ctl_sock(struct net *net);

/* wqueue.c */
struct sk_buff *mytcp_queue_segment(struct sock *sk, unsigned int size, u8 flags);
u32 mytcp_bundle_goal(u32 mss, u32 max_window, u32 gso_max_size,
		      u32 gso_max_segs);
u32 mytcp_size_goal(const struct sock *sk);
int mytcp_split_unsent(struct sock *sk, struct sk_buff *skb, u32 len);
int mytcp_split_sent(struct sock *sk, struct sk_buff *skb, u32 segs);
void mytcp_unbundle_sent(struct sock *sk);
u32 mytcp_trim_acked(struct sock *sk, struct sk_buff *skb);

/* isn.c */
void mytcp_init_isn_secret(void);
u32 mytcp_make_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport);

/* sysctl.c */
void mytcp_set_default_sysctls(struct mytcp_net *mn);
int mytcp_check_port_range(const int range[2]);
int mytcp_register_sysctls(struct net *net);
void mytcp_unregister_sysctls(struct net *net);

/* stats.c */
int mytcp_alloc_stats(struct net *net);
void mytcp_free_stats(struct net *net);
int mytcp_create_stats_proc(struct net *net);
void mytcp_remove_stats_proc(struct net *net);

/* proc.c */
int mytcp_create_proc(struct net *net);
void mytcp_remove_proc(struct net *net);

/* registry.c */
void mytcp_register_sock(struct sock *sk);
void mytcp_unregister_sock(struct sock *sk);
void mytcp_init_registry(void);
void mytcp_exit_registry(void);

/* orphan.c */
extern int mytcp_sysctl_max_orphans;
int mytcp_default_max_orphans(unsigned long pages);
int mytcp_pick_orphan_retries(int sysctl, bool alive, bool soft_error);
int mytcp_orphan_retries(const struct sock *sk, bool alive);
void mytcp_add_orphan(struct sock *sk);
void mytcp_drop_orphan(void);
s64 mytcp_count_orphans(void);
bool mytcp_check_oom(struct sock *sk, int shift);
bool mytcp_out_of_resources(struct sock *sk, bool do_reset);
int mytcp_init_orphans(void);
void mytcp_exit_orphans(void);

/* mem.c */
extern long mytcp_sysctl_mem[3];
extern int mytcp_sysctl_rmem[3];
extern int mytcp_sysctl_wmem[3];
void mytcp_default_mem(unsigned long free_pages, long mem[3]);
int mytcp_sndbuf_for(unsigned int mss, u32 cwnd, int max);
int mytcp_grow_rcvbuf(u32 copied, u32 space, u8 ratio, unsigned int mss,
		      int rcvbuf, int max);
void mytcp_measure_rcv_rtt(struct sock *sk, const struct sk_buff *skb);
void mytcp_adjust_rcv_space(struct sock *sk);
void mytcp_init_mem_sock(struct sock *sk);
void mytcp_release_mem_sock(struct sock *sk);
void mytcp_charge_wqueue(struct sock *sk, struct sk_buff *skb);
bool mytcp_wmem_room(struct sock *sk, unsigned int mss);
void mytcp_free_acked(struct sock *sk, struct sk_buff *skb);
struct sk_buff *mytcp_take_spare(struct sock *sk);
void mytcp_purge_spares(struct sock *sk);
bool mytcp_rmem_schedule(struct sock *sk, struct sk_buff *skb, bool in_order);
bool mytcp_under_memory_pressure(void);
void mytcp_grow_sndbuf(struct sock *sk);
void mytcp_new_space(struct sock *sk);
int mytcp_create_sockstat_proc(struct net *net);
void mytcp_remove_sockstat_proc(struct net *net);
int mytcp_init_mem(void);
void mytcp_exit_mem(void);
int mytcp_register_mem_sysctls(void);
void mytcp_unregister_mem_sysctls(void);
void mytcp_set_proto_mem(struct proto *prot);

/* socket.c */
extern struct proto mytcp_prot;
int mytcp_register_family(void);
void mytcp_unregister_family(void);

/* info.c */
int mytcp_get_info(struct sock *sk, char __user *optval, int __user *optlen,
		   int len);

/* rtt.c */
void mytcp_rtt_estimate(struct mytcp_rtt *rtt, u32 sample_us);
u32 mytcp_rtt_rto_us(const struct mytcp_rtt *rtt, u32 rto_min_us, u32 rto_max_us);
u32 mytcp_backoff_rto(u32 rto, unsigned int backoff, u32 rto_max);
u32 mytcp_model_timeout(unsigned int boundary, u32 rto_base, u32 rto_max);
s32 mytcp_karn_sample_us(unsigned long sent, unsigned long now, bool retrans);
s32 mytcp_rtt_pick_us(s32 karn_us, s32 sack_us, s32 ts_us);
s32 mytcp_resend_rtt_us(s32 sample_us, s32 resend_us);
u32 mytcp_rto_min(const struct sock *sk);
u32 mytcp_rto_max(const struct sock *sk);
void mytcp_rtt_sample(struct sock *sk, unsigned long sent);
void mytcp_rtt_sample_us(struct sock *sk, s32 us);
void mytcp_rtt_no_sample(struct sock *sk);
bool mytcp_retrans_timed_out(struct sock *sk);
u32 mytcp_rto_clamped(const struct sock *sk);

/* cong.c */
u32 mytcp_slow_start(u32 *cwnd, u32 ssthresh, u32 acked);
void mytcp_cong_avoid_ai(u32 *cwnd, u32 *cnt, u32 w, u32 acked);
u32 mytcp_reno_ssthresh_for(u32 in_flight);
u32 mytcp_restart_cwnd(u32 cwnd, u32 iw, unsigned long idle, u32 rto);
void mytcp_init_sender(struct sock *sk);
void mytcp_register_cong(struct mytcp_cong_ops *ops);
void mytcp_unregister_cong(struct mytcp_cong_ops *ops);
int mytcp_init_cong(void);
void mytcp_exit_cong(void);
int mytcp_set_cong_by_name(struct sock *sk, const char *name);
void mytcp_set_default_cong(struct sock *sk);
bool mytcp_cong_name_ok(const char *name);
void mytcp_init_cwnd(struct sock *sk);
void mytcp_cong_on_ack(struct sock *sk, u32 acked, u32 prior_in_flight);
void mytcp_cong_enter_loss(struct sock *sk);
void mytcp_cwnd_restart(struct sock *sk);
void mytcp_get_available_cong(char *buf, size_t len);

/* cubic.c */
u32 mytcp_calc_cbrt(u64 x);
u32 mytcp_cubic_k_ms(u32 w_max, u32 cwnd_epoch);
u32 mytcp_cubic_window(u32 w_max, u32 k_ms, u32 t_ms);
void mytcp_cubic_grow_est(u32 *w_est, u32 *cnt, u32 cwnd, u32 acked, bool alpha_one);
u32 mytcp_cubic_ssthresh_for(u32 cwnd);
u32 mytcp_cubic_w_max_for(u32 cwnd, u32 w_max);
extern struct mytcp_cong_ops mytcp_cubic;

/* recovery.c */
void mytcp_note_dupack(struct sock *sk);
void mytcp_recovery_on_ack(struct sock *sk, u32 acked);
void mytcp_resend_lost(struct sock *sk);
u32 mytcp_in_flight(const struct sock *sk);
int mytcp_resend_segment(struct sock *sk, struct sk_buff *skb);
void mytcp_sack_resend(struct sock *sk);
void mytcp_sack_recovery(struct sock *sk);
u32 mytcp_reorder_span(u32 srtt_us);
u32 mytcp_reorder_window(const struct sock *sk);
u32 mytcp_probe_timeout(u32 srtt_us, u32 packets_out);
void mytcp_arm_rtx_timer(struct sock *sk);
void mytcp_fire_probe(struct sock *sk);

/* sack.c */
bool mytcp_sack_block_ok(u32 start, u32 end, u32 una, u32 nxt);
u32 mytcp_sack_pipe(const struct mytcp_scoreboard *sb, u32 packets_out);
u32 mytcp_sack_dupthresh(const struct mytcp_scoreboard *sb);
u32 mytcp_sack_tag(struct mytcp_scoreboard *sb, struct sk_buff_head *queue,
		   const struct sk_buff *stop, u32 start, u32 end,
		   unsigned long *sent);
u32 mytcp_sack_mark_lost(struct mytcp_scoreboard *sb, struct sk_buff_head *queue,
			 const struct sk_buff *stop, u32 dupthresh,
			 unsigned long sent_by, u32 *lost_retrans);
void mytcp_sack_mark_all_lost(struct mytcp_scoreboard *sb, struct sk_buff_head *queue,
			      const struct sk_buff *stop);
void mytcp_sack_forget(struct mytcp_scoreboard *sb, struct sk_buff_head *queue);
void mytcp_sack_shrink(struct mytcp_scoreboard *sb, const struct sk_buff *skb,
		       u32 segs);
void mytcp_sack_unlink(struct mytcp_scoreboard *sb, const struct sk_buff *skb);
void mytcp_sack_resent(struct mytcp_scoreboard *sb, struct sk_buff *skb);
s32 mytcp_sack_on_ack(struct sock *sk, const struct sk_buff *skb);
void mytcp_sack_on_timeout(struct sock *sk);

/* tstamp.c */
u32 mytcp_ts_clock(void);
unsigned int mytcp_write_ts_option(u8 *p, u32 tsval, u32 tsecr);
unsigned int mytcp_sock_ts_option(const struct mytcp_sock *msk, u8 *p);
void mytcp_parse_ts_option(struct sk_buff *skb);
bool mytcp_paws_old(u32 tsval, u32 ts_recent, u32 age);
bool mytcp_paws_reject(const struct mytcp_sock *msk, const struct mytcp_skb_cb *cb);
void mytcp_set_ts_recent(struct mytcp_sock *msk, u32 tsval);
void mytcp_update_ts_recent(struct mytcp_sock *msk, const struct mytcp_skb_cb *cb);
s32 mytcp_ts_rtt_us(const struct mytcp_sock *msk, const struct mytcp_skb_cb *cb);

/* offload.c */
void mytcp_gso_mark(struct sk_buff *gso, unsigned int mss, unsigned int segs);
bool mytcp_gro_may_merge(const struct tcphdr *held, u32 held_len,
			 const struct tcphdr *th, unsigned int len,
			 unsigned int mss);
bool mytcp_gro_ends_packet(const struct tcphdr *th, unsigned int len,
			   unsigned int mss);
int mytcp_register_offload(void);
void mytcp_unregister_offload(void);

/* input.c */
int mytcp_register_protocol(void);
void mytcp_unregister_protocol(void);
void mytcp_deliver_segment(struct sock *sk, struct sk_buff *skb, int subclass);

#endif /* _NET_MYTCP_H */
