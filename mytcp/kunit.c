// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of mytcp's pure logic: sequence arithmetic, state
 * numbering and names, sysctl defaults and ranges, ISNs, MSS, window
 * scale and SYN options, the receiver's ACK timeout and window
 * arithmetic, the RTO estimator, Reno's and CUBIC's arithmetic and the SACK
 * scoreboard (on a queue of bare segments), which segments GRO may
 * merge, and the write queue's buffers of several segments (cut and
 * trimmed on a socket of their own).  Built only against a kernel with
 * CONFIG_KUNIT; needs mytcp.ko loaded.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <asm/unaligned.h>
#include <net/tcp.h>
#include <net/mytcp.h>

MODULE_IMPORT_NS(MYTCP_KUNIT);

static void mytcp_test_seq_order(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, mytcp_seq_before(1, 2));
	KUNIT_EXPECT_FALSE(test, mytcp_seq_before(2, 1));
	KUNIT_EXPECT_FALSE(test, mytcp_seq_before(5, 5));
	KUNIT_EXPECT_FALSE(test, mytcp_seq_after(5, 5));
	KUNIT_EXPECT_TRUE(test, mytcp_seq_after(2, 1));
}

static void mytcp_test_seq_wrap(struct kunit *test)
{
	/* 0xfffffff0 + 0x20 wraps to 0x10, which is after it. */
	KUNIT_EXPECT_TRUE(test, mytcp_seq_before(0xfffffff0U, 0x10U));
	KUNIT_EXPECT_TRUE(test, mytcp_seq_after(0x10U, 0xfffffff0U));
	/* Just under half the space ahead is after; just over is before. */
	KUNIT_EXPECT_TRUE(test, mytcp_seq_after(0x7fffffffU, 0));
	KUNIT_EXPECT_TRUE(test, mytcp_seq_before(0x80000001U, 0));
}

static void mytcp_test_seq_between(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, mytcp_seq_between(10, 10, 20));
	KUNIT_EXPECT_TRUE(test, mytcp_seq_between(20, 10, 20));
	KUNIT_EXPECT_TRUE(test, mytcp_seq_between(15, 10, 20));
	KUNIT_EXPECT_FALSE(test, mytcp_seq_between(9, 10, 20));
	KUNIT_EXPECT_FALSE(test, mytcp_seq_between(21, 10, 20));
	/* A window that straddles 2^32. */
	KUNIT_EXPECT_TRUE(test, mytcp_seq_between(0xffffffffU, 0xfffffff0U, 0x10U));
	KUNIT_EXPECT_TRUE(test, mytcp_seq_between(0x5U, 0xfffffff0U, 0x10U));
	KUNIT_EXPECT_FALSE(test, mytcp_seq_between(0x11U, 0xfffffff0U, 0x10U));
	KUNIT_EXPECT_FALSE(test, mytcp_seq_between(0xffffffefU, 0xfffffff0U, 0x10U));
}

static struct kunit_case mytcp_seq_cases[] = {
	KUNIT_CASE(mytcp_test_seq_order),
	KUNIT_CASE(mytcp_test_seq_wrap),
	KUNIT_CASE(mytcp_test_seq_between),
	{}
};

static struct kunit_suite mytcp_seq_suite = {
	.name = "mytcp_seq",
	.test_cases = mytcp_seq_cases,
};

/* /proc/net/mytcp shows TCP's state numbers: they must not drift. */
static void mytcp_test_state_numbers(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, MYTCP_ESTABLISHED, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, MYTCP_SYN_SENT, TCP_SYN_SENT);
	KUNIT_EXPECT_EQ(test, MYTCP_SYN_RECV, TCP_SYN_RECV);
	KUNIT_EXPECT_EQ(test, MYTCP_FIN_WAIT1, TCP_FIN_WAIT1);
	KUNIT_EXPECT_EQ(test, MYTCP_FIN_WAIT2, TCP_FIN_WAIT2);
	KUNIT_EXPECT_EQ(test, MYTCP_TIME_WAIT, TCP_TIME_WAIT);
	KUNIT_EXPECT_EQ(test, MYTCP_CLOSE, TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, MYTCP_CLOSE_WAIT, TCP_CLOSE_WAIT);
	KUNIT_EXPECT_EQ(test, MYTCP_LAST_ACK, TCP_LAST_ACK);
	KUNIT_EXPECT_EQ(test, MYTCP_LISTEN, TCP_LISTEN);
	KUNIT_EXPECT_EQ(test, MYTCP_CLOSING, TCP_CLOSING);
	KUNIT_EXPECT_EQ(test, MYTCP_NEW_SYN_RECV, TCP_NEW_SYN_RECV);
	KUNIT_EXPECT_EQ(test, MYTCP_MAX_STATES, TCP_MAX_STATES);
}

static void mytcp_test_state_names(struct kunit *test)
{
	int state;

	KUNIT_EXPECT_STREQ(test, mytcp_state_name(MYTCP_ESTABLISHED), "ESTABLISHED");
	KUNIT_EXPECT_STREQ(test, mytcp_state_name(MYTCP_SYN_RECV), "SYN-RECEIVED");
	KUNIT_EXPECT_STREQ(test, mytcp_state_name(MYTCP_CLOSE), "CLOSED");
	KUNIT_EXPECT_STREQ(test, mytcp_state_name(MYTCP_TIME_WAIT), "TIME-WAIT");
	KUNIT_EXPECT_STREQ(test, mytcp_state_name(MYTCP_CLOSING), "CLOSING");
	for (state = MYTCP_ESTABLISHED; state < MYTCP_MAX_STATES; state++) {
		KUNIT_EXPECT_NOT_NULL(test, mytcp_state_name(state));
		KUNIT_EXPECT_STRNEQ(test, mytcp_state_name(state), "UNKNOWN");
	}
	KUNIT_EXPECT_STREQ(test, mytcp_state_name(0), "UNKNOWN");
	KUNIT_EXPECT_STREQ(test, mytcp_state_name(-1), "UNKNOWN");
	KUNIT_EXPECT_STREQ(test, mytcp_state_name(MYTCP_MAX_STATES), "UNKNOWN");
}

static struct kunit_case mytcp_state_cases[] = {
	KUNIT_CASE(mytcp_test_state_numbers),
	KUNIT_CASE(mytcp_test_state_names),
	{}
};

static struct kunit_suite mytcp_state_suite = {
	.name = "mytcp_state",
	.test_cases = mytcp_state_cases,
};

/* The defaults are Linux TCP's, read from TCP's own constants. */
static void mytcp_test_sysctl_defaults(struct kunit *test)
{
	struct mytcp_net mn = {};

	mytcp_set_default_sysctls(&mn);
	/* sender: Linux's TCP_RTO_MIN, TCP_RTO_MAX and tcp_retries2 */
	KUNIT_EXPECT_EQ(test, msecs_to_jiffies(mn.sysctl_rto_min_ms),
			(unsigned long)TCP_RTO_MIN);
	KUNIT_EXPECT_EQ(test, msecs_to_jiffies(mn.sysctl_rto_max_ms),
			(unsigned long)TCP_RTO_MAX);
	KUNIT_EXPECT_EQ(test, mn.sysctl_retries2, TCP_RETR2);
	KUNIT_EXPECT_EQ(test, mn.sysctl_orphan_retries, 0);	/* tcp_orphan_retries */
	KUNIT_EXPECT_EQ(test, mn.sysctl_sack, 1);	/* tcp_sack */
	KUNIT_EXPECT_EQ(test, mn.sysctl_timestamps, 1);	/* tcp_timestamps */
	KUNIT_EXPECT_STREQ(test, mn.sysctl_congestion_control, "reno");
	KUNIT_EXPECT_EQ(test, mn.sysctl_syn_retries, TCP_SYN_RETRIES);
	KUNIT_EXPECT_EQ(test, mn.sysctl_synack_retries, TCP_SYNACK_RETRIES);
	KUNIT_EXPECT_EQ(test, mn.sysctl_fin_timeout, TCP_FIN_TIMEOUT / HZ);
	KUNIT_EXPECT_EQ(test, 2 * mn.sysctl_msl, TCP_TIMEWAIT_LEN / HZ);
	KUNIT_EXPECT_EQ(test, mn.sysctl_keepalive_time, TCP_KEEPALIVE_TIME / HZ);
	KUNIT_EXPECT_EQ(test, mn.sysctl_keepalive_intvl, TCP_KEEPALIVE_INTVL / HZ);
	KUNIT_EXPECT_EQ(test, mn.sysctl_keepalive_probes, TCP_KEEPALIVE_PROBES);
	KUNIT_EXPECT_EQ(test, mn.sysctl_local_port_range[0], 32768);
	KUNIT_EXPECT_EQ(test, mn.sysctl_local_port_range[1], 60999);
	KUNIT_EXPECT_EQ(test, mytcp_check_port_range(mn.sysctl_local_port_range), 0);
	KUNIT_EXPECT_EQ(test, mn.sysctl_abort_on_overflow, 0);
	KUNIT_EXPECT_EQ(test, mn.sysctl_syncookies, 1);
	KUNIT_EXPECT_EQ(test, mn.sysctl_invalid_ratelimit, 500);
	KUNIT_EXPECT_EQ(test, mn.sysctl_challenge_ack_limit, INT_MAX);
	KUNIT_EXPECT_EQ(test, mn.sysctl_synack_retries_pressure, 2);
	KUNIT_EXPECT_EQ(test, mn.sysctl_max_syn_per_source, 0);
}

static void mytcp_test_port_range(struct kunit *test)
{
	const int ok[][2] = { { 1, 65535 }, { 1000, 1000 }, { 32768, 60999 } };
	const int bad[][2] = { { 0, 100 }, { 100, 65536 }, { 2000, 1999 },
			       { -5, 10 } };
	int i;

	for (i = 0; i < ARRAY_SIZE(ok); i++)
		KUNIT_EXPECT_EQ(test, mytcp_check_port_range(ok[i]), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ(test, mytcp_check_port_range(bad[i]), -EINVAL);
}

static struct kunit_case mytcp_sysctl_cases[] = {
	KUNIT_CASE(mytcp_test_sysctl_defaults),
	KUNIT_CASE(mytcp_test_port_range),
	{}
};

static struct kunit_suite mytcp_sysctl_suite = {
	.name = "mytcp_sysctl",
	.test_cases = mytcp_sysctl_cases,
};

/* S11: ISNs differ per 4-tuple, grow with the clock, are not a counter. */
static void mytcp_test_isn(struct kunit *test)
{
	__be32 a = htonl(0xc6120001), b = htonl(0xc6120002);
	u32 first, again, other, later;

	first = mytcp_make_isn(a, b, htons(40000), htons(80));
	again = mytcp_make_isn(a, b, htons(40000), htons(80));
	other = mytcp_make_isn(a, b, htons(40001), htons(80));
	/* The same 4-tuple a moment later: a little further on the clock. */
	KUNIT_EXPECT_TRUE(test, mytcp_seq_after(again, first) || again == first);
	KUNIT_EXPECT_LT(test, again - first, 1000000000U >> 6);
	/* Another port: unrelated, not a step of a counter. */
	KUNIT_EXPECT_GT(test, min(other - first, first - other), 1000000U);
	msleep(20);
	later = mytcp_make_isn(a, b, htons(40000), htons(80));
	/* 20 ms at 64 ns a tick is 312500 ticks; allow a slow machine. */
	KUNIT_EXPECT_GE(test, later - first, 20000000U >> 6);
	KUNIT_EXPECT_LT(test, later - first, 5000000000ULL >> 6);
}

static void mytcp_test_mss(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mytcp_mss_for_mtu(1500), 1460);
	KUNIT_EXPECT_EQ(test, mytcp_mss_for_mtu(576), 536);
	KUNIT_EXPECT_EQ(test, mytcp_mss_for_mtu(68), MYTCP_MIN_MSS);
	KUNIT_EXPECT_EQ(test, mytcp_mss_for_mtu(65536), 65535 - 40);
}

