// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/mytcp: one row per socket of the reader's
 * namespace, in the columns and encodings of /proc/net/tcp.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/mytcp.h>

/* Rows are padded to the width /proc/net/tcp uses, newline included. */
#define MYTCP_PROC_ROW_WIDTH	150

static void *mytcp_start_proc(struct seq_file *seq, loff_t *pos)
{
	/* No socket is hashed yet, so the header is the only row. */
	return *pos ? NULL : SEQ_START_TOKEN;
}

static void *mytcp_next_proc(struct seq_file *seq, void *v, loff_t *pos)
{
	++*pos;
	return NULL;
}

static void mytcp_stop_proc(struct seq_file *seq, void *v)
{
}

static int mytcp_show_proc(struct seq_file *seq, void *v)
{
	if (v == SEQ_START_TOKEN)
		seq_printf(seq, "%-*s\n", MYTCP_PROC_ROW_WIDTH - 1,
			   "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
	return 0;
}

static const struct seq_operations mytcp_proc_ops = {
	.start	= mytcp_start_proc,
	.next	= mytcp_next_proc,
	.stop	= mytcp_stop_proc,
	.show	= mytcp_show_proc,
};

/**
 * mytcp_create_proc() - create /proc/net/mytcp in a namespace
 * @net: the namespace
 *
 * Return: 0 or -ENOMEM.
 */
int mytcp_create_proc(struct net *net)
{
	if (!proc_create_net("mytcp", 0444, net->proc_net, &mytcp_proc_ops,
			     sizeof(struct seq_net_private)))
		return -ENOMEM;
	return 0;
}

/**
 * mytcp_remove_proc() - remove /proc/net/mytcp from a namespace
 * @net: the namespace
 */
void mytcp_remove_proc(struct net *net)
{
	remove_proc_entry("mytcp", net->proc_net);
}
