#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The administrator's VF API refuses what it must, with the right errno, and changes nothing
# when it does (the PF's `ip link show` output is compared before and after each refusal).
# The driver is loaded with max_vfs=2 (no igbvf); then:
#   - `ethtool -i` on the PF interface: driver $DRIVER, bus-info the PF's address, a version;
#   - after `ip link set <pf> up` the PF has carrier (polled, time reported);
#   - VF index 2 (= numvfs): mac, vlan, spoofchk, trust, max_tx_rate -> EINVAL; state -> EINVAL
#     (C igb has no ndo_set_vf_link_state: EOPNOTSUPP, SKIP);
#   - multicast MAC, broadcast MAC -> EINVAL;
#   - vlan 4096: iproute2 refuses it itself, so it is sent as raw rtnetlink -> EINVAL; the
#     boundary, vlan 4095, is accepted;
#   - qos 8 -> EINVAL; proto 802.1ad -> EPROTONOSUPPORT;
#   - max_tx_rate above the link speed (1000 Mb/s) -> EINVAL, the link speed itself accepted;
#     min_tx_rate non-zero -> EINVAL;
#   - state auto|enable|disable accepted (C igb: EOPNOTSUPP, SKIP).

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"
# shellcheck source=lib_admin.sh
source "$lib_dir/lib_admin.sh"

ERR_LINK_MBPS=1000

# err_refused WANT VF ARGS...: the operation fails with WANT and `ip link show` of the PF is
# the same before and after.
err_refused() {
	local want=$1 before after ok=0
	before=$(ip link show dev "$ADM_PF")
	adm_expect "$@" || ok=1
	after=$(ip link show dev "$ADM_PF")
	if [ "$before" != "$after" ]; then
		diag "the refused request changed ip link show:"
		diag "before: $before"
		diag "after: $after"
		ok=1
	fi
	return $ok
}

err_ethtool() {
	local out drv bus ver ok=0
	out=$(ethtool -i "$ADM_PF" 2>&1) || {
		diag "ethtool -i $ADM_PF failed: $out"
		return 1
	}
	drv=$(sed -n 's/^driver: //p' <<<"$out")
	bus=$(sed -n 's/^bus-info: //p' <<<"$out")
	ver=$(sed -n 's/^version: //p' <<<"$out")
	adm_cmp "ethtool -i" "driver $drv, version '$ver', bus-info $bus"
	[ "$drv" = "$DRIVER" ] || {
		diag "driver '$drv', expected $DRIVER"
		ok=1
	}
	[ "$bus" = "$PF_BDF" ] || {
		diag "bus-info '$bus', expected $PF_BDF"
		ok=1
	}
	[ -n "$ver" ] || {
		diag "empty version"
		ok=1
	}
	[ "$ok" -eq 0 ] && diag "$ADM_PF: driver $drv, version $ver, bus-info $bus"
	return $ok
}

err_carrier() {
	local ms
	ip link set dev "$ADM_PF" up || {
		diag "ip link set $ADM_PF up failed"
		return 1
	}
	if ms=$(adm_wait_ms 15 adm_pf_carrier_is_1); then
		diag "$ADM_PF: carrier 1 $(adm_fmt_ms "$ms") after ip link set up"
		adm_cmp "PF up: carrier" "1 after $(adm_fmt_ms "$ms")"
		return 0
	fi
	diag "$ADM_PF: no carrier $(adm_fmt_ms "$ms") after ip link set up"
	diag_cmd ip -d link show dev "$ADM_PF"
	adm_cmp "PF up: carrier" "none after 15 s"
	return 1
}

err_vf_index() {
	local ok=0 r=
	err_refused EINVAL 2 mac 02:00:00:00:02:01 || ok=1
	r+="mac $ADM_GOT, "
	err_refused EINVAL 2 vlan 10 || ok=1
	r+="vlan $ADM_GOT, "
	err_refused EINVAL 2 spoofchk off || ok=1
	r+="spoofchk $ADM_GOT, "
	err_refused EINVAL 2 trust on || ok=1
	r+="trust $ADM_GOT, "
	# Both rates: with one of them only, iproute2 first looks the VF up and gives up itself.
	err_refused EINVAL 2 max_tx_rate 10 min_tx_rate 0 || ok=1
	r+="max_tx_rate $ADM_GOT"
	adm_cmp "vf 2 (= numvfs): mac/vlan/spoofchk/trust/max_tx_rate" "$r"
	return $ok
}

err_vf_index_state() {
	local ok=0
	err_refused EINVAL 2 state disable || ok=1
	adm_cmp "vf 2 (= numvfs): state disable" "$ADM_GOT"
	if adm_is_igb && [ "$ADM_GOT" = EOPNOTSUPP ]; then
		adm_skip "C igb has no ndo_set_vf_link_state: state on any VF fails with EOPNOTSUPP"
		return
	fi
	return $ok
}

err_mac() {
	err_refused EINVAL 0 mac "$1"
	local rc=$?
	adm_cmp "vf 0 mac $1" "$ADM_GOT"
	return $rc
}

# An administrative MAC already used by another function: rigb refuses it, so no two functions
# share an address; C igb accepts it.
err_mac_in_use() {
	local mac=02:00:00:00:0e:01 ok=0
	adm_must 0 mac "$mac" || return 1
	if adm_is_igb; then
		adm_expect OK 1 mac "$mac"
		adm_cmp "vf 1 mac = VF 0's admin MAC" "$ADM_GOT"
		adm_must 1 mac 00:00:00:00:00:00
		adm_must 0 mac 00:00:00:00:00:00
		adm_skip "C igb lets two VFs have the same MAC"
		return
	fi
	err_refused EADDRINUSE 1 mac "$mac" || ok=1
	adm_cmp "vf 1 mac = VF 0's admin MAC" "$ADM_GOT"
	adm_must 0 mac 00:00:00:00:00:00 || ok=1
	# Free again once VF 0 no longer has it.
	adm_must 1 mac "$mac" || ok=1
	adm_must 1 mac 00:00:00:00:00:00 || ok=1
	return $ok
}

