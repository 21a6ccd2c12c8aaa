# SPDX-License-Identifier: GPL-2.0
# Shared settings for rigb's scripts. Sourced, never run.

RIGB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RIGB_CACHE=${RIGB_CACHE:-$HOME/.cache/rigb}

# Versions the project is built and tested with.
RIGB_KERNEL_SERIES=7.3
RIGB_BINDGEN_VERSION=0.72.1
RIGB_LIBCLANG_VERSION=18.1.1
RIGB_VIRTME_NG_VERSION=1.42

RIGB_VENV=$RIGB_CACHE/venv
RIGB_BINDGEN_ROOT=$RIGB_CACHE/bindgen
RIGB_RUST_SRC=$RIGB_CACHE/rust-src
RIGB_KSRC=$RIGB_CACHE/linux-src
RIGB_KBUILD=${RIGB_KBUILD:-$RIGB_CACHE/linux-build}

log() { printf '[rigb] %s\n' "$*" >&2; }
die() {
	printf '[rigb] error: %s\n' "$*" >&2
	exit 1
}

# The environment every kernel or module `make` needs: bindgen, libclang and the Rust
# library sources that match the rustc in use.
rigb_kernel_env() {
	local libclang
	libclang=$(ls -d "$RIGB_VENV"/lib/python3*/site-packages/clang/native 2>/dev/null | head -n1)
	export PATH="$RIGB_BINDGEN_ROOT/bin:$RIGB_VENV/bin:$PATH"
	[ -n "$libclang" ] && export LIBCLANG_PATH="$libclang"
	if [ -f "$RIGB_RUST_SRC/path" ]; then
		RUST_LIB_SRC=$(cat "$RIGB_RUST_SRC/path")
		export RUST_LIB_SRC
	fi
}
