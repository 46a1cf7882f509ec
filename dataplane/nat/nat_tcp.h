/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP session state machine of RFC 6146 §3.5.2 as RFC 7857 §2 asks NATs to apply it. "In" is
 * the LAN side (the side that opened the session), "out" the A-end side.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_tcp.h>

#include "nat_config.h"
#include "nat_session.h"

enum nat_dir {
	NAT_DIR_IN2OUT,
	NAT_DIR_OUT2IN,
};

/* Next state of a TCP session after a segment with `tcp_flags` travelling in `dir`. */
static inline enum nat_state nat_tcp_next(enum nat_state state, enum nat_dir dir, uint8_t tcp_flags)
{
	if (tcp_flags & RTE_TCP_RST_FLAG) {
		/* RFC 7857 §2.1: keep the session 4 minutes, in case the RST was forged or lost. A
		 * connection refused before it existed keeps as long, but may give way under pressure. */
		if (state == NAT_S_TCP_SYN_IN || state == NAT_S_TCP_SYN_BOTH || state == NAT_S_TCP_REFUSED)
			return NAT_S_TCP_REFUSED;
		return NAT_S_TCP_RST;
	}
	switch (state) {
	case NAT_S_TCP_SYN_IN:
		/* A SYN from outside answers: the normal handshake (SYN+ACK) or a simultaneous open
		 * (bare SYN). */
		if (dir == NAT_DIR_OUT2IN && (tcp_flags & RTE_TCP_SYN_FLAG))
			return NAT_S_TCP_SYN_BOTH;
		return state;
	case NAT_S_TCP_SYN_BOTH:
		/* RFC 6146 calls this established already; it becomes so here once the inside host
		 * acknowledges the outside's SYN (its ACK, or its SYN+ACK in a simultaneous open), which
		 * a spoofed source never does: a flood's sessions stay transitory and may give way. */
		if (dir == NAT_DIR_IN2OUT && (tcp_flags & RTE_TCP_ACK_FLAG))
			return tcp_flags & RTE_TCP_FIN_FLAG ? NAT_S_TCP_FIN_IN : NAT_S_TCP_ESTABLISHED;
		return state;
	case NAT_S_TCP_REFUSED:
		if (dir == NAT_DIR_IN2OUT && (tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG)
			return NAT_S_TCP_SYN_IN; /* the host tries again */
		return state;
	case NAT_S_TCP_ESTABLISHED:
		if (tcp_flags & RTE_TCP_FIN_FLAG)
			return dir == NAT_DIR_IN2OUT ? NAT_S_TCP_FIN_IN : NAT_S_TCP_FIN_OUT;
		return state;
	case NAT_S_TCP_FIN_IN:
		if ((tcp_flags & RTE_TCP_FIN_FLAG) && dir == NAT_DIR_OUT2IN)
			return NAT_S_TCP_FIN_BOTH;
		return state;
	case NAT_S_TCP_FIN_OUT:
		if ((tcp_flags & RTE_TCP_FIN_FLAG) && dir == NAT_DIR_IN2OUT)
			return NAT_S_TCP_FIN_BOTH;
		return state;
	case NAT_S_TCP_RST:
		/* RFC 6146 TRANS: traffic after the RST means the connection lives on. */
		return NAT_S_TCP_ESTABLISHED;
	default:
		return state;
	}
}

/* Which timeout governs a session in `state`. */
static inline enum nat_timeout nat_state_timeout(enum nat_state state)
{
	switch (state) {
	case NAT_S_UDP:
	case NAT_S_UDP_OUT:
		return NAT_TIMEOUT_UDP;
	case NAT_S_ICMP:
		return NAT_TIMEOUT_ICMP;
	case NAT_S_TCP_ESTABLISHED:
	case NAT_S_TCP_FIN_IN: /* a half-closed connection may legitimately stay idle for long */
	case NAT_S_TCP_FIN_OUT:
		return NAT_TIMEOUT_TCP_ESTABLISHED;
	case NAT_S_TCP_SYN_IN:
	case NAT_S_TCP_SYN_BOTH:
	case NAT_S_TCP_REFUSED:
	case NAT_S_TCP_FIN_BOTH:
	case NAT_S_TCP_RST:
		return NAT_TIMEOUT_TCP_TRANSITORY;
	default:
		return NAT_TIMEOUT_PORT_HOLD;
	}
}

/* A TCP connection seen to close: its external port may be reused at once. */
static inline bool nat_state_closed(enum nat_state state)
{
	return state == NAT_S_TCP_FIN_BOTH || state == NAT_S_TCP_RST || state == NAT_S_TCP_REFUSED;
}

/* A TCP session that never completed its handshake: counted against its host's half-open limit. */
static inline bool nat_state_half_open(enum nat_state state)
{
	return state == NAT_S_TCP_SYN_IN || state == NAT_S_TCP_SYN_BOTH || state == NAT_S_TCP_REFUSED;
}

/* Never answered as a connection: the sessions that give way to new flows under pressure. */
static inline bool nat_state_unanswered(enum nat_state state)
{
	return nat_state_half_open(state) || state == NAT_S_UDP_OUT;
}
