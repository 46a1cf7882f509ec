/* SPDX-License-Identifier: BSD-3-Clause */
/* The connection table at scale, its limits, and lock-free readers. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <rte_udp.h>

#include "test_support.h"

#define P ip4(203, 0, 113, 1)

static struct test_engine e;

static void teardown(void)
{
	test_engine_fini(&e);
}

TestSuite(table, .fini = teardown, .timeout = 240);

/* The i-th flow of a large set: every host distinct, 64 remotes, ports that often collide. */
static void flow(uint32_t i, struct test_pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->proto = IPPROTO_UDP;
	p->src = rte_cpu_to_be_32(0x0a000000u | (i + 1));
	p->dst = ip4(198, 51, 100, (uint8_t)(i % 64));
	p->sport = (uint16_t)(1024 + i % 20000);
	p->dport = 53;
}

/* Sends flows [first, first + n) out in bursts; returns how many came out. */
static uint32_t send_flows(uint32_t first, uint32_t n, uint32_t now)
{
	uint32_t done = 0, i;

	for (i = first; i < first + n; i += 64) {
		struct rte_mbuf *in[64], *out[64];
		uint16_t k, count = (uint16_t)RTE_MIN(64u, first + n - i), got;

		for (k = 0; k < count; k++) {
			struct test_pkt p;

			flow(i + k, &p);
			in[k] = test_build(&p);
		}
		got = test_burst(&e, NAT_DIR_IN2OUT, in, count, out, 64, now);
		done += got;
		for (k = 0; k < got; k++)
			rte_pktmbuf_free(out[k]);
	}
	return done;
}

struct ext_tuple {
	uint32_t remote_addr, outside_addr;
	uint16_t remote_port, outside_port;
	uint8_t proto;
};

static int tuple_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct ext_tuple));
}

Test(table, a_million_sessions_created_looked_up_and_expired_with_unique_external_tuples)
{
	const uint32_t n = 1000000;
	struct ext_tuple *tuples = calloc(n, sizeof(*tuples));
	uint32_t idx, live = 0, i;

	cr_assert_not_null(tuples);
	test_engine_init(&e, n, NAT_MAPPING_ENDPOINT_DEPENDENT, 1);
	cr_assert_eq(send_flows(0, n, 10), n, "every flow must get a session");
	cr_assert_eq(e.w.live_sessions, n);

	for (idx = 0; idx < e.w.table.capacity; idx++) {
		struct nat_session_view v;

		if (!nat_table_read(&e.w.table, idx, &v))
			continue;
		cr_assert_lt(live, n);
		memset(&tuples[live], 0, sizeof(tuples[live]));
		tuples[live].remote_addr = v.remote_addr;
		tuples[live].outside_addr = v.outside_addr;
		tuples[live].remote_port = v.remote_port;
		tuples[live].outside_port = v.outside_port;
		tuples[live].proto = v.proto;
		live++;
	}
	cr_assert_eq(live, n);
	qsort(tuples, n, sizeof(*tuples), tuple_cmp);
	for (i = 1; i < n; i++)
		cr_assert_neq(tuple_cmp(&tuples[i - 1], &tuples[i]), 0, "two live sessions share an external tuple");
	free(tuples);

	/* Look every 97th flow up from outside: its reply must reach its host. */
	for (idx = 0, i = 0; idx < e.w.table.capacity && i < 10000; idx += 97) {
		struct nat_session_view v;
		struct test_pkt p = {.proto = IPPROTO_UDP};
		struct rte_mbuf *m;

		if (!nat_table_read(&e.w.table, idx, &v))
			continue;
		p.src = v.remote_addr;
		p.dst = v.outside_addr;
		p.sport = rte_be_to_cpu_16(v.remote_port);
		p.dport = rte_be_to_cpu_16(v.outside_port);
		m = test_out2in(&e, test_build(&p), 20);
		cr_assert_not_null(m, "reply to session %u dropped", idx);
		cr_assert_eq(test_ip(m)->dst_addr, v.inside_addr);
		cr_assert_eq(test_dport(m), rte_be_to_cpu_16(v.inside_port));
		rte_pktmbuf_free(m);
		i++;
	}
	cr_assert_gt(i, 9000);

	/* All expire after 300 s; their held tuples after 120 s more; every record comes back. */
	while (nat_worker_expire(&e.w, 10 + 300, 4096) == 4096)
		;
	cr_assert_eq(e.w.live_sessions, 0);
	cr_assert_eq(e.w.stats.expired, n);
	while (nat_worker_expire(&e.w, 10 + 300 + 120, 4096) == 4096)
		;
	cr_assert_eq(e.w.table.n_free, e.w.table.capacity);
	cr_assert_eq(e.w.table.n_entries, 0, "session keys left behind in the index");
	cr_assert_eq(rte_hash_count(e.w.table.aux), 0, "host or mapping keys left behind");
}

