// SPDX-License-Identifier: GPL-2.0
/*
 * The sender's SACK scoreboard (RFC 2018, RFC 6675): which segments of
 * the write queue the peer's SACK blocks cover, which are taken for lost
 * (DupThresh SACKed segments above them, or for a resent one: a later
 * transmission arrived), which lost ones were resent, and from that the
 * segments in flight ("pipe").  Recovery (recovery.c) decides what to
 * send from it.  Runs under the socket's lock.
 */
#include <linux/skbuff.h>
#include <net/sock.h>
#include <net/mytcp.h>

/**
 * mytcp_sack_block_ok() - may a received SACK block be used?
 * @start: its left edge
 * @end: its right edge
 * @una: SND.UNA
 * @nxt: SND.NXT
 *
 * It must cover something, end after SND.UNA (else it is old, or a
 * D-SACK) and not beyond what was sent.
 *
 * Return: true when it is usable.
 */
bool mytcp_sack_block_ok(u32 start, u32 end, u32 una, u32 nxt)
{
	return mytcp_seq_before(start, end) && mytcp_seq_after(end, una) &&
	       !mytcp_seq_after(end, nxt) && !mytcp_seq_after(start, nxt);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_sack_block_ok);

/**
 * mytcp_sack_pipe() - segments in the network, RFC 6675's "pipe"
 * @sb: the scoreboard
 * @packets_out: segments sent and not cumulatively acknowledged
 *
 * Return: packets_out less the SACKed and lost ones, plus the lost
 * ones resent (TCP's tcp_packets_in_flight()).
 */
u32 mytcp_sack_pipe(const struct mytcp_scoreboard *sb, u32 packets_out)
{
	u32 left = sb->sacked_out + sb->lost_out;

	if (left > packets_out)
		return sb->retrans_out;
	return packets_out - left + sb->retrans_out;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_sack_pipe);

/**
 * mytcp_sack_dupthresh() - SACKed segments above a hole that make it lost
 * @sb: the scoreboard
 *
 * RFC 6675's DupThresh, 3, raised to the reordering the path showed, as
 * TCP's tp->reordering: a segment that later sends overtook is not lost
 * until more of them did than ever overtook one that came after all.
 *
 * Return: at least MYTCP_DUPTHRESH, at most MYTCP_MAX_REORDERING.
 */
u32 mytcp_sack_dupthresh(const struct mytcp_scoreboard *sb)
{
	return max_t(u32, sb->reordering, MYTCP_DUPTHRESH);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_sack_dupthresh);

/*
 * A segment sent once arrived (SACKed, or acknowledged without having
 * been SACKed) after later transmissions had: the path reorders by as
 * many sends.  Sent once: the arrival of a resend says nothing of it.
 */
static void mytcp_sack_note_order(struct mytcp_scoreboard *sb,
				  const struct mytcp_skb_cb *cb)
{
	s32 overtaken = sb->delivered_tx - cb->tx;

	if (cb->retrans || overtaken <= 0 ||
	    overtaken + 1 <= (s32)mytcp_sack_dupthresh(sb))
		return;
	sb->reordering = min_t(u32, overtaken + 1, MYTCP_MAX_REORDERING);
	sb->reordered = true;
}

/* The transmission @tx arrived: the newest one known to have. */
static void mytcp_sack_delivered(struct mytcp_scoreboard *sb, u32 tx)
{
	if ((s32)(tx - sb->delivered_tx) > 0)
		sb->delivered_tx = tx;
}

/**
 * mytcp_sack_tag() - mark the segments a SACK block covers
 * @sb: the scoreboard
 * @queue: the write queue
 * @stop: the first segment never sent (send_head), or NULL
 * @start: the block's left edge, checked by mytcp_sack_block_ok()
 * @end: its right edge
 * @sent: set to when the newest newly marked segment that was sent only
 *        once was sent (an RTT sample), if newer than what it holds or it
 *        holds 0; may be NULL
 *
 * Only whole buffers are marked: a block that covers part of one (it
 * never happens when the peer reassembles what we sent, and the sender
 * cuts what it sent into single segments before it reads SACK blocks)
 * leaves it.  A segment sent once that later sends overtook raises
 * sb->reordering.  Counts are in segments (mytcp_skb_pcount()).
 *
 * Return: how many segments were newly marked.
 */
u32 mytcp_sack_tag(struct mytcp_scoreboard *sb, struct sk_buff_head *queue,
		   const struct sk_buff *stop, u32 start, u32 end,
		   unsigned long *sent)
{
	struct sk_buff *skb;
	u32 n = 0;

	skb_queue_walk(queue, skb) {
		struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
		u32 segs = mytcp_skb_pcount(skb);

		if (skb == stop || !mytcp_seq_before(cb->seq, end))
			break;
		if (mytcp_seq_before(cb->seq, start) ||
		    mytcp_seq_after(cb->end_seq, end) ||
		    (cb->sacked & MYTCP_SACKED_ACKED))
			continue;
		if (cb->sacked & MYTCP_SACKED_LOST)
			sb->lost_out -= segs;
		if (cb->sacked & MYTCP_SACKED_RETRANS)
			sb->retrans_out -= segs;
		if (sent && !cb->retrans && (!*sent || time_after(cb->when, *sent)))
			*sent = cb->when;
		mytcp_sack_note_order(sb, cb);
		cb->sacked = MYTCP_SACKED_ACKED;
		sb->sacked_out += segs;
		mytcp_sack_delivered(sb, cb->tx);
		n += segs;
	}
	return n;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_sack_tag);

