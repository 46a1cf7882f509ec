/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP error translation (RFC 5508 §4): an error about a
 * translated flow is translated like the flow, and so is the packet it quotes, with the quoted IP
 * checksum, the quoted transport checksum where the quote holds it, and the ICMP checksum updated.
 * Errors never refresh or end a session.
 */
#include "nat_inlines.h"
#include "nat_rewrite.h"

#define ICMP_HDR_LEN 8
#define ICMP_DEST_UNREACH 3
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETER_PROBLEM 12
#define QUOTED_L4_MIN 8 /* RFC 792: the quote holds at least 8 bytes past the IP header */

struct quote {
	struct rte_ipv4_hdr *ip;
	uint8_t *l4;
	uint16_t l4_len; /* bytes of the quoted transport header present */
};

static bool icmp_is_error(uint8_t type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETER_PROBLEM;
}

/* Validates the error and finds the packet it quotes. */
static enum pkt_drop quote_parse(const struct pkt_info *info, struct quote *q)
{
	uint8_t *icmp = info->l4;
	uint16_t qihl;

	if (info->flags & PKT_F_FRAGMENT)
		return PKT_DROP_icmp_error_bad_quote;
	if (info->l4_len < ICMP_HDR_LEN + sizeof(struct rte_ipv4_hdr) + QUOTED_L4_MIN)
		return PKT_DROP_icmp_error_short_quote;
	/* Errors are rare and small: checking them in full is cheap and keeps forged ones out. */
	if (rte_raw_cksum(icmp, info->l4_len) != 0xffff)
		return PKT_DROP_icmp_error_bad_checksum;
	q->ip = (struct rte_ipv4_hdr *)(icmp + ICMP_HDR_LEN);
	if ((q->ip->version_ihl >> 4) != 4)
		return PKT_DROP_icmp_error_bad_quote;
	qihl = rte_ipv4_hdr_len(q->ip);
	if (qihl < sizeof(struct rte_ipv4_hdr))
		return PKT_DROP_icmp_error_bad_quote;
	if (info->l4_len < ICMP_HDR_LEN + qihl + QUOTED_L4_MIN)
		return PKT_DROP_icmp_error_short_quote;
	if (rte_be_to_cpu_16(q->ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK)
		return PKT_DROP_icmp_error_bad_quote; /* a later fragment quotes no ports */
	q->l4 = (uint8_t *)q->ip + qihl;
	q->l4_len = (uint16_t)(info->l4_len - ICMP_HDR_LEN - qihl);
	return PKT_DROP_NONE;
}

/* The quoted packet's ports as (source, destination); for ICMP echo both are the identifier. */
static enum pkt_drop quote_ports(const struct quote *q, uint8_t echo_type, rte_be16_t **sport,
				 rte_be16_t **dport)
{
	switch (q->ip->next_proto_id) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		*sport = (rte_be16_t *)q->l4;
		*dport = (rte_be16_t *)(q->l4 + 2);
		return PKT_DROP_NONE;
	case IPPROTO_ICMP:
		if (q->l4[0] != echo_type)
			return PKT_DROP_icmp_error_bad_quote;
		*sport = *dport = (rte_be16_t *)(q->l4 + 4); /* the echo identifier */
		return PKT_DROP_NONE;
	default:
		return PKT_DROP_icmp_error_bad_quote;
	}
}

/*
 * Rewrites the quoted packet's source or destination address and the port at `qport`, keeping the
 * quoted IP checksum, the quoted transport checksum (when the quote holds it) and the ICMP checksum
 * right. `qport` points into the quote, which sits at an even offset of the frame.
 */
