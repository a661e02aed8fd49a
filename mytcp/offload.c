// SPDX-License-Identifier: GPL-2.0
/*
 * Segmentation offload: full-sized segments of the write queue leave as
 * one GSO packet (their page fragments gathered behind one header), and
 * the GSO callback registered for IP protocol 253 cuts such a packet back
 * into segments wherever a device cannot carry it whole.
 *
 * The kernel has GSO types only for its own protocols.  mytcp marks its
 * packets SKB_GSO_SCTP: like NETIF_F_GSO_SCTP it is a software-only
 * feature (lo, veth, bridges, bonds and tunnels pass such packets whole;
 * no hardware advertises it), and the IP layer finds the segmentation
 * callback by protocol number, so SCTP's code never sees them.  A device
 * that advertised TSO would otherwise be handed a protocol it cannot cut.
 */
#include <linux/skbuff.h>
#include <linux/netdevice.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/protocol.h>
#include <net/mytcp.h>

/* The page fragments of @seg that do not extend the last one of @gso. */
static unsigned int mytcp_count_new_frags(const struct sk_buff *gso,
					  const struct sk_buff *seg)
{
	const struct skb_shared_info *from = skb_shinfo(seg);
	unsigned int n = from->nr_frags;

	if (n && skb_can_coalesce((struct sk_buff *)gso,
				  skb_shinfo(gso)->nr_frags,
				  skb_frag_page(&from->frags[0]),
				  skb_frag_off(&from->frags[0])))
		n--;
	return n;
}

/**
 * mytcp_gso_append() - add a segment's payload to a GSO packet
 * @gso: the packet being built, its payload all in page fragments
 * @seg: a segment of the write queue whose payload is all in fragments
 *
 * The packet takes its own reference on each page; a fragment that
 * continues the packet's last one in the same page extends it.
 *
 * Return: false, and nothing added, when the fragments do not fit.
 */
bool mytcp_gso_append(struct sk_buff *gso, const struct sk_buff *seg)
{
	const struct skb_shared_info *from = skb_shinfo(seg);
	struct skb_shared_info *to = skb_shinfo(gso);
	unsigned int i;

	if (to->nr_frags + mytcp_count_new_frags(gso, seg) > MAX_SKB_FRAGS)
		return false;
	for (i = 0; i < from->nr_frags; i++) {
		const skb_frag_t *frag = &from->frags[i];
		struct page *page = skb_frag_page(frag);
		unsigned int size = skb_frag_size(frag);

		if (!i && skb_can_coalesce(gso, to->nr_frags, page,
					   skb_frag_off(frag))) {
			skb_frag_size_add(&to->frags[to->nr_frags - 1], size);
			continue;
		}
		get_page(page);
		skb_fill_page_desc(gso, to->nr_frags, page, skb_frag_off(frag),
				   size);
	}
	gso->len += seg->data_len;
	gso->data_len += seg->data_len;
	gso->truesize += seg->data_len;
	return true;
}

/**
 * mytcp_gso_mark() - make a built packet a GSO packet
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

static const struct net_offload mytcp_offload = {
	.callbacks = {
		.gso_segment = mytcp_gso_segment,
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
