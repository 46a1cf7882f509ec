#!/usr/bin/env bash
# secnat-setup-host: prepares an appliance for secnat, once, and for every boot after.
#
#   secnat-setup-host [--dry-run] [--force] [--hugepages N] [--driver DRIVER] PCI_ADDRESS...
#   secnat-setup-host --status
#   secnat-setup-host --boot          (what secnat-host.service runs at each boot)
#
# - reserves N 2 MiB hugepages on every NUMA node (default 1024 = 2 GiB a node), now and at boot;
# - loads vfio-pci (or DRIVER), now and at boot (modules-load.d);
# - binds the NICs named by PCI address to it with dpdk-devbind.py (Debian package dpdk), now and at
#   boot, in the order given: the first is DPDK port 0 in secnat's configuration;
# - refuses a NIC whose interface has IP addresses or carries the default route (the management NIC:
#   binding it cuts the operator off) unless --force.
# --dry-run prints what it would do and changes nothing. --status shows hugepages and bindings.
# The settings live in /etc/secnat/host.conf; secnat-host.service (before secnat.service) applies them.
#
# For tests, the system's places can be moved: SECNAT_SYSFS (/sys), SECNAT_ETC (/etc), and the
# commands SECNAT_IP (ip), SECNAT_DEVBIND (dpdk-devbind.py), SECNAT_MODPROBE (modprobe),
# SECNAT_SYSTEMCTL (systemctl).
set -euo pipefail

sysfs=${SECNAT_SYSFS:-/sys}
etc=${SECNAT_ETC:-/etc}
ip_cmd=${SECNAT_IP:-ip}
devbind=${SECNAT_DEVBIND:-dpdk-devbind.py}
modprobe_cmd=${SECNAT_MODPROBE:-modprobe}
systemctl_cmd=${SECNAT_SYSTEMCTL:-systemctl}
host_conf=$etc/secnat/host.conf
self=$(readlink -f "$0")

dry_run=0 force=0 mode=setup hugepages=1024 driver=vfio-pci nics=()

die() { echo "secnat-setup-host: $*" >&2; exit 2; }
usage() { sed -n '2,20s/^# \{0,1\}//p' "$self"; }

# Every change goes through here: printed, and done unless --dry-run.
act() {
  if [ "$dry_run" = 1 ]; then
    echo "would: $*"
  else
    echo "+ $*"
    "$@"
  fi
}
# write FILE CONTENT: a change to a file, the same way.
write() {
  if [ "$dry_run" = 1 ]; then
    printf 'would write %s:\n%s\n' "$1" "$2" | sed '2,$s/^/    /'
  else
    echo "+ write $1"
    mkdir -p "$(dirname "$1")"
    printf '%s\n' "$2" >"$1"
  fi
}

