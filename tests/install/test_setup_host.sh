#!/usr/bin/env bash
# secnat-setup-host's decisions against fake sysfs trees (the real binding cannot run here): which NICs
# it refuses (addresses, the default route) and takes with --force, that --dry-run changes nothing,
# hugepages per NUMA node, the persistent files, --boot applying them again, and --status.
# ip, dpdk-devbind.py, modprobe and systemctl are stand-ins that answer from files and log their calls.
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lab/checks.sh"
setup=$here/../../scripts/setup-host.sh
tmp=$(mktemp -d /tmp/secnat-setup-host.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# A host: two NUMA nodes; 03:00.0 a free NIC (ens3), 03:00.1 the management NIC with an address (ens4),
# 03:00.2 one that carries the default route (ens5), 04:00.0 bound to vfio-pci already.
make_host() { # DIR [nonuma]
  local sys=$1/sys
  rm -rf "$1"
  if [ "${2:-}" != nonuma ]; then
    for node in node0 node1; do
      mkdir -p "$sys/devices/system/node/$node/hugepages/hugepages-2048kB"
      echo 0 >"$sys/devices/system/node/$node/hugepages/hugepages-2048kB/nr_hugepages"
      echo 0 >"$sys/devices/system/node/$node/hugepages/hugepages-2048kB/free_hugepages"
    done
  fi
  mkdir -p "$sys/kernel/mm/hugepages/hugepages-2048kB" "$sys/bus/pci/drivers/ixgbe" "$sys/bus/pci/drivers/vfio-pci"
  echo 0 >"$sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
  for dev in 0000:03:00.0:ens3 0000:03:00.1:ens4 0000:03:00.2:ens5 0000:04:00.0:; do
    local pci=${dev%:*} ifname=${dev##*:}
    mkdir -p "$sys/bus/pci/devices/$pci"
    if [ -n "$ifname" ]; then
      mkdir -p "$sys/bus/pci/devices/$pci/net/$ifname"
      ln -s ../../drivers/ixgbe "$sys/bus/pci/devices/$pci/driver"
    else
      ln -s ../../drivers/vfio-pci "$sys/bus/pci/devices/$pci/driver"
    fi
  done
  mkdir -p "$1/etc" "$1/bin"
  echo "ens4 inet 192.0.2.10/24" >"$1/addresses"
  echo "default via 192.0.2.1 dev ens5" >"$1/routes"
  cat >"$1/bin/ip" <<'IP'
#!/bin/sh
# ip -o addr show dev IF | ip route show default, from the files beside bin/
d=$(dirname "$0")/..
case "$*" in
  "-o addr show dev "*) grep "^$5 " "$d/addresses" | awk '{ print "2: " $1 "    " $2 " " $3 }' ;;
  "route show default") cat "$d/routes" ;;
esac
IP
  for cmd in dpdk-devbind.py modprobe systemctl; do
    printf '#!/bin/sh\necho "%s $*" >>"$(dirname "$0")/../calls"\n' "$cmd" >"$1/bin/$cmd"
  done
  chmod +x "$1"/bin/*
}

run() { # DIR ARGS...: secnat-setup-host on host DIR; output in DIR/out, status in DIR/status
  local h=$1
  shift
  SECNAT_SYSFS=$h/sys SECNAT_ETC=$h/etc SECNAT_IP=$h/bin/ip SECNAT_DEVBIND=$h/bin/dpdk-devbind.py \
    SECNAT_MODPROBE=$h/bin/modprobe SECNAT_SYSTEMCTL=$h/bin/systemctl \
    bash "$setup" "$@" >"$h/out" 2>&1
  echo $? >"$h/status"
}
status_is() { [ "$(cat "$1/status")" = "$2" ]; }
said() { grep -qE -- "$2" "$1/out"; }
unchanged() { # DIR: no file written, no command run, no page reserved
  [ -z "$(find "$1/etc" -type f)" ] && [ ! -e "$1/calls" ] &&
    ! grep -qv '^0$' "$1"/sys/devices/system/node/node*/hugepages/hugepages-2048kB/nr_hugepages
}
pages() { cat "$1/sys/devices/system/node/$2/hugepages/hugepages-2048kB/nr_hugepages"; }

h=$tmp/host
echo "# --dry-run"
make_host "$h"
run "$h" --dry-run --hugepages 512 0000:03:00.0
check "a dry run succeeds" status_is "$h" 0
check "it says it would reserve 512 pages on each NUMA node" bash -c \
  "grep -q 'would: reserve 512 hugepages of 2 MiB on node0' '$h/out' && grep -q 'would: reserve 512 hugepages of 2 MiB on node1' '$h/out'"
