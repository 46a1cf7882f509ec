# shellcheck shell=bash
# The veth leg of bench/run.sh (sourced): what a user would run instead of secnat, Linux's own NAT
# (nftables masquerade), against secnat on the same veths, with the same generator.
#
#   namespace bn-gen: g-lan  <-veth->  d-lan   namespace bn-dut (the device under test)
#                     g-aend <-veth->  d-aend
#
# The A-end is untagged here (this kernel has no 802.1Q for the Linux side). The device's kernel
# work is pinned to CPU 0 by RPS on its veths, where secnat's worker also runs; the generator's
# side to CPU 1. Each case gets fresh namespaces (so Linux starts with an empty connection table);
# names carry the harness's pid so that two runs never share them.

veth_ns_gen=bn-gen-$$
veth_ns_dut=bn-dut-$$

veth_up() {
  ip netns add "$veth_ns_gen"
  ip netns add "$veth_ns_dut"
  local side
  for side in lan aend; do
    ip link add "g-$side" netns "$veth_ns_gen" type veth peer name "d-$side" netns "$veth_ns_dut"
    ip -n "$veth_ns_gen" link set "g-$side" up
    ip -n "$veth_ns_dut" link set "d-$side" up
    # The device's kernel side sends (Linux's NAT): finished checksums, or af_packet hands the
    # generator partial ones.
    ip netns exec "$veth_ns_dut" ethtool -K "d-$side" tx off >/dev/null
    ip netns exec "$veth_ns_gen" ethtool -K "g-$side" tx off >/dev/null
    ip netns exec "$veth_ns_dut" sh -c "echo 1 > /sys/class/net/d-$side/queues/rx-0/rps_cpus"
    ip netns exec "$veth_ns_gen" sh -c "echo 2 > /sys/class/net/g-$side/queues/rx-0/rps_cpus"
    ip netns exec "$veth_ns_dut" sysctl -qw "net.ipv6.conf.d-$side.disable_ipv6=1"
    ip netns exec "$veth_ns_gen" sysctl -qw "net.ipv6.conf.g-$side.disable_ipv6=1"
  done
}

veth_down() {
  ip netns del "$veth_ns_gen" 2>/dev/null || true
  ip netns del "$veth_ns_dut" 2>/dev/null || true
}

# The MACs of the device's two ports, as the generator's --dut-macs wants them.
veth_dut_macs() {
  echo "$(ip netns exec "$veth_ns_dut" cat /sys/class/net/d-lan/address),$(ip netns exec "$veth_ns_dut" cat /sys/class/net/d-aend/address)"
}

# Linux as a router: the addresses and route of bench/bench-veth.conf and forwarding, nothing more
# (a fresh namespace without a NAT table has no connection tracking either): what this path costs
# the kernel without NAT.
linux_route_on() {
  local n=$veth_ns_dut
  ip -n "$n" addr add 10.0.0.1/8 dev d-lan
  ip -n "$n" addr add 203.0.113.1/31 dev d-aend
  ip -n "$n" route add 198.51.100.0/24 via 203.0.113.0
  ip netns exec "$n" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
    net.ipv4.conf.default.rp_filter=0
}

# Linux as the NAT: the router above with masquerade to the /31 address on the A-end (nftables,
# connection tracking).
linux_nat_on() {
  linux_route_on
  ip netns exec "$veth_ns_dut" nft -f - <<'NFT'
table ip bench_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "d-aend" masquerade
  }
}
NFT
}