static void mytcp_test_wscale(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mytcp_rcv_wscale_for(65535), 0);
	KUNIT_EXPECT_EQ(test, mytcp_rcv_wscale_for(65536), 1);
	KUNIT_EXPECT_EQ(test, mytcp_rcv_wscale_for(212992), 2);
	KUNIT_EXPECT_EQ(test, mytcp_rcv_wscale_for(6 << 20), 7);
	KUNIT_EXPECT_EQ(test, mytcp_rcv_wscale_for(INT_MAX), MYTCP_MAX_WSCALE);

	/* As TCP: from rmem[2], so that autotuning's buffer fits; 7 at 6 MB. */
	KUNIT_EXPECT_EQ(test, mytcp_choose_rcv_wscale(212992, 6291456, false), 7);
	KUNIT_EXPECT_EQ(test, mytcp_choose_rcv_wscale(212992, 212992, false), 2);
	KUNIT_EXPECT_EQ(test, mytcp_choose_rcv_wscale(212992, 4096, false), 2);
	KUNIT_EXPECT_EQ(test, mytcp_choose_rcv_wscale(8 << 20, 6291456, false), 8);
	/* SO_RCVBUF: the window of the buffer, half of it. */
	KUNIT_EXPECT_EQ(test, mytcp_choose_rcv_wscale(131072, 6291456, true), 1);
	KUNIT_EXPECT_EQ(test, mytcp_choose_rcv_wscale(131070, 6291456, true), 0);
	KUNIT_EXPECT_EQ(test, mytcp_choose_rcv_wscale(4608, 6291456, true), 0);
	KUNIT_EXPECT_EQ(test, mytcp_choose_rcv_wscale(425984, 6291456, true), 2);
}

/* TCP's encoding: kind 2 length 4, then NOP and kind 3 length 3. */
static void mytcp_test_syn_options(struct kunit *test)
{
	const u8 both[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };
	const u8 mss_only[] = { 2, 4, 0x02, 0x18 };
	/* TCP's SYN without timestamps: mss, nop, nop, sackOK, nop, wscale */
	const u8 all[] = { 2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7 };
	/* With timestamps: mss, sackOK, TS val ecr, nop, wscale */
	const u8 ts_sack[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4,
			       0, 0, 0, 9, 1, 3, 3, 7 };
	/* and without SACK: mss, nop, nop, TS val ecr, nop, wscale */
	const u8 ts_only[] = { 2, 4, 0x05, 0xb4, 1, 1, 8, 10, 1, 2, 3, 4,
			       0, 0, 0, 9, 1, 3, 3, 7 };
	const u32 ts[2] = { 0x01020304, 9 };
	u8 buf[MYTCP_MAX_OPT_LEN];

	KUNIT_ASSERT_EQ(test, mytcp_write_syn_options(buf, 1460, 7, false, NULL),
			sizeof(both));
	KUNIT_EXPECT_EQ(test, memcmp(buf, both, sizeof(both)), 0);
	KUNIT_ASSERT_EQ(test, mytcp_write_syn_options(buf, 536, -1, false, NULL),
			sizeof(mss_only));
	KUNIT_EXPECT_EQ(test, memcmp(buf, mss_only, sizeof(mss_only)), 0);
	KUNIT_ASSERT_EQ(test, mytcp_write_syn_options(buf, 1460, 7, true, NULL),
			sizeof(all));
	KUNIT_EXPECT_EQ(test, memcmp(buf, all, sizeof(all)), 0);
	KUNIT_ASSERT_EQ(test, mytcp_write_syn_options(buf, 1460, 7, true, ts),
			sizeof(ts_sack));
	KUNIT_EXPECT_EQ(test, memcmp(buf, ts_sack, sizeof(ts_sack)), 0);
	KUNIT_ASSERT_EQ(test, mytcp_write_syn_options(buf, 1460, 7, false, ts),
			sizeof(ts_only));
	KUNIT_EXPECT_EQ(test, memcmp(buf, ts_only, sizeof(ts_only)), 0);
}

/* The option of every segment: nop, nop, kind 8 length 10, val, ecr. */
static void mytcp_test_ts_option(struct kunit *test)
{
	const u8 want[] = { 1, 1, 8, 10, 0xde, 0xad, 0xbe, 0xef, 0, 0, 1, 0 };
	u8 buf[MYTCP_TS_LEN];

	KUNIT_ASSERT_EQ(test, mytcp_write_ts_option(buf, 0xdeadbeef, 256),
			(unsigned int)MYTCP_TS_LEN);
	KUNIT_EXPECT_EQ(test, memcmp(buf, want, sizeof(want)), 0);
}

/* RFC 7323 5: PAWS drops what is older than TS.Recent, across the wrap. */
static void mytcp_test_paws(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, mytcp_paws_old(1000, 1000, 0));
	KUNIT_EXPECT_FALSE(test, mytcp_paws_old(1001, 1000, 0));
	/* One tick behind passes, as in TCP (TCP_PAWS_WINDOW). */
	KUNIT_EXPECT_FALSE(test, mytcp_paws_old(999, 1000, 0));
	KUNIT_EXPECT_TRUE(test, mytcp_paws_old(998, 1000, 0));
	KUNIT_EXPECT_TRUE(test, mytcp_paws_old(0xfffffff0, 0x10, 0));
	KUNIT_EXPECT_FALSE(test, mytcp_paws_old(0x10, 0xfffffff0, 0));
	/* A TS.Recent idle for 24 days rejects nothing (5.5). */
	KUNIT_EXPECT_TRUE(test, mytcp_paws_old(1, 1000, 24 * 24 * 3600 - 1));
	KUNIT_EXPECT_FALSE(test, mytcp_paws_old(1, 1000, 24 * 24 * 3600));
}

static struct kunit_case mytcp_wire_cases[] = {
	KUNIT_CASE(mytcp_test_isn),
	KUNIT_CASE(mytcp_test_mss),
	KUNIT_CASE(mytcp_test_wscale),
	KUNIT_CASE(mytcp_test_ts_option),
	KUNIT_CASE(mytcp_test_paws),
	KUNIT_CASE(mytcp_test_syn_options),
	{}
};

static struct kunit_suite mytcp_wire_suite = {
	.name = "mytcp_wire",
	.test_cases = mytcp_wire_cases,
};

/* Fixed keys, so that every run checks the same numbers. */
static const struct mytcp_cookie_keys mytcp_test_keys = {
	.k = { { { 0x0123456789abcdefULL, 0xfedcba9876543210ULL } },
	       { { 0x1111111122222222ULL, 0x3333333344444444ULL } } },
};

static const struct mytcp_cookie_tuple mytcp_test_tuple = {
	.laddr = cpu_to_be32(0xc0000201), .raddr = cpu_to_be32(0xc0000202),
	.lport = cpu_to_be16(8080), .rport = cpu_to_be16(4000),
};

/* Every MSS index survives the round trip, at every allowed age. */
static void mytcp_test_cookie_round_trip(struct kunit *test)
{
	const u32 rseq = 0xdeadbeef, count = 0x12345678;
	unsigned int idx, age;

	for (idx = 0; idx < MYTCP_COOKIE_MSS_NUM; idx++) {
		u32 c = mytcp_encode_cookie(&mytcp_test_keys, &mytcp_test_tuple,
					    rseq, count, idx);

		for (age = 0; age <= MYTCP_COOKIE_MAX_AGE; age++)
			KUNIT_EXPECT_EQ(test, mytcp_decode_cookie(&mytcp_test_keys,
								  &mytcp_test_tuple, rseq,
								  c, count + age), (int)idx);
	}
}

/* Stale, from the future, for another tuple, ISN or key: refused. */
static void mytcp_test_cookie_forgeries(struct kunit *test)
{
	struct mytcp_cookie_keys other = mytcp_test_keys;
	struct mytcp_cookie_tuple t = mytcp_test_tuple;
	const u32 rseq = 7, count = 1000;
	u32 c = mytcp_encode_cookie(&mytcp_test_keys, &t, rseq, count, 3);

	KUNIT_EXPECT_EQ(test, mytcp_decode_cookie(&mytcp_test_keys, &t, rseq, c,
						  count + MYTCP_COOKIE_MAX_AGE + 1), -1);
	KUNIT_EXPECT_EQ(test, mytcp_decode_cookie(&mytcp_test_keys, &t, rseq, c,
						  count - 1), -1);
	KUNIT_EXPECT_EQ(test, mytcp_decode_cookie(&mytcp_test_keys, &t, rseq + 1, c,
						  count), -1);
	KUNIT_EXPECT_EQ(test, mytcp_decode_cookie(&mytcp_test_keys, &t, rseq, c + 1,
						  count), -1);
	other.k[1].key[0] ^= 1;
	KUNIT_EXPECT_EQ(test, mytcp_decode_cookie(&other, &t, rseq, c, count), -1);
	other = mytcp_test_keys;
	other.k[0].key[1] ^= 1;
	KUNIT_EXPECT_EQ(test, mytcp_decode_cookie(&other, &t, rseq, c, count), -1);
	t.rport = cpu_to_be16(4001);
	KUNIT_EXPECT_EQ(test, mytcp_decode_cookie(&mytcp_test_keys, &t, rseq, c,
						  count), -1);
	/* An MSS index beyond the table does not decode either. */
	c = mytcp_encode_cookie(&mytcp_test_keys, &mytcp_test_tuple, rseq, count,
				MYTCP_COOKIE_MSS_NUM);
	KUNIT_EXPECT_EQ(test, mytcp_decode_cookie(&mytcp_test_keys, &mytcp_test_tuple,
						  rseq, c, count), -1);
}

/* Only the clock's low byte travels: ages are right across its wrap. */
static void mytcp_test_cookie_clock_wrap(struct kunit *test)
{
	const u32 count = 0x1ff;	/* low byte 0xff */
	u32 c = mytcp_encode_cookie(&mytcp_test_keys, &mytcp_test_tuple, 9, count, 1);

	KUNIT_EXPECT_EQ(test, mytcp_decode_cookie(&mytcp_test_keys, &mytcp_test_tuple,
						  9, c, count + 1), 1);
	KUNIT_EXPECT_EQ(test, mytcp_decode_cookie(&mytcp_test_keys, &mytcp_test_tuple,
						  9, c, count + MYTCP_COOKIE_MAX_AGE), 1);
	KUNIT_EXPECT_EQ(test, mytcp_decode_cookie(&mytcp_test_keys, &mytcp_test_tuple,
						  9, c, count + MYTCP_COOKIE_MAX_AGE + 1), -1);
	KUNIT_EXPECT_EQ(test, mytcp_decode_cookie(&mytcp_test_keys, &mytcp_test_tuple,
						  9, c, count + 256), -1);
}

