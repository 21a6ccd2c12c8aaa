#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Configures and builds the test kernel (bzImage and modules) in $RIGB_KBUILD from the source
# unpacked by setup.sh and the fragment scripts/kernel.config, plus the fragments listed in
# RIGB_KERNEL_EXTRA (the normal kernel of setup.sh: scripts/kernel-bench.config; the debug
# kernel: scripts/kernel-debug.config), with clang and LLVM's tools when RIGB_KERNEL_LLVM is
# set (kbuild's LLVM=: "-19" for clang-19, or "1"). Rebuilds only when the source version, a
# fragment, the compiler or the Rust toolchain changed since the last successful build.

set -euo pipefail
. "$(dirname "$0")/common.sh"

fragment=$RIGB_ROOT/scripts/kernel.config
extra=()
for f in ${RIGB_KERNEL_EXTRA:-}; do
	extra+=("$RIGB_ROOT/$f")
done
[ -f "$RIGB_KSRC/Makefile" ] || die "no kernel source in $RIGB_KSRC; run scripts/setup.sh first"
rigb_kernel_env

stamp_want=$(
	{
		cat "$RIGB_KSRC/.rigb-version"
		rustc --version
		bindgen --version
		cat "$fragment" "${extra[@]}"
		echo "LLVM=${RIGB_KERNEL_LLVM:-}"
	} | sha256sum | cut -d' ' -f1
)
stamp=$RIGB_KBUILD/.rigb-stamp
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_want" ] &&
	[ -f "$RIGB_KBUILD/arch/x86/boot/bzImage" ]; then
	log "kernel: up to date in $RIGB_KBUILD"
	exit 0
fi

kmake() { make -s -C "$RIGB_KSRC" O="$RIGB_KBUILD" ${RIGB_KERNEL_LLVM:+LLVM=$RIGB_KERNEL_LLVM} "$@"; }

mkdir -p "$RIGB_KBUILD"
rm -f "$stamp"
kmake rustavailable >/dev/null || {
	kmake rustavailable || true
	die "the kernel build cannot use Rust with this toolchain (see above)"
}

log "kernel: configuring"
kmake allnoconfig >/dev/null
KCONFIG_CONFIG=$RIGB_KBUILD/.config \
	"$RIGB_KSRC/scripts/kconfig/merge_config.sh" -m -O "$RIGB_KBUILD" \
	"$RIGB_KBUILD/.config" "$fragment" "${extra[@]}" >/dev/null
kmake olddefconfig >/dev/null

# Every =y/=m line of the fragment must have survived dependency resolution; a silently
# dropped option (for instance RUST when the toolchain is unusable) fails here, not in a test.
missing=$(cat "$fragment" "${extra[@]}" | grep -E '^CONFIG_[A-Z0-9_]+=[ym]$' | while read -r line; do
	grep -qx "$line" "$RIGB_KBUILD/.config" || echo "$line"
done)
[ -z "$missing" ] || die "kernel config dropped: $(echo $missing)"

jobs=$(($(nproc) + 1))
log "kernel: building bzImage and modules with -j$jobs (about 10-15 minutes on 2 cores)"
start=$(date +%s)
kmake -j"$jobs" bzImage modules
echo "$stamp_want" >"$stamp"
log "kernel: built in $(($(date +%s) - start)) s"
