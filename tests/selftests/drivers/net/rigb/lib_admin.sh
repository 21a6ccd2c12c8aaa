#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the administrator's VF API tests (vf_admin_*.sh): `ip link set <pf> vf N ...`,
# the VF lines of `ip link show`, rigb's debugfs view of each VF, 82576 registers read from
# BAR0 (for C igb, which has no debugfs), raw rtnetlink for values iproute2 refuses to send,
# and the rigb/igb comparison lines. Sourced after lib.sh by the vf_admin_* tests.
#
# Comparison: every operation whose observed behaviour is worth comparing between the two
# drivers is printed as a diagnostic
#   # admin-cmp: <operation> | <observed outcome>
# tools/vf-admin-compare.sh (run on the host) joins these lines of a rigb and an igb log
# into one side-by-side table.

[ -n "${RIGB_LIB_ADMIN_SOURCED:-}" ] && return 0
RIGB_LIB_ADMIN_SOURCED=1

ADM_PF=            # the PF's network interface, set by adm_pf_find
ADM_SKIP=          # set by a test function that returns ADM_RC_SKIP: the reason
ADM_RC_SKIP=4

# 82576 registers (BAR0 offsets).
ADM_REG_DTXSWC=0x3500
ADM_REG_VMVIR0=0x3700

# --- results ---------------------------------------------------------------------------------

# adm_cmp OPERATION OUTCOME: one comparison line (see the top of this file).
adm_cmp() { printf '# admin-cmp: %s | %s\n' "$1" "$2"; }

# adm_check NAME CMD...: like check, but CMD may return ADM_RC_SKIP with the reason in ADM_SKIP
# ("ok N NAME # SKIP reason"): used where C igb lacks or differs from what rigb implements.
adm_check() {
	local name=$1 rc
	shift
	ADM_SKIP=
	"$@"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		ktap_test_pass "$name"
	elif [ "$rc" -eq "$ADM_RC_SKIP" ]; then
		ktap_test_skip_reason "$name" "${ADM_SKIP:-no reason given}"
	else
		ktap_test_fail "$name"
	fi
}

# adm_skip REASON: set the skip reason (also as a diagnostic) and return ADM_RC_SKIP.
adm_skip() {
	ADM_SKIP=$1
	diag "skipped: $1"
	return "$ADM_RC_SKIP"
}

adm_is_igb() { [ "$DRIVER" = igb ]; }

# --- the PF interface ------------------------------------------------------------------------

# adm_pf_find: wait (10 s) for the PF's network interface and for udev to have renamed it
# (eth0 -> enp1s0 right after the probe); sets ADM_PF.
adm_pf_find() {
	ADM_PF=
	if ! slowwait 10 pf_has_netdev; then
		diag "$DRIVER is bound but $PF_BDF has no network interface"
		return 1
	fi
	udev_settle
	ADM_PF=$(pf_netdev)
}

adm_pf_carrier_is_1() { [ "$(cat "/sys/class/net/$ADM_PF/carrier" 2>/dev/null)" = 1 ]; }

# adm_pf_up: bring the PF interface up (any driver) and wait for its carrier.
adm_pf_up() {
	ip link set dev "$ADM_PF" up || {
		diag "ip link set $ADM_PF up failed"
		return 1
	}
	slowwait 15 adm_pf_carrier_is_1 && return 0
	diag "$ADM_PF: no carrier 15 s after ip link set up"
	diag_cmd ip -d link show dev "$ADM_PF"
	return 1
}

# adm_load N: a clean start: no PF driver, no igbvf; the driver under test with max_vfs=N,
# its PF interface found (and up for C igb, which needs it for its VFs: lib.sh's pf_if_up).
adm_load() {
	drv_reset || return 1
	mod_unload igbvf || return 1
	drv_load "$1" || return 1
	wait_vf_count "$1" || return 1
	# After adm_pf_find: pf_if_up reads the interface name once, udev must be done with it.
	adm_pf_find || return 1
	pf_if_up
}

# --- ip link set <pf> vf N ... -------------------------------------------------------------

# adm_errname MESSAGE: the errno name for an iproute2 "RTNETLINK answers: <strerror>" line.
adm_errname() {
	case $1 in
	*"Invalid argument"*) echo EINVAL ;;
	*"Operation not supported"*) echo EOPNOTSUPP ;;
	*"Protocol not supported"*) echo EPROTONOSUPPORT ;;
	*"Numerical result out of range"*) echo ERANGE ;;
	*"No space left on device"*) echo ENOSPC ;;
	*"Operation not permitted"*) echo EPERM ;;
	*"Device or resource busy"*) echo EBUSY ;;
	*"No such device"*) echo ENODEV ;;
	*"Cannot assign requested address"*) echo EADDRNOTAVAIL ;;
	*"Address already in use"*) echo EADDRINUSE ;;
	*"Resource temporarily unavailable"*) echo EAGAIN ;;
	*"Network is down"*) echo ENETDOWN ;;
	*) return 1 ;;
	esac
}

