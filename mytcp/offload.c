// SPDX-License-Identifier: GPL-2.0
/*
 * Segmentation offload: a write-queue buffer of several segments leaves
 * as one GSO packet (wqueue.c, output.c), and the GSO callback registered
 * for IP protocol 253 cuts such a packet back into segments wherever a
 * device cannot carry it whole.
 *
 * The kernel has GSO types only for its own protocols.  mytcp marks its
 * packets SKB_GSO_SCTP: like NETIF_F_GSO_SCTP it is a software-only
 * feature (lo, veth, bridges, bonds and tunnels pass such packets whole;
 * no hardware advertises it), and the IP layer finds the segmentation
 * callback by protocol number, so SCTP's code never sees them.  A device
 * that advertised TSO would otherwise be handed a protocol it cannot cut.
 *
 * The same net_offload does GRO for protocol 253: on a device with GRO
 * on, in-sequence data segments of one flow that differ in nothing but
 * the sequence number (options and timestamps byte for byte) are merged
 * into one packet, each segment's checksum checked first.  A merged
 * packet goes up as mytcp's own GSO packets do (SKB_GSO_SCTP, gso_size
 * the first segment's payload, CHECKSUM_PARTIAL), so mytcp's input takes
 * it as one big segment and forwarding can cut it again here.  The core's
 * merge helper, skb_gro_receive(), is not exported to modules: the
 * payload is moved over by mytcp_gro_append().
 */
#include <linux/skbuff.h>
#include <linux/netdevice.h>
#include <net/checksum.h>
#include <net/gro.h>
#include <net/ip.h>
#include <net/protocol.h>
#include <net/mytcp.h>

/**
 * mytcp_gso_mark() - make a packet a GSO packet
 * @gso: the packet, header pushed
 * @mss: payload of each segment it stands for
 * @segs: how many segments
 */
void mytcp_gso_mark(struct sk_buff *gso, unsigned int mss, unsigned int segs)
{
	struct skb_shared_info *shinfo = skb_shinfo(gso);

	shinfo->gso_size = mss;
	shinfo->gso_segs = segs;
	shinfo->gso_type = SKB_GSO_SCTP;
}

/*
 * One segment cut from a GSO packet: its sequence number, the flags only
 * the last one keeps, and its checksum (left to the device when it sums
 * any protocol, else done here).
 */
static int mytcp_finish_segment(struct sk_buff *seg, u32 seq, bool last,
				netdev_features_t features)
{
	struct tcphdr *th = tcp_hdr(seg);
	unsigned int len = seg->len - skb_transport_offset(seg);

	th->seq = htonl(seq);
	if (!last) {
		th->fin = 0;
		th->psh = 0;
	}
	th->check = ~csum_tcpudp_magic(ip_hdr(seg)->saddr, ip_hdr(seg)->daddr,
				       len, IPPROTO_MYTCP, 0);
	seg->ip_summed = CHECKSUM_PARTIAL;
	seg->csum_start = skb_transport_header(seg) - seg->head;
	seg->csum_offset = offsetof(struct tcphdr, check);
	if (features & NETIF_F_HW_CSUM)
		return 0;
	return skb_checksum_help(seg);
}

/*
 * The GSO callback of protocol 253: segments of gso_size payload, each
 * with a copy of the header and its own sequence number and checksum.
 */
static struct sk_buff *mytcp_gso_segment(struct sk_buff *skb,
					 netdev_features_t features)
{
	struct sk_buff *segs, *seg;
	unsigned int thlen;
	struct tcphdr *th;
	u32 seq;

	if (!(skb_shinfo(skb)->gso_type & SKB_GSO_SCTP) ||
	    !pskb_may_pull(skb, sizeof(*th)))
		return ERR_PTR(-EINVAL);
	th = tcp_hdr(skb);
	thlen = th->doff * 4;
	if (thlen < sizeof(*th) || !pskb_may_pull(skb, thlen))
		return ERR_PTR(-EINVAL);
	seq = ntohl(tcp_hdr(skb)->seq);
	__skb_pull(skb, thlen);
	/*
	 * Whole segments only (no GSO_PARTIAL super-segments), and no sums
	 * from skb_segment(): mytcp_finish_segment() does them.
	 */
	segs = skb_segment(skb, (features & ~NETIF_F_GSO_PARTIAL) |
			   NETIF_F_HW_CSUM);
	if (IS_ERR_OR_NULL(segs))
		return segs;
	for (seg = segs; seg; seg = seg->next) {
		unsigned int payload = seg->len - skb_transport_offset(seg) - thlen;

		if (mytcp_finish_segment(seg, seq, !seg->next, features)) {
			kfree_skb_list(segs);
			return ERR_PTR(-ENOMEM);
		}
		seq += payload;
	}
	return segs;
}

