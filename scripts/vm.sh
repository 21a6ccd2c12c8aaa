#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boots the test kernel in QEMU (q35) with an emulated Intel 82576 (QEMU's `igb` device, with
# SR-IOV) behind a PCIe root port, and runs a command as root in the guest. The host's root file
# system is shared read-only with copy-on-write overlays (virtme-ng), so the guest sees this
# source tree, the built rigb.ko and the host's tools at the same paths.
#
#   scripts/vm.sh [options] -- CMD [ARG...]    run CMD; exits with its exit status
#   scripts/vm.sh -i                           interactive shell
#
# Options:
#   -i             interactive (a shell on the console)
#   -t SECONDS     kill the VM after this long (default $RIGB_VM_TIMEOUT or 900)
#   -m MEM         guest memory (default $RIGB_VM_MEM or 1G)
#
# The guest's local APIC runs in xAPIC mode (nox2apic): in x2APIC mode under QEMU 10.0's TCG,
# a guest doing many SR-IOV enable/disable cycles was found, three runs out of three, with its
# CPU 0 halted, the timer vector still in service and device vectors pending behind it (an
# end of interrupt lost): no tick, no 9p completion and no RCU grace period on that CPU any
# more, until QEMU stopped and resumed the VM.
#
# Network: the 82576 and a virtio-net NIC (the "wire peer") sit on one QEMU hub, with nothing
# else on it; no traffic leaves the VM. Guest udev is told not to load igb/igbvf by itself
# (modprobe.blacklist), so tests decide which driver binds.
#
# RIGB_QEMU_OPTS adds QEMU options, e.g. trace events of the emulated 82576:
#   RIGB_QEMU_OPTS="-trace igb_* -trace e1000e_irq_* -D /tmp/qemu.log"
#
# Acceleration: TCG unless KVM is known to really work on this machine (checked once and
# remembered in $RIGB_CACHE/kvm-works); RIGB_ACCEL=tcg|kvm overrides.

set -euo pipefail
. "$(dirname "$0")/common.sh"

interactive=0
timeout_s=${RIGB_VM_TIMEOUT:-900}
mem=${RIGB_VM_MEM:-1G}
while [ $# -gt 0 ]; do
	case $1 in
	-i) interactive=1 ;;
	-t) timeout_s=$2; shift ;;
	-m) mem=$2; shift ;;
	--) shift; break ;;
	*) break ;;
	esac
	shift
done

kernel=$RIGB_KBUILD/arch/x86/boot/bzImage
[ -f "$kernel" ] || die "no kernel at $kernel; run 'make' (or scripts/setup.sh) first"
export PATH="$RIGB_VENV/bin:$PATH"

qemu_opts="-device pcie-root-port,id=rp0,slot=1,chassis=1"
qemu_opts+=" -netdev hubport,id=wire0,hubid=0"
qemu_opts+=" -device igb,bus=rp0,netdev=wire0,mac=52:54:00:00:82:76"
qemu_opts+=" -netdev hubport,id=wire1,hubid=0"
qemu_opts+=" -device virtio-net-pci,netdev=wire1,mac=52:54:00:00:00:99"
qemu_opts+=" ${RIGB_QEMU_OPTS:-}"

vng_args=(--run "$kernel" --cpus 2 --memory "$mem" --name rigb-vm
	--append "modprobe.blacklist=igb,igbvf log_buf_len=32M nox2apic"
	--qemu-opts="$qemu_opts")

# KVM is used only when a VM with it has been seen to boot here; nested KVM that exists but
# hangs is common on cloud machines.
kvm_works() {
	local mark=$RIGB_CACHE/kvm-works
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	if [ ! -f "$mark" ]; then
		log "checking whether KVM really works (once)"
		if timeout 60 vng "${vng_args[@]}" --exec true </dev/null 2>&1 | cat >/dev/null &&
			[ "${PIPESTATUS[0]}" -eq 0 ]; then
			echo yes >"$mark"
		else
			echo no >"$mark"
		fi
	fi
	[ "$(cat "$mark")" = yes ]
}
case ${RIGB_ACCEL:-auto} in
kvm) ;;
tcg) vng_args+=(--disable-kvm) ;;
auto) kvm_works || vng_args+=(--disable-kvm) ;;
*) die "RIGB_ACCEL must be tcg, kvm or auto" ;;
esac

if [ $interactive -eq 1 ]; then
	exec vng "${vng_args[@]}"
fi
[ $# -gt 0 ] || die "usage: $0 [-t SECONDS] -- CMD [ARG...]  |  $0 -i"

# vng runs the command through a shell; quote each argument once.
cmd="cd $(printf %q "$PWD") && $(printf '%q ' "$@")"
# vng hands the command to the guest base64-encoded on the kernel command line, which the
# kernel cuts at 2048 bytes with its own arguments: a longer one boots a guest that runs
# nothing. Longer work belongs in a script.
encoded=$(printf %s "$cmd" | base64 -w0 | wc -c)
[ "$encoded" -le 1200 ] ||
	die "the command is too long for the kernel command line ($encoded bytes encoded, at most 1200): put it in a script"
# QEMU reopens its stdout/stderr; a pipe keeps a caller's log file from being truncated.
set +e
timeout -k 10 "$timeout_s" vng "${vng_args[@]}" --exec "$cmd" \
	</dev/null 2>&1 | cat
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -ne 124 ] || log "VM timed out after $timeout_s s"
exit "$rc"
