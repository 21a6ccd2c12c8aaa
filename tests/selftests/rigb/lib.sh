#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for rigb's selftests; sourced by every test script, never run by itself.
# It tests nothing on its own. It provides:
#   - KTAP output (the kernel's tools/testing/selftests/kselftest/ktap_helpers.sh, found via
#     $RIGB_KSRC, plus a skip-with-reason helper and multi-line diagnostics),
#   - the driver under test: DRIVER=rigb (insmod $RIGB_KO) or DRIVER=igb (modprobe igb),
#   - the 82576 PF and its VFs, found through /sys/bus/pci/devices (never by interface name),
#   - polling with a timeout (no fixed sleeps) and kernel log marks,
#   - for the VF data-path areas (vf_*): VFs and the wire peer in network namespaces, ping
#     and packet-capture helpers.
#
# Environment: DRIVER (rigb|igb, default rigb), RIGB_KO (default <repo>/rigb.ko), RIGB_KSRC
# (kernel source, default /root/.cache/rigb/linux-src), RIGB_PF_BDF (default 0000:01:00.0),
# RIGB_TIMEOUT (seconds for one wait or one module/sysfs operation, default 60).

[ -n "${RIGB_LIB_SOURCED:-}" ] && return 0
RIGB_LIB_SOURCED=1

RIGB_SELFTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RIGB_ROOT=${RIGB_ROOT:-$(cd "$RIGB_SELFTEST_DIR/../../.." && pwd)}
RIGB_KSRC=${RIGB_KSRC:-/root/.cache/rigb/linux-src}
DRIVER=${DRIVER:-rigb}
RIGB_KO=${RIGB_KO:-$RIGB_ROOT/rigb.ko}
RIGB_TIMEOUT=${RIGB_TIMEOUT:-60}
RIGB_PF_BDF=${RIGB_PF_BDF:-0000:01:00.0}
# Name of the PCI driver (the PF's `driver` link); the module name unless told otherwise.
RIGB_PCI_DRIVER=${RIGB_PCI_DRIVER:-$DRIVER}

# shellcheck disable=SC2034 # used by the test scripts that source this file
{
	PF_VENDOR=0x8086
	PF_DEVICE=0x10c9
	VF_DEVICE=0x10ca
	PF_TOTALVFS=7
}
PCI_DEVICES=/sys/bus/pci/devices

export PATH=$PATH:/sbin:/usr/sbin

# --- KTAP ------------------------------------------------------------------------------------

ktap_lib=$RIGB_KSRC/tools/testing/selftests/kselftest/ktap_helpers.sh
if [ -r "$ktap_lib" ]; then
	# shellcheck source=/dev/null
	. "$ktap_lib"
else
	# The same interface, for machines without the kernel source.
	KTAP_TESTNO=1
	KTAP_CNT_PASS=0
	KTAP_CNT_FAIL=0
	KTAP_CNT_XFAIL=0
	KTAP_CNT_SKIP=0
	KSFT_PASS=0
	KSFT_FAIL=1
	KSFT_NUM_TESTS=0
	ktap_print_header() { echo "TAP version 13"; }
	ktap_set_plan() {
		KSFT_NUM_TESTS=$1
		echo "1..$KSFT_NUM_TESTS"
	}
	__ktap_test() {
		echo "$1 $KTAP_TESTNO $2${3:+ # $3}"
		KTAP_TESTNO=$((KTAP_TESTNO + 1))
	}
	ktap_test_pass() {
		__ktap_test ok "$1"
		KTAP_CNT_PASS=$((KTAP_CNT_PASS + 1))
	}
	ktap_test_fail() {
		__ktap_test "not ok" "$1"
		KTAP_CNT_FAIL=$((KTAP_CNT_FAIL + 1))
	}
	ktap_test_skip() {
		__ktap_test ok "$1" SKIP
		KTAP_CNT_SKIP=$((KTAP_CNT_SKIP + 1))
	}
	ktap_print_totals() {
		echo "# Totals: pass:$KTAP_CNT_PASS fail:$KTAP_CNT_FAIL xfail:$KTAP_CNT_XFAIL xpass:0 skip:$KTAP_CNT_SKIP error:0"
	}
	ktap_exit_fail_msg() {
		echo "Bail out! $*"
		ktap_print_totals
		exit "$KSFT_FAIL"
	}
	ktap_finished() {
		ktap_print_totals
		if [ $((KTAP_CNT_PASS + KTAP_CNT_SKIP + KTAP_CNT_XFAIL)) -eq "$KSFT_NUM_TESTS" ]; then
			exit "$KSFT_PASS"
		fi
		exit "$KSFT_FAIL"
	}
