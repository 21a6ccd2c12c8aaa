#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own driver tests, tools/testing/selftests/drivers/net/ (ping.py, stats.py,
# queues.py) from the configured kernel source, run against the PF interface in their
# hardware mode, for rigb and for C igb in one boot of the test VM. The PF is 10.0.0.50/24
# and fd00::50/64 in the init namespace; the far end is the virtio-net wire peer in a
# namespace (REMOTE_TYPE=netns), 10.0.0.100 and fd00::100. Each driver gets the same setup;
# every sub-test's result is printed as "UPSTREAM <driver> <test> <sub-test> <result>" and the
# host prints the table (rigb against igb). Figures of support, not a gate: `make test` does
# not run this.
#
#   make test-upstream                  build, boot, run, print the table
#   tests/upstream/drv_net.sh --guest   in the test VM
#
# Environment: UPSTREAM_TESTS (default "ping.py stats.py queues.py"), UPSTREAM_DRIVERS
# (default "igb rigb").

set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TESTS=${UPSTREAM_TESTS:-ping.py stats.py queues.py}
DRIVERS=${UPSTREAM_DRIVERS:-igb rigb}

guest() {
	set +u
	# shellcheck source=../selftests/drivers/net/rigb/lib.sh
	. "$root/tests/selftests/drivers/net/rigb/lib.sh"
	local d ifc t out dir=$RIGB_KSRC/tools/testing/selftests/drivers/net
	in_test_vm || {
		echo "--guest runs in the test VM only" >&2
		exit 1
	}
	for d in $DRIVERS; do
		DRIVER=$d RIGB_PCI_DRIVER=$d
		export DRIVER
		drv_reset >/dev/null 2>&1
		drv_load 0 >/dev/null || { echo "UPSTREAM $d - load fail"; continue; }
		slowwait 10 pf_has_netdev
		ifc=$(pf_netdev)
		ip addr add 10.0.0.50/24 dev "$ifc"
		ip addr add fd00::50/64 dev "$ifc" nodad
		ip link set dev "$ifc" up
		wire_netns_setup 10.0.0.100/24 >/dev/null || { echo "UPSTREAM $d - wire fail"; continue; }
		ip netns exec "$WIRE_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=0
		ip netns exec "$WIRE_NS" sysctl -qw "net.ipv6.conf.$WIRE_IFC.disable_ipv6=0"
		ip -n "$WIRE_NS" addr add fd00::100/64 dev "$WIRE_IFC" nodad
		slowwait 10 ping -c 1 -W 1 10.0.0.100 >/dev/null
		for t in $TESTS; do
			out=$(cd "$dir" && NETIF=$ifc LOCAL_V4=10.0.0.50 REMOTE_V4=10.0.0.100 \
				LOCAL_V6=fd00::50 REMOTE_V6=fd00::100 REMOTE_TYPE=netns \
				REMOTE_ARGS=$WIRE_NS timeout 600 python3 "./$t" 2>&1)
			echo "$out" | sed "s/^/UPSTREAM-LOG $d $t: /"
			# KTAP lines: "ok N name[ # SKIP reason]" and "not ok N name".
			echo "$out" | awk -v d="$d" -v t="$t" '
				/^(not )?ok [0-9]+ / {
					r = ($1 == "not") ? "fail" : "pass"
					if ($0 ~ /# SKIP/) r = "skip"
					if ($0 ~ /# XFAIL/) r = "xfail"
					n = $0; sub(/^(not )?ok [0-9]+ /, "", n); sub(/ #.*/, "", n)
					print "UPSTREAM", d, t, n, r
				}'
		done
		vf_netns_cleanup
		drv_reset >/dev/null 2>&1
	done
	echo "UPSTREAM-DONE"
}

host() {
	# shellcheck source=../../scripts/common.sh
	. "$root/scripts/common.sh"
	local log=${RIGB_CACHE:-$HOME/.cache/rigb}/upstream-$(date +%Y%m%d-%H%M%S).log
	"$root/scripts/vm.sh" -t 3600 -- env RIGB_KO="$root/rigb.ko" UPSTREAM_TESTS="$TESTS" \
		UPSTREAM_DRIVERS="$DRIVERS" "$root/tests/upstream/drv_net.sh" --guest >"$log" 2>&1
	grep -q UPSTREAM-DONE "$log" || echo "the guest did not finish; log: $log" >&2
	echo "| test | sub-test | C igb | rigb |"
	echo "|---|---|---|---|"
	awk '$1 == "UPSTREAM" { k = $3 " | " $4; r[k, $2] = $5; if (!(k in seen)) { seen[k] = 1; o[++n] = k } }
		END { for (i = 1; i <= n; i++) printf "| %s | %s | %s |\n", o[i], r[o[i], "igb"], r[o[i], "rigb"] }' "$log"
	echo
	echo "log: $log"
}

case "${1:-}" in
--guest) guest ;;
*) host ;;
esac
