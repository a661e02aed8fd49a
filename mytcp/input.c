// SPDX-License-Identifier: GPL-2.0
/*
 * the IPv4 protocol handler for IPPROTO_MYTCP: where every
 * received segment and every ICMP error about one enters mytcp.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/skbuff.h>
#include <net/protocol.h>
#include <net/mytcp.h>

/*
 * No socket can be reached yet: every segment is consumed here, so the
 * stack neither answers "protocol unreachable" nor hands it to anyone.
 */
static int mytcp_receive_segment(struct sk_buff *skb)
{
	kfree_skb(skb);
	return 0;
}

static int mytcp_receive_icmp(struct sk_buff *skb, u32 info)
{
	return 0;
}

static const struct net_protocol mytcp_ip_protocol = {
	.handler	= mytcp_receive_segment,
	.err_handler	= mytcp_receive_icmp,
	.no_policy	= 1,
};

/**
 * mytcp_register_protocol() - take IP protocol number IPPROTO_MYTCP
 *
 * Return: 0, or -EBUSY when another handler holds the number; the
 * kernel log then names that handler.
 */
int mytcp_register_protocol(void)
{
	const struct net_protocol *other;

	if (!inet_add_protocol(&mytcp_ip_protocol, IPPROTO_MYTCP))
		return 0;

	rcu_read_lock();
	other = rcu_dereference(inet_protos[IPPROTO_MYTCP]);
	if (other)
		pr_err("IP protocol %d is already handled by %pS; not loading\n",
		       IPPROTO_MYTCP, other->handler);
	else
		pr_err("IP protocol %d could not be registered; not loading\n",
		       IPPROTO_MYTCP);
	rcu_read_unlock();
	return -EBUSY;
}

/**
 * mytcp_unregister_protocol() - give IPPROTO_MYTCP back
 *
 * inet_del_protocol() waits until no CPU can still be inside the handler.
 */
void mytcp_unregister_protocol(void)
{
	inet_del_protocol(&mytcp_ip_protocol, IPPROTO_MYTCP);
}
