#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Sourced by every rigb selftest, never run by itself. It brings in the kernel's kselftest
# helpers (kselftest/ktap_helpers.sh, net/lib.sh: slowwait, setup_ns, cleanup_all_ns, defer),
# the settings, KTAP results with diagnostics, and the frame of a test program: rigb_begin
# (header, preflight, clean-up trap), rigb_end (totals and exit status). One concern each:
#   lib_pci.sh     the 82576 PF and its VFs in sysfs, sysfs writes with their errno
#   lib_driver.sh  loading and unloading the driver under test and igbvf
#   lib_kmsg.sh    kernel log marks and reads
#   lib_netns.sh   VFs and the wire peer in network namespaces
#   lib_traffic.sh ping, packet capture and iperf3
#   lib_debugfs.sh debugfs and rigb's per-VF view in it
# lib_admin.sh (the administrator's VF API) is sourced by the vf_admin_* tests only.
#
# Environment: DRIVER (rigb|igb, default rigb), RIGB_KO (default: rigb.ko at the top of the
# source tree), RIGB_KSRC (kernel source, for the kselftest helpers when not run from a
# kselftest install tree; default /root/.cache/rigb/linux-src), RIGB_PF_BDF (default
# 0000:01:00.0), RIGB_TIMEOUT (seconds for one wait or one module/sysfs operation, default 60).

[ -n "${RIGB_LIB_SOURCED:-}" ] && return 0
RIGB_LIB_SOURCED=1

RIGB_SELFTEST_DIR=$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")
RIGB_ROOT=${RIGB_ROOT:-$(cd "$RIGB_SELFTEST_DIR/../../../../.." && pwd)}
RIGB_KSRC=${RIGB_KSRC:-/root/.cache/rigb/linux-src}
DRIVER=${DRIVER:-rigb}
RIGB_KO=${RIGB_KO:-$RIGB_ROOT/rigb.ko}
RIGB_TIMEOUT=${RIGB_TIMEOUT:-60}
RIGB_PF_BDF=${RIGB_PF_BDF:-0000:01:00.0}
# Name of the PCI driver (the PF's `driver` link); the module name unless told otherwise.
RIGB_PCI_DRIVER=${RIGB_PCI_DRIVER:-$DRIVER}

export PATH=$PATH:/sbin:/usr/sbin

# --- the kernel's kselftest helpers ------------------------------------------------------------

# Installed (make kselftest_install) they sit next to this collection, as for the kernel's own
# drivers/net tests; in rigb's source tree they come from the kernel source.
if [ -r "$RIGB_SELFTEST_DIR/../../../net/lib.sh" ]; then
	RIGB_KSFT_DIR=$(cd "$RIGB_SELFTEST_DIR/../../.." && pwd)
else
	RIGB_KSFT_DIR=$RIGB_KSRC/tools/testing/selftests
fi
if [ ! -r "$RIGB_KSFT_DIR/kselftest/ktap_helpers.sh" ] || [ ! -r "$RIGB_KSFT_DIR/net/lib.sh" ]; then
	echo "TAP version 13"
	echo "1..0 # SKIP no kselftest helpers in $RIGB_KSFT_DIR (set RIGB_KSRC to a kernel source)"
	exit 4
fi
# shellcheck source=/dev/null
source "$RIGB_KSFT_DIR/kselftest/ktap_helpers.sh"
# shellcheck source=/dev/null
source "$RIGB_KSFT_DIR/net/lib.sh"

# --- KTAP results ------------------------------------------------------------------------------

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

# --- helpers ---------------------------------------------------------------------------------

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

# --- the test program's frame ----------------------------------------------------------------

# These tests load and unload NIC drivers; they belong in the test VM (scripts/vm.sh), whose
# kernel command line carries virtme's settings. RIGB_ALLOW_HOST=1 overrides, for a dedicated
# test machine with a real 82576.
in_virtme() { grep -q 'virtme' /proc/cmdline 2>/dev/null; }
in_test_vm() { [ "${RIGB_ALLOW_HOST:-0}" = 1 ] || in_virtme; }

# rigb_preflight: skip (exit 4) where these tests cannot run; fail where they should.
rigb_preflight() {
	if ! in_test_vm; then
		ktap_skip_all "not in the test VM (scripts/vm.sh): these tests load and unload NIC drivers (RIGB_ALLOW_HOST=1 overrides)"
		exit "$KSFT_SKIP"
	fi
	if [ "$(id -u)" -ne 0 ]; then
		ktap_skip_all "must run as root"
		exit "$KSFT_SKIP"
	fi
	case $DRIVER in
	rigb | igb) ;;
	*) ktap_exit_fail_msg "DRIVER must be rigb or igb, not '$DRIVER'" ;;
	esac
	if [ -z "$PF" ]; then
		# The test VM always has one: there, its absence is a broken set-up.
		in_virtme && ktap_exit_fail_msg "no Intel 82576 PF (8086:10c9) in $PCI_DEVICES"
		ktap_skip_all "no Intel 82576 PF (8086:10c9) in $PCI_DEVICES"
		exit "$KSFT_SKIP"
	fi
}

# rigb_cleanup: on any exit of a test program, whatever it left: what it deferred (net/lib.sh's
# defer, last in first out), a capture, the drivers (their VFs and VF interfaces go with them),
# the wire peer back in the init namespace, the namespaces. Quiet unless something fails.
rigb_cleanup() {
	[ -z "$CAP_PID" ] || cap_stop >/dev/null
	iperf_servers_stop
	defer_scopes_cleanup
	drv_reset >/dev/null 2>&1 || diag "clean-up: the PF drivers did not unload"
	mod_unload igbvf >/dev/null 2>&1
	vf_netns_cleanup
	return 0
}

# rigb_begin: the KTAP header, the preflight, the clean-up trap; then the caller sets its plan.
rigb_begin() {
	RIGB_T0=$SECONDS
	ktap_print_header
	rigb_preflight
	trap rigb_cleanup EXIT
	diag "driver under test: $DRIVER; PF $PF_BDF; kernel $(uname -r)"
}

# rigb_end: the totals; exits 0 when every planned test passed or was skipped.
rigb_end() {
	diag "took $((SECONDS - RIGB_T0)) s"
	ktap_finished
}

# rigb_run PLAN FUNC: a whole test program of PLAN tests, printed by FUNC.
rigb_run() {
	local plan=$1
	shift
	rigb_begin
	ktap_set_plan "$plan"
	"$@"
	rigb_end
}

# --- the helpers by concern --------------------------------------------------------------------

# shellcheck source=lib_pci.sh
source "$RIGB_SELFTEST_DIR/lib_pci.sh"
# shellcheck source=lib_driver.sh
source "$RIGB_SELFTEST_DIR/lib_driver.sh"
# shellcheck source=lib_kmsg.sh
source "$RIGB_SELFTEST_DIR/lib_kmsg.sh"
# shellcheck source=lib_netns.sh
source "$RIGB_SELFTEST_DIR/lib_netns.sh"
# shellcheck source=lib_traffic.sh
source "$RIGB_SELFTEST_DIR/lib_traffic.sh"
# shellcheck source=lib_debugfs.sh
source "$RIGB_SELFTEST_DIR/lib_debugfs.sh"