check "it says it would load vfio-pci and bind the NIC" bash -c \
  "grep -q 'would: .*modprobe vfio-pci' '$h/out' && grep -q 'would: .*dpdk-devbind.py --bind=vfio-pci 0000:03:00.0' '$h/out'"
check "it says which files it would write" said "$h" "would write $h/etc/secnat/host.conf"
check "and changes nothing" unchanged "$h"

echo "# the management NIC"
make_host "$h"
run "$h" 0000:03:00.1
check "a NIC with addresses is refused (exit 2)" status_is "$h" 2
check "naming its interface and addresses" said "$h" "refusing 0000:03:00.1 is ens4, which has addresses \(192.0.2.10/24\)"
check "nothing changed" unchanged "$h"
run "$h" 0000:03:00.0 0000:03:00.2
check "a NIC carrying the default route is refused, even beside a good one" status_is "$h" 2
check "saying so" said "$h" "ens5, which carries the default route"
check "nothing changed, not even for the good one" unchanged "$h"
run "$h" --dry-run --force 0000:03:00.1
check "--force takes it" status_is "$h" 0
check "with a warning" said "$h" "warning: forced"
check "and would bind it" said "$h" "would: .*--bind=vfio-pci 0000:03:00.1"
run "$h" 0000:03:00.0x
check "a malformed PCI address is refused" bash -c "[ \$(cat '$h/status') = 2 ] && grep -q 'not a PCI address' '$h/out'"
run "$h" 0000:09:00.0
check "a PCI device that does not exist is refused" bash -c "[ \$(cat '$h/status') = 2 ] && grep -q 'no PCI device' '$h/out'"

echo "# the real run (into the fake tree)"
make_host "$h"
run "$h" --hugepages 256 0000:03:00.0 0000:04:00.0
check "it succeeds" status_is "$h" 0
check "256 pages reserved on node0 and node1" bash -c "[ \$(cat '$h/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages') = 256 ] && [ \$(cat '$h/sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages') = 256 ]"
check "vfio-pci loaded now" grep -qx 'modprobe vfio-pci' "$h/calls"
check "and at boot (modules-load.d)" grep -qx vfio-pci "$h/etc/modules-load.d/secnat.conf"
check "the free NIC bound with dpdk-devbind.py" grep -qx 'dpdk-devbind.py --bind=vfio-pci 0000:03:00.0' "$h/calls"
check "the one bound already left alone" bash -c "! grep -q '0000:04:00.0' '$h/calls'"
check "the settings kept for boot" bash -c "grep -qx 'HUGEPAGES_PER_NODE=256' '$h/etc/secnat/host.conf' && grep -qx 'NICS=\"0000:03:00.0 0000:04:00.0\"' '$h/etc/secnat/host.conf'"
check "a boot unit runs --boot before secnat.service" bash -c \
  "grep -q 'ExecStart=.*setup-host.sh --boot' '$h/etc/systemd/system/secnat-host.service' && grep -qx 'Before=secnat.service' '$h/etc/systemd/system/secnat-host.service'"
check "and is enabled" grep -qx 'systemctl enable secnat-host.service' "$h/calls"

echo "# --boot, after a reboot"
for node in node0 node1; do echo 0 >"$h/sys/devices/system/node/$node/hugepages/hugepages-2048kB/nr_hugepages"; done
rm -f "$h/calls"
run "$h" --boot
check "--boot succeeds" status_is "$h" 0
check "the hugepages come back on every node" bash -c "[ \$(cat '$h/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages') = 256 ] && [ \$(cat '$h/sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages') = 256 ]"
check "the NIC is bound again" grep -qx 'dpdk-devbind.py --bind=vfio-pci 0000:03:00.0' "$h/calls"

echo "# --status"
run "$h" --status
check "--status shows each node's hugepages" bash -c "grep -q 'node0: 256 reserved' '$h/out' && grep -q 'node1: 256 reserved' '$h/out'"
check "and each NIC's driver" said "$h" "0000:04:00.0: driver vfio-pci"

echo "# a machine without NUMA information"
make_host "$h" nonuma
run "$h" --hugepages 128 0000:03:00.0
check "the machine-wide setting is used" bash -c "[ \$(cat '$h/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages') = 128 ]"
report
