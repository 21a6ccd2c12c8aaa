#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VF resets under traffic: 50 times, VF 1 is unbound from igbvf, given a PCI function-level
# reset (`echo 1 > reset`, when its reset_method offers flr) and bound again; igbvf's probe
# then resets the VF (CTRL.RST, VFLRE at the PF) and asks the PF for RESET. Each time VF 1
# must come back: an interface, up, with carrier. Meanwhile VF 0 pings VF 2 (both in
# namespaces of their own) every 0.2 s: the other VFs must not notice (0% loss, the one ping
# possibly in flight when ping is stopped not counted). No mailbox exchange may fail during
# the loop: igbvf never reports "PF still in reset state" and the PF never refuses one of
# VF 1's messages (a reset handled after the RESET it preceded would do both, and cost igbvf
# its link for 10 s). After the loop VF 1, in a namespace, pings VF 0 with 0% loss. The
# loop's time is reported.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

FLR_CYCLES=${RIGB_FLR_CYCLES:-50}
FLR_VF=1
FLR_OK=0
FLR_LOOP_RAN=0
FLR_PING_OUT=
FLR_KMSG=

flr_setup() {
	vf_setup 3 || return 1
	vf_netns_setup 0 2 || return 1
	flr_vf_up
}

flr_bdf() { basename "$(vf_sysfs "$FLR_VF")"; }

