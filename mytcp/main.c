// SPDX-License-Identifier: GPL-2.0
/*
 * module load and unload: the order in which mytcp's parts
 * come up and go down, and the per-namespace set-up.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/net.h>
#include <net/net_namespace.h>
#include <net/mytcp.h>

unsigned int mytcp_net_id __read_mostly;

static int __net_init mytcp_init_net(struct net *net)
{
	struct mytcp_net *mn = mytcp_net(net);
	int err;

	mytcp_set_default_sysctls(mn);
	/* First: everything after it may count. */
	err = mytcp_alloc_stats(net);
	if (err)
		return err;
	err = mytcp_init_tables(net);
	if (err)
		goto out_stats;
	err = mytcp_create_ctl_sock(net);
	if (err)
		goto out_tables;
	err = mytcp_register_sysctls(net);
	if (err)
		goto out_ctl;
	err = mytcp_create_proc(net);
	if (err)
		goto out_sysctl;
	err = mytcp_create_stats_proc(net);
	if (err)
		goto out_proc;
	err = mytcp_create_sockstat_proc(net);
	if (err)
		goto out_stats_proc;
	return 0;

out_stats_proc:
	mytcp_remove_stats_proc(net);
out_proc:
	mytcp_remove_proc(net);
out_sysctl:
	mytcp_unregister_sysctls(net);
out_ctl:
	mytcp_destroy_ctl_sock(net);
out_tables:
	mytcp_free_tables(net);
out_stats:
	mytcp_free_stats(net);
	return err;
}

static void __net_exit mytcp_exit_net(struct net *net)
{
	mytcp_remove_sockstat_proc(net);
	mytcp_remove_stats_proc(net);
	mytcp_remove_proc(net);
	mytcp_unregister_sysctls(net);
	mytcp_purge_tw(net);
	mytcp_destroy_ctl_sock(net);
	mytcp_free_tables(net);
	/* Last: purging TIME-WAIT waits for timers that may still count. */
	mytcp_free_stats(net);
}

static struct pernet_operations mytcp_net_ops = {
	.init	= mytcp_init_net,
	.exit	= mytcp_exit_net,
	.id	= &mytcp_net_id,
	.size	= sizeof(struct mytcp_net),
};

static int __init mytcp_init(void)
{
	int err;

	mytcp_init_isn_secret();
	mytcp_init_cookie_secret();
	mytcp_init_cong();
	err = mytcp_init_mem();
	if (err)
		goto out_cong;
	err = mytcp_init_orphans();
	if (err)
		goto out_mem;
	err = mytcp_create_tw_cache();
	if (err)
		goto out_orphans;
	mytcp_init_registry();
	mytcp_set_proto_mem(&mytcp_prot);
	err = proto_register(&mytcp_prot, 1);
	if (err)
		goto out_tw;
	err = register_pernet_subsys(&mytcp_net_ops);
	if (err)
		goto out_proto;
	err = mytcp_register_mem_sysctls();
	if (err)
		goto out_pernet;
	err = mytcp_register_protocol();
	if (err)
		goto out_mem_sysctls;
	err = mytcp_register_offload();
	if (err)
		goto out_protocol;
	/* Last: from here on userspace can create sockets. */
	err = mytcp_register_family();
	if (err)
		goto out_offload;
	pr_info("loaded: AF_MYTCP %d, IP protocol %d\n", AF_MYTCP,
		IPPROTO_MYTCP);
	return 0;

out_offload:
	mytcp_unregister_offload();
out_protocol:
	mytcp_unregister_protocol();
out_mem_sysctls:
	mytcp_unregister_mem_sysctls();
out_pernet:
	unregister_pernet_subsys(&mytcp_net_ops);
out_proto:
	proto_unregister(&mytcp_prot);
out_tw:
	mytcp_exit_registry();
	mytcp_destroy_tw_cache();
out_orphans:
	mytcp_exit_orphans();
out_mem:
	mytcp_exit_mem();
out_cong:
	mytcp_exit_cong();
	return err;
}

static void __exit mytcp_exit(void)
{
	mytcp_unregister_family();
	mytcp_unregister_offload();
	mytcp_unregister_protocol();
	mytcp_unregister_mem_sysctls();
	unregister_pernet_subsys(&mytcp_net_ops);
	proto_unregister(&mytcp_prot);
	mytcp_exit_registry();
	mytcp_destroy_tw_cache();
	mytcp_exit_orphans();
	mytcp_exit_mem();
	mytcp_exit_cong();
}

module_init(mytcp_init);
module_exit(mytcp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mytcp: a TCP-like reliable byte-stream transport in its own socket family");
MODULE_ALIAS_NETPROTO(PF_MYTCP);
