#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What `ip link show <pf>` reports for each VF follows what the administrator set, and
# `ip -s link show` counts each VF's traffic. The driver is loaded with max_vfs=2 (no igbvf
# yet, PF interface up, for its link: max_tx_rate needs one); then:
#   - defaults: every VF line has "spoof checking on", "trust off", "link-state auto", no
#     vlan, qos or rate;
#   - round trips on VF 0, each read back from its line: mac (then 00:00:00:00:00:00 clears it
#     back to zero), vlan 100 qos 5 / vlan 4095 / vlan 0, spoofchk off/on, trust on/off,
#     state enable/disable/auto (C igb: EOPNOTSUPP, SKIP), max_tx_rate 100/0;
#   - VF 1's line did not change through all of that;
#   - with igbvf bound, each VF's line shows the MAC its interface uses;
#   - VF 0 and VF 1 in namespaces, 20 pings VF0 -> VF1: the per-VF counters of `ip -s link
#     show` increase (VF 0 TX and RX, VF 1 TX and RX, by at least 20 packets each). C igb has
#     no ndo_get_vf_stats: when its counters stay 0 the test is a SKIP.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"
# shellcheck source=lib_admin.sh
source "$lib_dir/lib_admin.sh"

SHOW_MAC=02:00:00:00:10:01
SHOW_PINGS=20
SHOW_VF1_LINE=

# show_attrs VF: VF's line without the MAC part, for the comparison lines.
show_attrs() { adm_vf_line "$1" | sed 's/.*brd ff:ff:ff:ff:ff:ff, *//'; }

show_setup() {
	adm_load 2 || return 1
	adm_pf_up || return 1
	SHOW_VF1_LINE=$(adm_vf_line 1)
	diag "vf 0: $(adm_vf_line 0)"
	diag "vf 1: $SHOW_VF1_LINE"
}

show_defaults() {
	local i ok=0
	for i in 0 1; do
		adm_line_has "$i" 'spoof checking on' 'trust off' 'link-state auto' \
			'!vlan' '!qos' '!tx_rate|tx rate' || ok=1
	done
	adm_cmp "defaults after enabling VFs" "$(show_attrs 0)"
	return $ok
}

show_mac() {
	local ok=0
	adm_must 0 mac "$SHOW_MAC" || return 1
	adm_line_has 0 "link/ether $SHOW_MAC " || ok=1
	adm_cmp "vf 0 mac $SHOW_MAC (no VF driver)" "OK, ip link show: $(adm_vf_mac 0)"
	adm_must 0 mac 00:00:00:00:00:00 || return 1
	adm_line_has 0 "link/ether 00:00:00:00:00:00 " || ok=1
	adm_cmp "vf 0 mac 00:00:00:00:00:00 (clear)" "OK, ip link show: $(adm_vf_mac 0)"
	if ! adm_is_igb; then
		debugfs_mount
		diag "debugfs admin_mac after clearing: $(dbg_vf 0 admin_mac)"
		[ "$(dbg_vf 0 admin_mac)" = false ] || ok=1
	fi
	return $ok
}

show_vlan() {
	local ok=0
	adm_must 0 vlan 100 qos 5 || return 1
	adm_line_has 0 'vlan 100, qos 5' || ok=1
	adm_cmp "vf 0 vlan 100 qos 5" "OK, ip link show: $(show_attrs 0)"
	adm_must 0 vlan 4095 || return 1
	adm_line_has 0 'vlan 4095' '!qos' || ok=1
	adm_must 0 vlan 0 || return 1
	adm_line_has 0 '!vlan' '!qos' || ok=1
	adm_cmp "vf 0 vlan 0" "OK, ip link show: $(show_attrs 0)"
	return $ok
}

show_spoofchk() {
	local ok=0
	adm_must 0 spoofchk off || return 1
	adm_line_has 0 'spoof checking off' || ok=1
	adm_cmp "vf 0 spoofchk off" "OK, ip link show: $(show_attrs 0)"
	adm_must 0 spoofchk on || return 1
	adm_line_has 0 'spoof checking on' || ok=1
	return $ok
}

show_trust() {
	local ok=0
	adm_must 0 trust on || return 1
	adm_line_has 0 'trust on' || ok=1
	adm_cmp "vf 0 trust on" "OK, ip link show: $(show_attrs 0)"
	adm_must 0 trust off || return 1
	adm_line_has 0 'trust off' || ok=1
	return $ok
}

show_link_state() {
	local s ok=0 r=
	for s in enable disable auto; do
		if adm_must 0 state "$s"; then
			adm_line_has 0 "link-state $s" || ok=1
			r+="$s OK ($(adm_vf_line 0 | grep -o 'link-state [a-z]*')), "
		else
			ok=1
			r+="$s $ADM_GOT, "
		fi
	done
	adm_cmp "vf 0 state enable/disable/auto, ip link show" "${r%, }"
	if adm_is_igb && [ "$ADM_GOT" = EOPNOTSUPP ]; then
		adm_skip "C igb has no ndo_set_vf_link_state (EOPNOTSUPP); its VF lines always read 'link-state auto'"
		return
	fi
	return $ok
}

show_rate() {
	local ok=0
	adm_must 0 max_tx_rate 100 || return 1
	adm_line_has 0 'max_tx_rate 100Mbps' || ok=1
	adm_cmp "vf 0 max_tx_rate 100" "OK, ip link show: $(show_attrs 0)"
	adm_must 0 max_tx_rate 0 || return 1
	adm_line_has 0 '!max_tx_rate' '!tx rate' || ok=1
	return $ok
}