# adm_set VF ARGS...: `ip link set dev $ADM_PF vf VF ARGS...`; prints OK, the kernel's errno
# name, or "iproute2: <message>" when ip refused the command itself.
adm_set() {
	local vf=$1 out rc name
	shift
	out=$(run_to 30 ip link set dev "$ADM_PF" vf "$vf" "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo OK
		return 0
	fi
	if [[ $out == *"RTNETLINK answers"* ]] && name=$(adm_errname "$out"); then
		echo "$name"
		return 0
	fi
	echo "iproute2: $(tr '\n' ' ' <<<"$out" | sed 's/  */ /g; s/ $//') (exit $rc)"
}

# adm_expect WANT VF ARGS...: the outcome of adm_set VF ARGS is WANT (OK or an errno name).
ADM_GOT=
adm_expect() {
	local want=$1 vf=$2
	shift 2
	ADM_GOT=$(adm_set "$vf" "$@")
	if [ "$ADM_GOT" = "$want" ]; then
		diag "ip link set $ADM_PF vf $vf $*: $ADM_GOT"
		return 0
	fi
	diag "ip link set $ADM_PF vf $vf $*: expected $want, got $ADM_GOT"
	return 1
}

# adm_must VF ARGS...: the operation succeeds (diagnosed otherwise).
adm_must() { adm_expect OK "$@"; }

# --- ip link show ----------------------------------------------------------------------------

# adm_vf_line VF: the "vf N ..." line of `ip link show dev $ADM_PF`, leading blanks removed.
adm_vf_line() {
	ip link show dev "$ADM_PF" | sed -n "s/^ *\(vf $1 .*\)/\1/p" | head -n1
}

# adm_line_has VF PATTERN...: VF's line matches every extended regular expression PATTERN;
# a pattern starting with ! must not match.
adm_line_has() {
	local vf=$1 line p ok=0
	shift
	line=$(adm_vf_line "$vf")
	if [ -z "$line" ]; then
		diag "ip link show dev $ADM_PF has no line for vf $vf"
		return 1
	fi
	for p in "$@"; do
		if [[ $p == '!'* ]]; then
			if grep -qE -- "${p#!}" <<<"$line"; then
				diag "vf $vf line matches '${p#!}', it should not"
				ok=1
			fi
		elif ! grep -qE -- "$p" <<<"$line"; then
			diag "vf $vf line lacks '$p'"
			ok=1
		fi
	done
	[ "$ok" -eq 0 ] || diag "vf $vf line: $line"
	return $ok
}

# adm_vf_mac VF: the MAC in VF's line.
adm_vf_mac() { adm_vf_line "$1" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }

# adm_vf_stats VF: "rx_bytes rx_packets rx_mcast rx_bcast rx_dropped tx_bytes tx_packets
# tx_dropped" from `ip -s link show` (the two number lines after VF's line).
adm_vf_stats() {
	ip -s link show dev "$ADM_PF" | awk -v vf="$1" '
		$1 == "vf" { cur = ($2 == vf) ; next }
		cur && $1 == "RX:" { want = "rx"; next }
		cur && $1 == "TX:" { want = "tx"; next }
		cur && want == "rx" { rx = $1 " " $2 " " $3 " " $4 " " $5; want = "" ; next }
		cur && want == "tx" { tx = $1 " " $2 " " $3; want = ""; next }
		END { if (rx != "" && tx != "") print rx, tx }'
}

# --- registers: BAR0, and rigb's debugfs (lib_debugfs.sh) -----------------------------------

# adm_bar0_dev DEV OFFSET: a 32-bit register in BAR0 of PCI device DEV (sysfs path), read
# through its resource0 with one aligned 32-bit load, as 0x%08x.
adm_bar0_dev() {
	python3 - "$1/resource0" "$2" <<'EOF'
import ctypes, mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_SYNC)
off = int(sys.argv[2], 0)
m = mmap.mmap(fd, min(os.fstat(fd).st_size, 0x10000), mmap.MAP_SHARED,
              mmap.PROT_READ | mmap.PROT_WRITE)
print("0x%08x" % ctypes.c_uint32.from_buffer(m, off).value)
EOF
}

# adm_bar0 OFFSET: a PF register (reading DTXSWC or VMVIR has no side effect).
adm_bar0() { adm_bar0_dev "$PF" "$1"; }

# adm_vf_irq_count VF N: interrupts so far on MSI-X vector N of VF (igbvf: 0 TX, 1 RX,
# 2 "other", i.e. the mailbox and link interrupt).
adm_vf_irq_count() {
	local irq
	irq=$(ls "$(vf_sysfs "$1")/msi_irqs" 2>/dev/null | sort -n | sed -n "$(($2 + 1))p")
	[ -n "$irq" ] || {
		echo "?"
		return
	}
	awk -v i="$irq:" '$1 == i {
		for (k = 2; k <= NF && $k ~ /^[0-9]+$/; k++) s += $k
		print s + 0 }' /proc/interrupts
}