static void mytcp_test_cookie_mss_table(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mytcp_cookie_mss_index(88), 0U);
	KUNIT_EXPECT_EQ(test, mytcp_cookie_mss_index(536), 0U);
	KUNIT_EXPECT_EQ(test, mytcp_cookie_mss_index(1299), 0U);
	KUNIT_EXPECT_EQ(test, mytcp_cookie_mss_index(1300), 1U);
	KUNIT_EXPECT_EQ(test, mytcp_cookie_mss_index(1459), 2U);
	KUNIT_EXPECT_EQ(test, mytcp_cookie_mss_index(1460), 3U);
	KUNIT_EXPECT_EQ(test, mytcp_cookie_mss_index(65495), 3U);
	KUNIT_EXPECT_EQ(test, mytcp_cookie_mss_value(0), 536);
	KUNIT_EXPECT_EQ(test, mytcp_cookie_mss_value(3), 1460);
}

static struct kunit_case mytcp_cookie_cases[] = {
	KUNIT_CASE(mytcp_test_cookie_round_trip),
	KUNIT_CASE(mytcp_test_cookie_forgeries),
	KUNIT_CASE(mytcp_test_cookie_clock_wrap),
	KUNIT_CASE(mytcp_test_cookie_mss_table),
	{}
};

static struct kunit_suite mytcp_cookie_suite = {
	.name = "mytcp_cookie",
	.test_cases = mytcp_cookie_cases,
};

/* receiver: the ACK timeout follows the gaps between the peer's data. */
static void mytcp_test_ato(struct kunit *test)
{
	const u32 rto = HZ;

	/* The constants are TCP's. */
	KUNIT_EXPECT_EQ(test, MYTCP_ATO_MIN, TCP_ATO_MIN);
	KUNIT_EXPECT_EQ(test, MYTCP_DELACK_MAX, TCP_DELACK_MAX);
	KUNIT_EXPECT_EQ(test, MYTCP_MAX_QUICKACKS, TCP_MAX_QUICKACKS);
	/* Back to back: halves towards the minimum, never below it. */
	KUNIT_EXPECT_EQ(test, mytcp_next_ato(MYTCP_ATO_MIN, 0, rto), MYTCP_ATO_MIN);
	KUNIT_EXPECT_EQ(test, mytcp_next_ato(4 * MYTCP_ATO_MIN, 0, rto),
			2 * MYTCP_ATO_MIN + MYTCP_ATO_MIN / 2);
	/* A gap shorter than ato pulls it towards the gap, up to the RTO. */
	KUNIT_EXPECT_EQ(test, mytcp_next_ato(HZ / 2, HZ / 10, rto), HZ / 4 + HZ / 10);
	KUNIT_EXPECT_EQ(test, mytcp_next_ato(HZ / 2, HZ / 10, HZ / 5), HZ / 5);
	/* A gap longer than ato leaves it. */
	KUNIT_EXPECT_EQ(test, mytcp_next_ato(HZ / 10, HZ / 2, rto), HZ / 10);
}

/* receiver: buffer space to window, scaled and capped. */
static void mytcp_test_space_window(struct kunit *test)
{
	/* Half the buffer is payload when nothing was measured yet. */
	KUNIT_EXPECT_EQ(test, mytcp_space_window(8192, 0, 0), 4096U);
	KUNIT_EXPECT_EQ(test, mytcp_space_window(8192, 64, 0), 2048U);
	/* Unscaled, the field says at most 65535. */
	KUNIT_EXPECT_EQ(test, mytcp_space_window(1 << 20, 255, 0), 65535U);
	KUNIT_EXPECT_EQ(test, mytcp_space_window(1 << 20, 128, 7), 1U << 19);
	KUNIT_EXPECT_EQ(test, mytcp_space_window(1U << 30, 255, 2), 65535U << 2);
	KUNIT_EXPECT_EQ(test, mytcp_space_window(0, 200, 3), 0U);
}

/* receiver: payload per buffer byte falls at once and rises slowly. */
static void mytcp_test_rcv_ratio(struct kunit *test)
{
	/* The first segment sets it: 1448 bytes costing 2304 is 160/256. */
	KUNIT_EXPECT_EQ(test, mytcp_next_rcv_ratio(0, 1448, 2304), 160);
	/* A GSO packet of 64 KB costing 66 KB (250): up by an eighth of 90. */
	KUNIT_EXPECT_EQ(test, mytcp_next_rcv_ratio(160, 65160, 66696), 172);
	/* A poorer segment brings it down to its own ratio at once. */
	KUNIT_EXPECT_EQ(test, mytcp_next_rcv_ratio(250, 1448, 2304), 160);
	/* Clamped to 16..255; no division by a zero truesize. */
	KUNIT_EXPECT_EQ(test, mytcp_next_rcv_ratio(0, 1, 4096), 16);
	KUNIT_EXPECT_EQ(test, mytcp_next_rcv_ratio(0, 4096, 0), 255);
	KUNIT_EXPECT_EQ(test, mytcp_next_rcv_ratio(254, 4096, 4096), 255);
}

/* rcv_ssthresh grows by two segments or twice the payload, up to its cap. */
static void mytcp_test_rcv_ssthresh(struct kunit *test)
{
	/* Small payloads: two segments. */
	KUNIT_EXPECT_EQ(test, mytcp_next_rcv_ssthresh(65535, 1 << 20, 1000, 1460), 68455U);
	/* A GSO packet: twice its payload. */
	KUNIT_EXPECT_EQ(test, mytcp_next_rcv_ssthresh(65535, 1 << 20, 65160, 1460),
			65535U + 2 * 65160);
	/* Never past the cap... */
	KUNIT_EXPECT_EQ(test, mytcp_next_rcv_ssthresh(60000, 61000, 1000, 1460), 61000U);
	/* ...and never down to it: the window falls with the buffer instead. */
	KUNIT_EXPECT_EQ(test, mytcp_next_rcv_ssthresh(65535, 40000, 1000, 1460), 65535U);
	KUNIT_EXPECT_EQ(test, mytcp_next_rcv_ssthresh(65535, 65535, 1000, 1460), 65535U);
}

static struct kunit_case mytcp_receiver_cases[] = {
	KUNIT_CASE(mytcp_test_ato),
	KUNIT_CASE(mytcp_test_rcv_ssthresh),
	KUNIT_CASE(mytcp_test_space_window),
	KUNIT_CASE(mytcp_test_rcv_ratio),
	{}
};

static struct kunit_suite mytcp_receiver_suite = {
	.name = "mytcp_receiver",
	.test_cases = mytcp_receiver_cases,
};

/* sender: the RTO estimator (RFC 6298) */
static void mytcp_test_rtt_first_sample(struct kunit *test)
{
	struct mytcp_rtt rtt = {};

	mytcp_rtt_estimate(&rtt, 100000);
	/* SRTT = R, RTTVAR = R / 2, scaled by 8 and 4. */
	KUNIT_EXPECT_EQ(test, rtt.srtt_us, 8 * 100000U);
	KUNIT_EXPECT_EQ(test, rtt.rttvar_us, 4 * 50000U);
	/* RTO = SRTT + max(rto_min, 4 RTTVAR) = 100 + 200 ms. */
	KUNIT_EXPECT_EQ(test, mytcp_rtt_rto_us(&rtt, 200000, 120000000), 300000U);
	/* A zero measurement counts as 1 us. */
	memset(&rtt, 0, sizeof(rtt));
	mytcp_rtt_estimate(&rtt, 0);
	KUNIT_EXPECT_EQ(test, rtt.srtt_us, 8U);
}

static void mytcp_test_rtt_later_samples(struct kunit *test)
{
	struct mytcp_rtt rtt = {};
	int i;

	mytcp_rtt_estimate(&rtt, 100000);
	mytcp_rtt_estimate(&rtt, 180000);
	/* RTTVAR = 3/4 * 50 + 1/4 * |100 - 180| = 57.5 ms */
	KUNIT_EXPECT_EQ(test, rtt.rttvar_us, 4 * 57500U);
	/* SRTT = 7/8 * 100 + 1/8 * 180 = 110 ms */
	KUNIT_EXPECT_EQ(test, rtt.srtt_us, 8 * 110000U);
	KUNIT_EXPECT_EQ(test, mytcp_rtt_rto_us(&rtt, 200000, 120000000),
			110000U + 230000U);
	/* A steady RTT: SRTT converges on it and RTTVAR decays. */
	for (i = 0; i < 200; i++)
		mytcp_rtt_estimate(&rtt, 40000);
	KUNIT_EXPECT_EQ(test, rtt.srtt_us >> 3, 40000U);
	KUNIT_EXPECT_LT(test, rtt.rttvar_us, 100U);
}

static void mytcp_test_rtt_clamping(struct kunit *test)
{
	struct mytcp_rtt rtt = {};

	/* A LAN: the floor makes it SRTT + rto_min. */
	mytcp_rtt_estimate(&rtt, 500);
	KUNIT_EXPECT_EQ(test, mytcp_rtt_rto_us(&rtt, 200000, 120000000), 200500U);
	/* A huge RTT: the ceiling. */
	memset(&rtt, 0, sizeof(rtt));
	mytcp_rtt_estimate(&rtt, 100000000);
	KUNIT_EXPECT_EQ(test, mytcp_rtt_rto_us(&rtt, 200000, 120000000), 120000000U);
}

static void mytcp_test_rto_backoff(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mytcp_backoff_rto(300, 0, 120000), 300U);
	KUNIT_EXPECT_EQ(test, mytcp_backoff_rto(300, 3, 120000), 2400U);
	KUNIT_EXPECT_EQ(test, mytcp_backoff_rto(300, 9, 120000), 120000U);
	KUNIT_EXPECT_EQ(test, mytcp_backoff_rto(300, 40, 120000), 120000U);
	/* retries2 15 from 200 ms: 1023 * 0.2 s, then 6 * 120 s (TCP's 924.6 s) */
	KUNIT_EXPECT_EQ(test, mytcp_model_timeout(15, 200, 120000), 924600U);
	KUNIT_EXPECT_EQ(test, mytcp_model_timeout(3, 200, 120000), 3000U);
	KUNIT_EXPECT_EQ(test, mytcp_model_timeout(0, 200, 120000), 200U);
}

static void mytcp_test_karn(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mytcp_karn_sample_us(1000, 1000 + HZ, false),
			(s32)USEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, mytcp_karn_sample_us(1000, 1000 + HZ, true), -1);
	/* Within a tick: the least sample there is. */
	KUNIT_EXPECT_EQ(test, mytcp_karn_sample_us(1000, 1000, false), 1);
	/* Across the jiffies wrap. */
	KUNIT_EXPECT_EQ(test, mytcp_karn_sample_us(ULONG_MAX, 1, false),
			(s32)jiffies_to_usecs(2));
}

