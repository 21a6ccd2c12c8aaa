#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The PF interface's own traffic. The PF (10.0.0.50/24, in the init namespace) and the wire
# peer (virtio-net on the 82576's QEMU hub, 10.0.0.100/24, in a namespace) exchange pings
# both ways and TCP both ways (iperf3); the PF's counters (`ip -s link`) count what went
# through. IPv6 from the wire peer finds the PF by neighbour discovery (its solicited-node
# multicast group), with few and with many groups joined. TCP also runs with the device's offloads switched off in turn (ethtool -K tso, sg,
# tx, rx off): the peer's stack checks every checksum and segment the PF's device produced. The interface goes down and up and carries traffic again; its MTU can be raised to
# the largest it offers (large pings with DF pass) and not beyond. VFs created while the PF
# is up move the PF's queue to pool N: the PF still reaches the wire, a VF (igbvf, in a
# namespace) reaches the PF through the internal switch, and with the VFs gone again the PF
# still reaches the wire. Last, the driver is unloaded while TCP runs.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

PF_IP=10.0.0.50
WIRE_IP=10.0.0.100
PFD_IFC=

pfd_ifc_found() { [ -n "$(pf_netdev)" ]; }

pfd_carrier() { [ "$(cat "/sys/class/net/$PFD_IFC/carrier" 2>/dev/null)" = 1 ]; }

# pfd_up: the PF interface up with its address, carrier within 10 s.
pfd_up() {
	ip link set dev "$PFD_IFC" up || return 1
	if ! slowwait 10 pfd_carrier; then
		diag "$PFD_IFC: no carrier 10 s after ip link set up"
		return 1
	fi
}

pfd_setup() {
	drv_reset || return 1
	mod_unload igbvf || return 1
	drv_load 0 || return 1
	if ! slowwait 10 pfd_ifc_found; then
		diag "$DRIVER bound, but $PF_BDF has no network interface"
		return 1
	fi
	PFD_IFC=$(pf_netdev)
	ip addr add "$PF_IP/24" dev "$PFD_IFC" || return 1
	pfd_up || return 1
	wire_netns_setup "$WIRE_IP/24" || return 1
	iperf_server "$WIRE_NS" 5201 || {
		diag "iperf3 server in $WIRE_NS did not start"
		return 1
	}
	diag "PF interface $PFD_IFC ($PF_IP), wire peer $WIRE_IFC ($WIRE_IP) in $WIRE_NS"
}

pfd_diag() {
	diag_cmd ip -s -d link show dev "$PFD_IFC"
	ns_link_stats "$WIRE_NS" "$WIRE_IFC"
	diag_cmd ip neigh show dev "$PFD_IFC"
}

# pfd_ping_out COUNT ARGS...: COUNT pings PF -> wire peer, all answered.
pfd_ping_out() {
	local count=$1 out
	shift
	out=$(run_to 120 ping -c "$count" -i 0.2 -W 2 -I "$PFD_IFC" "$@" "$WIRE_IP" 2>&1)
	if grep -q " $count received" <<<"$out"; then
		diag "ping${*:+ $*} $WIRE_IP: $(grep -E 'packets transmitted' <<<"$out")"
		return 0
	fi
	diag "ping${*:+ $*} $WIRE_IP from $PFD_IFC:"
	diag "$out"
	pfd_diag
	return 1
}

pfd_ping_in() {
	ping_ok "$WIRE_NS" "$PF_IP" 10 && return 0
	pfd_diag
	return 1
}

# pfd_stat NAME: a counter of the PF interface (sysfs statistics).
pfd_stat() { cat "/sys/class/net/$PFD_IFC/statistics/$1"; }

PFD_TX0=0
PFD_RX0=0
pfd_tcp() {
	PFD_TX0=$(pfd_stat tx_packets)
	PFD_RX0=$(pfd_stat rx_packets)
	iperf_run - "$WIRE_IP" 5201 3 || { pfd_diag; return 1; }
	iperf_run - "$WIRE_IP" 5201 3 -R || { pfd_diag; return 1; }
}

# pfd_counters: the counters grew by at least what TCP moved (each direction had 3 s of
# segments and acknowledgements), and nothing was counted as an error.
pfd_counters() {
	local tx rx f bad=0
	tx=$(($(pfd_stat tx_packets) - PFD_TX0))
	rx=$(($(pfd_stat rx_packets) - PFD_RX0))
	diag "during TCP: $tx frames sent, $rx received"
	for f in rx_errors tx_errors rx_crc_errors rx_length_errors; do
		[ "$(pfd_stat "$f")" -eq 0 ] || {
			diag "$f: $(pfd_stat "$f")"
			bad=1
		}
	done
	[ "$tx" -ge 1000 ] && [ "$rx" -ge 1000 ] && [ "$bad" = 0 ] && return 0
	pfd_diag
	return 1
}