/* Header flags a segment may carry and still be merged by GRO. */
#define MYTCP_GRO_FLAGS		(TCP_FLAG_ACK | TCP_FLAG_PSH)
/* The flag word's bits beyond the flags: data offset and window. */
#define MYTCP_GRO_NOT_FLAGS	(TCP_DATA_OFFSET | htonl(0xffff))

/**
 * mytcp_gro_may_merge() - may a segment continue a packet GRO is building?
 * @held: the header of the packet being built (its first segment's)
 * @held_len: the payload the packet holds so far
 * @th: the header of the arriving segment, options included
 * @len: the arriving segment's payload
 * @mss: the payload of the packet's first segment (its gso_size)
 *
 * The merged packet keeps @held's header, so everything in @th but the
 * sequence number and PSH must say what @held says: the same ACK number,
 * window, urgent pointer and options byte for byte (timestamps too, as
 * TCP's GRO requires), only ACK and PSH among the flags.  The payload
 * must follow the packet's without a gap or overlap and be no larger
 * than the first segment's, so that the packet can be cut again at
 * @mss.  A bare ACK carries nothing to merge.
 *
 * Return: true when @th's payload may be appended.
 */
bool mytcp_gro_may_merge(const struct tcphdr *held, u32 held_len,
			 const struct tcphdr *th, unsigned int len,
			 unsigned int mss)
{
	__be32 flags = tcp_flag_word(th);
	unsigned int thlen = th->doff * 4;

	if (!len || len > mss)
		return false;
	if ((flags & ~(MYTCP_GRO_FLAGS | MYTCP_GRO_NOT_FLAGS)) ||
	    !(flags & TCP_FLAG_ACK))
		return false;
	if ((flags ^ tcp_flag_word(held)) & ~TCP_FLAG_PSH)
		return false;
	if (th->ack_seq != held->ack_seq || th->urg_ptr != held->urg_ptr)
		return false;
	if (ntohl(th->seq) != ntohl(held->seq) + held_len)
		return false;
	return thlen <= sizeof(*th) ||
	       !memcmp(th + 1, held + 1, thlen - sizeof(*th));
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_gro_may_merge);

/**
 * mytcp_gro_ends_packet() - must the packet be handed up after a segment?
 * @th: the segment's header
 * @len: its payload
 * @mss: the payload of the packet's first segment; 0 when the segment
 *       starts a packet
 *
 * A segment shorter than the first one is the last of its run (the
 * sender's GSO cuts equal pieces, the remainder last); PSH asks the
 * receiver to deliver; anything but ACK and PSH among the flags, and a
 * segment without payload, must reach mytcp's input as it came.
 *
 * Return: true when nothing may follow this segment in the packet.
 */
bool mytcp_gro_ends_packet(const struct tcphdr *th, unsigned int len,
			   unsigned int mss)
{
	return !len || len < mss ||
	       (tcp_flag_word(th) & ~MYTCP_GRO_NOT_FLAGS) != TCP_FLAG_ACK;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_gro_ends_packet);

/*
 * The IP layer's verdict on the IP IDs of the held packet @p and the
 * arriving segment.  Segments cut by GSO carry incrementing IDs; with DF
 * a sender may also keep one ID for all.  The IP layer leaves in
 * flush_id the distance from the expected ID (or, while @p is still
 * "atomic" (DF, one segment), the raw difference): the second segment
 * decides which of the two the run follows.
 */
static bool mytcp_gro_ids_fit(struct sk_buff *p)
{
	struct napi_gro_cb *cb = NAPI_GRO_CB(p);

	if (cb->count == 1 && cb->is_atomic && cb->flush_id == 1) {
		cb->is_atomic = 0;
		return true;
	}
	return !cb->flush_id;
}