static void mytcp_test_rtt_pick(struct kunit *test)
{
	/* None measured: no sample. */
	KUNIT_EXPECT_EQ(test, mytcp_rtt_pick_us(-1, -1, -1), -1);
	/* The one there is. */
	KUNIT_EXPECT_EQ(test, mytcp_rtt_pick_us(-1, -1, 3000), 3000);
	KUNIT_EXPECT_EQ(test, mytcp_rtt_pick_us(-1, 500, -1), 500);
	/* A late SACK (its ACKs lost, 1.2 s) against a fresh echo: the echo. */
	KUNIT_EXPECT_EQ(test, mytcp_rtt_pick_us(-1, 1200000, 4000), 4000);
	/* The least, whichever it is. */
	KUNIT_EXPECT_EQ(test, mytcp_rtt_pick_us(900, 4000, 4000), 900);
	KUNIT_EXPECT_EQ(test, mytcp_rtt_pick_us(9000, 400, 4000), 400);
}

static void mytcp_test_resend_rtt(struct kunit *test)
{
	s32 slack = jiffies_to_usecs(1) + USEC_PER_MSEC;

	/* Nothing resent: the echo stands; no echo: none. */
	KUNIT_EXPECT_EQ(test, mytcp_resend_rtt_us(111000000, -1), 111000000);
	KUNIT_EXPECT_EQ(test, mytcp_resend_rtt_us(-1, 2000), -1);
	/* The echo of the resend itself, or younger: taken. */
	KUNIT_EXPECT_EQ(test, mytcp_resend_rtt_us(2000, 2000), 2000);
	KUNIT_EXPECT_EQ(test, mytcp_resend_rtt_us(1000, 2000), 1000);
	/* Within a tick of each clock: taken. */
	KUNIT_EXPECT_EQ(test, mytcp_resend_rtt_us(2000 + slack, 2000), 2000 + slack);
	/* An echo from before the resend (111 s of backoff): not taken. */
	KUNIT_EXPECT_EQ(test, mytcp_resend_rtt_us(111000000, 3000), -1);
	/* A SACK of a segment sent before the resend, 1.2 s ago: not taken. */
	KUNIT_EXPECT_EQ(test, mytcp_resend_rtt_us(1200000, 4000), -1);
}

static struct kunit_case mytcp_rtt_cases[] = {
	KUNIT_CASE(mytcp_test_rtt_first_sample),
	KUNIT_CASE(mytcp_test_rtt_later_samples),
	KUNIT_CASE(mytcp_test_rtt_clamping),
	KUNIT_CASE(mytcp_test_rto_backoff),
	KUNIT_CASE(mytcp_test_karn),
	KUNIT_CASE(mytcp_test_rtt_pick),
	KUNIT_CASE(mytcp_test_resend_rtt),
	{}
};

static struct kunit_suite mytcp_rtt_suite = {
	.name = "mytcp_rtt",
	.test_cases = mytcp_rtt_cases,
};

/* sender: Reno's window arithmetic */
static void mytcp_test_slow_start(struct kunit *test)
{
	u32 cwnd = 10;

	KUNIT_EXPECT_EQ(test, mytcp_slow_start(&cwnd, 100, 4), 0U);
	KUNIT_EXPECT_EQ(test, cwnd, 14U);
	/* Stops at ssthresh; the rest is left for congestion avoidance. */
	KUNIT_EXPECT_EQ(test, mytcp_slow_start(&cwnd, 16, 5), 3U);
	KUNIT_EXPECT_EQ(test, cwnd, 16U);
}

static void mytcp_test_cong_avoid(struct kunit *test)
{
	u32 cwnd = 10, cnt = 0;
	int i;

	/* One segment more per window of ACKed segments. */
	for (i = 0; i < 9; i++)
		mytcp_cong_avoid_ai(&cwnd, &cnt, cwnd, 1);
	KUNIT_EXPECT_EQ(test, cwnd, 10U);
	mytcp_cong_avoid_ai(&cwnd, &cnt, cwnd, 1);
	KUNIT_EXPECT_EQ(test, cwnd, 11U);
	KUNIT_EXPECT_EQ(test, cnt, 0U);
	/* A stretch ACK of 23 at w 11: two more, one left over. */
	mytcp_cong_avoid_ai(&cwnd, &cnt, 11, 23);
	KUNIT_EXPECT_EQ(test, cwnd, 13U);
	KUNIT_EXPECT_EQ(test, cnt, 1U);
}

static void mytcp_test_reno_loss(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mytcp_reno_ssthresh_for(20), 10U);
	KUNIT_EXPECT_EQ(test, mytcp_reno_ssthresh_for(3), 2U);
	KUNIT_EXPECT_EQ(test, mytcp_reno_ssthresh_for(0), 2U);
	/* Idle restart: halve per RTO idle, not below min(IW, cwnd). */
	KUNIT_EXPECT_EQ(test, mytcp_restart_cwnd(80, 10, 250, 100), 20U);
	KUNIT_EXPECT_EQ(test, mytcp_restart_cwnd(80, 10, 10000, 100), 10U);
	KUNIT_EXPECT_EQ(test, mytcp_restart_cwnd(4, 10, 10000, 100), 4U);
	KUNIT_EXPECT_EQ(test, mytcp_restart_cwnd(80, 10, 50, 100), 80U);
}

static struct kunit_case mytcp_reno_cases[] = {
	KUNIT_CASE(mytcp_test_slow_start),
	KUNIT_CASE(mytcp_test_cong_avoid),
	KUNIT_CASE(mytcp_test_reno_loss),
	{}
};

static struct kunit_suite mytcp_reno_suite = {
	.name = "mytcp_reno",
	.test_cases = mytcp_reno_cases,
};

/* sender: CUBIC's arithmetic (RFC 9438) */
static void mytcp_test_cbrt(struct kunit *test)
{
	static const struct {
		u64 x;
		u32 root;
	} cases[] = {
		{ 0, 0 }, { 1, 1 }, { 7, 1 }, { 8, 2 }, { 26, 2 }, { 27, 3 },
		{ 999, 9 }, { 1000, 10 }, { 1000000, 100 },
		{ 12345678987654321ULL, 231120 },
		{ 1ULL << 63, 1U << 21 }, { (1ULL << 63) - 1, (1U << 21) - 1 },
		{ U64_MAX, 2642245 },
	};
	u64 y;
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, mytcp_calc_cbrt(cases[i].x), cases[i].root,
				    "cbrt(%llu)", cases[i].x);
	/* Every root from 1 to 3000: n^3 - 1, n^3 and n^3 + 1. */
	for (y = 1; y <= 3000; y++) {
		KUNIT_EXPECT_EQ(test, mytcp_calc_cbrt(y * y * y - 1), (u32)y - 1);
		KUNIT_EXPECT_EQ(test, mytcp_calc_cbrt(y * y * y), (u32)y);
		KUNIT_EXPECT_EQ(test, mytcp_calc_cbrt(y * y * y + 1), (u32)y);
	}
}

static void mytcp_test_cubic_k(struct kunit *test)
{
	/* K = cbrt((W_max - cwnd) / 0.4) s: cbrt(75) = 4.2172 s. */
	KUNIT_EXPECT_EQ(test, mytcp_cubic_k_ms(100, 70), 4217U);
	/* cbrt(1 / 0.4) = 1.3572 s; cbrt(3000 / 0.4) = 19.574 s. */
	KUNIT_EXPECT_EQ(test, mytcp_cubic_k_ms(11, 10), 1357U);
	KUNIT_EXPECT_EQ(test, mytcp_cubic_k_ms(10000, 7000), 19574U);
	/* At or above W_max: the curve starts at its plateau. */
	KUNIT_EXPECT_EQ(test, mytcp_cubic_k_ms(100, 100), 0U);
	KUNIT_EXPECT_EQ(test, mytcp_cubic_k_ms(100, 120), 0U);
	/* The widest window does not overflow: cbrt(2^32 / 0.4) = 2206.1 s. */
	KUNIT_EXPECT_EQ(test, mytcp_cubic_k_ms(U32_MAX, 0) / 1000, 2206U);
}

static void mytcp_test_cubic_window(struct kunit *test)
{
	u32 k = mytcp_cubic_k_ms(100, 70);

	/* t = 0: the window the epoch started with; t = K: W_max. */
	KUNIT_EXPECT_EQ(test, mytcp_cubic_window(100, k, 0), 70U);
	KUNIT_EXPECT_EQ(test, mytcp_cubic_window(100, k, k), 100U);
	/* t = 2K: as far above W_max as it started below (0.4 * K^3 < 30). */
	KUNIT_EXPECT_EQ(test, mytcp_cubic_window(100, k, 2 * k), 129U);
	/* Concave below K, convex above: (t - K)^3 * 0.4 at t - K = 1 s. */
	KUNIT_EXPECT_EQ(test, mytcp_cubic_window(100, k, k - 1000), 99U);
	KUNIT_EXPECT_EQ(test, mytcp_cubic_window(100, k, k + 1000), 100U);
	KUNIT_EXPECT_EQ(test, mytcp_cubic_window(100, k, k + 2000), 103U);
	KUNIT_EXPECT_EQ(test, mytcp_cubic_window(100, k, k + 10000), 500U);
	/* K 0 (after a timeout): W_max + 0.4 t^3. */
	KUNIT_EXPECT_EQ(test, mytcp_cubic_window(20, 0, 0), 20U);
	KUNIT_EXPECT_EQ(test, mytcp_cubic_window(20, 0, 5000), 70U);
	/* Far out, clamped, never wrapping. */
	KUNIT_EXPECT_EQ(test, mytcp_cubic_window(U32_MAX - 5, 0, U32_MAX), U32_MAX);
	KUNIT_EXPECT_EQ(test, mytcp_cubic_window(10, U32_MAX, 0), 0U);
}

static void mytcp_test_cubic_reno_friendly(struct kunit *test)
{
	u32 w_est = 70, cnt = 0;
	int i;

	/* alpha 9/17 per window ACKed: 0.53 after one window, 1.06 after two. */
	mytcp_cubic_grow_est(&w_est, &cnt, 70, 70, false);
	KUNIT_EXPECT_EQ(test, w_est, 70U);
	mytcp_cubic_grow_est(&w_est, &cnt, 70, 70, false);
	KUNIT_EXPECT_EQ(test, w_est, 71U);
	/* The same one segment at a time. */
	w_est = 70;
	cnt = 0;
	for (i = 0; i < 140; i++)
		mytcp_cubic_grow_est(&w_est, &cnt, 70, 1, false);
	KUNIT_EXPECT_EQ(test, w_est, 71U);
	/* Ten windows: 10 * 9/17 = 5.3. */
	for (i = 0; i < 8; i++)
		mytcp_cubic_grow_est(&w_est, &cnt, 70, 70, false);
	KUNIT_EXPECT_EQ(test, w_est, 75U);
	/* Once W_est reached cwnd_prior, alpha is 1: Reno's one per window. */
	w_est = 70;
	cnt = 0;
	mytcp_cubic_grow_est(&w_est, &cnt, 70, 69, true);
	KUNIT_EXPECT_EQ(test, w_est, 70U);
	mytcp_cubic_grow_est(&w_est, &cnt, 70, 1, true);
	KUNIT_EXPECT_EQ(test, w_est, 71U);
	KUNIT_EXPECT_EQ(test, cnt, 0U);
	/* A stretch ACK of three windows. */
	mytcp_cubic_grow_est(&w_est, &cnt, 10, 30, true);
	KUNIT_EXPECT_EQ(test, w_est, 74U);
}