fi
unset ktap_lib

# diag TEXT...: each line of TEXT as a KTAP diagnostic ("# ...").
diag() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"$*"
}

# diag_cmd CMD...: run CMD, show its output (stdout and stderr) as diagnostics.
diag_cmd() {
	local out
	out=$("$@" 2>&1)
	[ -n "$out" ] && diag "$out"
	return 0
}

# ktap_test_skip_reason NAME REASON: "ok N NAME # SKIP REASON".
ktap_test_skip_reason() {
	__ktap_test ok "$1" "SKIP $2"
	KTAP_CNT_SKIP=$((KTAP_CNT_SKIP + 1))
}

# check NAME CMD...: one KTAP test, ok when CMD succeeds. CMD prints its own diagnostics.
check() {
	local name=$1
	shift
	if "$@"; then
		ktap_test_pass "$name"
	else
		ktap_test_fail "$name"
	fi
}

# --- guards ----------------------------------------------------------------------------------

# These tests load and unload NIC drivers; they belong in the test VM (scripts/vm.sh), where
# the kernel command line carries virtme's settings. RIGB_ALLOW_HOST=1 overrides, for a
# dedicated test machine with a real 82576.
in_test_vm() {
	[ "${RIGB_ALLOW_HOST:-0}" = 1 ] && return 0
	grep -q 'virtme' /proc/cmdline 2>/dev/null
}

# --- polling ---------------------------------------------------------------------------------

# wait_until SECONDS CMD...: poll CMD every 0.1 s until it succeeds; fail after SECONDS.
wait_until() {
	local limit=$1 start
	shift
	start=$(date +%s%N)
	while :; do
		"$@" && return 0
		[ $((($(date +%s%N) - start) / 1000000000)) -lt "$limit" ] || return 1
		sleep 0.1
	done
}

# slow_note WHAT START: a diagnostic when WHAT, started at $SECONDS=START, took 3 s or more.
slow_note() {
	local d=$((SECONDS - $2))
	[ "$d" -lt 3 ] || diag "$1 took $d s"
	return 0
}

# run_to SECONDS CMD...: CMD with a time limit (a hung module load must not hang the run).
run_to() {
	local limit=$1
	shift
	timeout -k 5 "$limit" "$@"
}

# --- the PF and its VFs ----------------------------------------------------------------------

dev_id() { # DEV -> "vendor:device" as in sysfs, e.g. 0x8086:0x10c9
	echo "$(cat "$1/vendor" 2>/dev/null):$(cat "$1/device" 2>/dev/null)"
}

# pf_find: the PF's sysfs path: $RIGB_PF_BDF if it is an 82576 PF, else the first one found.
pf_find() {
	local d
	if [ "$(dev_id "$PCI_DEVICES/$RIGB_PF_BDF")" = "$PF_VENDOR:$PF_DEVICE" ]; then
		readlink -f "$PCI_DEVICES/$RIGB_PF_BDF"
		return 0
	fi
	for d in "$PCI_DEVICES"/*; do
		if [ "$(dev_id "$d")" = "$PF_VENDOR:$PF_DEVICE" ]; then
			readlink -f "$d"
			return 0
		fi
	done
	return 1
}

PF=$(pf_find) || PF=
PF_BDF=${PF##*/}