/*
 * The payload of @skb (its headers pulled to skb_gro_offset()) appended
 * to @p.  Page fragments move over when the headers fill the linear part
 * and the fragments fit (the core then frees what is left of @skb);
 * otherwise @skb itself, headers pulled, joins @p's frag_list.  The
 * merged packet may not outgrow an IPv4 datagram nor the device's limit.
 */
static bool mytcp_gro_append(struct sk_buff *p, struct sk_buff *skb)
{
	unsigned int offset = skb_gro_offset(skb);
	unsigned int len = skb_gro_len(skb);
	struct sk_buff *last = NAPI_GRO_CB(p)->last;
	struct skb_shared_info *from = skb_shinfo(skb);
	struct skb_shared_info *to = skb_shinfo(last);
	unsigned int limit, added;

	limit = min(READ_ONCE(p->dev->gro_max_size), GRO_LEGACY_MAX_SIZE);
	if (p->len + len >= limit || p->pp_recycle != skb->pp_recycle ||
	    skb_zcopy(p) || skb_zcopy(skb))
		return false;

	if (skb_headlen(skb) <= offset &&
	    to->nr_frags + from->nr_frags <= MAX_SKB_FRAGS) {
		unsigned int skip = offset - skb_headlen(skb);
		skb_frag_t *first = &to->frags[to->nr_frags];

		memcpy(first, from->frags, from->nr_frags * sizeof(*first));
		skb_frag_off_add(first, skip);
		skb_frag_size_sub(first, skip);
		to->nr_frags += from->nr_frags;
		/* The pages are the packet's now; @skb keeps its head. */
		from->nr_frags = 0;
		added = skb->truesize - SKB_TRUESIZE(skb_end_offset(skb));
		skb->truesize -= added;
		skb->len -= skb->data_len;
		skb->data_len = 0;
		NAPI_GRO_CB(skb)->free = NAPI_GRO_FREE;
	} else {
		/* Headers partly in the first fragment: skip them there. */
		if (offset > skb_headlen(skb)) {
			unsigned int skip = offset - skb_headlen(skb);

			skb_frag_off_add(&from->frags[0], skip);
			skb_frag_size_sub(&from->frags[0], skip);
			skb->data_len -= skip;
			skb->len -= skip;
			offset = skb_headlen(skb);
		}
		__skb_pull(skb, offset);
		skb->destructor = NULL;
		skb->sk = NULL;
		added = skb->truesize;
		if (last == p)
			skb_shinfo(p)->frag_list = skb;
		else
			last->next = skb;
		NAPI_GRO_CB(p)->last = skb;
		__skb_header_release(skb);
		last = p;
	}
	if (last != p) {
		last->len += len;
		last->data_len += len;
		last->truesize += added;
	}
	p->len += len;
	p->data_len += len;
	p->truesize += added;
	NAPI_GRO_CB(p)->count++;
	NAPI_GRO_CB(skb)->same_flow = 1;
	return true;
}

/*
 * The segment's header, pulled from GRO's view of the packet (so that
 * skb_gro_len() is its payload), or NULL when it is malformed or short.
 */
static struct tcphdr *mytcp_gro_pull_header(struct sk_buff *skb)
{
	unsigned int off = skb_gro_offset(skb);
	struct tcphdr *th;
	unsigned int thlen;

	th = skb_gro_header(skb, off + sizeof(*th), off);
	if (!th)
		return NULL;
	thlen = th->doff * 4;
	if (thlen < sizeof(*th))
		return NULL;
	if (skb_gro_header_hard(skb, off + thlen)) {
		th = skb_gro_header_slow(skb, off + thlen, off);
		if (!th)
			return NULL;
	}
	skb_gro_pull(skb, thlen);
	return th;
}

/*
 * The packet held for the flow @th belongs to, if any.  The IP layer
 * left same_flow only on packets between the same addresses; the ports
 * (adjacent in the header) finish the match.
 */
static struct sk_buff *mytcp_gro_find_flow(struct list_head *head,
					   const struct tcphdr *th)
{
	struct sk_buff *p;

	list_for_each_entry(p, head, list) {
		if (!NAPI_GRO_CB(p)->same_flow)
			continue;
		if (tcp_hdr(p)->source == th->source &&
		    tcp_hdr(p)->dest == th->dest)
			return p;
		NAPI_GRO_CB(p)->same_flow = 0;
	}
	return NULL;
}