numa_nodes() { # the NUMA nodes, or "machine" where the kernel shows none
  local n nodes=()
  for n in "$sysfs"/devices/system/node/node[0-9]*; do
    [ -d "$n" ] && nodes+=("$(basename "$n")")
  done
  [ ${#nodes[@]} -gt 0 ] || nodes=(machine)
  echo "${nodes[@]}"
}

hugepage_file() { # NODE
  if [ "$1" = machine ]; then
    echo "$sysfs/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
  else
    echo "$sysfs/devices/system/node/$1/hugepages/hugepages-2048kB/nr_hugepages"
  fi
}

# The same number on every node: each worker's NIC and memory live on one of them.
reserve_hugepages() { # PAGES_PER_NODE
  local node file
  for node in $(numa_nodes); do
    file=$(hugepage_file "$node")
    [ -e "$file" ] || die "no 2 MiB hugepages here ($file missing)"
    if [ "$dry_run" = 1 ]; then
      echo "would: reserve $1 hugepages of 2 MiB on $node ($file, now $(cat "$file"))"
      continue
    fi
    echo "+ reserve $1 hugepages of 2 MiB on $node"
    echo "$1" >"$file"
    [ "$(cat "$file")" -ge "$1" ] ||
      echo "secnat-setup-host: warning: $node could reserve only $(cat "$file") hugepages" >&2
  done
}

valid_pci() { [[ $1 =~ ^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$ ]]; }

# The kernel interface of a PCI device, if a kernel driver holds it.
pci_interface() { local d; for d in "$sysfs/bus/pci/devices/$1/net"/*; do [ -e "$d" ] && basename "$d"; done; }
pci_driver() { local l="$sysfs/bus/pci/devices/$1/driver"; [ -e "$l" ] && basename "$(readlink "$l")"; }

# Why a NIC must not be taken (empty: it may). The management NIC has addresses or the default route.
refusal() { # PCI
  local ifname addrs
  [ -d "$sysfs/bus/pci/devices/$1" ] || { echo "no PCI device $1"; return; }
  for ifname in $(pci_interface "$1"); do
    addrs=$("$ip_cmd" -o addr show dev "$ifname" 2>/dev/null | awk '{ print $4 }' | paste -sd' ')
    if [ -n "$addrs" ]; then
      echo "$1 is $ifname, which has addresses ($addrs): the management NIC? (--force takes it)"
      return
    fi
    if "$ip_cmd" route show default 2>/dev/null | grep -qw "dev $ifname"; then
      echo "$1 is $ifname, which carries the default route (--force takes it)"
      return
    fi
  done
}

bind_nics() { # DRIVER PCI...
  local driver=$1 pci
  shift
  for pci in "$@"; do
    if [ "$(pci_driver "$pci" || true)" = "$driver" ]; then
      echo "  $pci is bound to $driver already"
      continue
    fi
    act "$devbind" --bind="$driver" "$pci"
  done
}

status() {
  local node file pci
  echo "hugepages (2 MiB):"
  for node in $(numa_nodes); do
    file=$(hugepage_file "$node")
    [ -e "$file" ] &&
      echo "  $node: $(cat "$file") reserved, $(cat "${file%nr_hugepages}free_hugepages" 2>/dev/null || echo '?') free"
  done
  echo "persistent settings ($host_conf):"
  if [ -f "$host_conf" ]; then sed 's/^/  /' "$host_conf"; else echo "  none"; fi
  if [ -f "$host_conf" ]; then
    echo "secnat's NICs:"
    # shellcheck disable=SC1090
    for pci in $(. "$host_conf"; echo "${NICS:-}"); do
      echo "  $pci: driver $(pci_driver "$pci" || echo none)"
    done
  fi
  if command -v "$devbind" >/dev/null 2>&1; then
    echo "all network devices:"
    "$devbind" --status-dev net 2>/dev/null | sed 's/^/  /' || true
  fi
}

while [ $# -gt 0 ]; do
  case $1 in
    --dry-run) dry_run=1 ;;
    --force) force=1 ;;
    --status) mode=status ;;
    --boot) mode=boot ;;
    --hugepages) [ $# -ge 2 ] || die "--hugepages needs a number"; hugepages=$2; shift ;;
    --driver) [ $# -ge 2 ] || die "--driver needs a name"; driver=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) nics+=("$1") ;;
  esac
  shift
done
[[ $hugepages =~ ^[0-9]+$ ]] || die "--hugepages '$hugepages': a number of 2 MiB pages per NUMA node"

case $mode in
  status)
    status
    exit 0
    ;;
  boot)
    [ -f "$host_conf" ] || die "$host_conf missing: run secnat-setup-host PCI... first"
    # shellcheck disable=SC1090
    . "$host_conf"
    reserve_hugepages "${HUGEPAGES_PER_NODE:-0}"
    act "$modprobe_cmd" "${DRIVER:-vfio-pci}"
    # shellcheck disable=SC2086
    bind_nics "${DRIVER:-vfio-pci}" ${NICS:-}
    exit 0
    ;;
esac

[ ${#nics[@]} -gt 0 ] || die "name the NICs for secnat by PCI address (e.g. 0000:03:00.0); see --help"
[ "$dry_run" = 1 ] || [ "$(id -u)" -eq 0 ] || [ -n "${SECNAT_SYSFS:-}" ] || die "run as root"
for pci in "${nics[@]}"; do
  valid_pci "$pci" || die "'$pci' is not a PCI address (DDDD:BB:DD.F)"
  why=$(refusal "$pci")
  if [ -n "$why" ]; then
    case $why in
      "no PCI device"*) die "$why" ;;
    esac
    [ "$force" = 1 ] || die "refusing $why"
    echo "secnat-setup-host: warning: forced: $why" >&2
  fi
done

reserve_hugepages "$hugepages"
act "$modprobe_cmd" "$driver"
write "$etc/modules-load.d/secnat.conf" "# secnat-setup-host: DPDK's NIC driver, loaded at boot
$driver"
bind_nics "$driver" "${nics[@]}"
write "$host_conf" "# secnat-setup-host: applied at every boot by secnat-host.service
HUGEPAGES_PER_NODE=$hugepages
DRIVER=$driver
NICS=\"${nics[*]}\""
write "$etc/systemd/system/secnat-host.service" "[Unit]
Description=secnat host setup: hugepages and NIC binding
Before=secnat.service
After=systemd-modules-load.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=$self --boot

[Install]
WantedBy=multi-user.target"
act "$systemctl_cmd" enable secnat-host.service
if [ "$dry_run" = 1 ]; then
  echo "dry run: nothing was changed"
else
  echo "done: put$(printf ' -a %s' "${nics[@]}") in SECNAT_EAL_OPTS ($etc/default/secnat), then" \
    "systemctl enable --now secnat"
fi