Test(table, per_host_limit_refuses_the_host_but_not_its_neighbour)
{
	struct test_pkt p = {.proto = IPPROTO_UDP, .src = ip4(10, 0, 0, 5), .dst = ip4(198, 51, 100, 1),
			     .dport = 53};
	struct rte_mbuf *m;
	uint16_t i;

	test_engine_init(&e, 1024, NAT_MAPPING_ENDPOINT_DEPENDENT, 1);
	e.config.per_host_limit = 10;
	for (i = 0; i < 10; i++) {
		p.sport = (uint16_t)(2000 + i);
		m = test_in2out(&e, test_build(&p), 1);
		cr_assert_not_null(m, "flow %u refused below the limit", i);
		rte_pktmbuf_free(m);
	}
	p.sport = 3000;
	cr_assert_null(test_in2out(&e, test_build(&p), 1));
	cr_assert_eq(test_drops(&e, PKT_DROP_host_limit), 1);
	p.src = ip4(10, 0, 0, 6);
	m = test_in2out(&e, test_build(&p), 1);
	cr_assert_not_null(m, "another host must not suffer from the first one's limit");
	rte_pktmbuf_free(m);
	/* Existing flows of the limited host keep working. */
	p.src = ip4(10, 0, 0, 5);
	p.sport = 2003;
	m = test_in2out(&e, test_build(&p), 2);
	cr_assert_not_null(m);
	rte_pktmbuf_free(m);
}

/* Sends the reply of flow i; true when it reached its host. */
static bool reply_reaches(uint32_t i, uint32_t now)
{
	struct test_pkt p;
	struct rte_mbuf *m;
	bool ok;

	flow(i, &p);
	ok = false;
	/* The external port is the kept source port in these tests (no collisions below 20000). */
	{
		struct test_pkt r = {.proto = IPPROTO_UDP, .src = p.dst, .dst = P, .sport = p.dport,
				     .dport = p.sport};

		m = test_out2in(&e, test_build(&r), now);
		ok = m != NULL && test_ip(m)->dst_addr == p.src;
		rte_pktmbuf_free(m);
	}
	return ok;
}

Test(table, a_full_table_refuses_new_flows_and_never_evicts)
{
	uint32_t i;

	test_engine_init(&e, 100, NAT_MAPPING_ENDPOINT_DEPENDENT, 1);
	cr_assert_eq(send_flows(0, 100, 1), 100);
	for (i = 0; i < 100; i++) /* answered: none may give way to a new flow */
		cr_assert(reply_reaches(i, 1));
	cr_assert_eq(send_flows(100, 50, 2), 0, "flows beyond capacity must be refused");
	cr_assert_eq(test_drops(&e, PKT_DROP_table_full), 50);
	for (i = 0; i < 100; i++)
		cr_assert(reply_reaches(i, 3), "live session %u was evicted", i);
	/* Once sessions expire and their ports' hold ends, new flows fit again. */
	while (nat_worker_expire(&e.w, 1 + 300 + 120, 64) == 64)
		;
	cr_assert_eq(send_flows(200, 100, 1 + 300 + 120), 100);
}