static void mytcp_test_cubic_decrease(struct kunit *test)
{
	/* ssthresh = 0.7 cwnd, at least 2. */
	KUNIT_EXPECT_EQ(test, mytcp_cubic_ssthresh_for(100), 70U);
	KUNIT_EXPECT_EQ(test, mytcp_cubic_ssthresh_for(10), 7U);
	KUNIT_EXPECT_EQ(test, mytcp_cubic_ssthresh_for(15), 10U);
	KUNIT_EXPECT_EQ(test, mytcp_cubic_ssthresh_for(3), 2U);
	KUNIT_EXPECT_EQ(test, mytcp_cubic_ssthresh_for(1), 2U);
	KUNIT_EXPECT_EQ(test, mytcp_cubic_ssthresh_for(U32_MAX), 3006477106U);
	/* Fast convergence: short of the last W_max, W_max = 0.85 cwnd. */
	KUNIT_EXPECT_EQ(test, mytcp_cubic_w_max_for(80, 100), 68U);
	KUNIT_EXPECT_EQ(test, mytcp_cubic_w_max_for(100, 100), 100U);
	KUNIT_EXPECT_EQ(test, mytcp_cubic_w_max_for(120, 100), 120U);
	KUNIT_EXPECT_EQ(test, mytcp_cubic_w_max_for(50, 0), 50U);
}

static struct kunit_case mytcp_cubic_cases[] = {
	KUNIT_CASE(mytcp_test_cbrt),
	KUNIT_CASE(mytcp_test_cubic_k),
	KUNIT_CASE(mytcp_test_cubic_window),
	KUNIT_CASE(mytcp_test_cubic_reno_friendly),
	KUNIT_CASE(mytcp_test_cubic_decrease),
	{}
};

static struct kunit_suite mytcp_cubic_suite = {
	.name = "mytcp_cubic",
	.test_cases = mytcp_cubic_cases,
};

/* mem: tcp_mem's defaults from the memory, and the send buffer's growth */
static void mytcp_test_default_mem(struct kunit *test)
{
	long mem[3];

	/* 1 GiB of 4 KiB pages: a sixteenth is 16384 pages. */
	mytcp_default_mem(262144, mem);
	KUNIT_EXPECT_EQ(test, mem[0], 12288L);
	KUNIT_EXPECT_EQ(test, mem[1], 16384L);
	KUNIT_EXPECT_EQ(test, mem[2], 24576L);
	/* Never under 128 pages of pressure threshold, as tcp_init_mem(). */
	mytcp_default_mem(100, mem);
	KUNIT_EXPECT_EQ(test, mem[0], 96L);
	KUNIT_EXPECT_EQ(test, mem[1], 128L);
	KUNIT_EXPECT_EQ(test, mem[2], 192L);
}

static void mytcp_test_sndbuf_for(struct kunit *test)
{
	int one = SKB_TRUESIZE(MYTCP_HEADROOM + 1448);

	/* Ten segments at least (the initial window), twice over. */
	KUNIT_EXPECT_EQ(test, mytcp_sndbuf_for(1448, 2, INT_MAX), 20 * one);
	KUNIT_EXPECT_EQ(test, mytcp_sndbuf_for(1448, 40, INT_MAX), 80 * one);
	/* Never over wmem[2]. */
	KUNIT_EXPECT_EQ(test, mytcp_sndbuf_for(1448, 100000, 4194304), 4194304);
}

static void mytcp_test_grow_rcvbuf(struct kunit *test)
{
	/* No more read than in an RTT before: no growth. */
	KUNIT_EXPECT_EQ(test, mytcp_grow_rcvbuf(1000, 1000, 128, 1448, 212992,
						6291456), 212992);
	/* Twice the read plus 16 segments, in buffer bytes (ratio 1/2). */
	KUNIT_EXPECT_EQ(test, mytcp_grow_rcvbuf(1000000, 500000, 128, 1448,
						212992, 6291456), 4046336);
	/* An unknown ratio counts as one half. */
	KUNIT_EXPECT_EQ(test, mytcp_grow_rcvbuf(1000000, 500000, 0, 1448,
						212992, 6291456), 4046336);
	KUNIT_EXPECT_EQ(test, mytcp_grow_rcvbuf(1000000, 500000, 192, 1448,
						212992, 6291456), 2697557);
	/* Never over rmem[2]. */
	KUNIT_EXPECT_EQ(test, mytcp_grow_rcvbuf(4000000, 500000, 128, 1448,
						212992, 6291456), 6291456);
	/* Never shrinks, nor touches a buffer already over rmem[2]. */
	KUNIT_EXPECT_EQ(test, mytcp_grow_rcvbuf(20000, 10000, 255, 1448,
						212992, 6291456), 212992);
	KUNIT_EXPECT_EQ(test, mytcp_grow_rcvbuf(4000000, 500000, 128, 1448,
						8 << 20, 6291456), 8 << 20);
	/* No overflow at the extremes. */
	KUNIT_EXPECT_EQ(test, mytcp_grow_rcvbuf(U32_MAX, 0, 16, 65535, 4096,
						INT_MAX), INT_MAX);
}

static struct kunit_case mytcp_mem_cases[] = {
	KUNIT_CASE(mytcp_test_default_mem),
	KUNIT_CASE(mytcp_test_sndbuf_for),
	KUNIT_CASE(mytcp_test_grow_rcvbuf),
	{}
};

static struct kunit_suite mytcp_mem_suite = {
	.name = "mytcp_mem",
	.test_cases = mytcp_mem_cases,
};

static void mytcp_test_sack_option(struct kunit *test)
{
	const struct mytcp_sack_block b[2] = { { 0x01020304, 0x05060708 },
					       { 0xfffffff0, 0x10 } };
	const u8 want[] = { 1, 1, 5, 18, 1, 2, 3, 4, 5, 6, 7, 8,
			    0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0x10 };
	u8 buf[MYTCP_MAX_OPT_LEN];

	KUNIT_EXPECT_EQ(test, mytcp_write_sack_option(buf, b, 0), 0U);
	KUNIT_ASSERT_EQ(test, mytcp_write_sack_option(buf, b, 2), sizeof(want));
	KUNIT_EXPECT_EQ(test, memcmp(buf, want, sizeof(want)), 0);
	/* Four blocks and their two NOPs fill the 40 bytes of options. */
	KUNIT_EXPECT_EQ(test, 4 + 8 * MYTCP_MAX_SACK_BLOCKS, MYTCP_MAX_OPT_LEN - 4);
}

static void mytcp_test_sack_block_ok(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, mytcp_sack_block_ok(2000, 3000, 1000, 9000));
	KUNIT_EXPECT_TRUE(test, mytcp_sack_block_ok(500, 3000, 1000, 9000));
	KUNIT_EXPECT_TRUE(test, mytcp_sack_block_ok(8000, 9000, 1000, 9000));
	/* Empty or upside down, beyond SND.NXT, old (a D-SACK): not used. */
	KUNIT_EXPECT_FALSE(test, mytcp_sack_block_ok(3000, 3000, 1000, 9000));
	KUNIT_EXPECT_FALSE(test, mytcp_sack_block_ok(3000, 2000, 1000, 9000));
	KUNIT_EXPECT_FALSE(test, mytcp_sack_block_ok(8000, 9001, 1000, 9000));
	KUNIT_EXPECT_FALSE(test, mytcp_sack_block_ok(500, 1000, 1000, 9000));
	/* Across the wrap of sequence space. */
	KUNIT_EXPECT_TRUE(test, mytcp_sack_block_ok(0xfffffff0, 0x10, 0xffffff00, 0x100));
}

/* When mytcp_sack_fill()'s segments were sent (jiffies). */
#define MYTCP_TEST_SENT		1000UL
/* As mytcp_sack_mark_lost()'s @sent_by: none of them out long enough. */
#define MYTCP_TEST_NEW		(MYTCP_TEST_SENT - 1)

/* Segments of 1000 bytes from sequence number 1000, sent one by one. */
static void mytcp_sack_fill(struct kunit *test, struct sk_buff_head *q,
			    struct mytcp_scoreboard *sb, int n)
{
	int i;

	skb_queue_head_init(q);
	memset(sb, 0, sizeof(*sb));
	for (i = 0; i < n; i++) {
		struct sk_buff *skb = alloc_skb(0, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, skb);
		memset(skb->cb, 0, sizeof(skb->cb));
		MYTCP_SKB_CB(skb)->seq = 1000 + 1000 * i;
		MYTCP_SKB_CB(skb)->end_seq = 2000 + 1000 * i;
		MYTCP_SKB_CB(skb)->tx = ++sb->tx_count;
		MYTCP_SKB_CB(skb)->when = MYTCP_TEST_SENT;
		__skb_queue_tail(q, skb);
	}
}

/* The segment of the queue that starts at @seq. */
static struct sk_buff *mytcp_sack_find(struct sk_buff_head *q, u32 seq)
{
	struct sk_buff *skb;

	skb_queue_walk(q, skb)
		if (MYTCP_SKB_CB(skb)->seq == seq)
			return skb;
	return NULL;
}

static void mytcp_test_sack_tag(struct kunit *test)
{
	struct mytcp_scoreboard sb;
	struct sk_buff_head q;

	mytcp_sack_fill(test, &q, &sb, 8);
	KUNIT_EXPECT_EQ(test, mytcp_sack_tag(&sb, &q, NULL, 2000, 4000, NULL), 2U);
	KUNIT_EXPECT_EQ(test, mytcp_sack_tag(&sb, &q, NULL, 2000, 4000, NULL), 0U);
	/* Only whole segments: [4500, 6000) marks the one at 5000. */
	KUNIT_EXPECT_EQ(test, mytcp_sack_tag(&sb, &q, NULL, 4500, 6000, NULL), 1U);
	KUNIT_EXPECT_EQ(test, sb.sacked_out, 3U);
	KUNIT_EXPECT_EQ(test, sb.delivered_tx, 5U);
	/* Never-sent segments (from @stop on) are not marked. */
	KUNIT_EXPECT_EQ(test, mytcp_sack_tag(&sb, &q, mytcp_sack_find(&q, 8000),
					     7000, 9000, NULL), 1U);
	KUNIT_EXPECT_EQ(test, sb.sacked_out, 4U);
	KUNIT_EXPECT_EQ(test, mytcp_sack_pipe(&sb, 8), 4U);
	skb_queue_purge(&q);
}

