// SPDX-License-Identifier: GPL-2.0
/*
 * SYN cookies: the initial sequence number of a SYN-ACK that carries, in
 * itself, what a listener needs to make the connection when the final ACK
 * comes back, so that no state is kept for the SYN.
 *
 * The cookie, for the 4-tuple T and the peer's ISN r, is
 *
 *	H(k0, T, r) + (c << 24) + ((H(k1, T, r, c) + m) mod 2^24)
 *
 * with H siphash under two per-boot keys, c a clock ticking every 64 s
 * (its low 8 bits are in the cookie) and m the index of the MSS in a
 * table of four.  The ACK's ack - 1 gives the cookie back, its seq - 1
 * gives r: subtracting the first hash leaves c, whose age must be at
 * most MYTCP_COOKIE_MAX_AGE ticks, and then m, which must index the
 * table.  r is hashed, not added, so that a wrong r spoils the cookie
 * instead of shifting m.  A forger who does not know the keys hits a
 * valid cookie for a 4-tuple and ISN with a chance of about 4 in 2^24
 * per guess and clock tick.
 */
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <net/mytcp.h>

/* The MSS values a cookie can carry: common paths' (TCP chose the same). */
static const u16 mytcp_cookie_mss[] = { 536, 1300, 1440, 1460 };

static struct mytcp_cookie_keys mytcp_cookie_secret __read_mostly;

/**
 * mytcp_init_cookie_secret() - draw the per-boot cookie keys
 */
void mytcp_init_cookie_secret(void)
{
	get_random_bytes(&mytcp_cookie_secret, sizeof(mytcp_cookie_secret));
}

/**
 * mytcp_cookie_clock() - the cookie clock: seconds since boot / 64
 *
 * Return: the tick.
 */
u32 mytcp_cookie_clock(void)
{
	return (u32)(ktime_get_seconds() >> 6);
}

/* What is hashed: the tuple, the peer's ISN, the clock (0 for H(k0)). */
struct mytcp_cookie_input {
	__be32	laddr;
	__be32	raddr;
	__be16	lport;
	__be16	rport;
	u32	rseq;
	u32	count;
};

static u32 mytcp_cookie_hash(const siphash_key_t *key,
			     const struct mytcp_cookie_tuple *t, u32 rseq, u32 count)
{
	const struct mytcp_cookie_input in = {
		.laddr = t->laddr, .raddr = t->raddr,
		.lport = t->lport, .rport = t->rport,
		.rseq = rseq, .count = count,
	};

	return (u32)siphash(&in, sizeof(in), key);
}

/**
 * mytcp_cookie_mss_index() - the table entry for a peer's MSS
 * @mss: the MSS the peer announced
 *
 * Return: the index of the largest table MSS not above @mss (0 when
 * @mss is below them all).
 */
unsigned int mytcp_cookie_mss_index(u16 mss)
{
	unsigned int i = ARRAY_SIZE(mytcp_cookie_mss) - 1;

	while (i && mytcp_cookie_mss[i] > mss)
		i--;
	return i;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_cookie_mss_index);

/**
 * mytcp_cookie_mss_value() - the MSS of a table entry
 * @index: an index below MYTCP_COOKIE_MSS_NUM
 *
 * Return: the MSS.
 */
u16 mytcp_cookie_mss_value(unsigned int index)
{
	return mytcp_cookie_mss[index];
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_cookie_mss_value);

static_assert(ARRAY_SIZE(mytcp_cookie_mss) == MYTCP_COOKIE_MSS_NUM);

/**
 * mytcp_encode_cookie() - the cookie ISN for a SYN
 * @keys: the two hash keys
 * @t: the 4-tuple, seen from the listener
 * @rseq: the peer's ISN (the SYN's sequence number)
 * @count: the cookie clock now
 * @mss_index: which MSS of the table
 *
 * Return: the cookie.
 */
u32 mytcp_encode_cookie(const struct mytcp_cookie_keys *keys,
			const struct mytcp_cookie_tuple *t, u32 rseq, u32 count,
			unsigned int mss_index)
{
	return mytcp_cookie_hash(&keys->k[0], t, rseq, 0) + (count << 24) +
	       ((mytcp_cookie_hash(&keys->k[1], t, rseq, count) + mss_index) &
		MYTCP_COOKIE_LOW_MASK);
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_encode_cookie);

/**
 * mytcp_decode_cookie() - check a cookie that came back
 * @keys: the two hash keys
 * @t: the 4-tuple, seen from the listener
 * @rseq: the peer's ISN (the ACK's sequence number - 1)
 * @cookie: the ACK's acknowledgment number - 1
 * @now: the cookie clock now
 *
 * Return: the MSS index the cookie carries, or -1 when it is not one of
 * ours, or too old.
 */
int mytcp_decode_cookie(const struct mytcp_cookie_keys *keys,
			const struct mytcp_cookie_tuple *t, u32 rseq, u32 cookie,
			u32 now)
{
	u32 rest = cookie - mytcp_cookie_hash(&keys->k[0], t, rseq, 0);
	u32 age = (now - (rest >> 24)) & 0xff;
	u32 count = now - age;
	u32 index;

	if (age > MYTCP_COOKIE_MAX_AGE)
		return -1;
	index = (rest - mytcp_cookie_hash(&keys->k[1], t, rseq, count)) &
		MYTCP_COOKIE_LOW_MASK;
	return index < MYTCP_COOKIE_MSS_NUM ? index : -1;
}
EXPORT_SYMBOL_IF_MYTCP_KUNIT(mytcp_decode_cookie);

/**
 * mytcp_make_cookie() - the cookie ISN for a SYN, with this boot's keys
 * @t: the 4-tuple, seen from the listener
 * @rseq: the SYN's sequence number
 * @mss: the MSS the peer announced; the cookie carries it rounded down
 *
 * Return: the cookie.
 */
u32 mytcp_make_cookie(const struct mytcp_cookie_tuple *t, u32 rseq, u16 mss)
{
	return mytcp_encode_cookie(&mytcp_cookie_secret, t, rseq,
				   mytcp_cookie_clock(),
				   mytcp_cookie_mss_index(mss));
}

/**
 * mytcp_check_cookie() - the MSS a returning cookie carries, if it is one
 * @t: the 4-tuple, seen from the listener
 * @rseq: the ACK's sequence number - 1
 * @cookie: the ACK's acknowledgment number - 1
 *
 * Return: the MSS, or 0 when the cookie is not valid.
 */
u16 mytcp_check_cookie(const struct mytcp_cookie_tuple *t, u32 rseq, u32 cookie)
{
	int index = mytcp_decode_cookie(&mytcp_cookie_secret, t, rseq, cookie,
					mytcp_cookie_clock());

	return index < 0 ? 0 : mytcp_cookie_mss[index];
}