# adm_vf_wake_state VF: what the VF was told and whether it was woken: word 0 of its mailbox
# memory (the PF's last message, read from the VF's BAR0) and the count of its "other" MSI-X
# vector (igbvf_msix_other, which makes igbvf look at the mailbox).
adm_vf_wake_state() {
	echo "VMBMEM[0] $(adm_bar0_dev "$(vf_sysfs "$1")" 0x800), 'other' vector interrupts $(adm_vf_irq_count "$1" 2)"
}

# adm_spoof_bits VF: "MAC VLAN" anti-spoofing bits of VF (DTXSWC bits VF and VF+8): from
# debugfs for rigb, from BAR0 for igb.
adm_spoof_bits() {
	local v
	if adm_is_igb; then
		v=$(adm_bar0 "$ADM_REG_DTXSWC") || return 1
		echo "$(((v >> $1) & 1)) $(((v >> ($1 + 8)) & 1))"
	else
		echo "$(dbg_vf "$1" reg_dtxswc_mac_spoof) $(dbg_vf "$1" reg_dtxswc_vlan_spoof)"
	fi
}

# adm_vmvir VF: VMVIR(VF): from debugfs for rigb, from BAR0 for igb.
adm_vmvir() {
	if adm_is_igb; then
		adm_bar0 $((ADM_REG_VMVIR0 + 4 * $1))
	else
		dbg_vf "$1" reg_vmvir
	fi
}

# --- raw rtnetlink -----------------------------------------------------------------------------

# adm_nl_vlan IFC VF VLAN QOS: RTM_SETLINK with IFLA_VFINFO_LIST/IFLA_VF_INFO/IFLA_VF_VLAN
# (struct ifla_vf_vlan: u32 vf, vlan, qos), for values iproute2 refuses to send. Prints OK or
# the errno name the kernel answered.
adm_nl_vlan() {
	python3 - "$@" <<'EOF'
import errno, os, socket, struct, sys
ifc, vf, vlan, qos = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
RTM_SETLINK, NLM_F_REQUEST, NLM_F_ACK, NLMSG_ERROR = 19, 1, 4, 2
IFLA_VFINFO_LIST, IFLA_VF_INFO, IFLA_VF_VLAN = 22, 1, 2
def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)
vfinfo = attr(IFLA_VF_INFO, attr(IFLA_VF_VLAN, struct.pack("=III", vf, vlan, qos)))
body = struct.pack("=BBHiII", socket.AF_UNSPEC, 0, 0, socket.if_nametoindex(ifc), 0, 0)
body += attr(IFLA_VFINFO_LIST, vfinfo)
msg = struct.pack("=IHHII", 16 + len(body), RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, 1, 0) + body
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
s.bind((0, 0))
s.send(msg)
data = s.recv(65536)
length, typ = struct.unpack_from("=IH", data, 0)
if typ != NLMSG_ERROR:
    print("unexpected netlink reply type %d" % typ)
    sys.exit(1)
err = -struct.unpack_from("=i", data, 16)[0]
print("OK" if err == 0 else errno.errorcode.get(err, str(err)))
EOF
}

# --- VF interfaces in namespaces ----------------------------------------------------------------

# adm_ns_mac NS IFC: IFC's MAC in NS.
adm_ns_mac() { nsx "$1" cat "/sys/class/net/$2/address" 2>/dev/null; }

# adm_ns_carrier_is NS IFC 0|1
adm_ns_carrier_is() { [ "$(nsx "$1" cat "/sys/class/net/$2/carrier" 2>/dev/null)" = "$3" ]; }

# adm_ms_since T0: milliseconds since T0 (date +%s%N).
adm_ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# adm_wait_ms LIMIT_S CMD...: poll CMD every 50 ms for up to LIMIT_S seconds; prints the
# elapsed milliseconds; returns CMD's last status.
adm_wait_ms() {
	local limit=$1 t0
	shift
	t0=$(date +%s%N)
	while :; do
		if "$@"; then
			adm_ms_since "$t0"
			return 0
		fi
		if [ "$(adm_ms_since "$t0")" -ge $((limit * 1000)) ]; then
			adm_ms_since "$t0"
			return 1
		fi
		sleep 0.05
	done
}

# adm_kmsg_has ERE: a kernel log line since the last kmsg_mark matches ERE.
adm_kmsg_has() { kmsg_since | grep -qE -- "$1"; }

# adm_fmt_ms MS: "1.234 s".
adm_fmt_ms() { printf '%d.%03d s' $(($1 / 1000)) $(($1 % 1000)); }
