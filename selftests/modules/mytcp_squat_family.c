// SPDX-License-Identifier: GPL-2.0
/*
 * selftest helper: registers a socket family in
 * mytcp's slot (AF_MYTCP) so that loading mytcp must fail.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <uapi/linux/mytcp.h>

static int mytcp_squat_release(struct socket *sock)
{
	return 0;
}

static const struct proto_ops mytcp_squat_ops = {
	.family		= PF_MYTCP,
	.owner		= THIS_MODULE,
	.release	= mytcp_squat_release,
};

static int mytcp_squat_create(struct net *net, struct socket *sock,
			      int protocol, int kern)
{
	sock->ops = &mytcp_squat_ops;
	return 0;
}

static const struct net_proto_family mytcp_squat_family = {
	.family	= PF_MYTCP,
	.create	= mytcp_squat_create,
	.owner	= THIS_MODULE,
};

static int __init mytcp_squat_init(void)
{
	return sock_register(&mytcp_squat_family);
}

static void __exit mytcp_squat_exit(void)
{
	sock_unregister(PF_MYTCP);
}

module_init(mytcp_squat_init);
module_exit(mytcp_squat_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mytcp selftest helper: occupies the AF_MYTCP slot");