Test(table, exhausted_ports_refuse_new_flows_and_never_evict)
{
	struct test_pkt p = {.proto = IPPROTO_UDP, .dst = ip4(198, 51, 100, 1), .sport = 100, .dport = 53};
	uint32_t i, ok = 0;

	test_engine_init(&e, 4096, NAT_MAPPING_ENDPOINT_DEPENDENT, 1);
	/* 1023 privileged ports towards one remote endpoint, 1200 hosts wanting one. */
	for (i = 0; i < 1200; i++) {
		struct rte_mbuf *m;

		p.src = rte_cpu_to_be_32(0x0a010000u + i + 1);
		m = test_in2out(&e, test_build(&p), 1);
		if (m != NULL) {
			struct test_pkt r = {.proto = IPPROTO_UDP, .src = p.dst, .dst = P, .sport = p.dport,
					     .dport = test_sport(m)};

			cr_assert_lt(test_sport(m), 1024);
			ok++;
			/* Answered: an unanswered flow would give way to the next (test_embryonic.c). */
			rte_pktmbuf_free(m);
			m = test_out2in(&e, test_build(&r), 1);
			cr_assert_not_null(m);
		}
		rte_pktmbuf_free(m);
	}
	cr_assert_leq(ok, 1023);
	cr_assert_gt(ok, 900, "random allocation gave up too early (%u)", ok);
	cr_assert_eq(test_drops(&e, PKT_DROP_ports_exhausted), 1200 - ok);
	cr_assert_eq(e.w.live_sessions, ok, "a live session was evicted");
}

/* Lock-free readers: a thread walks the table while the owner creates and expires sessions. */

struct reader_ctx {
	const struct nat_table *table;
	volatile int stop;
	uint64_t seen, torn;
};

static void *reader(void *arg)
{
	struct reader_ctx *c = arg;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		uint32_t idx;

		for (idx = 0; idx < c->table->capacity; idx++) {
			struct nat_session_view v;

			if (!nat_table_read(c->table, idx, &v))
				continue;
			c->seen++;
			/* Flows are built so that these fields agree; a record mixed from two sessions
			 * would break the agreement. */
			if (v.remote_port != v.inside_port ||
			    (rte_be_to_cpu_32(v.remote_addr) & 0xffff) != (rte_be_to_cpu_32(v.inside_addr) & 0xffff) ||
			    v.outside_addr != P)
				c->torn++;
		}
	}
	return NULL;
}

Test(table, a_reader_thread_never_sees_a_torn_record)
{
	struct reader_ctx c = {0};
	pthread_t thread;
	uint32_t round, now = 1;

	test_engine_init(&e, 20000, NAT_MAPPING_ENDPOINT_DEPENDENT, 1);
	e.config.timeout[NAT_TIMEOUT_UDP] = 3;
	e.config.timeout[NAT_TIMEOUT_PORT_HOLD] = 1;
	c.table = &e.w.table;
	cr_assert_eq(pthread_create(&thread, NULL, reader, &c), 0);
	for (round = 0; round < 400; round++, now++) {
		uint32_t i;

		for (i = 0; i < 4000; i += 64) {
			struct rte_mbuf *in[64], *out[64];
			uint16_t k, got;

			for (k = 0; k < 64; k++) {
				uint32_t id = round * 4000 + i + k;
				struct test_pkt p = {.proto = IPPROTO_UDP,
						     .src = rte_cpu_to_be_32(0x0a000000u | (id & 0xfffff) | 1u << 20),
						     .dst = rte_cpu_to_be_32(0xc6330000u | (id & 0xffff)),
						     .sport = (uint16_t)(1024 + id % 60000),
						     .dport = (uint16_t)(1024 + id % 60000)};

				in[k] = test_build(&p);
			}
			got = test_burst(&e, NAT_DIR_IN2OUT, in, 64, out, 64, now);
			for (k = 0; k < got; k++)
				rte_pktmbuf_free(out[k]);
		}
		while (nat_worker_expire(&e.w, now, 256) == 256)
			;
	}
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	cr_assert_gt(e.w.stats.expired, 1000000, "the writer must have churned the table");
	cr_assert_gt(c.seen, 0);
	cr_assert_eq(c.torn, 0, "%lu torn records seen among %lu", (unsigned long)c.torn,
		     (unsigned long)c.seen);
}

