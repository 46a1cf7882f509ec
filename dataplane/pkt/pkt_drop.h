/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every reason the dataplane drops a packet, each with its own counter, so that an operator always
 * learns why a packet died. The name is what `show nat stats` prints.
 */
#pragma once

#define PKT_DROP_REASONS(X)                                                                       \
	/* parsing */                                                                             \
	X(l2_truncated, "frame shorter than its Ethernet/802.1Q header")                          \
	X(vlan_stacked, "more than one 802.1Q tag")                                               \
	X(not_ipv4, "ethertype is not IPv4")                                                      \
	X(ip_truncated, "frame shorter than the IPv4 header or total length")                    \
	X(ip_bad_version, "IP version is not 4")                                                  \
	X(ip_bad_ihl, "IPv4 header length below 20 bytes")                                        \
	X(ip_bad_total_length, "IPv4 total length below the header length")                       \
	X(ip_bad_checksum, "IPv4 header checksum wrong")                                          \
	X(ip_bad_source, "multicast, broadcast, loopback or zero source address")                 \
	X(l4_truncated, "TCP/UDP/ICMP header does not fit in the datagram")                       \
	X(tcp_bad_offset, "TCP data offset below 5 or beyond the segment")                        \
	X(proto_unsupported, "IP protocol other than TCP, UDP or ICMP")                           \
	/* fragments */                                                                           \
	X(frag_tiny, "first fragment too short to hold the transport ports")                      \
	X(frag_overlap, "fragment overlaps the transport header or another fragment")             \
	X(frag_orphan, "non-first fragment whose first fragment never came")                      \
	X(frag_table_full, "too many datagrams being reassembled")                                \
	X(frag_too_many, "too many fragments held for one datagram")                              \
	/* translation */                                                                         \
	X(no_session, "inbound packet matches no session")                                        \
	X(tcp_not_syn, "outbound TCP packet without a session is not a SYN")                      \
	X(icmp_unsupported_type, "ICMP type that is neither echo nor a translatable error")       \
	X(icmp_error_bad_checksum, "ICMP error checksum wrong")                                   \
	X(icmp_error_short_quote, "ICMP error quotes less than an IP header and 8 bytes")         \
	X(icmp_error_bad_quote, "ICMP error quotes a malformed or unrelated packet")               \
	X(icmp_error_no_session, "ICMP error about a flow with no session")                       \
	X(no_pool, "no translation pool configured for the egress")                              \
	X(ports_exhausted, "no free external port for the new flow")                              \
	X(table_full, "session table full of live sessions")                                      \
	X(host_limit, "inside host at its session limit")                                         \
	X(host_embryonic_limit, "inside host at its limit of half-open TCP sessions")             \
	X(host_table_full, "too many distinct inside hosts")                                     \
	/* forwarding */                                                                          \
	X(unknown_vlan, "frame on an A-end port whose VLAN (or lack of one) matches no VXC")      \
	X(arp_invalid, "malformed or non-Ethernet/IPv4 ARP")                                      \
	X(arp_not_for_us, "ARP about an address that is not ours")                                \
	X(no_route, "no route to the destination")                                                \
	X(ttl_exceeded, "TTL expired in transit (time-exceeded sent, rate permitting)")           \
	X(mtu_exceeded, "larger than the egress MTU (fragmentation-needed sent when DF)")         \
	X(neighbor_unresolved, "next hop's MAC address not known, and it could not wait for it")  \
	X(neighbor_hold_full, "too many packets already waiting for next hops' MAC addresses")  \
	X(neighbor_hold_timeout, "waited a second for the next hop's ARP reply, none came")      \
	X(egress_private_source, "private or bogon source about to leave the A-end")              \
	X(not_for_us, "A-end packet for an address that is neither ours nor announced")           \
	X(local_unsupported, "packet for the appliance that nothing here answers")                \
	X(punt_full, "control thread's queue full")                                               \
	X(punt_rate, "BGP over the rate handed to the control plane")                             \
	X(punt_arp_rate, "ARP over the rate handed to the control thread to learn from")          \
	X(bgp_not_neighbor, "TCP port 179 from an address that is not a BGP neighbor")            \
	X(rate_limited, "over the VXC's rate limit")                                              \
	X(handoff_full, "the owning worker's handoff queue was full")                             \
	X(tx_full, "transmit queue full")

enum pkt_drop {
#define PKT_DROP_ENUM(name, text) PKT_DROP_##name,
	PKT_DROP_REASONS(PKT_DROP_ENUM)
#undef PKT_DROP_ENUM
	PKT_DROP_MAX,
	PKT_DROP_NONE = PKT_DROP_MAX,
};

/* Name and description of a drop reason, for the console and telemetry. */
const char *pkt_drop_name(enum pkt_drop reason);
const char *pkt_drop_text(enum pkt_drop reason);
