#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IPv4 multicast between VFs (igbvf sends its multicast list with SET_MULTICAST; the PF sets
# the hashes in the shared MTA and VMOLR.ROMPE for the VF's pool), three VFs in namespaces of
# their own, UDP on port 5001 (python3 sockets, short timeouts):
#   - VF1 joins 239.1.2.3 (IP_ADD_MEMBERSHIP on vf1) and receives every datagram VF0 sends
#     to the group;
#   - VF2 listens on the same port without joining, has neither IFF_PROMISC nor IFF_ALLMULTI,
#     and receives none of them;
#   - nobody joined 239.1.2.99 (its MTA hash, 0x630, is none of the VFs' own groups' hashes:
#     IPv6 is off, so each VF only has 224.0.0.1, hash 0x010): the frames VF0 sends to it
#     reach neither VF1 nor VF2 even at the link level (AF_PACKET), i.e. the PF does not
#     flood multicast to the pools.
# The MTA is one table for all pools, so any pool with ROMPE (every VF: each has 224.0.0.1)
# accepts every group any pool joined. VF2's NIC thus delivers 239.1.2.3's frames and its IP
# stack drops them; the link-level counts are reported as diagnostics, not tested.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

MC_GROUP=239.1.2.3
MC_OTHER=239.1.2.99
MC_PORT=5001
MC_COUNT=10

# mcast.py recv IFC ADDR JOIN GROUP OTHER PORT STOPFILE DEADLINE: a UDP socket on PORT (joined
# to GROUP on ADDR when JOIN=1) and an AF_PACKET socket on IFC counting incoming frames to
# GROUP's and OTHER's MAC; prints "ready", then "sock=N link=N link_other=N" once STOPFILE
# exists (or at DEADLINE seconds).
# mcast.py send ADDR GROUP OTHER PORT COUNT: COUNT datagrams from ADDR to each group.
MCAST_PY='
import os, select, socket, struct, sys, time

def group_mac(g):
    b = socket.inet_aton(g)
    return bytes([1, 0, 0x5e, b[1] & 0x7f, b[2], b[3]])

mode = sys.argv[1]
if mode == "recv":
    ifc, addr, join, group, other, port, stop, deadline = sys.argv[2:10]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    u.bind(("", int(port)))
    if join == "1":
        mreq = socket.inet_aton(group) + socket.inet_aton(addr)
        u.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    p.bind((ifc, 0))
    gm, om = group_mac(group), group_mac(other)
    n_sock = n_link = n_other = 0
    print("ready", flush=True)
    end = time.time() + float(deadline)
    while time.time() < end and not os.path.exists(stop):
        r, _, _ = select.select([u, p], [], [], 0.1)
        if u in r:
            u.recv(2048)
            n_sock += 1
        if p in r:
            data, sa = p.recvfrom(65536)
            if sa[2] == socket.PACKET_OUTGOING:
                continue
            if data[:6] == gm:
                n_link += 1
            elif data[:6] == om:
                n_other += 1
    print("sock=%d link=%d link_other=%d" % (n_sock, n_link, n_other), flush=True)
else:
    addr, group, other, port, count = sys.argv[2:7]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(addr))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    for i in range(int(count)):
        s.sendto(b"rigb-mc %d" % i, (group, int(port)))
        s.sendto(b"rigb-mc-other %d" % i, (other, int(port)))
        time.sleep(0.05)
'

MC_DIR=
MC_RESULT1=
MC_RESULT2=
MC_RAN=0

vf_multicast_setup() {
	vf_setup 3 && vf_netns_setup 0 1 2
}

# mc_field RESULT NAME: the number NAME=... in a receiver's result line.
mc_field() { sed -n "s/.*\\b$2=\\([0-9]*\\).*/\\1/p" <<<"$1"; }