# pfd_ethtool_queues: ethtool -g reports the rings' sizes and ethtool -l the queue pairs.
pfd_ethtool_queues() {
	local g l rx tx comb
	g=$(ethtool -g "$PFD_IFC" 2>&1) || { diag "ethtool -g: $g"; return 1; }
	l=$(ethtool -l "$PFD_IFC" 2>&1) || { diag "ethtool -l: $l"; return 1; }
	rx=$(awk '/^Current hardware settings/ { c = 1 } c && $1 == "RX:" { print $2; exit }' <<<"$g")
	tx=$(awk '/^Current hardware settings/ { c = 1 } c && $1 == "TX:" { print $2; exit }' <<<"$g")
	comb=$(awk '/^Current hardware settings/ { c = 1 } c && $1 == "Combined:" { print $2; exit }' <<<"$l")
	diag "$PFD_IFC: rings RX ${rx:-?} TX ${tx:-?} descriptors, ${comb:-?} combined queue pair(s)"
	[ "${rx:-0}" -gt 0 ] && [ "${tx:-0}" -gt 0 ] && [ "${comb:-0}" -ge 1 ]
}

# pfd_feature NAME: ethtool -k's state of feature NAME (on/off).
pfd_feature() { ethtool -k "$PFD_IFC" | sed -n "s/^[[:space:]]*$1: \([a-z]*\).*/\1/p"; }