dev_driver() { # DEV -> name of the bound driver, or nothing
	local l
	l=$(readlink "$1/driver" 2>/dev/null) || return 0
	echo "${l##*/}"
}

dev_netdevs() { # DEV -> its network interfaces, one a line
	local n
	for n in "$1"/net/*; do
		[ -e "$n" ] && echo "${n##*/}"
	done
	return 0
}

pf_netdev() { dev_netdevs "$PF" | head -n1; }

# vf_list: sysfs paths of the PF's VFs (from its virtfn* links), in VF order.
vf_list() {
	local i
	for ((i = 0; i < 64; i++)); do
		[ -L "$PF/virtfn$i" ] && readlink -f "$PF/virtfn$i"
	done
	return 0
}

vf_count() { # number of virtfn* links under the PF
	local n=0 l
	for l in "$PF"/virtfn*; do
		[ -L "$l" ] && n=$((n + 1))
	done
	echo "$n"
}

numvfs() { cat "$PF/sriov_numvfs" 2>/dev/null; }
totalvfs() { cat "$PF/sriov_totalvfs" 2>/dev/null; }

vf_count_is() { [ "$(vf_count)" -eq "$1" ]; }

# vfs_bound N: exactly N VFs, all bound to igbvf, each with a network interface.
vfs_bound() {
	local vf
	vf_count_is "$1" || return 1
	for vf in $(vf_list); do
		[ "$(dev_driver "$vf")" = igbvf ] || return 1
		[ -n "$(dev_netdevs "$vf")" ] || return 1
	done
}

# pf_bound_for_vfs N: VFs can only appear with the driver bound; don't wait for them otherwise.
pf_bound_for_vfs() {
	[ "$1" -eq 0 ] && return 0
	pf_bound && return 0
	diag "no VFs to wait for: $PF_BDF is not bound to $RIGB_PCI_DRIVER (driver: '$(dev_driver "$PF")')"
	return 1
}

# wait_vf_count N: wait for exactly N virtfn links; diagnose otherwise.
wait_vf_count() {
	pf_bound_for_vfs "$1" || return 1
	if wait_until "$RIGB_TIMEOUT" vf_count_is "$1"; then
		return 0
	fi
	diag "expected $1 VFs, found $(vf_count) after ${RIGB_TIMEOUT}s (sriov_numvfs: $(numvfs))"
	return 1
}

# wait_vfs_bound N: wait for N VFs bound to igbvf with interfaces; diagnose otherwise.
wait_vfs_bound() {
	local vf
	pf_bound_for_vfs "$1" || return 1
	if wait_until "$RIGB_TIMEOUT" vfs_bound "$1"; then
		return 0
	fi
	diag "expected $1 VFs bound to igbvf with an interface, after ${RIGB_TIMEOUT}s:"
	for vf in $(vf_list); do
		diag "  ${vf##*/}: driver '$(dev_driver "$vf")', net '$(dev_netdevs "$vf" | tr '\n' ' ')'"
	done
	return 1
}

# vf_table: one diagnostic line per VF (BDF, IDs, driver, interface).
vf_table() {
	local vf
	for vf in $(vf_list); do
		diag "${vf##*/} $(dev_id "$vf") driver=$(dev_driver "$vf") net=$(dev_netdevs "$vf" | tr '\n' ' ')"
	done
}

# --- sysfs writes with their errno -----------------------------------------------------------