/*
 * GRO for protocol 253: a segment that continues the held packet of its
 * flow joins it; one that cannot sends that packet up first (order is
 * kept) and starts a new one, unless it must itself go up alone
 * (NAPI_GRO_CB()->flush).  Returns the held packet to hand up now.
 */
static struct sk_buff *mytcp_gro_receive(struct list_head *head,
					 struct sk_buff *skb)
{
	struct sk_buff *p;
	struct tcphdr *th;
	unsigned int len;
	bool merged = false, end;

	/*
	 * A segment going up alone anyway is checked by mytcp's input; one
	 * that fails here goes up alone too, to be counted and dropped there.
	 */
	if (!NAPI_GRO_CB(skb)->flush &&
	    skb_gro_checksum_validate(skb, IPPROTO_MYTCP,
				      inet_gro_compute_pseudo)) {
		NAPI_GRO_CB(skb)->flush = 1;
		return NULL;
	}
	th = mytcp_gro_pull_header(skb);
	if (!th) {
		NAPI_GRO_CB(skb)->flush = 1;
		return NULL;
	}
	len = skb_gro_len(skb);
	p = mytcp_gro_find_flow(head, th);
	if (p && !NAPI_GRO_CB(p)->flush && !NAPI_GRO_CB(skb)->flush &&
	    !skb_is_gso(skb) && mytcp_gro_ids_fit(p) &&
	    mytcp_gro_may_merge(tcp_hdr(p), skb_gro_len(p), th, len,
				skb_shinfo(p)->gso_size))
		merged = mytcp_gro_append(p, skb);

	end = skb_is_gso(skb) ||
	      mytcp_gro_ends_packet(th, len,
				    merged ? skb_shinfo(p)->gso_size : 0);
	if (merged && th->psh)
		tcp_hdr(p)->psh = 1;
	NAPI_GRO_CB(skb)->flush |= end;
	return p && (!merged || end) ? p : NULL;
}

/*
 * A packet of more than one segment goes up as mytcp's own GSO packets
 * do: SKB_GSO_SCTP with gso_size the first segment's payload (set by the
 * core), so that forwarding can cut it again with mytcp_gso_segment(),
 * and CHECKSUM_PARTIAL with the pseudo-header sum in the field: every
 * segment was validated (or trusted) on the way in, and mytcp's input
 * and the GSO callback both take a partial checksum as it is.
 */
static int mytcp_gro_complete(struct sk_buff *skb, int thoff)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct tcphdr *th = (struct tcphdr *)(skb->data + thoff);

	th->check = ~csum_tcpudp_magic(iph->saddr, iph->daddr,
				       skb->len - thoff, IPPROTO_MYTCP, 0);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = (unsigned char *)th - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	skb_shinfo(skb)->gso_type |= SKB_GSO_SCTP;
	skb_shinfo(skb)->gso_segs = NAPI_GRO_CB(skb)->count;
	if (skb->encapsulation)
		skb->inner_transport_header = skb->transport_header;
	return 0;
}

static const struct net_offload mytcp_offload = {
	.callbacks = {
		.gso_segment = mytcp_gso_segment,
		.gro_receive = mytcp_gro_receive,
		.gro_complete = mytcp_gro_complete,
	},
};

/**
 * mytcp_register_offload() - the GSO callback of IPPROTO_MYTCP
 *
 * Return: 0 or -EBUSY when the number has another callback.
 */
int mytcp_register_offload(void)
{
	if (inet_add_offload(&mytcp_offload, IPPROTO_MYTCP)) {
		pr_err("IP protocol %d has another offload handler; not loading\n",
		       IPPROTO_MYTCP);
		return -EBUSY;
	}
	return 0;
}

/**
 * mytcp_unregister_offload() - give the callback up
 *
 * inet_del_offload() waits until no CPU can still be inside it.  A GSO
 * packet still queued somewhere after that is dropped by the IP layer
 * (no callback), never cut by freed code.
 */
void mytcp_unregister_offload(void)
{
	inet_del_offload(&mytcp_offload, IPPROTO_MYTCP);
}
