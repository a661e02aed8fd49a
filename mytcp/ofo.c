// SPDX-License-Identifier: GPL-2.0
/*
 * Reassembly: the out-of-order queue of a connection, a red-black tree of
 * segments by sequence number, with no two covering the same byte.  What
 * arrives beyond a hole waits there (charged to the receive buffer), and
 * goes to the receive queue once the hole is filled.  Under memory
 * pressure the far end of the tree is dropped first, as TCP does.
 * Runs under the socket's lock.
 */
#include <linux/rbtree.h>
#include <linux/skbuff.h>
#include <net/sock.h>
#include <net/mytcp.h>

/* The sequence number just past a queued segment's payload. */
static u32 mytcp_ofo_end(const struct sk_buff *skb)
{
	return MYTCP_SKB_CB(skb)->seq + skb->len;
}

static struct sk_buff *mytcp_ofo_skb(struct rb_node *node)
{
	return rb_entry_safe(node, struct sk_buff, rbnode);
}

/* The queued segment that starts last at or before @seq, or NULL. */
static struct sk_buff *mytcp_ofo_find_before(struct sock *sk, u32 seq)
{
	struct rb_node *node = mytcp_sk(sk)->ofo_root.rb_node;
	struct sk_buff *best = NULL;

	while (node) {
		struct sk_buff *skb = mytcp_ofo_skb(node);

		if (mytcp_seq_after(MYTCP_SKB_CB(skb)->seq, seq)) {
			node = node->rb_left;
		} else {
			best = skb;
			node = node->rb_right;
		}
	}
	return best;
}

/* Take a segment out of the tree and free it (its charge goes back). */
static void mytcp_ofo_erase(struct sock *sk, struct sk_buff *skb)
{
	rb_erase(&skb->rbnode, &mytcp_sk(sk)->ofo_root);
	kfree_skb(skb);
}

/* Link a segment that overlaps nothing into the tree. */
static void mytcp_ofo_link(struct sock *sk, struct sk_buff *skb)
{
	struct rb_node **p = &mytcp_sk(sk)->ofo_root.rb_node, *parent = NULL;
	u32 seq = MYTCP_SKB_CB(skb)->seq;

	while (*p) {
		parent = *p;
		if (mytcp_seq_before(seq, MYTCP_SKB_CB(mytcp_ofo_skb(parent))->seq))
			p = &parent->rb_left;
		else
			p = &parent->rb_right;
	}
	rb_link_node(&skb->rbnode, parent, p);
	rb_insert_color(&skb->rbnode, &mytcp_sk(sk)->ofo_root);
}

/**
 * mytcp_prune_ofo() - drop queued segments from the far end
 * @sk: the socket, locked
 * @keep: drop nothing that starts at or before this sequence number
 *
 * Stops once the receive buffer is within its size again and the
 * protocol is not under memory pressure (then all of it goes, as TCP's
 * tcp_prune_ofo_queue()).
 *
 * Return: true if anything was dropped.
 */
bool mytcp_prune_ofo(struct sock *sk, u32 keep)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct rb_node *node;
	bool pruned = false;

	while ((node = rb_last(&msk->ofo_root))) {
		struct sk_buff *skb = mytcp_ofo_skb(node);

		if (!mytcp_seq_after(MYTCP_SKB_CB(skb)->seq, keep))
			break;
		mytcp_ofo_erase(sk, skb);
		pruned = true;
		if (!mytcp_rmem_over(sk) && !mytcp_under_memory_pressure())
			break;
	}
	if (pruned)
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_OFOPRUNED);
	return pruned;
}

/* Cut from @skb what its neighbours in the tree already hold. */
static bool mytcp_ofo_trim(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct sk_buff *prev, *next;
	u32 end = mytcp_ofo_end(skb);

	prev = mytcp_ofo_find_before(sk, cb->seq);
	if (prev && !mytcp_seq_before(mytcp_ofo_end(prev), end))
		return false;		/* all of it is queued already */
	if (prev && mytcp_seq_after(mytcp_ofo_end(prev), cb->seq)) {
		u32 trim = mytcp_ofo_end(prev) - cb->seq;

		if (!pskb_pull(skb, trim))
			return false;
		cb->seq += trim;
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_OFOMERGE);
	}
	/* Segments it covers entirely go; it stops where the next begins. */
	next = prev ? mytcp_ofo_skb(rb_next(&prev->rbnode)) :
		      mytcp_ofo_skb(rb_first(&mytcp_sk(sk)->ofo_root));
	while (next && !mytcp_seq_after(mytcp_ofo_end(next), end)) {
		struct sk_buff *gone = next;

		next = mytcp_ofo_skb(rb_next(&next->rbnode));
		if (mytcp_ofo_end(gone) == end)
			cb->flags |= MYTCP_SKB_CB(gone)->flags & MYTCPHDR_FIN;
		mytcp_ofo_erase(sk, gone);
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_OFOMERGE);
	}
	if (next && mytcp_seq_after(end, MYTCP_SKB_CB(next)->seq)) {
		if (pskb_trim(skb, MYTCP_SKB_CB(next)->seq - cb->seq))
			return false;
		cb->flags &= ~MYTCPHDR_FIN;
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_OFOMERGE);
	}
	return true;
}

