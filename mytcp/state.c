// SPDX-License-Identifier: GPL-2.0
/*
 * names of the connection states, and state changes with the counters
 * that follow them (CurrEstab, EstabResets).
 */
#include <linux/export.h>
#include <net/sock.h>
#include <net/mytcp.h>
#include "trace.h"

static const char *const mytcp_state_names[MYTCP_MAX_STATES] = {
	[MYTCP_ESTABLISHED]	= "ESTABLISHED",
	[MYTCP_SYN_SENT]	= "SYN-SENT",
	[MYTCP_SYN_RECV]	= "SYN-RECEIVED",
	[MYTCP_FIN_WAIT1]	= "FIN-WAIT-1",
	[MYTCP_FIN_WAIT2]	= "FIN-WAIT-2",
	[MYTCP_TIME_WAIT]	= "TIME-WAIT",
	[MYTCP_CLOSE]		= "CLOSED",
	[MYTCP_CLOSE_WAIT]	= "CLOSE-WAIT",
	[MYTCP_LAST_ACK]	= "LAST-ACK",
	[MYTCP_LISTEN]		= "LISTEN",
	[MYTCP_CLOSING]		= "CLOSING",
	[MYTCP_NEW_SYN_RECV]	= "NEW-SYN-RECV",
};

/**
 * mytcp_state_name() - name of a connection state, as RFC 9293 spells it
 * @state: one of the MYTCP_* state numbers
 *
 * Return: a static string; "UNKNOWN" for a number that is no state.
 */
const char *mytcp_state_name(int state)
{
	if (state <= 0 || state >= MYTCP_MAX_STATES)
		return "UNKNOWN";
	return mytcp_state_names[state];
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_state_name);

/*
 * CurrEstab counts connections in ESTABLISHED or CLOSE-WAIT; EstabResets
 * those that went straight from one of them to CLOSED (RFC 4022).
 */
static void mytcp_count_state(struct sock *sk, int old, int state)
{
	struct net *net = sock_net(sk);
	bool was_estab = old == MYTCP_ESTABLISHED || old == MYTCP_CLOSE_WAIT;
	bool is_estab = state == MYTCP_ESTABLISHED || state == MYTCP_CLOSE_WAIT;

	if (was_estab && state == MYTCP_CLOSE)
		mytcp_inc_stats(net, MYTCP_MIB_ESTABRESETS);
	if (is_estab && !was_estab)
		mytcp_inc_stats(net, MYTCP_MIB_CURRESTAB);
	else if (was_estab && !is_estab)
		mytcp_dec_stats(net, MYTCP_MIB_CURRESTAB);
}

/**
 * mytcp_set_state() - move a socket to a new connection state
 * @sk: the socket, locked
 * @state: the new state
 */
void mytcp_set_state(struct sock *sk, int state)
{
	trace_mytcp_state_change(sk, sk->sk_state, state);
	mytcp_count_state(sk, sk->sk_state, state);
	/* Pairs with the acquire of lockless readers (poll, /proc). */
	smp_store_release(&sk->sk_state, state);
}