Test(table, expiry_run_by_a_full_table_keeps_host_counts_right)
{
	struct test_pkt p = {.proto = IPPROTO_UDP, .src = ip4(10, 0, 0, 5), .dst = ip4(198, 51, 100, 1),
			     .dport = 53};
	struct rte_mbuf *m;
	uint16_t i;

	test_engine_init(&e, 4, NAT_MAPPING_ENDPOINT_DEPENDENT, 1);
	e.config.per_host_limit = 4;
	e.config.timeout[NAT_TIMEOUT_PORT_HOLD] = 0;
	/* Fill the table with one host's sessions, let them all time out unnoticed... */
	for (i = 0; i < 4; i++) {
		p.sport = (uint16_t)(2000 + i);
		rte_pktmbuf_free(test_in2out(&e, test_build(&p), 1));
	}
	cr_assert_eq(e.w.live_sessions, 4);
	/* ...then open new ones: each must find a record by expiring an old one, and the host's count
	 * must follow, or the limit would refuse the host for good. */
	for (i = 0; i < 4; i++) {
		p.sport = (uint16_t)(3000 + i);
		m = test_in2out(&e, test_build(&p), 1 + 300 + i);
		cr_assert_not_null(m, "new flow %u refused", i);
		rte_pktmbuf_free(m);
	}
	cr_assert_eq(test_drops(&e, PKT_DROP_host_limit), 0);
}

/* The index and the host table on their own: keys forced to share buckets and slots. */

static uint32_t rnd32(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*state >> 32);
}

static void index_keys(const struct nat_session *s, struct nat_key *in, struct nat_key *out)
{
	memset(in, 0, sizeof(*in));
	memset(out, 0, sizeof(*out));
	in->kind = NAT_KEY_IN2OUT;
	in->proto = out->proto = s->proto;
	in->local_addr = s->inside_addr;
	in->local_port = s->inside_port;
	out->kind = NAT_KEY_OUT2IN;
	out->local_addr = s->outside_addr;
	out->local_port = s->outside_port;
	in->remote_addr = out->remote_addr = s->remote_addr;
	in->remote_port = out->remote_port = s->remote_port;
}

Test(table, the_index_finds_every_key_through_overflowing_buckets)
{
	/* 25 sessions: 50 keys in 8 buckets of 8 entries, so buckets overflow into their neighbours. */
	struct nat_table_params params = {.name = "index_test", .socket = SOCKET_ID_ANY, .capacity = 25,
					  .host_capacity = 25};
	bool present[25] = {false};
	struct nat_table t;
	uint64_t rng = 7;
	unsigned max_overflow = 0, round, i, b;

	test_eal_init();
	cr_assert_eq(nat_table_init(&t, &params), 0);
	cr_assert_eq(t.bucket_mask + 1, 8);
	for (round = 0; round < 2000; round++) {
		uint32_t idx = rnd32(&rng) % t.capacity;
		struct nat_session *s = &t.sessions[idx];
		struct nat_key in, out;

		index_keys(s, &in, &out);
		if (present[idx]) {
			nat_table_remove(&t, NAT_KEY_IN2OUT, nat_key_hash(&t, &in), idx);
			nat_table_remove(&t, NAT_KEY_OUT2IN, nat_key_hash(&t, &out), idx);
			present[idx] = false;
		} else {
			s->proto = IPPROTO_UDP;
			s->inside_addr = rnd32(&rng);
			s->outside_addr = rnd32(&rng);
			s->remote_addr = rnd32(&rng);
			s->inside_port = (uint16_t)rnd32(&rng);
			s->outside_port = (uint16_t)rnd32(&rng);
			s->remote_port = (uint16_t)rnd32(&rng);
			index_keys(s, &in, &out);
			cr_assert_eq(nat_table_insert(&t, &in, nat_key_hash(&t, &in), idx), 0);
			cr_assert_eq(nat_table_insert(&t, &out, nat_key_hash(&t, &out), idx), 0);
			present[idx] = true;
		}
		for (b = 0; b <= t.bucket_mask; b++)
			max_overflow = RTE_MAX(max_overflow, t.buckets[b].overflow);
		/* Every present session is found by both keys, and nothing else is. */
		for (i = 0; i < t.capacity; i++) {
			index_keys(&t.sessions[i], &in, &out);
			cr_assert_eq(nat_table_lookup(&t, &in, nat_key_hash(&t, &in)), present[i] ? (int64_t)i : -1,
				     "round %u, session %u, in2out key", round, i);
			cr_assert_eq(nat_table_lookup(&t, &out, nat_key_hash(&t, &out)), present[i] ? (int64_t)i : -1,
				     "round %u, session %u, out2in key", round, i);
		}
	}
	cr_assert_gt(max_overflow, 0, "no bucket ever overflowed: the test proved nothing");
	for (i = 0; i < t.capacity; i++) {
		struct nat_key in, out;

		if (!present[i])
			continue;
		index_keys(&t.sessions[i], &in, &out);
		nat_table_remove(&t, NAT_KEY_IN2OUT, nat_key_hash(&t, &in), i);
		nat_table_remove(&t, NAT_KEY_OUT2IN, nat_key_hash(&t, &out), i);
	}
	cr_assert_eq(t.n_entries, 0);
	for (b = 0; b <= t.bucket_mask; b++)
		cr_assert_eq(t.buckets[b].overflow, 0, "bucket %u still counts entries that left", b);
	nat_table_fini(&t);
}

