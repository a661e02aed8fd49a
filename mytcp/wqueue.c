// SPDX-License-Identifier: GPL-2.0
/*
 * The write queue's buffers.  As TCP's TSO buffers, one holds up to a GSO
 * packet's worth of segments, goes out as one packet (offload.c cuts it),
 * and counts for the segments it went as (mytcp_skb_pcount()) in
 * packets_out and the scoreboard.  This file allocates and queues them,
 * sets the size a write fills them to, cuts one in two (before it is
 * sent, to fit the windows; after, where loss recovery counts single
 * segments), and trims what a partial ACK covered.
 */
#include <linux/skbuff.h>
#include <net/sock.h>
#include <net/mytcp.h>

/* A segment for the write queue with room for @size bytes of payload. */
static struct sk_buff *mytcp_alloc_segment(struct sock *sk, unsigned int size,
					   gfp_t gfp)
{
	struct sk_buff *skb = size ? NULL : mytcp_take_spare(sk);

	if (!skb) {
		skb = alloc_skb(MYTCP_HEADROOM + size, gfp);
		if (!skb)
			return NULL;
		skb_reserve(skb, MYTCP_HEADROOM);
	}
	/* Copies need no running sum: mytcp_set_checksum() does it. */
	skb->ip_summed = CHECKSUM_PARTIAL;
	mytcp_charge_wqueue(sk, skb);
	return skb;
}

/**
 * mytcp_queue_segment() - append an empty segment to the write queue
 * @sk: the socket, locked
 * @size: room for payload in its linear part (data sent by the user goes
 *        into page fragments instead)
 * @flags: MYTCPHDR_* flags it will carry
 *
 * The segment starts at write_seq and occupies nothing yet.
 *
 * Return: the segment, or NULL without memory.
 */
struct sk_buff *mytcp_queue_segment(struct sock *sk, unsigned int size, u8 flags)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct sk_buff *skb;

	skb = mytcp_alloc_segment(sk, size, sk->sk_allocation);
	if (!skb)
		return NULL;
	MYTCP_SKB_CB(skb)->seq = msk->write_seq;
	MYTCP_SKB_CB(skb)->end_seq = msk->write_seq;
	MYTCP_SKB_CB(skb)->flags = flags;
	__skb_queue_tail(&sk->sk_write_queue, skb);
	if (!msk->send_head)
		msk->send_head = skb;
	return skb;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_queue_segment);

/**
 * mytcp_bundle_goal() - the payload of one write-queue buffer
 * @mss: the segment size
 * @max_window: the largest window the peer offered
 * @gso_max_size: the socket's sk_gso_max_size: the largest GSO packet the
 *	route takes, less the room sk_setup_caps() keeps for the headers
 * @gso_max_segs: the most segments it takes
 *
 * As TCP's tcp_xmit_size_goal(): as many whole segments as a GSO packet
 * holds, but no more than half the largest window the peer offered, so
 * that a buffer need not be cut to fit the window.  The headers' room is
 * not taken off again: sk_setup_caps() already took MAX_TCP_HEADER + 1
 * off (a 64 KB route gives 65215, 45 segments of 1448 bytes).
 *
 * Return: bytes, a multiple of @mss, at least @mss.
 */
u32 mytcp_bundle_goal(u32 mss, u32 max_window, u32 gso_max_size,
		      u32 gso_max_segs)
{
	u32 goal = min_t(u32, gso_max_size, max_t(u32, max_window / 2, mss));

	goal = min_t(u64, goal, (u64)gso_max_segs * mss);
	return max_t(u32, goal - goal % mss, mss);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_bundle_goal);

/**
 * mytcp_size_goal() - the payload a write puts in one buffer
 * @sk: the socket
 *
 * One segment without GSO, else mytcp_bundle_goal() for the route.
 *
 * Return: bytes, a multiple of the MSS, at least one MSS.
 */
u32 mytcp_size_goal(const struct sock *sk)
{
	const struct mytcp_sock *msk = mytcp_sk(sk);

	if (!sk_can_gso(sk))
		return msk->mss_cache;
	return mytcp_bundle_goal(msk->mss_cache, msk->max_window,
				 sk->sk_gso_max_size, sk->sk_gso_max_segs);
}

/*
 * Cut @skb after @len bytes of payload: the page fragments beyond go to a
 * new buffer queued after it, with the truesize they were charged, and so
 * do FIN and PSH.  Return: the new buffer, or NULL without memory.
 */
static struct sk_buff *mytcp_cut_segment(struct sock *sk, struct sk_buff *skb,
					 u32 len)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb), *ncb;
	u32 head = skb_headlen(skb) > len ? skb_headlen(skb) - len : 0;
	struct sk_buff *tail;
	u32 moved;

	tail = mytcp_alloc_segment(sk, head, GFP_ATOMIC);
	if (!tail)
		return NULL;
	skb_split(skb, tail, len);
	moved = tail->data_len;
	skb->truesize -= moved;
	tail->truesize += moved;
	ncb = MYTCP_SKB_CB(tail);
	ncb->seq = cb->seq + len;
	ncb->end_seq = cb->end_seq;
	ncb->flags = cb->flags;		/* FIN and PSH stay at the end */
	cb->flags &= ~(MYTCPHDR_FIN | MYTCPHDR_PSH);
	cb->end_seq = ncb->seq;
	__skb_queue_after(&sk->sk_write_queue, skb, tail);
	return tail;
}