# sysfs_write FILE VALUE: write VALUE (one write(2)) and print the outcome: OK, an errno name
# (EBUSY, ERANGE, EINVAL, ...), TIMEOUT, or the shell's message if it is not a known errno.
sysfs_write() {
	local out rc msg
	# shellcheck disable=SC2016 # expanded by the inner shell
	out=$(run_to "$RIGB_TIMEOUT" bash -c 'printf "%s\n" "$1" >"$2"' _ "$2" "$1" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo OK
		return 0
	fi
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo TIMEOUT
		return 0
	fi
	msg=${out##*: }
	case $msg in
	"Device or resource busy") echo EBUSY ;;
	"Numerical result out of range") echo ERANGE ;;
	"Invalid argument") echo EINVAL ;;
	"Operation not permitted") echo EPERM ;;
	"Cannot allocate memory") echo ENOMEM ;;
	"No such device") echo ENODEV ;;
	"Input/output error") echo EIO ;;
	"No such file or directory") echo ENOENT ;;
	"Operation not supported") echo EOPNOTSUPP ;;
	"No space left on device") echo ENOSPC ;;
	"Function not implemented") echo ENOSYS ;;
	"Permission denied") echo EACCES ;;
	*) echo "$out" ;;
	esac
}

# expect_write FILE VALUE WANT: the write's outcome is WANT (OK or an errno name).
expect_write() {
	local got
	got=$(sysfs_write "$1" "$2")
	if [ "$got" = "$3" ]; then
		diag "echo $2 > ${1##*/}: $got"
		return 0
	fi
	diag "echo $2 > ${1##*/}: expected $3, got $got"
	return 1
}

# expect_numvfs N: sriov_numvfs reads N.
expect_numvfs() {
	local n
	n=$(numvfs)
	[ "$n" = "$1" ] && return 0
	diag "sriov_numvfs reads '$n', expected $1"
	return 1
}

# --- the driver under test -------------------------------------------------------------------

mod_loaded() { grep -q "^$1 " /proc/modules; }
mod_absent() { ! mod_loaded "$1"; }

pf_bound() { [ "$(dev_driver "$PF")" = "$RIGB_PCI_DRIVER" ]; }

# drv_load [MAX_VFS]: load the driver under test (with max_vfs=MAX_VFS when given) and wait
# until it is bound to the PF.
drv_load() {
	local out rc t=$SECONDS
	case $DRIVER in
	rigb)
		if [ ! -f "$RIGB_KO" ]; then
			diag "$RIGB_KO does not exist (build it with 'make')"
			return 1
		fi
		out=$(run_to "$RIGB_TIMEOUT" insmod "$RIGB_KO" ${1:+max_vfs=$1} 2>&1)
		;;
	igb) out=$(run_to "$RIGB_TIMEOUT" modprobe igb ${1:+max_vfs=$1} 2>&1) ;;
	*)
		diag "unknown DRIVER '$DRIVER' (rigb or igb)"
		return 1
		;;
	esac
	rc=$?
	if [ "$rc" -ne 0 ]; then
		diag "loading $DRIVER${1:+ max_vfs=$1} failed ($rc): $out"
		return 1
	fi
	slow_note "loading $DRIVER${1:+ max_vfs=$1}" "$t"
	drv_wait_bound
}

# drv_wait_bound: the driver is loaded and bound to the PF (probe may be asynchronous).
drv_wait_bound() {
	if wait_until "$RIGB_TIMEOUT" pf_bound; then
		return 0
	fi
	diag "$DRIVER is loaded but $PF_BDF is bound to '$(dev_driver "$PF")', not $RIGB_PCI_DRIVER"
	return 1
}

# mod_unload NAME: rmmod NAME if it is loaded and wait until it is gone.
mod_unload() {
	local out t=$SECONDS
	mod_loaded "$1" || return 0
	if ! out=$(run_to "$RIGB_TIMEOUT" rmmod "$1" 2>&1); then
		diag "rmmod $1 failed: $out"
		return 1
	fi
	if ! wait_until "$RIGB_TIMEOUT" mod_absent "$1"; then
		diag "$1 still loaded ${RIGB_TIMEOUT}s after rmmod"
		return 1
	fi
	slow_note "rmmod $1" "$t"
}

drv_unload() { mod_unload "$DRIVER"; }