static void mytcp_test_sack_lost(struct kunit *test)
{
	struct mytcp_scoreboard sb;
	struct sk_buff_head q;
	struct sk_buff *first, *fourth;
	u32 again = 0;

	mytcp_sack_fill(test, &q, &sb, 8);
	first = mytcp_sack_find(&q, 1000);
	fourth = mytcp_sack_find(&q, 4000);
	/* 2000, 3000 and 5000 SACKed: 1000 has three above, 4000 one. */
	mytcp_sack_tag(&sb, &q, NULL, 2000, 4000, NULL);
	mytcp_sack_tag(&sb, &q, NULL, 5000, 6000, NULL);
	KUNIT_EXPECT_EQ(test, mytcp_sack_mark_lost(&sb, &q, NULL, 3, MYTCP_TEST_NEW, &again), 1U);
	KUNIT_EXPECT_TRUE(test, MYTCP_SKB_CB(first)->sacked & MYTCP_SACKED_LOST);
	KUNIT_EXPECT_FALSE(test, MYTCP_SKB_CB(fourth)->sacked & MYTCP_SACKED_LOST);
	KUNIT_EXPECT_EQ(test, mytcp_sack_pipe(&sb, 8), 4U);
	/* Resent: in flight again; marking again changes nothing. */
	mytcp_sack_resent(&sb, first);
	MYTCP_SKB_CB(first)->tx = ++sb.tx_count;		/* 9 */
	KUNIT_EXPECT_EQ(test, sb.retrans_out, 1U);
	KUNIT_EXPECT_EQ(test, mytcp_sack_pipe(&sb, 8), 5U);
	KUNIT_EXPECT_EQ(test, mytcp_sack_mark_lost(&sb, &q, NULL, 3, MYTCP_TEST_NEW, &again), 0U);
	/* Two more SACKed above 4000: three now, it is lost too. */
	mytcp_sack_tag(&sb, &q, NULL, 6000, 8000, NULL);
	KUNIT_EXPECT_EQ(test, mytcp_sack_mark_lost(&sb, &q, NULL, 3, MYTCP_TEST_NEW, &again), 1U);
	KUNIT_EXPECT_EQ(test, sb.lost_out, 2U);
	KUNIT_EXPECT_EQ(test, again, 0U);
	/* A send three after the resend arrived: the resend was lost. */
	sb.delivered_tx = 12;
	mytcp_sack_mark_lost(&sb, &q, NULL, 3, MYTCP_TEST_NEW, &again);
	KUNIT_EXPECT_EQ(test, again, 1U);
	KUNIT_EXPECT_EQ(test, sb.retrans_out, 0U);
	KUNIT_EXPECT_TRUE(test, MYTCP_SKB_CB(first)->sacked & MYTCP_SACKED_LOST);
	/* A resend the peer SACKs leaves lost and retrans. */
	mytcp_sack_resent(&sb, fourth);
	mytcp_sack_tag(&sb, &q, NULL, 4000, 5000, NULL);
	KUNIT_EXPECT_EQ(test, sb.lost_out, 1U);
	KUNIT_EXPECT_EQ(test, sb.retrans_out, 0U);
	KUNIT_EXPECT_EQ(test, sb.sacked_out, 6U);
	KUNIT_EXPECT_EQ(test, mytcp_sack_pipe(&sb, 8), 1U);
	skb_queue_purge(&q);
}

static void mytcp_test_sack_lost_by_time(struct kunit *test)
{
	struct mytcp_scoreboard sb;
	struct sk_buff_head q;
	struct sk_buff *first;
	u32 again = 0;

	mytcp_sack_fill(test, &q, &sb, 4);
	first = mytcp_sack_find(&q, 1000);
	/* 3000 SACKed: 1000 and 2000 trail it by fewer than three sends. */
	mytcp_sack_tag(&sb, &q, NULL, 3000, 4000, NULL);
	KUNIT_EXPECT_EQ(test, mytcp_sack_mark_lost(&sb, &q, NULL, 3, MYTCP_TEST_NEW, &again),
			0U);
	/* Out long enough now: both lost; 4000, above every SACK, is not. */
	KUNIT_EXPECT_EQ(test, mytcp_sack_mark_lost(&sb, &q, NULL, 3, MYTCP_TEST_SENT,
						   &again), 2U);
	KUNIT_EXPECT_FALSE(test, MYTCP_SKB_CB(mytcp_sack_find(&q, 4000))->sacked &
			   MYTCP_SACKED_LOST);
	/* 1000 resent later; one send after it arrived. */
	mytcp_sack_resent(&sb, first);
	MYTCP_SKB_CB(first)->tx = ++sb.tx_count;		/* 5 */
	MYTCP_SKB_CB(first)->when = MYTCP_TEST_SENT + 10;
	sb.delivered_tx = 6;
	mytcp_sack_mark_lost(&sb, &q, NULL, 3, MYTCP_TEST_SENT + 9, &again);
	KUNIT_EXPECT_EQ(test, again, 0U);
	KUNIT_EXPECT_EQ(test, sb.retrans_out, 1U);
	/* The resend has been out long enough: lost again. */
	mytcp_sack_mark_lost(&sb, &q, NULL, 3, MYTCP_TEST_SENT + 10, &again);
	KUNIT_EXPECT_EQ(test, again, 1U);
	KUNIT_EXPECT_EQ(test, sb.retrans_out, 0U);
	KUNIT_EXPECT_EQ(test, sb.lost_out, 2U);
	skb_queue_purge(&q);
}

static void mytcp_test_sack_reorder(struct kunit *test)
{
	struct mytcp_scoreboard sb;
	struct sk_buff_head q;
	struct sk_buff *skb;
	u32 again = 0;

	mytcp_sack_fill(test, &q, &sb, 10);
	KUNIT_EXPECT_EQ(test, mytcp_sack_dupthresh(&sb), 3U);
	/* 5000 to 10000 SACKed: 1000 to 4000 are taken for lost. */
	mytcp_sack_tag(&sb, &q, NULL, 5000, 11000, NULL);
	KUNIT_EXPECT_EQ(test, mytcp_sack_mark_lost(&sb, &q, NULL, 3, MYTCP_TEST_NEW, &again), 4U);
	KUNIT_EXPECT_FALSE(test, sb.reordered);
	/* A resend of 4000 arrives: that shows no reordering. */
	skb = mytcp_sack_find(&q, 4000);
	mytcp_sack_resent(&sb, skb);
	MYTCP_SKB_CB(skb)->tx = ++sb.tx_count;		/* 11 */
	MYTCP_SKB_CB(skb)->retrans = 1;
	mytcp_sack_tag(&sb, &q, NULL, 4000, 5000, NULL);
	KUNIT_EXPECT_EQ(test, mytcp_sack_dupthresh(&sb), 3U);
	/* 3000, sent once, comes after the eleventh send: 8 overtook it. */
	mytcp_sack_tag(&sb, &q, NULL, 3000, 4000, NULL);
	KUNIT_EXPECT_TRUE(test, sb.reordered);
	KUNIT_EXPECT_EQ(test, mytcp_sack_dupthresh(&sb), 9U);
	KUNIT_EXPECT_EQ(test, sb.lost_out, 2U);
	/* 1000 comes with the cumulative ACK, never SACKed: 10 overtook it. */
	skb = skb_peek(&q);
	mytcp_sack_unlink(&sb, skb);
	__skb_unlink(skb, &q);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, mytcp_sack_dupthresh(&sb), 11U);
	/* Marks made stay: 2000 is still lost. */
	KUNIT_EXPECT_EQ(test, sb.lost_out, 1U);
	/* The measure is capped at TCP's tcp_max_reordering. */
	sb.delivered_tx = 1000;
	mytcp_sack_tag(&sb, &q, NULL, 2000, 3000, NULL);
	KUNIT_EXPECT_EQ(test, mytcp_sack_dupthresh(&sb), (u32)MYTCP_MAX_REORDERING);
	skb_queue_purge(&q);
}

/* Buffers of several segments count for all of them on the scoreboard. */
static void mytcp_test_sack_bundles(struct kunit *test)
{
	static const u32 seqs[] = { 1000, 4000, 5000, 7000 };
	struct mytcp_scoreboard sb;
	struct sk_buff *skb, *a, *c;
	struct sk_buff_head q;
	u32 again = 0;
	int i;

	/* [1000, 4000) went as 3 segments, [4000, 5000) as 1, [5000, 7000) as 2. */
	mytcp_sack_fill(test, &q, &sb, 3);
	i = 0;
	skb_queue_walk(&q, skb) {
		MYTCP_SKB_CB(skb)->seq = seqs[i];
		MYTCP_SKB_CB(skb)->end_seq = seqs[i + 1];
		MYTCP_SKB_CB(skb)->pcount = (seqs[i + 1] - seqs[i]) / 1000;
		i++;
	}
	a = mytcp_sack_find(&q, 1000);
	c = mytcp_sack_find(&q, 5000);
	KUNIT_EXPECT_EQ(test, mytcp_sack_tag(&sb, &q, NULL, 4000, 7000, NULL), 3U);
	KUNIT_EXPECT_EQ(test, sb.sacked_out, 3U);
	/* Three SACKed segments above it: all three of the first are lost. */
	KUNIT_EXPECT_EQ(test, mytcp_sack_mark_lost(&sb, &q, NULL, 3, MYTCP_TEST_NEW, &again), 3U);
	KUNIT_EXPECT_EQ(test, sb.lost_out, 3U);
	KUNIT_EXPECT_EQ(test, mytcp_sack_pipe(&sb, 6), 0U);
	mytcp_sack_resent(&sb, a);
	KUNIT_EXPECT_EQ(test, sb.retrans_out, 3U);
	KUNIT_EXPECT_EQ(test, mytcp_sack_pipe(&sb, 6), 3U);
	/* An ACK of its first segment: it counts for two. */
	mytcp_sack_shrink(&sb, a, 1);
	MYTCP_SKB_CB(a)->pcount = 2;
	KUNIT_EXPECT_EQ(test, sb.lost_out, 2U);
	KUNIT_EXPECT_EQ(test, sb.retrans_out, 2U);
	mytcp_sack_unlink(&sb, c);
	__skb_unlink(c, &q);
	kfree_skb(c);
	KUNIT_EXPECT_EQ(test, sb.sacked_out, 1U);
	/* Reneging, then a timeout: a's two and the one at 4000 are lost. */
	mytcp_sack_forget(&sb, &q);
	mytcp_sack_mark_all_lost(&sb, &q, NULL);
	KUNIT_EXPECT_EQ(test, sb.lost_out, 3U);
	skb_queue_purge(&q);
}

static void mytcp_test_sack_timeout(struct kunit *test)
{
	struct mytcp_scoreboard sb;
	struct sk_buff_head q;
	struct sk_buff *skb;

	mytcp_sack_fill(test, &q, &sb, 6);
	mytcp_sack_tag(&sb, &q, NULL, 3000, 4000, NULL);
	mytcp_sack_resent(&sb, mytcp_sack_find(&q, 1000));
	/* All that is not SACKed is lost, resends included; SACKs stay. */
	mytcp_sack_mark_all_lost(&sb, &q, NULL);
	KUNIT_EXPECT_EQ(test, sb.lost_out, 5U);
	KUNIT_EXPECT_EQ(test, sb.retrans_out, 0U);
	KUNIT_EXPECT_EQ(test, sb.sacked_out, 1U);
	KUNIT_EXPECT_EQ(test, mytcp_sack_pipe(&sb, 6), 0U);
	/* The cumulative ACK takes segments off the scoreboard. */
	while ((skb = skb_peek(&q)) && MYTCP_SKB_CB(skb)->seq < 4000) {
		mytcp_sack_unlink(&sb, skb);
		__skb_unlink(skb, &q);
		kfree_skb(skb);
	}
	KUNIT_EXPECT_EQ(test, sb.lost_out, 3U);
	KUNIT_EXPECT_EQ(test, sb.sacked_out, 0U);
	/* Reneging: everything forgotten. */
	mytcp_sack_tag(&sb, &q, NULL, 5000, 6000, NULL);
	mytcp_sack_forget(&sb, &q);
	KUNIT_EXPECT_EQ(test, sb.lost_out + sb.sacked_out + sb.retrans_out, 0U);
	skb_queue_walk(&q, skb)
		KUNIT_EXPECT_EQ(test, (int)MYTCP_SKB_CB(skb)->sacked, 0);
	skb_queue_purge(&q);
}

