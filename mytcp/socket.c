// SPDX-License-Identifier: GPL-2.0
/*
 * the AF_MYTCP socket family: socket creation, release,
 * and the table of socket calls.  Calls that are not implemented yet fail
 * with EOPNOTSUPP.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/net.h>
#include <net/sock.h>
#include <net/mytcp.h>

struct proto mytcp_prot = {
	.name		= "MYTCP",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct mytcp_sock),
};

static int mytcp_release_socket(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;

	lock_sock(sk);
	sock_orphan(sk);
	release_sock(sk);
	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

static int mytcp_handle_ioctl(struct socket *sock, unsigned int cmd,
			      unsigned long arg)
{
	return -ENOIOCTLCMD;
}

static const struct proto_ops mytcp_stream_ops = {
	.family		= PF_MYTCP,
	.owner		= THIS_MODULE,
	.release	= mytcp_release_socket,
	.bind		= sock_no_bind,
	.connect	= sock_no_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= sock_no_getname,
	.ioctl		= mytcp_handle_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.sendmsg	= sock_no_sendmsg,
	.recvmsg	= sock_no_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};

/* The errnos are inet_create()'s for the same mistakes. */
static int mytcp_create_socket(struct net *net, struct socket *sock,
			       int protocol, int kern)
{
	struct sock *sk;

	if (sock->type != SOCK_STREAM)
		return -ESOCKTNOSUPPORT;
	if (protocol && protocol != IPPROTO_MYTCP)
		return -EPROTONOSUPPORT;

	sk = sk_alloc(net, PF_MYTCP, GFP_KERNEL, &mytcp_prot, kern);
	if (!sk)
		return -ENOBUFS;

	sock->state = SS_UNCONNECTED;
	sock->ops = &mytcp_stream_ops;
	sock_init_data(sock, sk);
	sk->sk_protocol = IPPROTO_MYTCP;
	sk->sk_state = MYTCP_CLOSE;
	return 0;
}

static const struct net_proto_family mytcp_family = {
	.family	= PF_MYTCP,
	.create	= mytcp_create_socket,
	.owner	= THIS_MODULE,
};

/* Name whoever holds our family slot, by asking it for a socket. */
static void mytcp_report_family_conflict(void)
{
	struct socket *sock;
	int err;

	err = sock_create_kern(&init_net, PF_MYTCP, SOCK_STREAM, 0, &sock);
	if (err) {
		pr_err("address family %d (AF_NETBEUI's slot) is already registered by another module; not loading\n",
		       PF_MYTCP);
		return;
	}
	pr_err("address family %d (AF_NETBEUI's slot) is already registered by %s; not loading\n",
	       PF_MYTCP, sock->ops->owner ? module_name(sock->ops->owner) :
	       "the kernel");
	sock_release(sock);
}

/**
 * mytcp_register_family() - register the AF_MYTCP socket family
 *
 * Return: 0, or -EEXIST when the slot is taken; the kernel log then names
 * the module that holds it.
 */
int mytcp_register_family(void)
{
	int err;

	err = sock_register(&mytcp_family);
	if (err == -EEXIST)
		mytcp_report_family_conflict();
	return err;
}

/**
 * mytcp_unregister_family() - unregister the AF_MYTCP socket family
 *
 * No new socket can be created afterwards; existing ones hold a reference
 * on the module, so unloading waits for them to close.
 */
void mytcp_unregister_family(void)
{
	sock_unregister(PF_MYTCP);
}