# pfd_offloads: the offloads start on; TCP both ways with each switched off in turn (TSO,
# scatter-gather, TX checksum insertion, RX checksum verification), then all on again.
PFD_FEATURES="tso:tcp-segmentation-offload sg:scatter-gather tx:tx-checksum-ipv4 rx:rx-checksumming"
pfd_offloads() {
	local kf k f
	for kf in $PFD_FEATURES; do
		f=${kf#*:}
		[ "$(pfd_feature "$f")" = on ] || {
			diag "$PFD_IFC: $f is '$(pfd_feature "$f")', not on"
			return 1
		}
	done
	for kf in $PFD_FEATURES; do
		k=${kf%%:*}
		ethtool -K "$PFD_IFC" "$k" off >/dev/null || return 1
		iperf_run - "$WIRE_IP" 5201 2 || return 1
		iperf_run - "$WIRE_IP" 5201 2 -R || return 1
		ethtool -K "$PFD_IFC" "$k" on >/dev/null || return 1
		diag "$k off: TCP both ways"
	done
	for kf in $PFD_FEATURES; do
		f=${kf#*:}
		[ "$(pfd_feature "$f")" = on ] || {
			diag "$PFD_IFC: $f is '$(pfd_feature "$f")' after switching it back on"
			return 1
		}
	done
	iperf_run - "$WIRE_IP" 5201 2 || return 1
	iperf_run - "$WIRE_IP" 5201 2 -R
}

# pfd_ipv6: the wire peer reaches the PF over IPv6 with empty neighbour caches: its neighbour
# solicitation goes to the PF's solicited-node group, which only the PF's multicast filter
# lets in. Then again with 40 more groups joined, and after they left.
pfd_ipv6() {
	local i
	ip netns exec "$WIRE_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 || return 1
	ip netns exec "$WIRE_NS" sysctl -qw "net.ipv6.conf.$WIRE_IFC.disable_ipv6=0" || return 1
	ip -n "$WIRE_NS" addr add fd00::100/64 dev "$WIRE_IFC" nodad || return 1
	ip addr add fd00::50/64 dev "$PFD_IFC" nodad || return 1
	ip neigh flush dev "$PFD_IFC"
	ip -n "$WIRE_NS" neigh flush dev "$WIRE_IFC"
	ping_ok "$WIRE_NS" fd00::50 5 || { pfd_diag; return 1; }
	for ((i = 0; i < 40; i++)); do
		ip maddr add "01:00:5e:00:10:$(printf %02x "$i")" dev "$PFD_IFC" || return 1
	done
	ip neigh flush dev "$PFD_IFC"
	ip -n "$WIRE_NS" neigh flush dev "$WIRE_IFC"
	ping_ok "$WIRE_NS" fd00::50 5 || { pfd_diag; return 1; }
	for ((i = 0; i < 40; i++)); do
		ip maddr del "01:00:5e:00:10:$(printf %02x "$i")" dev "$PFD_IFC"
	done
	ip neigh flush dev "$PFD_IFC"
	ip -n "$WIRE_NS" neigh flush dev "$WIRE_IFC"
	ping_ok "$WIRE_NS" fd00::50 5 || { pfd_diag; return 1; }
}

pfd_down_up() {
	local i
	for ((i = 1; i <= 20; i++)); do
		ip link set dev "$PFD_IFC" down || return 1
		pfd_up || return 1
	done
	diag "20 down/up cycles"
	pfd_ping_out 10
}

# pfd_mtu: the largest MTU the interface offers carries frames of that size (DF set), one
# beyond is refused, and 1500 again works.
pfd_mtu() {
	local max
	max=$(ip -d link show dev "$PFD_IFC" | sed -n 's/.* maxmtu \([0-9]*\).*/\1/p')
	diag "$PFD_IFC: maxmtu ${max:-?}"
	[ -n "$max" ] && [ "$max" -ge 3000 ] || return 1
	if ip link set dev "$PFD_IFC" mtu $((max + 1)) 2>/dev/null; then
		diag "MTU $((max + 1)) accepted"
		return 1
	fi
	ip link set dev "$PFD_IFC" mtu "$max" || return 1
	ip -n "$WIRE_NS" link set dev "$WIRE_IFC" mtu "$max" || return 1
	pfd_ping_out 5 -M do -s $((max - 28)) || return 1
	ip link set dev "$PFD_IFC" mtu 1500 || return 1
	ip -n "$WIRE_NS" link set dev "$WIRE_IFC" mtu 1500 || return 1
	pfd_ping_out 5 -M do -s 1472
}

# pfd_with_vfs: 2 VFs while the PF is up; the PF reaches the wire, VF 0 reaches the PF.
pfd_with_vfs() {
	local r
	igbvf_load || return 1
	r=$(sysfs_write "$PF/sriov_numvfs" 2)
	[ "$r" = OK ] || {
		diag "echo 2 > sriov_numvfs: $r"
		return 1
	}
	wait_vfs_bound 2 || return 1
	udev_settle
	pfd_carrier || pfd_up || return 1
	pfd_ping_out 10 || return 1
	vf_netns_setup 0 || return 1
	ping_ok "$(vf_ns 0)" "$PF_IP" 10 || { pfd_diag; return 1; }
}

pfd_vfs_gone() {
	local r
	r=$(sysfs_write "$PF/sriov_numvfs" 0)
	[ "$r" = OK ] || {
		diag "echo 0 > sriov_numvfs: $r"
		return 1
	}
	wait_vf_count 0 || return 1
	pfd_ping_out 10
}

# pfd_unload_busy: the driver unloads while TCP runs through the PF.
pfd_unload_busy() {
	local pid
	iperf3 -c "$WIRE_IP" -p 5201 -t 30 >/dev/null 2>&1 &
	pid=$!
	sleep 3
	drv_unload || {
		kill "$pid" 2>/dev/null
		return 1
	}
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	mod_absent "$DRIVER"
}

pf_datapath_run() {
	local f=pf_datapath
	check "$f: PF interface up with carrier, wire peer in a namespace" pfd_setup
	check "$f: PF -> wire peer: 10 pings, 0% loss" pfd_ping_out 10
	check "$f: wire peer -> PF: 10 pings, 0% loss" pfd_ping_in
	check "$f: TCP PF -> wire and wire -> PF (iperf3, 3 s each)" pfd_tcp
	check "$f: counters count the TCP frames, no errors" pfd_counters
	check "$f: ethtool -g and -l report the rings and queue pairs" pfd_ethtool_queues
	check "$f: TCP with TSO, SG, TX and RX checksum offload off in turn, then all on" pfd_offloads
	check "$f: IPv6 from the wire (neighbour discovery through the PF's multicast filter)" pfd_ipv6
	check "$f: 20 down/up cycles, then 10 pings, 0% loss" pfd_down_up
	check "$f: largest MTU carries full-size frames, one more is refused, 1500 again" pfd_mtu
	check "$f: 2 VFs with the PF up: PF -> wire, VF0 -> PF" pfd_with_vfs
	check "$f: VFs removed with the PF up: PF -> wire" pfd_vfs_gone
	check "$f: driver unloads while TCP runs" pfd_unload_busy
}

rigb_run 13 pf_datapath_run