static void mytcp_test_reorder_span(struct kunit *test)
{
	/* Two SRTTs (srtt_us is scaled by 8), at least 10 ms. */
	KUNIT_EXPECT_EQ(test, mytcp_reorder_span(8 * 50000), (u32)usecs_to_jiffies(100000));
	KUNIT_EXPECT_EQ(test, mytcp_reorder_span(8 * 1000), (u32)msecs_to_jiffies(10));
}

static void mytcp_test_probe_timeout(struct kunit *test)
{
	/* Two SRTTs (srtt_us is scaled by 8), at least 10 ms. */
	KUNIT_EXPECT_EQ(test, mytcp_probe_timeout(8 * 50000, 5),
			(u32)usecs_to_jiffies(100000));
	KUNIT_EXPECT_EQ(test, mytcp_probe_timeout(8 * 1000, 5),
			(u32)msecs_to_jiffies(10));
	/* One segment in flight: the peer may delay its ACK 200 ms. */
	KUNIT_EXPECT_EQ(test, mytcp_probe_timeout(8 * 50000, 1),
			(u32)(usecs_to_jiffies(100000) + HZ / 5));
}

static struct kunit_case mytcp_sack_cases[] = {
	KUNIT_CASE(mytcp_test_reorder_span),
	KUNIT_CASE(mytcp_test_probe_timeout),
	KUNIT_CASE(mytcp_test_sack_option),
	KUNIT_CASE(mytcp_test_sack_block_ok),
	KUNIT_CASE(mytcp_test_sack_tag),
	KUNIT_CASE(mytcp_test_sack_lost),
	KUNIT_CASE(mytcp_test_sack_lost_by_time),
	KUNIT_CASE(mytcp_test_sack_reorder),
	KUNIT_CASE(mytcp_test_sack_timeout),
	KUNIT_CASE(mytcp_test_sack_bundles),
	{}
};

static struct kunit_suite mytcp_sack_suite = {
	.name = "mytcp_sack",
	.test_cases = mytcp_sack_cases,
};

/* A data segment's header with a timestamp option, as mytcp sends it. */
struct mytcp_test_hdr {
	struct tcphdr th;
	u8 opts[MYTCP_TS_LEN];
};

static void mytcp_test_gro_hdr(struct mytcp_test_hdr *h, u32 seq, u32 tsval)
{
	memset(h, 0, sizeof(*h));
	h->th.source = htons(1000);
	h->th.dest = htons(2000);
	h->th.seq = htonl(seq);
	h->th.ack_seq = htonl(77);
	h->th.doff = sizeof(*h) / 4;
	h->th.ack = 1;
	h->th.window = htons(512);
	h->opts[0] = MYTCPOPT_NOP;
	h->opts[1] = MYTCPOPT_NOP;
	h->opts[2] = MYTCPOPT_TIMESTAMP;
	h->opts[3] = MYTCPOLEN_TIMESTAMP;
	put_unaligned_be32(tsval, h->opts + 4);
}

static void mytcp_test_gro_merge(struct kunit *test)
{
	struct mytcp_test_hdr held, h;

	mytcp_test_gro_hdr(&held, 1000, 5);
	/* In sequence after two 1448-byte segments, full or shorter. */
	mytcp_test_gro_hdr(&h, 1000 + 2 * 1448, 5);
	KUNIT_EXPECT_TRUE(test, mytcp_gro_may_merge(&held.th, 2 * 1448, &h.th,
						    1448, 1448));
	KUNIT_EXPECT_TRUE(test, mytcp_gro_may_merge(&held.th, 2 * 1448, &h.th,
						    100, 1448));
	/* PSH may end the packet. */
	h.th.psh = 1;
	KUNIT_EXPECT_TRUE(test, mytcp_gro_may_merge(&held.th, 2 * 1448, &h.th,
						    1448, 1448));
	/* Sequence numbers wrap. */
	mytcp_test_gro_hdr(&held, 0xfffffc00U, 5);
	mytcp_test_gro_hdr(&h, 0, 5);
	KUNIT_EXPECT_TRUE(test, mytcp_gro_may_merge(&held.th, 0x400, &h.th,
						    1448, 1448));
}

/* May @h, a full segment, follow @held's one full segment in a GRO packet? */
static bool mytcp_test_gro_next(const struct mytcp_test_hdr *held,
				const struct mytcp_test_hdr *h)
{
	return mytcp_gro_may_merge(&held->th, 1448, &h->th, 1448, 1448);
}

static void mytcp_test_gro_no_merge(struct kunit *test)
{
	struct mytcp_test_hdr held, h;

	mytcp_test_gro_hdr(&held, 1000, 5);
	mytcp_test_gro_hdr(&h, 2448, 5);
	KUNIT_ASSERT_TRUE(test, mytcp_test_gro_next(&held, &h));
	/* A gap, an overlap, a bare ACK, a segment larger than the first. */
	KUNIT_EXPECT_FALSE(test, mytcp_gro_may_merge(&held.th, 1000, &h.th,
						     1448, 1448));
	KUNIT_EXPECT_FALSE(test, mytcp_gro_may_merge(&held.th, 2000, &h.th,
						     1448, 1448));
	KUNIT_EXPECT_FALSE(test, mytcp_gro_may_merge(&held.th, 1448, &h.th,
						     0, 1448));
	KUNIT_EXPECT_FALSE(test, mytcp_gro_may_merge(&held.th, 1448, &h.th,
						     1449, 1448));
	/* Another timestamp, ACK number, window, urgent pointer. */
	mytcp_test_gro_hdr(&h, 2448, 6);
	KUNIT_EXPECT_FALSE(test, mytcp_test_gro_next(&held, &h));
	mytcp_test_gro_hdr(&h, 2448, 5);
	h.th.ack_seq = htonl(78);
	KUNIT_EXPECT_FALSE(test, mytcp_test_gro_next(&held, &h));
	mytcp_test_gro_hdr(&h, 2448, 5);
	h.th.window = htons(513);
	KUNIT_EXPECT_FALSE(test, mytcp_test_gro_next(&held, &h));
	mytcp_test_gro_hdr(&h, 2448, 5);
	h.th.urg_ptr = htons(1);
	KUNIT_EXPECT_FALSE(test, mytcp_test_gro_next(&held, &h));
	/* Other flags, a reserved bit, no ACK. */
	mytcp_test_gro_hdr(&h, 2448, 5);
	h.th.fin = 1;
	KUNIT_EXPECT_FALSE(test, mytcp_test_gro_next(&held, &h));
	mytcp_test_gro_hdr(&h, 2448, 5);
	h.th.cwr = 1;
	KUNIT_EXPECT_FALSE(test, mytcp_test_gro_next(&held, &h));
	mytcp_test_gro_hdr(&h, 2448, 5);
	h.th.res1 = 1;
	KUNIT_EXPECT_FALSE(test, mytcp_test_gro_next(&held, &h));
	mytcp_test_gro_hdr(&h, 2448, 5);
	h.th.ack = 0;
	held.th.ack = 0;
	KUNIT_EXPECT_FALSE(test, mytcp_test_gro_next(&held, &h));
	/* Options of another length. */
	mytcp_test_gro_hdr(&held, 1000, 5);
	mytcp_test_gro_hdr(&h, 2448, 5);
	h.th.doff = MYTCP_HDR_LEN / 4;
	KUNIT_EXPECT_FALSE(test, mytcp_test_gro_next(&held, &h));
}

static void mytcp_test_gro_ends(struct kunit *test)
{
	struct mytcp_test_hdr h;

	mytcp_test_gro_hdr(&h, 1000, 5);
	KUNIT_EXPECT_FALSE(test, mytcp_gro_ends_packet(&h.th, 1448, 0));
	KUNIT_EXPECT_FALSE(test, mytcp_gro_ends_packet(&h.th, 1448, 1448));
	KUNIT_EXPECT_FALSE(test, mytcp_gro_ends_packet(&h.th, 100, 0));
	KUNIT_EXPECT_TRUE(test, mytcp_gro_ends_packet(&h.th, 1447, 1448));
	KUNIT_EXPECT_TRUE(test, mytcp_gro_ends_packet(&h.th, 0, 0));
	h.th.psh = 1;
	KUNIT_EXPECT_TRUE(test, mytcp_gro_ends_packet(&h.th, 1448, 1448));
	h.th.psh = 0;
	h.th.syn = 1;
	KUNIT_EXPECT_TRUE(test, mytcp_gro_ends_packet(&h.th, 1448, 0));
	h.th.syn = 0;
	h.th.rst = 1;
	KUNIT_EXPECT_TRUE(test, mytcp_gro_ends_packet(&h.th, 1448, 0));
	h.th.rst = 0;
	h.th.urg = 1;
	KUNIT_EXPECT_TRUE(test, mytcp_gro_ends_packet(&h.th, 1448, 0));
	h.th.urg = 0;
	h.th.ece = 1;
	KUNIT_EXPECT_TRUE(test, mytcp_gro_ends_packet(&h.th, 1448, 0));
}

static struct kunit_case mytcp_gro_cases[] = {
	KUNIT_CASE(mytcp_test_gro_merge),
	KUNIT_CASE(mytcp_test_gro_no_merge),
	KUNIT_CASE(mytcp_test_gro_ends),
	{}
};

static struct kunit_suite mytcp_gro_suite = {
	.name = "mytcp_gro",
	.test_cases = mytcp_gro_cases,
};

/* write queue: the size of a buffer (mytcp_bundle_goal()) */
static void mytcp_test_bundle_goal(struct kunit *test)
{
	/*
	 * 45 segments of 1448: a 64 KB route's sk_gso_max_size (65536 less
	 * MAX_TCP_HEADER + 1); one byte less than 45 segments gives 44.
	 */
	KUNIT_EXPECT_EQ(test, mytcp_bundle_goal(1448, 6 << 20, 65215, 65535), 45U * 1448);
	KUNIT_EXPECT_EQ(test, mytcp_bundle_goal(1448, 6 << 20, 45 * 1448, 65535), 45U * 1448);
	KUNIT_EXPECT_EQ(test, mytcp_bundle_goal(1448, 6 << 20, 45 * 1448 - 1, 65535), 44U * 1448);
	/* Half the peer's largest window: 10000 bytes hold 6 segments. */
	KUNIT_EXPECT_EQ(test, mytcp_bundle_goal(1448, 20000, 65215, 65535), 6U * 1448);
	/* Never less than a segment: a small window, lo's 64 KB MSS. */
	KUNIT_EXPECT_EQ(test, mytcp_bundle_goal(1448, 1000, 65215, 65535), 1448U);
	KUNIT_EXPECT_EQ(test, mytcp_bundle_goal(65483, 6 << 20, 65215, 65535), 65483U);
	/* The route's segment limit. */
	KUNIT_EXPECT_EQ(test, mytcp_bundle_goal(1448, 6 << 20, 65215, 4), 4U * 1448);
	KUNIT_EXPECT_EQ(test, mytcp_bundle_goal(1000, 6 << 20, 0, 65535), 1000U);
}