# vf_multicast_exchange: receivers on VF1 (joined) and VF2 (not joined), VF0 sends.
vf_multicast_exchange() {
	local i ok=0 pids=()
	MC_RAN=0
	MC_DIR=$(mktemp -d /tmp/rigb-mc.XXXXXX)
	for i in 1 2; do
		nsx "$(vf_ns "$i")" python3 -c "$MCAST_PY" recv "vf$i" "$(vf_ip "$i")" \
			$((i == 1 ? 1 : 0)) "$MC_GROUP" "$MC_OTHER" "$MC_PORT" "$MC_DIR/stop" 30 \
			>"$MC_DIR/recv$i" 2>&1 &
		pids+=($!)
	done
	for i in 1 2; do
		if ! slowwait 15 grep -q ready "$MC_DIR/recv$i"; then
			diag "receiver on vf$i did not start: $(cat "$MC_DIR/recv$i")"
			ok=1
		fi
	done
	diag "vf1 multicast addresses: $(ip -n "$(vf_ns 1)" maddr show dev vf1 | awk '/inet|link/ { printf "%s ", $2 }')"
	if [ "$ok" -eq 0 ]; then
		if ! nsx "$(vf_ns 0)" python3 -c "$MCAST_PY" send "$(vf_ip 0)" "$MC_GROUP" \
			"$MC_OTHER" "$MC_PORT" "$MC_COUNT"; then
			diag "sending from vf0 failed"
			ok=1
		fi
		sleep 1
	fi
	touch "$MC_DIR/stop"
	wait "${pids[@]}"
	MC_RESULT1=$(grep sock= "$MC_DIR/recv1")
	MC_RESULT2=$(grep sock= "$MC_DIR/recv2")
	diag "vf1 (joined $MC_GROUP): ${MC_RESULT1:-$(cat "$MC_DIR/recv1")}"
	diag "vf2 (not joined):        ${MC_RESULT2:-$(cat "$MC_DIR/recv2")}"
	rm -rf "$MC_DIR"
	[ -n "$MC_RESULT1" ] && [ -n "$MC_RESULT2" ] && [ "$ok" -eq 0 ] && MC_RAN=1
}

vf_multicast_joined() {
	local n
	vf_multicast_exchange
	if [ "$MC_RAN" != 1 ]; then
		diag "the exchange did not take place"
		return 1
	fi
	n=$(mc_field "$MC_RESULT1" sock)
	[ "$n" -eq "$MC_COUNT" ] && return 0
	diag "vf1 joined $MC_GROUP and received $n of the $MC_COUNT datagrams sent to it"
	ns_link_stats "$(vf_ns 1)" vf1
	return 1
}

vf_multicast_not_joined() {
	local flags n
	[ "$MC_RAN" = 1 ] || {
		diag "the exchange did not take place"
		return 1
	}
	flags=$(nsx "$(vf_ns 2)" cat /sys/class/net/vf2/flags)
	if [ $((flags & 0x300)) -ne 0 ]; then
		diag "vf2 has IFF_PROMISC or IFF_ALLMULTI set (flags $flags): the test means nothing"
		return 1
	fi
	n=$(mc_field "$MC_RESULT2" sock)
	diag "vf2 flags $flags (no PROMISC/ALLMULTI); its NIC delivered $(mc_field "$MC_RESULT2" link) group frame(s) (MTA shared by all pools)"
	[ "$n" -eq 0 ] && return 0
	diag "vf2 did not join $MC_GROUP but its socket received $n datagram(s)"
	return 1
}

vf_multicast_unjoined_group() {
	local n1 n2
	[ "$MC_RAN" = 1 ] || {
		diag "the exchange did not take place"
		return 1
	}
	n1=$(mc_field "$MC_RESULT1" link_other)
	n2=$(mc_field "$MC_RESULT2" link_other)
	[ "$n1" -eq 0 ] && [ "$n2" -eq 0 ] && return 0
	diag "frames to $MC_OTHER (nobody joined) arrived: vf1 $n1, vf2 $n2 of $MC_COUNT"
	diag_cmd ip -n "$(vf_ns 1)" maddr show dev vf1
	diag_cmd ip -n "$(vf_ns 2)" maddr show dev vf2
	return 1
}

vf_multicast_run() {
	local f=vf_multicast
	check "$f: 3 VFs, each in its own namespace, with carrier" vf_multicast_setup
	check "$f: VF1 joined $MC_GROUP and receives all $MC_COUNT datagrams from VF0" vf_multicast_joined
	check "$f: VF2 (not joined, no promisc/allmulti) receives none" vf_multicast_not_joined
	check "$f: frames to $MC_OTHER (nobody joined) reach no VF, even at link level" vf_multicast_unjoined_group
}

rigb_run 4 vf_multicast_run
