// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: the per-namespace, per-CPU counter arrays (their allocation
 * and release), their names, and /proc/net/mytcp_snmp, which prints their
 * sums over all CPUs in the style of /proc/net/snmp.  The counting itself
 * is done where things happen, with mytcp_inc_stats() and friends.
 */
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/mytcp.h>

static const char *const mytcp_mib_names[] = {
	[MYTCP_MIB_ACTIVEOPENS]		= "ActiveOpens",
	[MYTCP_MIB_PASSIVEOPENS]	= "PassiveOpens",
	[MYTCP_MIB_ATTEMPTFAILS]	= "AttemptFails",
	[MYTCP_MIB_ESTABRESETS]		= "EstabResets",
	[MYTCP_MIB_CURRESTAB]		= "CurrEstab",
	[MYTCP_MIB_INSEGS]		= "InSegs",
	[MYTCP_MIB_OUTSEGS]		= "OutSegs",
	[MYTCP_MIB_RETRANSSEGS]		= "RetransSegs",
	[MYTCP_MIB_INERRS]		= "InErrs",
	[MYTCP_MIB_OUTRSTS]		= "OutRsts",
	[MYTCP_MIB_CSUMERRORS]		= "InCsumErrors",
};

static_assert(ARRAY_SIZE(mytcp_mib_names) == MYTCP_MIB_MAX);

static const char *const mytcp_ext_names[] = {
	[MYTCP_EXT_EMBRYONICRSTS]	= "EmbryonicRsts",
	[MYTCP_EXT_LISTENOVERFLOWS]	= "ListenOverflows",
	[MYTCP_EXT_LISTENDROPS]		= "ListenDrops",
	[MYTCP_EXT_REQQFULLDROP]	= "TCPReqQFullDrop",
	[MYTCP_EXT_TWCREATED]		= "TWCreated",
	[MYTCP_EXT_TW]			= "TW",
	[MYTCP_EXT_TWKILLED]		= "TWKilled",
	[MYTCP_EXT_TWRECYCLED]		= "TWRecycled",
	[MYTCP_EXT_TWOVERFLOW]		= "TCPTimeWaitOverflow",
	[MYTCP_EXT_SYNRETRANS]		= "TCPSynRetrans",
	[MYTCP_EXT_TIMEOUTS]		= "TCPTimeouts",
	[MYTCP_EXT_ABORTONTIMEOUT]	= "TCPAbortOnTimeout",
	[MYTCP_EXT_KEEPALIVE]		= "TCPKeepAlive",
	[MYTCP_EXT_WINPROBE]		= "TCPWinProbe",
	[MYTCP_EXT_FINWAIT2TIMEOUTS]	= "FinWait2Timeouts",
	[MYTCP_EXT_ABORTONCLOSE]	= "TCPAbortOnClose",
	[MYTCP_EXT_ABORTONDATA]		= "TCPAbortOnData",
	[MYTCP_EXT_ABORTONMEMORY]	= "TCPAbortOnMemory",
	[MYTCP_EXT_CHALLENGEACK]	= "TCPChallengeACK",
	[MYTCP_EXT_SYNCHALLENGE]	= "TCPSYNChallenge",
	[MYTCP_EXT_OUTOFWINDOW]		= "OutOfWindowDrops",
	[MYTCP_EXT_RCVQDROP]		= "TCPRcvQDrop",
	[MYTCP_EXT_BACKLOGDROP]		= "TCPBacklogDrop",
	[MYTCP_EXT_NOSOCKET]		= "InNoSocket",
	[MYTCP_EXT_SHORTSEGS]		= "InShortSegs",
	[MYTCP_EXT_BADOFFSET]		= "InBadOffset",
	[MYTCP_EXT_SYNCOOKIESSENT]	= "SyncookiesSent",
	[MYTCP_EXT_SYNCOOKIESRECV]	= "SyncookiesRecv",
	[MYTCP_EXT_SYNCOOKIESFAILED]	= "SyncookiesFailed",
	[MYTCP_EXT_REQQFULLDOCOOKIES]	= "TCPReqQFullDoCookies",
	[MYTCP_EXT_ACKSKIPPEDCHALLENGE]	= "TCPACKSkippedChallenge",
	[MYTCP_EXT_SYNACKPRESSUREDROPS]	= "SynAckPressureDrops",
	[MYTCP_EXT_SYNSOURCEDROPS]	= "SynSourceDrops",
	/* receiver: reassembly and receive memory */
	[MYTCP_EXT_OFOQUEUE]		= "TCPOFOQueue",
	[MYTCP_EXT_OFODROP]		= "TCPOFODrop",
	[MYTCP_EXT_OFOMERGE]		= "TCPOFOMerge",
	[MYTCP_EXT_PRUNECALLED]		= "PruneCalled",
	[MYTCP_EXT_RCVPRUNED]		= "RcvPruned",
	[MYTCP_EXT_OFOPRUNED]		= "OfoPruned",
	[MYTCP_EXT_ZEROWINDOWDROP]	= "TCPZeroWindowDrop",
	/* receiver: delayed ACKs */
	[MYTCP_EXT_DELAYEDACKS]		= "DelayedACKs",
	[MYTCP_EXT_DELAYEDACKLOCKED]	= "DelayedACKLocked",
	[MYTCP_EXT_DELAYEDACKLOST]	= "DelayedACKLost",
	/* sender: */
	[MYTCP_EXT_FASTRETRANS]		= "TCPFastRetrans",
	[MYTCP_EXT_RENORECOVERY]	= "TCPRenoRecovery",
	[MYTCP_EXT_SLOWSTARTRETRANS]	= "TCPSlowStartRetrans",
	/* memory: */
	[MYTCP_EXT_MEMORYPRESSURES]	= "TCPMemoryPressures",
	[MYTCP_EXT_MEMORYPRESSURESCHRONO] = "TCPMemoryPressuresChrono",
	/* sender: SACK (sack.c) */
	[MYTCP_EXT_SACKRECOVERY]	= "TCPSackRecovery",
	[MYTCP_EXT_SACKRECOVERYFAIL]	= "TCPSackRecoveryFail",
	[MYTCP_EXT_SACKRENEGING]	= "TCPSACKReneging",
	[MYTCP_EXT_SACKDISCARD]		= "TCPSACKDiscard",
	[MYTCP_EXT_SACKREORDER]		= "TCPSACKReorder",
	/* timestamps (tstamp.c) */
	[MYTCP_EXT_PAWSESTAB]		= "PAWSEstab",
	[MYTCP_EXT_LOSTRETRANSMIT]	= "TCPLostRetransmit",
	[MYTCP_EXT_LOSSPROBES]		= "TCPLossProbes",
};

