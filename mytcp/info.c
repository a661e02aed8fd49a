// SPDX-License-Identifier: GPL-2.0
/*
 * MYTCP_INFO: a connection's state in the layout of TCP's struct tcp_info,
 * with the fields mytcp keeps; the others read zero.
 */
#include <linux/tcp.h>
#include <linux/uaccess.h>
#include <net/sock.h>
#include <net/mytcp.h>

/* jiffies since @stamp, in ms; 0 when it never happened. */
static u32 mytcp_ms_since(unsigned long stamp)
{
	return stamp ? jiffies_to_msecs(jiffies - stamp) : 0;
}

/* Fill @info from @sk, which the caller holds locked. */
static void mytcp_fill_info(struct sock *sk, struct tcp_info *info)
{
	const struct mytcp_sock *msk = mytcp_sk(sk);

	memset(info, 0, sizeof(*info));
	info->tcpi_state = sk->sk_state;
	if (sk->sk_state == MYTCP_LISTEN)
		return;
	info->tcpi_ca_state = msk->ca_state;
	info->tcpi_retransmits = msk->retransmits;
	info->tcpi_probes = msk->probes_out;
	info->tcpi_backoff = msk->backoff;
	if (msk->snd_wscale || msk->rcv_wscale)
		info->tcpi_options |= TCPI_OPT_WSCALE;
	if (msk->sack_ok)
		info->tcpi_options |= TCPI_OPT_SACK;
	if (msk->ts_ok)
		info->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	info->tcpi_snd_wscale = msk->snd_wscale;
	info->tcpi_rcv_wscale = msk->rcv_wscale;
	info->tcpi_rto = jiffies_to_usecs(msk->rto);
	info->tcpi_ato = jiffies_to_usecs(msk->ato);
	info->tcpi_snd_mss = msk->mss_cache;
	info->tcpi_rcv_mss = msk->rcv_mss;
	info->tcpi_unacked = msk->packets_out;
	info->tcpi_last_data_sent = mytcp_ms_since(msk->lsndtime);
	if (msk->lrcvtime)
		info->tcpi_last_data_recv =
			jiffies_to_msecs((u32)jiffies - msk->lrcvtime);
	info->tcpi_last_ack_recv = mytcp_ms_since(msk->rcv_tstamp);
	info->tcpi_rtt = msk->rtt.srtt_us >> 3;
	info->tcpi_rttvar = msk->rtt.rttvar_us >> 2;
	info->tcpi_rcv_ssthresh = msk->rcv_ssthresh;
	info->tcpi_snd_ssthresh = msk->snd_ssthresh;
	info->tcpi_snd_cwnd = msk->snd_cwnd;
	info->tcpi_advmss = msk->advmss;
	info->tcpi_reordering = msk->sack_ok ? mytcp_sack_dupthresh(&msk->sack) :
						MYTCP_DUPTHRESH;
	info->tcpi_total_retrans = msk->total_retrans;
	info->tcpi_notsent_bytes = msk->write_seq - msk->snd_nxt;
	info->tcpi_snd_wnd = msk->snd_wnd;	/* kept scaled */
}

/**
 * mytcp_get_info - the MYTCP_INFO getsockopt
 * @sk: the socket
 * @optval: the user's buffer
 * @optlen: its length in, the length written out
 * @len: the length the caller read from @optlen, not negative
 *
 * Copies as much of struct tcp_info as fits, as TCP_INFO does.
 *
 * Return: 0 or -EFAULT.
 */
int mytcp_get_info(struct sock *sk, char __user *optval, int __user *optlen,
		   int len)
{
	struct tcp_info info;

	lock_sock(sk);
	mytcp_fill_info(sk, &info);
	release_sock(sk);
	len = min_t(unsigned int, len, sizeof(info));
	if (put_user(len, optlen) || copy_to_user(optval, &info, len))
		return -EFAULT;
	return 0;
}
