// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/sys/net/mytcp/: the per-namespace tunables, their
 * defaults (Linux TCP's) and their valid ranges.
 */
#include <linux/export.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>
#include <net/mytcp.h>

static int mytcp_one = 1;
static int mytcp_max_syn_retries = 127;		/* TCP's MAX_TCP_SYNCNT */
static int mytcp_max_synack_retries = 255;
static int mytcp_max_seconds = 24 * 3600;
static int mytcp_max_keepalive_time = 32767;	/* TCP's MAX_TCP_KEEPIDLE */
static int mytcp_max_keepalive_intvl = 32767;	/* TCP's MAX_TCP_KEEPINTVL */
static int mytcp_max_keepalive_probes = 127;	/* TCP's MAX_TCP_KEEPCNT */
static int mytcp_max_ratelimit_ms = 60 * 1000;
/* sender: */
static int mytcp_max_rto_ms = 120 * 1000;	/* TCP's TCP_RTO_MAX */
static int mytcp_min_rto_max_ms = 1000;
static int mytcp_max_retries = 255;

/**
 * mytcp_set_default_sysctls() - give a namespace Linux TCP's defaults
 * @mn: the namespace's mytcp state
 */
void mytcp_set_default_sysctls(struct mytcp_net *mn)
{
	mn->sysctl_syn_retries = 6;
	mn->sysctl_synack_retries = 5;
	mn->sysctl_fin_timeout = 60;
	mn->sysctl_msl = 30;		/* TIME-WAIT is 2 * MSL = 60 s, as in TCP */
	mn->sysctl_keepalive_time = 7200;
	mn->sysctl_keepalive_intvl = 75;
	mn->sysctl_keepalive_probes = 9;
	mn->sysctl_local_port_range[0] = 32768;
	mn->sysctl_local_port_range[1] = 60999;
	/* TCP sizes its own from its connection table; ours has 4096 chains. */
	mn->sysctl_max_syn_backlog = 128;
	mn->sysctl_abort_on_overflow = 0;
	mn->sysctl_syncookies = 1;
	mn->sysctl_invalid_ratelimit = 500;
	mn->sysctl_challenge_ack_limit = INT_MAX;	/* TCP's: no limit */
	mn->sysctl_synack_retries_pressure = 2;		/* TCP's floor */
	mn->sysctl_max_syn_per_source = 0;		/* TCP has no such limit */
	/* sender: TCP's TCP_RTO_MIN, TCP_RTO_MAX, tcp_retries2 and so on */
	mn->sysctl_rto_min_ms = 200;
	mn->sysctl_rto_max_ms = 120 * 1000;
	mn->sysctl_retries2 = 15;
	mn->sysctl_orphan_retries = 0;	/* TCP's: 8 while the orphan is alive */
	mn->sysctl_slow_start_after_idle = 1;
	mn->sysctl_sack = 1;
	mn->sysctl_timestamps = 1;
	strscpy(mn->sysctl_congestion_control, "reno",
		sizeof(mn->sysctl_congestion_control));
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_set_default_sysctls);

/**
 * mytcp_check_port_range() - validate an ephemeral port range
 * @range: low and high port, inclusive
 *
 * Return: 0 when 1 <= low <= high <= 65535, else -EINVAL.
 */
int mytcp_check_port_range(const int range[2])
{
	if (range[0] < 1 || range[1] > 65535 || range[0] > range[1])
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_check_port_range);

/* Both ports are written at once, and only as a valid pair. */
static int mytcp_handle_port_range(struct ctl_table *table, int write,
				   void *buffer, size_t *lenp, loff_t *ppos)
{
	int *range = table->data;
	int tmp[2] = { range[0], range[1] };
	struct ctl_table t = {
		.data = tmp,
		.maxlen = sizeof(tmp),
		.mode = table->mode,
	};
	int ret;

	ret = proc_dointvec(&t, write, buffer, lenp, ppos);
	if (ret || !write)
		return ret;
	if (mytcp_check_port_range(tmp))
		return -EINVAL;
	range[0] = tmp[0];
	range[1] = tmp[1];
	return 0;
}

/* sender: only the name of a registered algorithm is taken. */
static int mytcp_handle_congestion(struct ctl_table *table, int write,
				   void *buffer, size_t *lenp, loff_t *ppos)
{
	char name[MYTCP_CA_NAME_MAX];
	struct ctl_table t = {
		.data = name,
		.maxlen = sizeof(name),
		.mode = table->mode,
	};
	int ret;

	strscpy(name, table->data, sizeof(name));
	ret = proc_dostring(&t, write, buffer, lenp, ppos);
	if (ret || !write)
		return ret;
	if (!mytcp_cong_name_ok(name))
		return -ENOENT;
	strscpy(table->data, name, MYTCP_CA_NAME_MAX);
	return 0;
}

/* sender: the names of the registered algorithms, read only. */
static int mytcp_handle_available_cong(struct ctl_table *table, int write,
				       void *buffer, size_t *lenp, loff_t *ppos)
{
	char names[MYTCP_CA_BUF_MAX];
	struct ctl_table t = {
		.data = names,
		.maxlen = sizeof(names),
	};

	mytcp_get_available_cong(names, sizeof(names));
	return proc_dostring(&t, write, buffer, lenp, ppos);
}

#define MYTCP_INT_SYSCTL(name, field, min, max)			\
	{							\
		.procname	= name,				\
		.data		= &init_net_template.field,	\
		.maxlen		= sizeof(int),			\
		.mode		= 0644,				\
		.proc_handler	= proc_dointvec_minmax,		\
		.extra1		= min,				\
		.extra2		= max,				\
	}

/* Only the offsets of the fields matter: each namespace relocates them. */
static struct mytcp_net init_net_template;

static const struct ctl_table mytcp_sysctl_template[] = {
	MYTCP_INT_SYSCTL("syn_retries", sysctl_syn_retries,
			 &mytcp_one, &mytcp_max_syn_retries),
	MYTCP_INT_SYSCTL("synack_retries", sysctl_synack_retries,
			 SYSCTL_ZERO, &mytcp_max_synack_retries),
	MYTCP_INT_SYSCTL("fin_timeout", sysctl_fin_timeout,
			 &mytcp_one, &mytcp_max_seconds),
	MYTCP_INT_SYSCTL("msl", sysctl_msl,
			 &mytcp_one, &mytcp_max_seconds),
	MYTCP_INT_SYSCTL("keepalive_time", sysctl_keepalive_time,
			 &mytcp_one, &mytcp_max_keepalive_time),
	MYTCP_INT_SYSCTL("keepalive_intvl", sysctl_keepalive_intvl,
			 &mytcp_one, &mytcp_max_keepalive_intvl),
	MYTCP_INT_SYSCTL("keepalive_probes", sysctl_keepalive_probes,
			 &mytcp_one, &mytcp_max_keepalive_probes),
	MYTCP_INT_SYSCTL("max_syn_backlog", sysctl_max_syn_backlog,
			 SYSCTL_ZERO, SYSCTL_INT_MAX),
	MYTCP_INT_SYSCTL("abort_on_overflow", sysctl_abort_on_overflow,
			 SYSCTL_ZERO, SYSCTL_ONE),
	MYTCP_INT_SYSCTL("syncookies", sysctl_syncookies,
			 SYSCTL_ZERO, SYSCTL_TWO),
	MYTCP_INT_SYSCTL("invalid_ratelimit", sysctl_invalid_ratelimit,
			 SYSCTL_ZERO, &mytcp_max_ratelimit_ms),
	MYTCP_INT_SYSCTL("challenge_ack_limit", sysctl_challenge_ack_limit,
			 SYSCTL_ZERO, SYSCTL_INT_MAX),
	MYTCP_INT_SYSCTL("synack_retries_pressure", sysctl_synack_retries_pressure,
			 SYSCTL_ZERO, &mytcp_max_synack_retries),
	MYTCP_INT_SYSCTL("max_syn_per_source", sysctl_max_syn_per_source,
			 SYSCTL_ZERO, SYSCTL_INT_MAX),
	/* sender: */
	MYTCP_INT_SYSCTL("rto_min_ms", sysctl_rto_min_ms,
			 &mytcp_one, &mytcp_max_rto_ms),
	MYTCP_INT_SYSCTL("rto_max_ms", sysctl_rto_max_ms,
			 &mytcp_min_rto_max_ms, &mytcp_max_rto_ms),
	MYTCP_INT_SYSCTL("retries2", sysctl_retries2,
			 SYSCTL_ZERO, &mytcp_max_retries),
	MYTCP_INT_SYSCTL("orphan_retries", sysctl_orphan_retries,
			 SYSCTL_ZERO, &mytcp_max_retries),
	MYTCP_INT_SYSCTL("slow_start_after_idle", sysctl_slow_start_after_idle,
			 SYSCTL_ZERO, SYSCTL_ONE),
	MYTCP_INT_SYSCTL("sack", sysctl_sack, SYSCTL_ZERO, SYSCTL_ONE),
	MYTCP_INT_SYSCTL("timestamps", sysctl_timestamps, SYSCTL_ZERO, SYSCTL_ONE),
	{
		.procname	= "congestion_control",
		.data		= &init_net_template.sysctl_congestion_control,
		.maxlen		= MYTCP_CA_NAME_MAX,
		.mode		= 0644,
		.proc_handler	= mytcp_handle_congestion,
	},
	{
		/* As tcp_available_congestion_control; no field of its own. */
		.procname	= "available_congestion_control",
		.maxlen		= MYTCP_CA_BUF_MAX,
		.mode		= 0444,
		.proc_handler	= mytcp_handle_available_cong,
	},
	{
		.procname	= "local_port_range",
		.data		= &init_net_template.sysctl_local_port_range,
		.maxlen		= sizeof(init_net_template.sysctl_local_port_range),
		.mode		= 0644,
		.proc_handler	= mytcp_handle_port_range,
	},
	{ }
};

/**
 * mytcp_register_sysctls() - create /proc/sys/net/mytcp/ for a namespace
 * @net: the namespace
 *
 * Return: 0 or -ENOMEM.
 */
int mytcp_register_sysctls(struct net *net)
{
	struct mytcp_net *mn = mytcp_net(net);
	struct ctl_table *table;
	int i;

	table = kmemdup(mytcp_sysctl_template, sizeof(mytcp_sysctl_template),
			GFP_KERNEL);
	if (!table)
		return -ENOMEM;

	/* Point every entry at this namespace's copy of its field. */
	for (i = 0; table[i].procname; i++) {
		if (!table[i].data)
			continue;
		table[i].data = (char *)mn + ((char *)table[i].data -
					      (char *)&init_net_template);
	}

	mn->sysctl_hdr = register_net_sysctl(net, "net/mytcp", table);
	if (!mn->sysctl_hdr) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

/**
 * mytcp_unregister_sysctls() - remove /proc/sys/net/mytcp/ of a namespace
 * @net: the namespace
 */
void mytcp_unregister_sysctls(struct net *net)
{
	struct mytcp_net *mn = mytcp_net(net);
	struct ctl_table *table = mn->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(mn->sysctl_hdr);
	kfree(table);
}