# flr_vf_up: VF 1's interface (in the init namespace) up, with carrier. Retried: udev may be
# renaming it.
flr_vf_up_try() {
	local ifc
	ifc=$(vf_ifc "$FLR_VF")
	[ -n "$ifc" ] && ip link set dev "$ifc" up 2>/dev/null
}
flr_vf_carrier() {
	local c
	c=$(cat "$(vf_sysfs "$FLR_VF")"/net/*/carrier 2>/dev/null)
	[ "$c" = 1 ]
}
flr_vf_up() {
	if ! slowwait 10 flr_vf_up_try; then
		diag "VF $FLR_VF: cannot set its interface ('$(vf_ifc "$FLR_VF")') up"
		return 1
	fi
	if ! slowwait 10 flr_vf_carrier; then
		diag "VF $FLR_VF ($(vf_ifc "$FLR_VF")): no carrier 10 s after ip link set up"
		return 1
	fi
}

flr_unbound() { [ -z "$(dev_driver "$PCI_DEVICES/$1")" ]; }
flr_bound() {
	[ "$(dev_driver "$PCI_DEVICES/$1")" = igbvf ] && [ -n "$(dev_netdevs "$PCI_DEVICES/$1")" ]
}

# flr_cycle BDF: one unbind / FLR / bind / up; 0 when VF 1 came back.
flr_cycle() {
	local bdf=$1 r
	r=$(sysfs_write /sys/bus/pci/drivers/igbvf/unbind "$bdf")
	if [ "$r" != OK ] || ! slowwait 10 flr_unbound "$bdf"; then
		diag "unbind $bdf: $r, driver now '$(dev_driver "$PCI_DEVICES/$bdf")'"
		return 1
	fi
	if grep -qw flr "$PCI_DEVICES/$bdf/reset_method" 2>/dev/null; then
		r=$(sysfs_write "$PCI_DEVICES/$bdf/reset" 1)
		[ "$r" = OK ] || diag "FLR of $bdf: $r"
	fi
	r=$(sysfs_write /sys/bus/pci/drivers/igbvf/bind "$bdf")
	if [ "$r" != OK ] || ! slowwait 10 flr_bound "$bdf"; then
		diag "bind $bdf: $r, driver '$(dev_driver "$PCI_DEVICES/$bdf")', net '$(dev_netdevs "$PCI_DEVICES/$bdf")'"
		return 1
	fi
	udev_settle
	flr_vf_up
}

# The loop, with VF 0 pinging VF 2 in the background.
flr_loop() {
	local bdf i t0 ms ping_pid tmp fails=0 consecutive=0
	FLR_OK=0
	FLR_LOOP_RAN=0
	bdf=$(flr_bdf)
	if [ -z "$bdf" ] || ! flr_bound "$bdf"; then
		diag "precondition: VF $FLR_VF bound to igbvf with an interface"
		return 1
	fi
	diag "VF $FLR_VF is $bdf, reset_method: $(cat "$PCI_DEVICES/$bdf/reset_method" 2>/dev/null)"
	tmp=$(mktemp /tmp/rigb-flr-ping.XXXXXX)
	# Not through nsx: $! must be ping itself (ip netns exec execs it) for the SIGINT below.
	ip netns exec "$(vf_ns 0)" ping -O -i 0.2 -W 2 -w 900 "$(vf_ip 2)" >"$tmp" 2>&1 &
	ping_pid=$!
	kmsg_mark vf_flr_loop
	FLR_KMSG=
	t0=$(date +%s%N)
	for ((i = 1; i <= FLR_CYCLES; i++)); do
		FLR_KMSG+=$(kmsg_since)$'\n'
		kmsg_mark "vf_flr_cycle_$i"
		if flr_cycle "$bdf"; then
			FLR_OK=$((FLR_OK + 1))
			consecutive=0
		else
			diag "cycle $i: VF $FLR_VF did not come back; kernel log of the cycle:"
			diag "$(kmsg_since | tail -n 30)"
			fails=$((fails + 1))
			consecutive=$((consecutive + 1))
			[ "$consecutive" -lt 3 ] || {
				diag "3 failed cycles in a row; stopping the loop"
				break
			}
		fi
	done
	ms=$((($(date +%s%N) - t0) / 1000000))
	FLR_KMSG+=$(kmsg_since)
	kill -INT "$ping_pid" 2>/dev/null
	wait "$ping_pid"
	FLR_PING_OUT=$(cat "$tmp")
	rm -f "$tmp"
	FLR_LOOP_RAN=1
	diag "$FLR_CYCLES cycles in $((ms / 1000)).$(printf %03d $((ms % 1000))) s ($((ms / FLR_CYCLES)) ms per cycle); VF $FLR_VF came back $FLR_OK times"
	[ "$FLR_OK" -eq "$FLR_CYCLES" ]
}

# flr_ping_loss: the background ping's lost sequence numbers, ignoring the last one sent
# (it may have been in flight when ping was stopped).
flr_ping_loss() {
	local tx rx lost
	if [ "$FLR_LOOP_RAN" != 1 ]; then
		diag "the loop did not run"
		return 1
	fi
	tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$FLR_PING_OUT")
	rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$FLR_PING_OUT")
	if [ -z "$tx" ] || [ "$tx" -lt 10 ]; then
		diag "the background ping did not run: $(tail -n 5 <<<"$FLR_PING_OUT")"
		return 1
	fi
	lost=$(awk -v tx="$tx" '
		/bytes from/ { if (match($0, /icmp_seq=[0-9]+/)) got[substr($0, RSTART + 9, RLENGTH - 9) + 0] = 1 }
		END { for (i = 1; i < tx; i++) if (!(i in got)) printf "%d ", i }' <<<"$FLR_PING_OUT")
	diag "VF0 -> VF2 during the loop: $(grep -E 'packets transmitted|^rtt' <<<"$FLR_PING_OUT" | tr '\n' ' ')"
	[ -z "$lost" ] && return 0
	diag "unanswered icmp_seq (of $tx sent, $rx answered): $lost"
	diag "$(grep -vE 'bytes from' <<<"$FLR_PING_OUT" | head -n 20)"
	return 1
}

# flr_mailbox_clean: no failed mailbox exchange of VF 1 in the loop's kernel log.
flr_mailbox_clean() {
	local bad
	if [ "$FLR_LOOP_RAN" != 1 ]; then
		diag "the loop did not run"
		return 1
	fi
	bad=$(grep -E "igbvf $(flr_bdf): PF still in reset|${DRIVER}.*VF $FLR_VF: " <<<"$FLR_KMSG")
	[ -z "$bad" ] && return 0
	diag "$(wc -l <<<"$bad") line(s), the first:"
	diag "$(head -n 10 <<<"$bad")"
	return 1
}

flr_after() {
	[ "$FLR_OK" -gt 0 ] || {
		diag "VF $FLR_VF never came back"
		return 1
	}
	vf_netns_setup "$FLR_VF" || return 1
	ping_ok "$(vf_ns "$FLR_VF")" "$(vf_ip 0)" 5
}

vf_flr_run() {
	local f=vf_flr
	check "$f: 3 VFs; VF0 and VF2 in namespaces, VF1 up" flr_setup
	check "$f: VF1 comes back after each of $FLR_CYCLES unbind/FLR/bind cycles" flr_loop
	check "$f: VF0 -> VF2 pings during the loop: 0% loss" flr_ping_loss
	check "$f: no failed mailbox exchange of VF1 during the loop" flr_mailbox_clean
	check "$f: VF1 after the loop: pings VF0, 0% loss" flr_after
}

rigb_run 5 vf_flr_run