# drv_reset: a clean start for a test area: neither rigb nor igb bound, no VFs.
drv_reset() {
	local ok=0
	mod_unload rigb || ok=1
	mod_unload igb || ok=1
	wait_until "$RIGB_TIMEOUT" vf_count_is 0 || {
		diag "VFs still present after unloading the PF drivers"
		ok=1
	}
	return $ok
}

# igbvf_load: the in-tree VF driver, loaded explicitly (udev in the VM does not autoload it).
igbvf_load() {
	local out
	mod_loaded igbvf && return 0
	if ! out=$(run_to "$RIGB_TIMEOUT" modprobe igbvf 2>&1); then
		diag "modprobe igbvf failed: $out"
		return 1
	fi
}

# --- kernel log ------------------------------------------------------------------------------

# kmsg_mark NAME: put a unique mark into the kernel log; later kmsg_since reads from there.
KMSG_MARK=
KMSG_SEQ=0
kmsg_mark() {
	KMSG_SEQ=$((KMSG_SEQ + 1))
	KMSG_MARK="rigb-selftest: mark $$.$KMSG_SEQ $1"
	echo "<5>$KMSG_MARK" >/dev/kmsg
}

# kmsg_since_raw: kernel log lines after the last kmsg_mark, with their raw "<prio>" prefix
# (facility*8+level; kernel messages have facility 0).
kmsg_since_raw() {
	dmesg -r | awk -v m="$KMSG_MARK" 'found { print } index($0, m) { found = 1 }'
}

# kmsg_since: the same without the prefix.
kmsg_since() { kmsg_since_raw | sed 's/^<[0-9]*>//'; }

# kmsg_warnings_since: kernel (not user space) messages of level warning or worse, without
# their timestamps.
kmsg_warnings_since() { kmsg_since_raw | sed -n 's/^<[0-4]>\(\[[^]]*\] \)\{0,1\}//p'; }

# kmsg_kernel: the whole kernel log, kernel messages only (what user space wrote to /dev/kmsg
# is left out).
kmsg_kernel() { dmesg -r | sed -n 's/^<[0-7]>//p'; }

# --- VFs in network namespaces ---------------------------------------------------------------
#
# The VF data-path areas (vf_*) put each VF interface in a network namespace of its own
# (rigbvf<i>, the interface renamed vf<i>, address 10.0.0.<i+1>/24) so that traffic between two
# VFs must cross the 82576's internal switch instead of the local stack. IPv6 is off in those
# namespaces: fewer frames under TCG and a known multicast filter (only 224.0.0.1's hash).
# The virtio-net NIC on the same QEMU hub (the "wire peer") can be moved into rigbwire.

VF_NS_PREFIX=rigbvf
WIRE_NS=rigbwire
WIRE_IFC=wire0
WIRE_MAC=52:54:00:00:00:99
WIRE_ORIG_NAME=

vf_ns() { echo "$VF_NS_PREFIX$1"; }            # VF index -> its namespace
vf_ip() { echo "10.0.0.$(($1 + 1))"; }         # VF index -> its address
vf_sysfs() { readlink -f "$PF/virtfn$1"; }     # VF index -> its PCI device in sysfs

# nsx NS CMD...: CMD in namespace NS.
nsx() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# udev_settle: let udev finish renaming interfaces and setting MACs (the guest's udev does
# both right after a VF's probe), so that an interface is not moved or renamed under it.
udev_settle() {
	command -v udevadm >/dev/null 2>&1 || return 0
	udevadm settle -t 10 >/dev/null 2>&1
	return 0
}

# pf_if_up: the C igb serves its VFs' mailbox only with the PF interface up (igb_up sets
# PFRSTD; with it down igbvf logs "PF still in reset state"), so bring it up for DRIVER=igb.
# rigb serves its VFs without a PF interface: nothing to do (even if it had one, the VF tests
# must pass with it down).
pf_has_netdev() { [ -n "$(pf_netdev)" ]; }
pf_if_up() {
	local ifc
	[ "$DRIVER" = igb ] || return 0
	if ! wait_until 10 pf_has_netdev; then
		diag "$DRIVER is bound but $PF_BDF has no network interface"
		return 1
	fi
	ifc=$(pf_netdev)
	if ! run_to "$RIGB_TIMEOUT" ip link set dev "$ifc" up; then
		diag "could not bring the PF interface $ifc up"
		return 1
	fi
}

