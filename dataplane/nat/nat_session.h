/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The session record and the hash keys that lead to it.
 *
 * Addresses and ports are kept in network byte order everywhere, so the fast path never swaps bytes.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>

enum nat_state {
	NAT_S_FREE,
	NAT_S_UDP,             /* UDP with replies */
	NAT_S_ICMP,
	NAT_S_TCP_SYN_IN,      /* SYN seen from inside only */
	NAT_S_TCP_ESTABLISHED, /* SYN seen both ways, and the inside's ACK of the outside's */
	NAT_S_TCP_FIN_IN,      /* FIN seen from inside */
	NAT_S_TCP_FIN_OUT,     /* FIN seen from outside */
	NAT_S_TCP_FIN_BOTH,    /* FIN seen both ways: closed */
	NAT_S_TCP_RST,         /* RST seen: kept 4 minutes (RFC 7857 §2.1) */
	/* Not yet a connection: what a SYN flood leaves behind, first to give way (nat_embryonic.c). */
	NAT_S_TCP_SYN_BOTH,    /* SYN seen both ways, the inside has not acknowledged yet */
	NAT_S_TCP_REFUSED,     /* RST before the handshake completed */
	NAT_S_UDP_OUT,         /* UDP that no reply has reached yet */
	/* Released, but the external tuple is held back so that a late packet of the old flow cannot
	 * reach a new one. Only the out2in key still leads here; it matches no traffic. */
	NAT_S_HOLD,
	NAT_S_MAX,
};

/* Kinds of hash keys: the two of a session (the index), those of endpoint-independent mappings (aux). */
enum nat_key_kind {
	NAT_KEY_IN2OUT,   /* local = inside H:p */
	NAT_KEY_OUT2IN,   /* local = external P:x */
	NAT_KEY_EIM_MAP,  /* local = inside H:p; data = its endpoint-independent P:x and users */
	NAT_KEY_EIM_PORT, /* local = external P:x taken by an endpoint-independent mapping */
	NAT_KEY_BLOCK,       /* local = external address, port = block number; data = owner, users */
	NAT_KEY_HOST_BLOCKS, /* local = inside host, remote = external address; data = its blocks */
};

struct nat_key {
	rte_be32_t local_addr;
	rte_be32_t remote_addr;
	rte_be16_t local_port; /* or ICMP echo identifier */
	rte_be16_t remote_port;
	uint8_t proto;
	uint8_t kind;
	uint16_t zero; /* keys are compared as 16 bytes: keep the padding defined */
};

_Static_assert(sizeof(struct nat_key) == 16, "nat_key must stay 16 bytes for rte_hash's fast compare");

_Static_assert(offsetof(struct nat_key, remote_addr) == 4 && offsetof(struct nat_key, local_port) == 8 &&
		       offsetof(struct nat_key, remote_port) == 10 && offsetof(struct nat_key, proto) == 12 &&
		       offsetof(struct nat_key, kind) == 13,
	       "nat_key_fill() writes the key as two words in this layout");

static inline void nat_key_fill(struct nat_key *k, enum nat_key_kind kind, uint8_t proto,
				rte_be32_t local_addr, rte_be16_t local_port, rte_be32_t remote_addr,
				rte_be16_t remote_port)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	/* Two 8-byte stores rather than seven narrow ones: the key is hashed as two 8-byte words right
	 * after, and a load that spans several narrow stores still in flight cannot take its bytes
	 * from them (store-to-load forwarding fails) and waits until they are written. */
	uint64_t w0 = (uint64_t)local_addr | (uint64_t)remote_addr << 32;
	uint64_t w1 = (uint64_t)local_port | (uint64_t)remote_port << 16 | (uint64_t)proto << 32 |
		      (uint64_t)kind << 40;

	memcpy(k, &w0, 8);
	memcpy((uint8_t *)k + 8, &w1, 8);
#else
	k->local_addr = local_addr;
	k->remote_addr = remote_addr;
	k->local_port = local_port;
	k->remote_port = remote_port;
	k->proto = proto;
	k->kind = (uint8_t)kind;
	k->zero = 0;
#endif
}

/*
 * One session: 44 bytes. The identity (addresses, ports, proto) is written only when the session is
 * created or released, inside a `seq` write section, so that a reader on another thread can copy it
 * without locks and detect a concurrent change (seqlock). last_seen and state are single words the
 * owning worker updates per packet; readers read them atomically.
 */
struct nat_session {
	uint32_t seq; /* odd while the identity is being rewritten */
	uint8_t proto;
	uint8_t state; /* enum nat_state */
	uint16_t pool; /* index of the pool the external address came from */
	rte_be32_t inside_addr;
	rte_be32_t outside_addr;
	rte_be32_t remote_addr;
	rte_be16_t inside_port;
	rte_be16_t outside_port;
	rte_be16_t remote_port;
	uint16_t flags; /* NAT_SESSION_F_* */
	uint32_t last_seen; /* seconds, worker clock */
	uint32_t wheel_at;  /* the second of the timer wheel slot holding this session */
	uint32_t wheel_prev;
	uint32_t wheel_next;
};

_Static_assert(sizeof(struct nat_session) == 44, "session records are meant to stay compact");

#define NAT_NIL UINT32_MAX

enum {
	NAT_SESSION_F_EIM = 1 << 0,   /* holds a reference on an endpoint-independent mapping */
	NAT_SESSION_F_BLOCK = 1 << 1, /* its port is in a block of its host's (nat_blocks.c) */
};