static void quote_rewrite(struct rte_icmp_hdr *icmp, const struct quote *q, enum nat_side side,
			  rte_be32_t addr, rte_be16_t *qport, rte_be16_t port)
{
	uint16_t ck = icmp->icmp_cksum;
	rte_be32_t old_addr = side == NAT_SIDE_SRC ? q->ip->src_addr : q->ip->dst_addr;
	rte_be16_t old_port = *qport;
	rte_be16_t old_qck = q->ip->hdr_checksum;
	rte_be16_t *l4ck = NULL;
	uint8_t proto = q->ip->next_proto_id;

	if (side == NAT_SIDE_SRC)
		q->ip->src_addr = addr;
	else
		q->ip->dst_addr = addr;
	q->ip->hdr_checksum = cksum_adjust32(old_qck, old_addr, addr);
	ck = cksum_adjust32(ck, old_addr, addr);
	ck = cksum_adjust16(ck, old_qck, q->ip->hdr_checksum);

	if (proto == IPPROTO_TCP && q->l4_len >= 18)
		l4ck = (rte_be16_t *)(q->l4 + 16);
	else if (proto == IPPROTO_UDP)
		l4ck = (rte_be16_t *)(q->l4 + 6);
	else if (proto == IPPROTO_ICMP)
		l4ck = (rte_be16_t *)(q->l4 + 2);
	if (l4ck != NULL) {
		rte_be16_t old = *l4ck, new = old;

		if (proto == IPPROTO_UDP) {
			new = cksum_udp_adjust32(new, old_addr, addr);
			new = cksum_udp_adjust16(new, old_port, port);
		} else {
			if (proto == IPPROTO_TCP) /* ICMP has no pseudo-header */
				new = cksum_adjust32(new, old_addr, addr);
			new = cksum_adjust16(new, old_port, port);
		}
		*l4ck = new;
		ck = cksum_adjust16(ck, old, new);
	}
	*qport = port;
	ck = cksum_adjust16(ck, old_port, port);
	icmp->icmp_cksum = ck;
}

/*
 * Out2in, an error from the A-end side about a packet we sent (P:x -> R:r): it goes to H, about
 * H:p -> R:r. In2out, an error from the LAN about a packet we delivered (R:r -> H:p): it goes to R,
 * about R:r -> P:x; the sender may be H or a router on the LAN, and either way leaves as P.
 */
static enum pkt_drop translate_error(struct nat_worker *w, struct pkt_info *info, enum nat_dir dir)
{
	bool out2in = dir == NAT_DIR_OUT2IN;
	struct rte_icmp_hdr *icmp = info->l4;
	rte_be16_t *sport, *dport;
	const struct nat_session *s;
	enum pkt_drop why;
	struct nat_key k;
	struct quote q;
	int64_t idx;

	if (!icmp_is_error(icmp->icmp_type))
		return PKT_DROP_icmp_unsupported_type;
	why = quote_parse(info, &q);
	if (why == PKT_DROP_NONE)
		why = quote_ports(&q, out2in ? RTE_IP_ICMP_ECHO_REQUEST : RTE_IP_ICMP_ECHO_REPLY, &sport,
				  &dport);
	if (why != PKT_DROP_NONE)
		return why;
	/* An error goes back to the sender of the packet it quotes. */
	if (info->ip->dst_addr != q.ip->src_addr)
		return PKT_DROP_icmp_error_bad_quote;
	/* Our end of the quoted packet is its source going out, its destination coming in. */
	if (out2in)
		nat_key_fill(&k, NAT_KEY_OUT2IN, q.ip->next_proto_id, q.ip->src_addr, *sport,
			     q.ip->dst_addr, q.ip->next_proto_id == IPPROTO_ICMP ? 0 : *dport);
	else
		nat_key_fill(&k, NAT_KEY_IN2OUT, q.ip->next_proto_id, q.ip->dst_addr, *dport,
			     q.ip->src_addr, q.ip->next_proto_id == IPPROTO_ICMP ? 0 : *sport);
	idx = nat_table_lookup(&w->table, &k, nat_key_hash(&w->table, &k));
	if (idx < 0 || w->table.sessions[idx].state == NAT_S_HOLD)
		return PKT_DROP_icmp_error_no_session;
	s = &w->table.sessions[idx];

	if (out2in) {
		nat_rewrite_addr(info->ip, NAT_SIDE_DST, s->inside_addr, NULL);
		quote_rewrite(icmp, &q, NAT_SIDE_SRC, s->inside_addr, sport, s->inside_port);
	} else {
		nat_rewrite_addr(info->ip, NAT_SIDE_SRC, s->outside_addr, NULL);
		quote_rewrite(icmp, &q, NAT_SIDE_DST, s->outside_addr, dport, s->outside_port);
	}
	return PKT_DROP_NONE;
}

enum pkt_drop nat_icmp_error_out2in(struct nat_worker *w, struct pkt_info *info)
{
	return translate_error(w, info, NAT_DIR_OUT2IN);
}

enum pkt_drop nat_icmp_error_in2out(struct nat_worker *w, struct pkt_info *info)
{
	return translate_error(w, info, NAT_DIR_IN2OUT);
}