show_vf1_untouched() {
	local now
	now=$(adm_vf_line 1)
	[ "$now" = "$SHOW_VF1_LINE" ] && {
		diag "vf 1: $now"
		return 0
	}
	diag "vf 1 line changed while VF 0 was configured:"
	diag "before: $SHOW_VF1_LINE"
	diag "after:  $now"
	return 1
}

show_vf_mac_is() { [ "$(adm_vf_mac "$1")" = "$2" ]; }

show_vf_macs() {
	local i ifc mac ok=0
	igbvf_load || return 1
	wait_vfs_bound 2 || return 1
	udev_settle
	for i in 0 1; do
		ifc=$(vf_ifc "$i")
		mac=$(cat "/sys/class/net/$ifc/address" 2>/dev/null)
		# The VF reports a MAC change (udev may replace igbvf's random one) through the
		# mailbox: allow a moment.
		slowwait 5 show_vf_mac_is "$i" "$mac" || ok=1
		diag "vf $i: $ifc uses $mac, ip link show says $(adm_vf_mac "$i")"
	done
	adm_cmp "vf line MAC with igbvf bound (no admin MAC)" \
		"$([ $ok -eq 0 ] && echo "the VF's own MAC" || echo "differs from the VF's: $(adm_vf_mac 0)")"
	return $ok
}

SHOW_FIELDS=(rx_bytes rx_packets rx_mcast rx_bcast rx_dropped tx_bytes tx_packets tx_dropped)

# show_delta BEFORE AFTER: "name +N ..." for every counter (values as adm_vf_stats prints).
show_delta() {
	local -a b a
	local i out=
	read -ra b <<<"$1"
	read -ra a <<<"$2"
	for i in "${!SHOW_FIELDS[@]}"; do
		out+="${SHOW_FIELDS[i]} +$((${a[i]:-0} - ${b[i]:-0})) "
	done
	echo "${out% }"
}

# show_grew BEFORE AFTER FIELD MIN VF: counter FIELD grew by at least MIN.
show_grew() {
	local -a b a
	local i
	read -ra b <<<"$1"
	read -ra a <<<"$2"
	for i in "${!SHOW_FIELDS[@]}"; do
		[ "${SHOW_FIELDS[i]}" = "$3" ] || continue
		[ $((${a[i]:-0} - ${b[i]:-0})) -ge "$4" ] && return 0
		diag "vf $5 $3: +$((${a[i]:-0} - ${b[i]:-0})), expected at least +$4"
		return 1
	done
	diag "no counter $3"
	return 1
}

show_counters() {
	local b0 b1 a0 a1 ok=0 min_bytes=$((SHOW_PINGS * 98))
	vf_netns_setup 0 1 || return 1
	b0=$(adm_vf_stats 0)
	b1=$(adm_vf_stats 1)
	if [ -z "$b0" ] || [ -z "$b1" ]; then
		diag "ip -s link show dev $ADM_PF has no per-VF counters:"
		diag_cmd ip -s link show dev "$ADM_PF"
		return 1
	fi
	ping_ok "$(vf_ns 0)" "$(vf_ip 1)" "$SHOW_PINGS" || ok=1
	a0=$(adm_vf_stats 0)
	a1=$(adm_vf_stats 1)
	diag "vf 0: $(show_delta "$b0" "$a0")"
	diag "vf 1: $(show_delta "$b1" "$a1")"
	if adm_is_igb && [ -z "$(tr -d ' 0' <<<"$a0$a1")" ]; then
		adm_cmp "ip -s link show: per-VF counters after VF traffic" "all 0 (no ndo_get_vf_stats)"
		adm_skip "C igb has no ndo_get_vf_stats: its per-VF counters stay 0 after $SHOW_PINGS pings VF0 -> VF1"
		return
	fi
	# 20 echo requests out of VF 0 into VF 1, 20 replies back (98-byte frames), plus ARP.
	show_grew "$b0" "$a0" tx_packets "$SHOW_PINGS" 0 || ok=1
	show_grew "$b0" "$a0" rx_packets "$SHOW_PINGS" 0 || ok=1
	show_grew "$b0" "$a0" tx_bytes "$min_bytes" 0 || ok=1
	show_grew "$b1" "$a1" rx_packets "$SHOW_PINGS" 1 || ok=1
	show_grew "$b1" "$a1" tx_packets "$SHOW_PINGS" 1 || ok=1
	show_grew "$b1" "$a1" rx_bytes "$min_bytes" 1 || ok=1
	adm_cmp "ip -s link show: per-VF counters after VF traffic" \
		"$([ $ok -eq 0 ] && echo "increase (vf 0: $(show_delta "$b0" "$a0"))" || echo "wrong: see log")"
	[ "$ok" -eq 0 ] || diag_cmd ip -s link show dev "$ADM_PF"
	return $ok
}

vf_admin_show_run() {
	local f=vf_admin_show
	check "$f: $DRIVER max_vfs=2, PF interface up with carrier" show_setup
	check "$f: defaults: spoof checking on, trust off, link-state auto, no vlan/qos/rate" show_defaults
	check "$f: mac round trip; 00:00:00:00:00:00 clears it" show_mac
	check "$f: vlan 100 qos 5, vlan 4095, vlan 0 round trips" show_vlan
	check "$f: spoofchk off/on round trip" show_spoofchk
	check "$f: trust on/off round trip" show_trust
	adm_check "$f: state enable/disable/auto round trip" show_link_state
	check "$f: max_tx_rate 100/0 round trip" show_rate
	check "$f: VF 1's line unchanged by VF 0's settings" show_vf1_untouched
	check "$f: with igbvf bound, each VF line shows the VF's MAC" show_vf_macs
	adm_check "$f: ip -s link show: per-VF counters increase with VF0 -> VF1 traffic" show_counters
}

rigb_run 11 vf_admin_show_run