err_vlan_4096() {
	local ok=0 out got before after
	before=$(ip link show dev "$ADM_PF")
	if out=$(ip link set dev "$ADM_PF" vf 0 vlan 4096 2>&1); then
		diag "iproute2 sent vlan 4096 and the kernel accepted it"
		adm_cmp "vf 0 vlan 4096 (iproute2)" "accepted"
		ok=1
	elif [[ $out == *RTNETLINK* ]]; then
		diag "iproute2 sent vlan 4096: $out"
		adm_cmp "vf 0 vlan 4096 (iproute2)" "$(adm_errname "$out" || echo "$out")"
	else
		diag "iproute2 refuses vlan 4096 itself: $(head -n1 <<<"$out")"
		adm_cmp "vf 0 vlan 4096 (iproute2)" "refused by iproute2 itself"
	fi
	got=$(adm_nl_vlan "$ADM_PF" 0 4096 0)
	after=$(ip link show dev "$ADM_PF")
	adm_cmp "vf 0 vlan 4096 (raw rtnetlink)" "$got"
	if [ "$got" = EINVAL ]; then
		diag "RTM_SETLINK IFLA_VF_VLAN vf 0 vlan 4096 qos 0: EINVAL"
	else
		diag "RTM_SETLINK IFLA_VF_VLAN vf 0 vlan 4096 qos 0: expected EINVAL, got $got"
		ok=1
	fi
	if [ "$before" != "$after" ]; then
		diag "vlan 4096 changed ip link show: $after"
		ok=1
	fi
	adm_expect OK 0 vlan 4095 || ok=1
	adm_cmp "vf 0 vlan 4095" "$ADM_GOT"
	adm_line_has 0 'vlan 4095' || ok=1
	adm_expect OK 0 vlan 0 || ok=1
	return $ok
}

err_qos() {
	err_refused EINVAL 0 vlan 10 qos 8
	local rc=$?
	adm_cmp "vf 0 vlan 10 qos 8" "$ADM_GOT"
	return $rc
}

err_proto() {
	err_refused EPROTONOSUPPORT 0 vlan 10 proto 802.1ad
	local rc=$?
	adm_cmp "vf 0 vlan 10 proto 802.1ad" "$ADM_GOT"
	return $rc
}

err_max_rate() {
	local ok=0
	err_refused EINVAL 0 max_tx_rate $((ERR_LINK_MBPS + 1)) || ok=1
	adm_cmp "vf 0 max_tx_rate $((ERR_LINK_MBPS + 1)) (link $ERR_LINK_MBPS)" "$ADM_GOT"
	adm_expect OK 0 max_tx_rate "$ERR_LINK_MBPS" || ok=1
	adm_cmp "vf 0 max_tx_rate $ERR_LINK_MBPS" "$ADM_GOT"
	adm_expect OK 0 max_tx_rate 0 || ok=1
	return $ok
}

err_min_rate() {
	local ok=0
	err_refused EINVAL 0 min_tx_rate 10 || ok=1
	adm_cmp "vf 0 min_tx_rate 10" "$ADM_GOT"
	err_refused EINVAL 0 max_tx_rate 100 min_tx_rate 10 || ok=1
	return $ok
}

err_state_ok() {
	local s ok=0 r=
	for s in disable enable auto; do
		adm_expect OK 0 state "$s" || ok=1
		r+="$s $ADM_GOT, "
	done
	adm_cmp "vf 0 state disable/enable/auto" "${r%, }"
	if adm_is_igb && [ "$ADM_GOT" = EOPNOTSUPP ]; then
		adm_skip "C igb has no ndo_set_vf_link_state: state disable/enable/auto fail with EOPNOTSUPP"
		return
	fi
	return $ok
}

vf_admin_errno_run() {
	local f=vf_admin_errno
	kmsg_mark vf_admin_errno
	check "$f: $DRIVER max_vfs=2: 2 VFs, a PF network interface" adm_load 2
	check "$f: ethtool -i: driver $DRIVER, bus-info $PF_BDF, a version" err_ethtool
	check "$f: PF interface up: carrier 1 (link up)" err_carrier
	check "$f: VF 2 (= numvfs): mac, vlan, spoofchk, trust, max_tx_rate -> EINVAL" err_vf_index
	adm_check "$f: VF 2 (= numvfs): state disable -> EINVAL" err_vf_index_state
	check "$f: multicast MAC 01:00:5e:00:00:01 -> EINVAL" err_mac 01:00:5e:00:00:01
	check "$f: broadcast MAC ff:ff:ff:ff:ff:ff -> EINVAL" err_mac ff:ff:ff:ff:ff:ff
	adm_check "$f: MAC of another VF -> EADDRINUSE, free again once released" err_mac_in_use
	check "$f: vlan 4096 -> EINVAL (raw rtnetlink), vlan 4095 accepted" err_vlan_4096
	check "$f: vlan 10 qos 8 -> EINVAL" err_qos
	check "$f: vlan 10 proto 802.1ad -> EPROTONOSUPPORT" err_proto
	check "$f: max_tx_rate $((ERR_LINK_MBPS + 1)) -> EINVAL, $ERR_LINK_MBPS accepted" err_max_rate
	check "$f: min_tx_rate 10 -> EINVAL" err_min_rate
	adm_check "$f: state disable, enable, auto accepted" err_state_ok
}

rigb_run 14 vf_admin_errno_run