/**
 * mytcp_sack_mark_lost() - take for lost what the scoreboard says is
 * @sb: the scoreboard
 * @queue: the write queue
 * @stop: the first segment never sent (send_head), or NULL
 * @dupthresh: SACKed segments above a hole that make it a loss
 * @sent_by: a segment last sent at or before this time (jiffies) has had
 *           the time to arrive: one later transmission that did arrive
 *           shows it lost
 * @lost_retrans: incremented for each resent segment found lost again
 *
 * A segment not SACKed is lost when at least @dupthresh SACKed segments
 * lie above it (RFC 6675 IsLost(), counted in segments as TCP counts
 * it), or when a transmission sent after its own arrived, and either
 * @dupthresh or more sends came after it or it was sent by @sent_by (the
 * idea of TCP's RACK, RFC 8985: what was sent before something that
 * arrived, and has been out for longer than the time that one took plus
 * a reordering window, is lost).  The second rule also finds a resend
 * that was lost: it goes once more without waiting for a timeout.
 *
 * Return: how many segments were newly taken for lost.
 */
u32 mytcp_sack_mark_lost(struct mytcp_scoreboard *sb, struct sk_buff_head *queue,
			 const struct sk_buff *stop, u32 dupthresh,
			 unsigned long sent_by, u32 *lost_retrans)
{
	struct sk_buff *skb;
	u32 seen = 0, n = 0;
	s32 overtaken;
	bool late;

	skb_queue_walk(queue, skb) {
		struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

		if (skb == stop || seen >= sb->sacked_out)
			break;
		if (cb->sacked & MYTCP_SACKED_ACKED) {
			seen += mytcp_skb_pcount(skb);
			continue;
		}
		overtaken = sb->delivered_tx - cb->tx;
		late = overtaken >= (s32)dupthresh ||
		       (overtaken > 0 && !time_after(cb->when, sent_by));
		if (cb->sacked & MYTCP_SACKED_RETRANS) {
			if (late) {
				cb->sacked &= ~MYTCP_SACKED_RETRANS;
				sb->retrans_out -= mytcp_skb_pcount(skb);
				(*lost_retrans)++;
			}
			continue;
		}
		if (!(cb->sacked & MYTCP_SACKED_LOST) &&
		    (late || sb->sacked_out - seen >= dupthresh)) {
			cb->sacked |= MYTCP_SACKED_LOST;
			sb->lost_out += mytcp_skb_pcount(skb);
			n += mytcp_skb_pcount(skb);
		}
	}
	return n;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_sack_mark_lost);

/**
 * mytcp_sack_mark_all_lost() - a timeout: all not SACKed is lost
 * @sb: the scoreboard
 * @queue: the write queue
 * @stop: the first segment never sent (send_head), or NULL
 *
 * Resends in flight are taken for lost too: they go again in order.
 */
void mytcp_sack_mark_all_lost(struct mytcp_scoreboard *sb, struct sk_buff_head *queue,
			      const struct sk_buff *stop)
{
	struct sk_buff *skb;

	skb_queue_walk(queue, skb) {
		struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

		if (skb == stop)
			break;
		if (cb->sacked & MYTCP_SACKED_ACKED)
			continue;
		if (!(cb->sacked & MYTCP_SACKED_LOST))
			sb->lost_out += mytcp_skb_pcount(skb);
		cb->sacked = MYTCP_SACKED_LOST;
	}
	sb->retrans_out = 0;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_sack_mark_all_lost);

/**
 * mytcp_sack_forget() - clear the scoreboard
 * @sb: the scoreboard
 * @queue: the write queue
 *
 * The peer dropped data it had SACKed (reneging, RFC 2018 section 8).
 */
void mytcp_sack_forget(struct mytcp_scoreboard *sb, struct sk_buff_head *queue)
{
	struct sk_buff *skb;

	skb_queue_walk(queue, skb)
		MYTCP_SKB_CB(skb)->sacked = 0;
	sb->sacked_out = 0;
	sb->lost_out = 0;
	sb->retrans_out = 0;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_sack_forget);

/**
 * mytcp_sack_unlink() - a segment leaves the queue, acknowledged
 * @sb: the scoreboard
 * @skb: the segment
 */