/* What the peer's window lets go of a buffer (mytcp_sendable()). */
static void mytcp_test_sendable(struct kunit *test)
{
	struct mytcp_sock *msk = kunit_kzalloc(test, sizeof(*msk), GFP_KERNEL);
	struct sk_buff *skb = alloc_skb(0, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, msk);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	msk->mss_cache = 1000;
	msk->max_window = 20000;
	msk->snd_una = 1000;
	msk->snd_nxt = 5000;
	msk->snd_wnd = 10000;		/* the window ends at 11000 */
	MYTCP_SKB_CB(skb)->seq = 5000;
	skb->len = 4000;		/* only the length is read */
	KUNIT_EXPECT_EQ(test, mytcp_sendable(msk, skb), 4000U);
	/* 6000 of 8000 fit: those go, cut after whole segments. */
	skb->len = 8000;
	KUNIT_EXPECT_EQ(test, mytcp_sendable(msk, skb), 6000U);
	msk->snd_wnd = 6500;
	KUNIT_EXPECT_EQ(test, mytcp_sendable(msk, skb), 2000U);
	/* Less than a segment, data in flight: silly window, nothing. */
	msk->snd_wnd = 4500;
	KUNIT_EXPECT_EQ(test, mytcp_sendable(msk, skb), 0U);
	/* Nothing in flight: what the window holds goes. */
	msk->snd_una = 5000;
	msk->snd_wnd = 500;
	KUNIT_EXPECT_EQ(test, mytcp_sendable(msk, skb), 500U);
	/* A closed window; a bare FIN goes regardless. */
	msk->snd_wnd = 0;
	KUNIT_EXPECT_EQ(test, mytcp_sendable(msk, skb), 0U);
	skb->len = 0;
	KUNIT_EXPECT_EQ(test, mytcp_sendable(msk, skb), 0U);
	kfree_skb(skb);
}

/* A socket of our own: the buffers' charges need one. */
static struct sock *mytcp_test_sock(struct kunit *test, struct socket **sock)
{
	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_MYTCP, SOCK_STREAM, 0, sock), 0);
	lock_sock((*sock)->sk);
	return (*sock)->sk;
}

/* The socket's destructor frees what is left on its write queue. */
static void mytcp_test_sock_done(struct sock *sk, struct socket *sock)
{
	release_sock(sk);
	sock_release(sock);
}

/*
 * Queue a buffer sent as @segs segments of 1000 bytes, with PSH, marked
 * lost, transmission 7; each payload byte is its sequence number's low
 * byte.
 */
static struct sk_buff *mytcp_test_bundle(struct kunit *test, struct sock *sk,
					 u32 segs)
{
	struct mytcp_sock *msk = mytcp_sk(sk);
	struct sk_buff *skb = mytcp_queue_segment(sk, 0, MYTCPHDR_PSH);
	struct page *page = alloc_page(GFP_KERNEL);
	struct mytcp_skb_cb *cb;
	u32 len = segs * 1000, i;
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_LE(test, len, (u32)PAGE_SIZE);
	cb = MYTCP_SKB_CB(skb);
	p = page_address(page);
	for (i = 0; i < len; i++)
		p[i] = (u8)(cb->seq + i);
	KUNIT_ASSERT_TRUE(test, sk_wmem_schedule(sk, len));
	skb_fill_page_desc(skb, 0, page, 0, len);
	skb->len += len;
	skb->data_len += len;
	skb->truesize += len;
	sk_wmem_queued_add(sk, len);
	sk_mem_charge(sk, len);
	cb->end_seq += len;
	cb->pcount = segs;
	cb->seg_size = 1000;
	cb->sacked = MYTCP_SACKED_LOST;
	cb->tx = 7;
	msk->write_seq += len;
	msk->snd_nxt = msk->write_seq;
	msk->send_head = NULL;
	return skb;
}

/* Does @skb hold the bytes of its sequence numbers, and only those? */
static void mytcp_test_payload(struct kunit *test, const struct sk_buff *skb)
{
	const struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	u8 *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	u32 i, wrong = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_LE(test, skb->len, (u32)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, skb->len, cb->end_seq - cb->seq);
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, buf, skb->len), 0);
	for (i = 0; i < skb->len; i++)
		wrong += buf[i] != (u8)(cb->seq + i);
	KUNIT_EXPECT_EQ(test, wrong, 0U);
}

static void mytcp_test_split_sent(struct kunit *test)
{
	struct sk_buff *skb, *tail, *copy;
	struct socket *sock;
	struct sock *sk = mytcp_test_sock(test, &sock);

	skb = mytcp_test_bundle(test, sk, 4);
	/* A copy still in flight shares the fragments. */
	copy = skb_clone(skb, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	KUNIT_EXPECT_EQ(test, mytcp_split_sent(sk, skb, 4), -EINVAL);
	KUNIT_ASSERT_EQ(test, mytcp_split_sent(sk, skb, 1), 0);
	tail = skb->next;
	KUNIT_EXPECT_EQ(test, skb->len, 1000U);
	KUNIT_EXPECT_EQ(test, mytcp_skb_pcount(skb), 1U);
	KUNIT_EXPECT_EQ(test, tail->len, 3000U);
	KUNIT_EXPECT_EQ(test, mytcp_skb_pcount(tail), 3U);
	KUNIT_EXPECT_EQ(test, MYTCP_SKB_CB(tail)->seq, 1000U);
	KUNIT_EXPECT_EQ(test, MYTCP_SKB_CB(tail)->end_seq, 4000U);
	/* PSH goes with the end; the marks with both. */
	KUNIT_EXPECT_EQ(test, MYTCP_SKB_CB(skb)->flags, 0);
	KUNIT_EXPECT_EQ(test, MYTCP_SKB_CB(tail)->flags, MYTCPHDR_PSH);
	KUNIT_EXPECT_EQ(test, MYTCP_SKB_CB(tail)->sacked, MYTCP_SACKED_LOST);
	/* Numbered as if sent one by one: 4 for the first, 7 the last. */
	KUNIT_EXPECT_EQ(test, MYTCP_SKB_CB(tail)->tx, 7U);
	KUNIT_EXPECT_EQ(test, MYTCP_SKB_CB(skb)->tx, 4U);
	KUNIT_EXPECT_EQ(test, MYTCP_SKB_CB(tail)->seg_size, 1000);
	mytcp_test_payload(test, skb);
	mytcp_test_payload(test, tail);
	KUNIT_EXPECT_EQ(test, copy->len, 4000U);
	mytcp_test_payload(test, copy);
	/* What the queue is charged is what its buffers hold. */
	KUNIT_EXPECT_EQ(test, sk->sk_wmem_queued, (int)(skb->truesize + tail->truesize));
	kfree_skb(copy);
	mytcp_test_sock_done(sk, sock);
}

static void mytcp_test_trim_acked(struct kunit *test)
{
	struct mytcp_sock *msk;
	struct sk_buff *skb, *copy;
	struct socket *sock;
	struct sock *sk = mytcp_test_sock(test, &sock);
	int queued;

	msk = mytcp_sk(sk);
	skb = mytcp_test_bundle(test, sk, 4);
	copy = skb_clone(skb, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	queued = sk->sk_wmem_queued;
	/* 1500 bytes acknowledged: 2500 left, three segments of 1000. */
	msk->snd_una = 1500;
	KUNIT_EXPECT_EQ(test, mytcp_trim_acked(sk, skb), 1U);
	KUNIT_EXPECT_EQ(test, MYTCP_SKB_CB(skb)->seq, 1500U);
	KUNIT_EXPECT_EQ(test, skb->len, 2500U);
	KUNIT_EXPECT_EQ(test, mytcp_skb_pcount(skb), 3U);
	KUNIT_EXPECT_EQ(test, sk->sk_wmem_queued, queued - 1500);
	mytcp_test_payload(test, skb);
	KUNIT_EXPECT_EQ(test, copy->len, 4000U);
	mytcp_test_payload(test, copy);
	/* Still three segments: the bytes go, the count stays. */
	msk->snd_una = 1700;
	KUNIT_EXPECT_EQ(test, mytcp_trim_acked(sk, skb), 0U);
	KUNIT_EXPECT_EQ(test, skb->len, 2300U);
	mytcp_test_payload(test, skb);
	/* All of it acknowledged: that is for the caller to free. */
	msk->snd_una = 4000;
	KUNIT_EXPECT_EQ(test, mytcp_trim_acked(sk, skb), 0U);
	KUNIT_EXPECT_EQ(test, skb->len, 2300U);
	kfree_skb(copy);
	mytcp_test_sock_done(sk, sock);
}

static void mytcp_test_unbundle_sent(struct kunit *test)
{
	struct socket *sock;
	struct sock *sk = mytcp_test_sock(test, &sock);
	struct sk_buff *skb;
	u32 n = 0, seq = 0;

	mytcp_test_bundle(test, sk, 3);
	mytcp_test_bundle(test, sk, 1);
	mytcp_test_bundle(test, sk, 2);
	mytcp_unbundle_sent(sk);
	skb_queue_walk(&sk->sk_write_queue, skb) {
		KUNIT_EXPECT_EQ(test, MYTCP_SKB_CB(skb)->seq, seq);
		KUNIT_EXPECT_EQ(test, skb->len, 1000U);
		KUNIT_EXPECT_EQ(test, mytcp_skb_pcount(skb), 1U);
		mytcp_test_payload(test, skb);
		seq += 1000;
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, 6U);
	mytcp_test_sock_done(sk, sock);
}

static struct kunit_case mytcp_wqueue_cases[] = {
	KUNIT_CASE(mytcp_test_bundle_goal),
	KUNIT_CASE(mytcp_test_sendable),
	KUNIT_CASE(mytcp_test_split_sent),
	KUNIT_CASE(mytcp_test_trim_acked),
	KUNIT_CASE(mytcp_test_unbundle_sent),
	{}
};

static struct kunit_suite mytcp_wqueue_suite = {
	.name = "mytcp_wqueue",
	.test_cases = mytcp_wqueue_cases,
};

kunit_test_suites(&mytcp_seq_suite, &mytcp_state_suite, &mytcp_sysctl_suite,
		  &mytcp_wire_suite, &mytcp_cookie_suite, &mytcp_receiver_suite,
		  &mytcp_rtt_suite, &mytcp_reno_suite, &mytcp_cubic_suite,
		  &mytcp_mem_suite, &mytcp_sack_suite, &mytcp_gro_suite,
		  &mytcp_wqueue_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of mytcp's pure logic");