# vf_setup N: a clean start with N VFs ready for traffic: no driver loaded, then the driver
# under test with max_vfs=N, its PF interface up (igb), then igbvf (loaded last, so it probes
# the VFs with the PF ready), N VFs bound with interfaces, udev done with them.
vf_setup() {
	drv_reset || return 1
	mod_unload igbvf || return 1
	drv_load "$1" || return 1
	pf_if_up || return 1
	igbvf_load || return 1
	wait_vfs_bound "$1" || return 1
	udev_settle
}

# vf_ifc I: the interface of VF I in the init namespace (empty when it has none there).
vf_ifc() { dev_netdevs "$PF/virtfn$1" | head -n1; }

# vf_move_to_ns I NS NAME: move VF I's interface into NS and rename it NAME. Retried: udev
# may still rename the interface while we look at it.
vf_move_try() {
	local ifc
	ifc=$(vf_ifc "$1")
	[ -n "$ifc" ] || return 1
	ip link set dev "$ifc" netns "$2" 2>/dev/null || return 1
	ip -n "$2" link set dev "$ifc" name "$3"
}

# ns_new NS: a fresh namespace with lo up and IPv6 off.
ns_new() {
	ip netns del "$1" 2>/dev/null
	ip netns add "$1" || return 1
	nsx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$1" link set lo up
}

# ns_carrier NS IFC: IFC in NS has carrier.
ns_carrier() { [ "$(nsx "$1" cat "/sys/class/net/$2/carrier" 2>/dev/null)" = 1 ]; }

# ns_wait_carrier NS IFC: wait (up to 10 s) for carrier; diagnose otherwise.
ns_wait_carrier() {
	wait_until 10 ns_carrier "$1" "$2" && return 0
	diag "$2 in $1 has no carrier 10 s after it was set up"
	diag_cmd ip -n "$1" -d link show dev "$2"
	return 1
}

# vf_netns_setup I...: VF I's interface into namespace rigbvf<I> as vf<I>, 10.0.0.<I+1>/24,
# up, with carrier.
vf_netns_setup() {
	local i ns
	for i in "$@"; do
		ns=$(vf_ns "$i")
		ns_new "$ns" || {
			diag "could not create namespace $ns"
			return 1
		}
		if ! wait_until 10 vf_move_try "$i" "$ns" "vf$i"; then
			diag "could not move VF $i ($(vf_ifc "$i")) into $ns"
			return 1
		fi
		ip -n "$ns" addr add "$(vf_ip "$i")/24" dev "vf$i" || return 1
		ip -n "$ns" link set dev "vf$i" up || return 1
	done
	for i in "$@"; do
		ns_wait_carrier "$(vf_ns "$i")" "vf$i" || return 1
	done
}

# wire_ifc: the wire peer's interface in the init namespace (found by its MAC).
wire_ifc() {
	local n
	for n in /sys/class/net/*; do
		[ "$(cat "$n/address" 2>/dev/null)" = "$WIRE_MAC" ] && {
			echo "${n##*/}"
			return 0
		}
	done
	return 1
}

# wire_netns_setup ADDR/LEN: the wire peer into namespace rigbwire as wire0 with ADDR, up.
wire_netns_setup() {
	local ifc
	if ! wait_until 10 wire_ifc >/dev/null; then
		diag "no interface with the wire peer's MAC $WIRE_MAC"
		return 1
	fi
	ifc=$(wire_ifc)
	WIRE_ORIG_NAME=$ifc
	ns_new "$WIRE_NS" || return 1
	ip link set dev "$ifc" netns "$WIRE_NS" || return 1
	ip -n "$WIRE_NS" link set dev "$ifc" name "$WIRE_IFC" || return 1
	ip -n "$WIRE_NS" addr add "$1" dev "$WIRE_IFC" || return 1
	ip -n "$WIRE_NS" link set dev "$WIRE_IFC" up || return 1
	ns_wait_carrier "$WIRE_NS" "$WIRE_IFC"
}

