// SPDX-License-Identifier: GPL-2.0
/*
 * Initial sequence numbers (RFC 6528): a keyed hash of the 4-tuple plus
 * a clock, so that ISNs differ per connection, grow with time, and cannot
 * be predicted from those of other connections.
 */
#include <linux/export.h>
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <net/mytcp.h>

static siphash_key_t mytcp_isn_key __read_mostly;

/**
 * mytcp_init_isn_secret() - draw the per-boot ISN key
 */
void mytcp_init_isn_secret(void)
{
	get_random_bytes(&mytcp_isn_key, sizeof(mytcp_isn_key));
}

/**
 * mytcp_make_isn() - the ISN for a new connection
 * @saddr: local address
 * @daddr: remote address
 * @sport: local port
 * @dport: remote port
 *
 * ISN = M + F(4-tuple, key) where M ticks every 64 ns, RFC 6528's
 * suggestion of a clock of at least 4 us resolution.
 *
 * Return: the ISN.
 */
u32 mytcp_make_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport)
{
	u32 f = siphash_3u32((__force u32)saddr, (__force u32)daddr,
			     ((__force u32)sport << 16) | (__force u32)dport,
			     &mytcp_isn_key);

	return f + (u32)(ktime_get_real_ns() >> 6);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_make_isn);