/**
 * mytcp_queue_ofo() - keep a segment that arrived beyond a hole
 * @sk: the socket, locked
 * @skb: the segment, its payload after rcv_nxt and within the window
 *
 * Return: true if @skb was queued (the tree owns it); false if the caller
 * still owns it: a duplicate of queued data, or no memory for it.
 */
bool mytcp_queue_ofo(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_OFOQUEUE);
	if (!mytcp_ofo_trim(sk, skb)) {
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_OFOMERGE);
		return false;
	}
	if (!mytcp_rmem_schedule(sk, skb, false))
		mytcp_prune_ofo(sk, cb->seq);
	if (!mytcp_rmem_schedule(sk, skb, false)) {
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_OFODROP);
		return false;
	}
	skb_dst_drop(skb);
	skb_set_owner_r(skb, sk);
	mytcp_ofo_link(sk, skb);
	mytcp_sk(sk)->ofo_last = cb->seq;
	return true;
}

/*
 * The run of back-to-back queued segments @skb is part of: its first
 * sequence number in @b->start, the end of its last in @b->end.  Return:
 * the first segment after the run, or NULL.
 */
static struct sk_buff *mytcp_ofo_run(struct sk_buff *skb,
				     struct mytcp_sack_block *b)
{
	struct sk_buff *prev, *next;

	b->start = MYTCP_SKB_CB(skb)->seq;
	for (prev = mytcp_ofo_skb(rb_prev(&skb->rbnode));
	     prev && mytcp_ofo_end(prev) == b->start;
	     prev = mytcp_ofo_skb(rb_prev(&prev->rbnode)))
		b->start = MYTCP_SKB_CB(prev)->seq;
	b->end = mytcp_ofo_end(skb);
	for (next = mytcp_ofo_skb(rb_next(&skb->rbnode));
	     next && MYTCP_SKB_CB(next)->seq == b->end;
	     next = mytcp_ofo_skb(rb_next(&next->rbnode)))
		b->end = mytcp_ofo_end(next);
	return next;
}

/**
 * mytcp_ofo_sack_blocks() - the SACK blocks of the out-of-order queue
 * @sk: the socket, locked
 * @blocks: filled in
 * @max: room in @blocks
 *
 * RFC 2018 4: the first block holds the segment that arrived last; the
 * others follow from the lowest sequence number up, the holes a sender
 * fills first (TCP repeats the most recently reported blocks instead).
 *
 * Return: how many blocks were written.
 */
unsigned int mytcp_ofo_sack_blocks(struct sock *sk, struct mytcp_sack_block *blocks,
				   unsigned int max)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct sk_buff *skb, *last;
	struct mytcp_sack_block b;
	unsigned int n = 0;

	if (!max)
		return 0;
	last = mytcp_ofo_find_before(sk, msk->ofo_last);
	if (last && mytcp_seq_after(mytcp_ofo_end(last), msk->ofo_last))
		mytcp_ofo_run(last, &blocks[n++]);
	skb = mytcp_ofo_skb(rb_first(&msk->ofo_root));
	while (skb && n < max) {
		skb = mytcp_ofo_run(skb, &b);
		if (n && b.start == blocks[0].start)
			continue;
		blocks[n++] = b;
	}
	return n;
}

/**
 * mytcp_drain_ofo() - move what a filled hole made in order to the queue
 * @sk: the socket, locked
 * @fin: set when a delivered segment carried the peer's FIN right at its
 *       end (rcv_nxt then stands just before the FIN)
 *
 * Return: true if anything went to the receive queue.
 */
bool mytcp_drain_ofo(struct sock *sk, bool *fin)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct rb_node *node;
	bool moved = false;

	while ((node = rb_first(&msk->ofo_root))) {
		struct sk_buff *skb = mytcp_ofo_skb(node);
		struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
		u32 trim;

		if (mytcp_seq_after(cb->seq, msk->rcv_nxt))
			break;
		rb_erase(node, &msk->ofo_root);
		trim = msk->rcv_nxt - cb->seq;
		if (trim >= skb->len || !pskb_pull(skb, trim)) {
			kfree_skb(skb);
			continue;
		}
		cb->seq = msk->rcv_nxt;
		msk->rcv_nxt += skb->len;
		if (cb->flags & MYTCPHDR_FIN)
			*fin = true;
		__skb_queue_tail(&sk->sk_receive_queue, skb);
		moved = true;
		if (*fin)
			break;
	}
	return moved;
}

/**
 * mytcp_purge_ofo() - free the whole out-of-order queue
 * @sk: the socket, locked or no longer reachable
 */
void mytcp_purge_ofo(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct rb_node *node;

	while ((node = rb_first(&msk->ofo_root)))
		mytcp_ofo_erase(sk, mytcp_ofo_skb(node));
}