/**
 * mytcp_split_unsent() - cut a never-sent buffer to what may go now
 * @sk: the socket, locked
 * @skb: the buffer, never sent (so never cloned)
 * @len: the payload that stays in @skb, less than its length
 *
 * Return: 0 or -ENOBUFS.
 */
int mytcp_split_unsent(struct sock *sk, struct sk_buff *skb, u32 len)
{
	return mytcp_cut_segment(sk, skb, len) ? 0 : -ENOBUFS;
}

/**
 * mytcp_split_sent() - cut a sent buffer after its first segments
 * @sk: the socket, locked
 * @skb: the buffer, sent as more than @segs segments
 * @segs: the segments that stay in @skb, at least 1
 *
 * Both parts keep what the scoreboard and the RTT need of the whole: when
 * and how often it was sent, and its marks.  The buffer's transmission
 * number was its last segment's; each part gets its own last segment's,
 * as if the segments had gone one by one, so that the scoreboard sees
 * how many sends came after each (mytcp_sack_mark_lost()).  The segments
 * it counted for are shared between the parts, so packets_out and the
 * scoreboard's counts do not change.  A copy still in flight shares
 * the fragments: @skb gets its own first (TCP's tcp_fragment()).
 *
 * Return: 0, -EINVAL if @skb holds no more than @segs segments, or
 * -ENOMEM.
 */
int mytcp_split_sent(struct sock *sk, struct sk_buff *skb, u32 segs)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb), *ncb;
	u32 len = segs * cb->seg_size;
	struct sk_buff *tail;

	if (!segs || segs >= cb->pcount || len >= skb->len)
		return -EINVAL;
	if (skb_unclone(skb, GFP_ATOMIC))
		return -ENOMEM;
	tail = mytcp_cut_segment(sk, skb, len);
	if (!tail)
		return -ENOMEM;
	ncb = MYTCP_SKB_CB(tail);
	ncb->when = cb->when;
	ncb->retrans = cb->retrans;
	ncb->sacked = cb->sacked;
	ncb->seg_size = cb->seg_size;
	ncb->pcount = cb->pcount - segs;
	/* Numbered as if sent one by one: the buffer had its last's. */
	ncb->tx = cb->tx;
	cb->tx -= ncb->pcount;
	cb->pcount = segs;
	return 0;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_split_sent);

/**
 * mytcp_unbundle_sent() - cut every sent buffer into single segments
 * @sk: the socket, locked
 *
 * SACK blocks, losses and resends are counted and decided per segment,
 * as RFC 6675 has them; a bulk sender that never sees a SACK block or a
 * timeout never pays for this.  Should memory run out, what stays whole
 * is counted in its segments, only marked and resent as one.
 */
void mytcp_unbundle_sent(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct sk_buff *skb;

	/* The part cut off comes next in the walk, and is cut in turn. */
	skb_queue_walk(&sk->sk_write_queue, skb) {
		if (skb == msk->send_head)
			break;
		if (MYTCP_SKB_CB(skb)->pcount > 1 && mytcp_split_sent(sk, skb, 1))
			break;
	}
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_unbundle_sent);

/*
 * Drop the first @len bytes of @skb's payload, less than its length, and
 * give back the charge of the fragment bytes dropped.
 */
static void mytcp_pull_head(struct sock *sk, struct sk_buff *skb, u32 len)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	u32 eat = min_t(u32, len, skb_headlen(skb));
	int i, k = 0;

	__skb_pull(skb, eat);
	len -= eat;
	eat = len;
	for (i = 0; i < shinfo->nr_frags; i++) {
		skb_frag_t *frag = &shinfo->frags[i];
		u32 size = skb_frag_size(frag);

		if (len >= size) {
			skb_frag_unref(skb, i);
			len -= size;
			continue;
		}
		shinfo->frags[k] = *frag;
		if (len) {
			skb_frag_off_add(&shinfo->frags[k], len);
			skb_frag_size_sub(&shinfo->frags[k], len);
			len = 0;
		}
		k++;
	}
	shinfo->nr_frags = k;
	skb->len -= eat;
	skb->data_len -= eat;
	skb->truesize -= eat;
	sk_wmem_queued_add(sk, -eat);
	sk_mem_uncharge(sk, eat);
}

/**
 * mytcp_trim_acked() - drop the acknowledged head of a sent buffer
 * @sk: the socket, locked, SND.UNA inside @skb's payload
 * @skb: the first buffer of the write queue
 *
 * An ACK that covers part of a buffer (the path or the peer cut our GSO
 * packet) frees what it covers, as TCP's tcp_trim_head(): a resend then
 * carries only what is missing.  A copy still in flight shares the
 * fragments: @skb gets its own first; without memory it stays whole.
 *
 * Return: the segments @skb no longer counts for.
 */
u32 mytcp_trim_acked(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	u32 len = msk->snd_una - cb->seq, segs;

	if ((cb->flags & MYTCPHDR_SYN) || len >= skb->len ||
	    skb_unclone(skb, GFP_ATOMIC))
		return 0;
	mytcp_pull_head(sk, skb, len);
	cb->seq = msk->snd_una;
	if (!cb->seg_size)
		return 0;
	segs = DIV_ROUND_UP(skb->len, cb->seg_size);
	if (segs >= mytcp_skb_pcount(skb))
		return 0;
	segs = mytcp_skb_pcount(skb) - segs;
	if (msk->sack_ok)
		mytcp_sack_shrink(&msk->sack, skb, segs);
	cb->pcount -= segs;
	return segs;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_trim_acked);