# vf_netns_cleanup: delete the namespaces of the vf_* areas; the wire peer goes back to the
# init namespace under its old name first (VF interfaces go with their VFs, see vf_teardown).
vf_netns_cleanup() {
	local ns
	if ip netns list 2>/dev/null | grep -qw "$WIRE_NS"; then
		ip -n "$WIRE_NS" link set dev "$WIRE_IFC" down 2>/dev/null
		ip -n "$WIRE_NS" addr flush dev "$WIRE_IFC" 2>/dev/null
		[ -n "$WIRE_ORIG_NAME" ] &&
			ip -n "$WIRE_NS" link set dev "$WIRE_IFC" name "$WIRE_ORIG_NAME" 2>/dev/null
		ip -n "$WIRE_NS" link set dev "${WIRE_ORIG_NAME:-$WIRE_IFC}" netns 1 2>/dev/null
	fi
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		case $ns in
		"$VF_NS_PREFIX"* | "$WIRE_NS") ip netns del "$ns" ;;
		esac
	done
	return 0
}

# vf_teardown: the end of a vf_* area: the PF driver and igbvf unloaded (the VFs and their
# interfaces go), then the namespaces.
vf_teardown() {
	[ -z "$CAP_PID" ] || cap_stop >/dev/null
	drv_reset
	mod_unload igbvf
	vf_netns_cleanup
}

# --- ping ------------------------------------------------------------------------------------

# ping_run NS ARGS...: ping in NS (time-limited); sets PING_OUT, PING_TX, PING_RX, PING_LOSS
# (percent, as printed) and PING_AVG (ms, empty without replies). Returns ping's status.
PING_OUT=
PING_TX=0
PING_RX=0
PING_LOSS=
PING_AVG=
ping_run() {
	local ns=$1 rc
	shift
	PING_OUT=$(run_to 300 ip netns exec "$ns" ping "$@" 2>&1)
	rc=$?
	PING_TX=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$PING_OUT")
	PING_RX=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$PING_OUT")
	PING_LOSS=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$PING_OUT")
	PING_AVG=$(sed -n 's:^rtt min/avg/max/mdev = [0-9.]*/\([0-9.]*\)/.*:\1:p' <<<"$PING_OUT")
	PING_TX=${PING_TX:-0}
	PING_RX=${PING_RX:-0}
	return $rc
}

# ping_summary: ping's statistics lines, for diagnostics.
ping_summary() { grep -E 'packets transmitted|^rtt' <<<"$PING_OUT"; }

# ping_ok NS DEST COUNT ARGS...: COUNT pings (0.2 s apart unless ARGS say otherwise) from NS
# to DEST all answered; the summary (and on failure the whole output) as diagnostics.
ping_ok() {
	local ns=$1 dest=$2 count=$3
	shift 3
	ping_run "$ns" -c "$count" -i 0.2 -W 2 "$@" "$dest"
	if [ "$PING_TX" -eq "$count" ] && [ "$PING_RX" -eq "$count" ]; then
		diag "ping${*:+ $*} $dest from $ns: $(ping_summary | tr '\n' ' ')"
		return 0
	fi
	diag "ping${*:+ $*} $dest from $ns: $PING_RX of $count answered ($PING_LOSS% loss):"
	diag "$PING_OUT"
	return 1
}