void mytcp_sack_unlink(struct mytcp_scoreboard *sb, const struct sk_buff *skb)
{
	const struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	if (!(cb->sacked & MYTCP_SACKED_ACKED)) {
		mytcp_sack_note_order(sb, cb);
		mytcp_sack_delivered(sb, cb->tx);
	}
	mytcp_sack_shrink(sb, skb, mytcp_skb_pcount(skb));
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_sack_unlink);

/**
 * mytcp_sack_shrink() - a buffer counts for fewer segments
 * @sb: the scoreboard
 * @skb: the buffer, its marks unchanged
 * @segs: how many fewer: acknowledged from its head, or all of them
 *        when it leaves the queue
 */
void mytcp_sack_shrink(struct mytcp_scoreboard *sb, const struct sk_buff *skb,
		       u32 segs)
{
	const struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	if (cb->sacked & MYTCP_SACKED_ACKED)
		sb->sacked_out -= segs;
	if (cb->sacked & MYTCP_SACKED_LOST)
		sb->lost_out -= segs;
	if (cb->sacked & MYTCP_SACKED_RETRANS)
		sb->retrans_out -= segs;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_sack_shrink);

/**
 * mytcp_sack_resent() - a segment was sent again
 * @sb: the scoreboard
 * @skb: the segment
 *
 * It is lost (that is why it went again) and its resend is in flight.
 */
void mytcp_sack_resent(struct mytcp_scoreboard *sb, struct sk_buff *skb)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	if (cb->sacked & MYTCP_SACKED_ACKED)
		return;
	if (!(cb->sacked & MYTCP_SACKED_LOST))
		sb->lost_out += mytcp_skb_pcount(skb);
	if (!(cb->sacked & MYTCP_SACKED_RETRANS))
		sb->retrans_out += mytcp_skb_pcount(skb);
	cb->sacked |= MYTCP_SACKED_LOST | MYTCP_SACKED_RETRANS;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_sack_resent);

/**
 * mytcp_sack_on_ack() - take in the SACK blocks of an ACK
 * @sk: the socket, locked, SND.UNA already moved by the ACK
 * @skb: the ACK
 *
 * Blocks that cover nothing, or data never sent, are discarded
 * (TCPSACKDiscard); old ones (at or below SND.UNA) are ignored.  Newly
 * SACKed segments sent only once measure the RTT (Karn's rule holds:
 * it is their only transmission), as in TCP: without it, a lossy path
 * would keep a backed-off RTO for long.  The newest of them measures
 * it, as RACK does (RFC 8985 6.2): older ones may have waited for this
 * ACK because earlier ACKs were lost.
 *
 * Return: the RTT sample in microseconds, or -1 for none.
 */
s32 mytcp_sack_on_ack(struct sock *sk, const struct sk_buff *skb)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct mytcp_sack_block blocks[MYTCP_MAX_SACK_BLOCKS];
	unsigned long sent = 0;
	int i, n;

	if (!msk->sack_ok || tcp_hdr(skb)->doff <= MYTCP_HDR_LEN / 4)
		return -1;
	n = mytcp_parse_sack(skb, blocks);
	/* Blocks and losses are counted in single segments. */
	if (n)
		mytcp_unbundle_sent(sk);
	for (i = 0; i < n; i++) {
		u32 start = blocks[i].start, end = blocks[i].end;

		if (!mytcp_seq_after(end, msk->snd_una))
			continue;
		if (!mytcp_sack_block_ok(start, end, msk->snd_una, msk->snd_nxt)) {
			mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_SACKDISCARD);
			continue;
		}
		mytcp_sack_tag(&msk->sack, &sk->sk_write_queue, msk->send_head,
			       start, end, &sent);
	}
	return sent ? mytcp_karn_sample_us(sent, jiffies, false) : -1;
}

/**
 * mytcp_sack_on_timeout() - the retransmission timer fired
 * @sk: the socket, locked, with SACK, just put in MYTCP_CA_LOSS
 *
 * As TCP: the SACK information is kept, unless the head itself is marked
 * SACKed, which means that the peer dropped what it had SACKed
 * (TCPSACKReneging); everything else not SACKed is taken for lost.  If
 * segments were SACKed, the reordering measured goes back to DupThresh.
 */
void mytcp_sack_on_timeout(struct sock *sk)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct sk_buff *head = skb_peek(&sk->sk_write_queue);

	if (head && head != msk->send_head &&
	    (MYTCP_SKB_CB(head)->sacked & MYTCP_SACKED_ACKED)) {
		mytcp_inc_ext_stats(sock_net(sk), MYTCP_EXT_SACKRENEGING);
		mytcp_sack_forget(&msk->sack, &sk->sk_write_queue);
	}
	/*
	 * A timeout while SACKs showed holes: the reordering allowed was too
	 * much (TCP's tcp_enter_loss() brings tp->reordering down likewise).
	 */
	if (msk->sack.sacked_out >= MYTCP_DUPTHRESH)
		msk->sack.reordering = 0;
	mytcp_sack_mark_all_lost(&msk->sack, &sk->sk_write_queue, msk->send_head);
}
