#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rigb's demo, the "main job": in the test VM, load the PF driver with max_vfs=7, load igbvf,
# wait for the 7 VFs to be bound, and show them: the 82576 functions in lspci, sriov_totalvfs
# and sriov_numvfs, the virtfn links, each VF's driver and interface, and the kernel log lines
# of the PF and VF drivers. Exits non-zero when fewer than 7 VFs are bound to igbvf.
#
#   scripts/vm.sh -- tests/demo.sh                  (what `make demo` runs)
#   scripts/vm.sh -- env DRIVER=igb tests/demo.sh   (the same with the in-tree C igb)
#   DRIVER=igb tests/demo.sh                        (on the host: boots the VM itself)

set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=selftests/drivers/net/rigb/lib.sh
. "$root/tests/selftests/drivers/net/rigb/lib.sh"

WANT_VFS=7

if ! in_test_vm; then
	exec "$root/scripts/vm.sh" -- env DRIVER="$DRIVER" RIGB_KSRC="$RIGB_KSRC" "$root/tests/demo.sh"
fi

section() { printf '\n== %s\n' "$*"; }

[ -n "$PF" ] || {
	echo "no Intel 82576 PF (8086:10c9) found" >&2
	exit 1
}

section "loading $DRIVER max_vfs=$WANT_VFS on $PF_BDF"
drv_reset >/dev/null
kmsg_mark demo
drv_load "$WANT_VFS" || echo "loading $DRIVER failed"
pf_if=$(pf_netdev)
if [ -n "$pf_if" ]; then
	# VFs ask the PF for their MAC address; with the PF interface down they pick random ones.
	run_to "$RIGB_TIMEOUT" ip link set dev "$pf_if" up || echo "could not bring $pf_if up"
fi
igbvf_load || echo "loading igbvf failed"
wait_vfs_bound "$WANT_VFS"

section "lspci"
lspci -nn | grep -i 82576

section "SR-IOV ($PF_BDF)"
echo "sriov_totalvfs: $(totalvfs)"
echo "sriov_numvfs:   $(numvfs)"
echo "PF driver:      $(dev_driver "$PF")"
echo "PF interface:   ${pf_if:-none}"

section "virtfn links"
for l in "$PF"/virtfn*; do
	[ -L "$l" ] && echo "${l##*/} -> $(readlink "$l")"
done

section "VFs"
printf '%-14s %-16s %-8s %s\n' VF ID DRIVER INTERFACE
bound=0
for vf in $(vf_list); do
	drv=$(dev_driver "$vf")
	ifs=$(dev_netdevs "$vf" | tr '\n' ' ')
	printf '%-14s %-16s %-8s %s\n' "${vf##*/}" "$(dev_id "$vf")" "${drv:--}" "${ifs:--}"
	[ "$drv" = igbvf ] && [ -n "$ifs" ] && bound=$((bound + 1))
done

section "ip -br link"
ip -br link

section "kernel log ($DRIVER, igbvf, $PF_BDF and its VFs)"
kmsg_since | grep -E "(^|\] )($DRIVER|igbvf)[ :]|${PF_BDF%:*}:" | grep -v 'rigb-selftest: mark'

echo
if [ "$bound" -lt "$WANT_VFS" ]; then
	echo "FAIL: $bound of $WANT_VFS VFs bound to igbvf with an interface"
	exit 1
fi
echo "OK: $bound VFs bound to igbvf, each with an interface"
