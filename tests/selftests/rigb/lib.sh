#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for rigb's selftests; sourced by every test script, never run by itself.
# It tests nothing on its own. It provides:
#   - KTAP output (the kernel's tools/testing/selftests/kselftest/ktap_helpers.sh, found via
#     $RIGB_KSRC, plus a skip-with-reason helper and multi-line diagnostics),
#   - the driver under test: DRIVER=rigb (insmod $RIGB_KO) or DRIVER=igb (modprobe igb),
#   - the 82576 PF and its VFs, found through /sys/bus/pci/devices (never by interface name),
#   - polling with a timeout (no fixed sleeps) and kernel log marks.
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
