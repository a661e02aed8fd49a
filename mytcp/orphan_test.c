// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of orphan.c: the retry limit of an orphan and the default
 * orphan limit, against TCP's tcp_orphan_retries() and tcp_max_orphans.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <net/mytcp.h>

MODULE_IMPORT_NS(MYTCP_KUNIT);

/* 0 means 8 while the timeout still backs off, as TCP's. */
static void mytcp_pick_orphan_retries_zero_alive(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mytcp_pick_orphan_retries(0, true, false), 8);
	KUNIT_EXPECT_EQ(test, mytcp_pick_orphan_retries(0, true, true), 8);
}

/* 0 stays 0 once the timeout reached rto_max. */
static void mytcp_pick_orphan_retries_zero_dead(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mytcp_pick_orphan_retries(0, false, false), 0);
}

/* A value set is used as it is, alive or not. */
static void mytcp_pick_orphan_retries_set(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mytcp_pick_orphan_retries(3, true, false), 3);
	KUNIT_EXPECT_EQ(test, mytcp_pick_orphan_retries(3, false, false), 3);
	KUNIT_EXPECT_EQ(test, mytcp_pick_orphan_retries(3, true, true), 3);
}

/* An ICMP error and a timeout at its maximum: no more retries at all. */
static void mytcp_pick_orphan_retries_soft_error(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mytcp_pick_orphan_retries(3, false, true), 0);
	KUNIT_EXPECT_EQ(test, mytcp_pick_orphan_retries(0, false, true), 0);
}

/* Half of one chain per 128 KB, rounded up to a power of two. */
static void mytcp_default_max_orphans_scales(struct kunit *test)
{
	unsigned long per_chain = 1UL << (17 - PAGE_SHIFT);

	KUNIT_EXPECT_EQ(test, mytcp_default_max_orphans(16384 * per_chain), 8192);
	KUNIT_EXPECT_EQ(test, mytcp_default_max_orphans(12000 * per_chain), 8192);
	KUNIT_EXPECT_EQ(test, mytcp_default_max_orphans(16385 * per_chain), 16384);
}

/* A tiny machine still allows 128 orphans. */
static void mytcp_default_max_orphans_floor(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mytcp_default_max_orphans(0), 128);
	KUNIT_EXPECT_EQ(test, mytcp_default_max_orphans(1), 128);
}

static struct kunit_case mytcp_orphan_cases[] = {
	KUNIT_CASE(mytcp_pick_orphan_retries_zero_alive),
	KUNIT_CASE(mytcp_pick_orphan_retries_zero_dead),
	KUNIT_CASE(mytcp_pick_orphan_retries_set),
	KUNIT_CASE(mytcp_pick_orphan_retries_soft_error),
	KUNIT_CASE(mytcp_default_max_orphans_scales),
	KUNIT_CASE(mytcp_default_max_orphans_floor),
	{}
};

static struct kunit_suite mytcp_orphan_suite = {
	.name = "mytcp_orphan",
	.test_cases = mytcp_orphan_cases,
};

kunit_test_suites(&mytcp_orphan_suite);
