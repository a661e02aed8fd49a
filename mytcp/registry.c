// SPDX-License-Identifier: GPL-2.0
/*
 * Every mytcp socket still allocated, of every namespace, hashed or not,
 * on per-CPU lists: what /sys/kernel/debug/mytcp/sockets shows (state,
 * namespace, references, timers, queues, owner), and the orphans that a
 * write to /sys/kernel/debug/mytcp/abort_orphans resets.  Both are for
 * tests and debugging: the test runner prints the sockets a program left
 * and aborts its orphans so that the next program starts clean.
 */
#include <linux/debugfs.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <net/sock.h>
#include <net/mytcp.h>

struct mytcp_registry {
	spinlock_t		lock;	/* socks */
	struct list_head	socks;	/* by mytcp_sock.registry_node */
};

static DEFINE_PER_CPU(struct mytcp_registry, mytcp_registry);
static struct dentry *mytcp_debugfs_dir;

/**
 * mytcp_register_sock() - put a new socket on this CPU's list
 * @sk: a socket just created, or a listener's child just cloned
 */
void mytcp_register_sock(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct mytcp_registry *r;
	int cpu;

	cpu = get_cpu();
	r = per_cpu_ptr(&mytcp_registry, cpu);
	msk->registry_cpu = cpu;
	spin_lock_bh(&r->lock);
	list_add(&msk->registry_node, &r->socks);
	spin_unlock_bh(&r->lock);
	put_cpu();
}

/**
 * mytcp_unregister_sock() - a socket is being destroyed
 * @sk: the socket; one that never was registered is left alone
 */
void mytcp_unregister_sock(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct mytcp_registry *r;

	if (!msk->registry_node.next)
		return;
	r = per_cpu_ptr(&mytcp_registry, msk->registry_cpu);
	spin_lock_bh(&r->lock);
	list_del(&msk->registry_node);
	spin_unlock_bh(&r->lock);
}

/* Milliseconds until a pending timer fires, or -1. */
static long mytcp_timer_ms(const struct timer_list *t)
{
	if (!timer_pending(t))
		return -1;
	return jiffies_to_msecs(max_t(long, READ_ONCE(t->expires) - jiffies, 0));
}

/* One line of a socket: read without its lock, as /proc/net/mytcp does. */
static void mytcp_show_sock(struct seq_file *seq, struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);

	seq_printf(seq,
		   "%-11s net %u %pI4:%u -> %pI4:%u refs %u %s uid %u wmem %d rmem %d packets_out %u retransmits %u timers rtx %ld keepalive %ld delack %ld\n",
		   mytcp_state_name(READ_ONCE(sk->sk_state)),
		   sock_net(sk)->ns.inum, &sk->sk_rcv_saddr,
		   inet_sk(sk)->inet_num, &sk->sk_daddr, ntohs(sk->sk_dport),
		   refcount_read(&sk->sk_refcnt),
		   sock_flag(sk, SOCK_DEAD) ? "orphan" : "file",
		   from_kuid_munged(&init_user_ns, sk->sk_uid),
		   READ_ONCE(sk->sk_wmem_queued), sk_rmem_alloc_get(sk),
		   READ_ONCE(msk->packets_out), READ_ONCE(msk->retransmits),
		   mytcp_timer_ms(&msk->rtx_timer),
		   mytcp_timer_ms(&msk->keepalive_timer),
		   mytcp_timer_ms(&msk->delack_timer));
}

static int mytcp_sockets_show(struct seq_file *seq, void *v)
{
	struct mytcp_sock *msk;
	int cpu, n = 0;

	for_each_possible_cpu(cpu) {
		struct mytcp_registry *r = per_cpu_ptr(&mytcp_registry, cpu);

		spin_lock_bh(&r->lock);
		list_for_each_entry(msk, &r->socks, registry_node) {
			mytcp_show_sock(seq, (struct sock *)msk);
			n++;
		}
		spin_unlock_bh(&r->lock);
	}
	seq_printf(seq, "%d sockets, %lld orphans\n", n, mytcp_count_orphans());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mytcp_sockets);

/* An orphan not yet CLOSED, with a reference taken; or NULL. */
static struct sock *mytcp_find_orphan(void)
{
	struct mytcp_sock *msk;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct mytcp_registry *r = per_cpu_ptr(&mytcp_registry, cpu);
		struct sock *found = NULL;

		spin_lock_bh(&r->lock);
		list_for_each_entry(msk, &r->socks, registry_node) {
			struct sock *sk = (struct sock *)msk;

			if (sock_flag(sk, SOCK_DEAD) &&
			    READ_ONCE(sk->sk_state) != MYTCP_CLOSE &&
			    refcount_inc_not_zero(&sk->sk_refcnt)) {
				found = sk;
				break;
			}
		}
		spin_unlock_bh(&r->lock);
		if (found)
			return found;
	}
	return NULL;
}

/* Reset an orphan and end it, as a timeout would. */
static void mytcp_abort_orphan(struct sock *sk)
{
	lock_sock(sk);
	if (sk->sk_state != MYTCP_CLOSE) {
		mytcp_send_active_reset(sk);
		mytcp_done(sk);
	}
	release_sock(sk);
	sock_put(sk);
}

static ssize_t mytcp_write_abort_orphans(struct file *file, const char __user *buf,
					 size_t count, loff_t *ppos)
{
	struct sock *sk;
	int n = 0;

	/* Each one found is CLOSED before the next search, so this ends. */
	while ((sk = mytcp_find_orphan())) {
		mytcp_abort_orphan(sk);
		if (++n % 64 == 0)
			cond_resched();
	}
	pr_info("mytcp: aborted %d orphans\n", n);
	return count;
}

static const struct file_operations mytcp_abort_orphans_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= mytcp_write_abort_orphans,
	.llseek	= noop_llseek,
};

/**
 * mytcp_init_registry() - the lists, and their files in debugfs
 *
 * debugfs is optional: without it the lists are still kept.
 */
void mytcp_init_registry(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct mytcp_registry *r = per_cpu_ptr(&mytcp_registry, cpu);

		spin_lock_init(&r->lock);
		INIT_LIST_HEAD(&r->socks);
	}
	mytcp_debugfs_dir = debugfs_create_dir("mytcp", NULL);
	debugfs_create_file("sockets", 0400, mytcp_debugfs_dir, NULL,
			    &mytcp_sockets_fops);
	debugfs_create_file("abort_orphans", 0200, mytcp_debugfs_dir, NULL,
			    &mytcp_abort_orphans_fops);
}

/**
 * mytcp_exit_registry() - remove the debugfs files
 */
void mytcp_exit_registry(void)
{
	debugfs_remove(mytcp_debugfs_dir);
}