static_assert(ARRAY_SIZE(mytcp_ext_names) == MYTCP_EXT_MAX);

/**
 * mytcp_alloc_stats() - allocate a namespace's counters, all zero
 * @net: the namespace
 *
 * Return: 0 or -ENOMEM.
 */
int mytcp_alloc_stats(struct net *net)
{
	struct mytcp_net *mn = mytcp_net(net);

	mn->mib = alloc_percpu(struct mytcp_mib);
	if (!mn->mib)
		return -ENOMEM;
	mn->ext_mib = alloc_percpu(struct mytcp_ext_mib);
	if (!mn->ext_mib) {
		free_percpu(mn->mib);
		mn->mib = NULL;
		return -ENOMEM;
	}
	return 0;
}

/**
 * mytcp_free_stats() - release them, once nothing in @net can count
 * @net: the namespace
 */
void mytcp_free_stats(struct net *net)
{
	struct mytcp_net *mn = mytcp_net(net);

	free_percpu(mn->ext_mib);
	free_percpu(mn->mib);
	mn->ext_mib = NULL;
	mn->mib = NULL;
}

/* A pair of lines: "prefix: names..." and "prefix: values...". */
static void mytcp_show_mib(struct seq_file *seq, const char *prefix,
			   const char *const *names, void __percpu *mib, int n)
{
	int i;

	seq_printf(seq, "%s:", prefix);
	for (i = 0; i < n; i++)
		seq_printf(seq, " %s", names[i]);
	seq_printf(seq, "\n%s:", prefix);
	/* A gauge's per-CPU parts may wrap; their sum is still right. */
	for (i = 0; i < n; i++)
		seq_printf(seq, " %lu", snmp_fold_field(mib, i));
	seq_putc(seq, '\n');
}

static int mytcp_show_stats(struct seq_file *seq, void *v)
{
	struct mytcp_net *mn = mytcp_net(seq_file_single_net(seq));

	mytcp_show_mib(seq, "Mytcp", mytcp_mib_names, mn->mib, MYTCP_MIB_MAX);
	mytcp_show_mib(seq, "MytcpExt", mytcp_ext_names, mn->ext_mib,
		       MYTCP_EXT_MAX);
	return 0;
}

/**
 * mytcp_create_stats_proc() - create /proc/net/mytcp_snmp in a namespace
 * @net: the namespace, its counters allocated
 *
 * Return: 0 or -ENOMEM.
 */
int mytcp_create_stats_proc(struct net *net)
{
	if (!proc_create_net_single("mytcp_snmp", 0444, net->proc_net,
				    mytcp_show_stats, NULL))
		return -ENOMEM;
	return 0;
}

/**
 * mytcp_remove_stats_proc() - remove /proc/net/mytcp_snmp
 * @net: the namespace
 */
void mytcp_remove_stats_proc(struct net *net)
{
	remove_proc_entry("mytcp_snmp", net->proc_net);
}