Test(table, host_counts_survive_removals_in_any_order_and_the_host_limit_holds)
{
	struct nat_table_params params = {.name = "host_test", .socket = SOCKET_ID_ANY, .capacity = 64,
					  .host_capacity = 1000};
	static rte_be32_t hosts[1000];
	static uint32_t sessions[1000];
	struct nat_table t;
	uint64_t rng = 11;
	uint32_t left = 0, i;

	test_eal_init();
	cr_assert_eq(nat_table_init(&t, &params), 0);
	for (i = 0; i < 1000; i++) {
		hosts[i] = rnd32(&rng) | 1; /* never 0, which marks a free slot */
		sessions[i] = 1 + rnd32(&rng) % 3;
		for (uint32_t k = 0; k < sessions[i]; k++)
			cr_assert_eq(nat_host_ref(&t, nat_host_slot(&t, hosts[i]), hosts[i]), 0);
		left += sessions[i];
	}
	cr_assert_eq(t.n_hosts, 1000);
	cr_assert_eq(nat_host_ref(&t, nat_host_slot(&t, 0x0a0a0a0a), 0x0a0a0a0a), -ENOSPC,
		     "a host beyond the capacity must be refused");
	/* End sessions one at a time in random order; every host's count stays exact throughout. */
	while (left > 0) {
		uint32_t h = rnd32(&rng) % 1000;

		if (sessions[h] == 0)
			continue;
		nat_host_unref(&t, hosts[h]);
		sessions[h]--;
		left--;
		if (left % 97 == 0)
			for (i = 0; i < 1000; i++)
				cr_assert_eq(nat_host_sessions(nat_host_slot(&t, hosts[i])), sessions[i],
					     "host %u's count, %u sessions left", i, left);
	}
	cr_assert_eq(t.n_hosts, 0);
	for (i = 0; i <= t.host_mask; i++)
		cr_assert_eq(t.hosts[i].addr, 0, "slot %u not freed", i);
	nat_table_fini(&t);
}

/* nat_table_check() (what the fuzzer asserts) must notice each kind of damage. */
Test(table, the_invariant_check_notices_damage)
{
	char why[256];
	struct nat_host_slot *h;
	uint32_t live, i;

	test_engine_init(&e, 64, NAT_MAPPING_ENDPOINT_DEPENDENT, 1);
	cr_assert_eq(send_flows(0, 10, 1), 10);
	cr_assert(nat_table_check(&e.w, why, sizeof(why)), "%s", why);
	h = nat_host_slot(&e.w.table, rte_cpu_to_be_32(0x0a000001u));
	h->sessions++;
	cr_assert(!nat_table_check(&e.w, why, sizeof(why)));
	cr_assert_not_null(strstr(why, "host"), "%s", why);
	h->sessions--;
	live = e.w.live_sessions++;
	cr_assert(!nat_table_check(&e.w, why, sizeof(why)));
	e.w.live_sessions = live;
	for (i = 0; i < e.w.table.capacity && e.w.table.sessions[i].state == NAT_S_FREE; i++)
		;
	nat_wheel_remove(&e.w.table, i);
	cr_assert(!nat_table_check(&e.w, why, sizeof(why)));
	cr_assert_not_null(strstr(why, "wheel"), "%s", why);
}
