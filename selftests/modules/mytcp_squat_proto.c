// SPDX-License-Identifier: GPL-2.0
/*
 * selftest helper: takes IP protocol IPPROTO_MYTCP
 * so that loading mytcp must fail.
 */
#include <linux/module.h>
#include <linux/skbuff.h>
#include <net/protocol.h>
#include <uapi/linux/mytcp.h>

static int mytcp_squat_receive(struct sk_buff *skb)
{
	kfree_skb(skb);
	return 0;
}

static const struct net_protocol mytcp_squat_protocol = {
	.handler	= mytcp_squat_receive,
	.no_policy	= 1,
};

static int __init mytcp_squat_init(void)
{
	return inet_add_protocol(&mytcp_squat_protocol, IPPROTO_MYTCP) ? -EBUSY : 0;
}

static void __exit mytcp_squat_exit(void)
{
	inet_del_protocol(&mytcp_squat_protocol, IPPROTO_MYTCP);
}

module_init(mytcp_squat_init);
module_exit(mytcp_squat_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mytcp selftest helper: occupies IP protocol 253");