# ping_silent NS DEST COUNT ARGS...: COUNT pings from NS to DEST, none answered.
ping_silent() {
	local ns=$1 dest=$2 count=$3
	shift 3
	ping_run "$ns" -c "$count" -i 0.2 -W 1 "$@" "$dest"
	if [ "$PING_TX" -gt 0 ] && [ "$PING_RX" -eq 0 ]; then
		diag "ping${*:+ $*} $dest from $ns: no reply, as expected ($(ping_summary | head -n1))"
		return 0
	fi
	diag "ping${*:+ $*} $dest from $ns: expected no reply, got $PING_RX of $PING_TX:"
	diag "$PING_OUT"
	return 1
}

# ns_link_stats NS IFC: `ip -s link` of IFC in NS, for diagnostics.
ns_link_stats() { diag_cmd ip -n "$1" -s -d link show dev "$2"; }

# --- packet capture --------------------------------------------------------------------------

# cap_start NS IFC FILTER...: capture on IFC in NS in the background, without promiscuous mode
# (-p: only what the NIC's filters deliver); waits until tcpdump listens. cap_stop ends it and
# prints one line per captured frame (with link-level headers).
CAP_PID=
CAP_DIR=
cap_start() {
	local ns=$1 ifc=$2
	shift 2
	CAP_DIR=$(mktemp -d /tmp/rigb-cap.XXXXXX)
	ip netns exec "$ns" timeout 300 tcpdump -p -n -e -l -i "$ifc" "$@" \
		>"$CAP_DIR/out" 2>"$CAP_DIR/err" &
	CAP_PID=$!
	if ! wait_until 10 grep -q 'listening on' "$CAP_DIR/err"; then
		diag "tcpdump on $ifc in $ns did not start: $(cat "$CAP_DIR/err")"
		return 1
	fi
}

cap_stop() {
	[ -n "$CAP_PID" ] || return 0
	sleep 0.3
	kill -TERM "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
	CAP_PID=
	cat "$CAP_DIR/out"
	rm -rf "$CAP_DIR"
}

# --- running areas ---------------------------------------------------------------------------

# Each test script (an "area") sets RIGB_PLAN[<area>] to its number of tests (or sets it in an
# optional <area>_prepare function) and defines <area>_run, which must print exactly that
# many results. run.sh sources the areas and runs them in one KTAP stream; each area can also
# be run alone (rigb_area_main).
declare -A RIGB_PLAN

rigb_preflight() {
	in_test_vm || ktap_exit_fail_msg "not in the test VM (scripts/vm.sh); refusing to load drivers here (RIGB_ALLOW_HOST=1 overrides)"
	[ "$(id -u)" -eq 0 ] || ktap_exit_fail_msg "must run as root"
	[ -n "$PF" ] || ktap_exit_fail_msg "no Intel 82576 PF (8086:10c9) in $PCI_DEVICES"
	case $DRIVER in
	rigb | igb) ;;
	*) ktap_exit_fail_msg "DRIVER must be rigb or igb, not '$DRIVER'" ;;
	esac
}

rigb_cleanup() {
	drv_reset >/dev/null 2>&1
	mod_unload igbvf >/dev/null 2>&1
	return 0
}

# rigb_run_areas AREA...: header, plan, the areas' tests, totals; exits with the KTAP verdict.
rigb_run_areas() {
	local a t total=0
	ktap_print_header
	rigb_preflight
	diag "driver under test: $DRIVER; PF $PF_BDF; kernel $(uname -r)"
	for a in "$@"; do
		if declare -F "${a}_prepare" >/dev/null; then
			"${a}_prepare"
		fi
		total=$((total + RIGB_PLAN[$a]))
	done
	ktap_set_plan "$total"
	for a in "$@"; do
		diag "--- $a"
		t=$SECONDS
		"${a}_run"
		diag "$a took $((SECONDS - t)) s"
	done
	rigb_cleanup
	ktap_finished
}

# rigb_area_main AREA: run one area on its own unless run.sh is sourcing it.
rigb_area_main() {
	[ -n "${RIGB_RUN_ALL:-}" ] && return 0
	rigb_run_areas "$1"
}
