#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds rigb's user-space tools (tools/*/Cargo.toml) with the machine's Rust toolchain, into
# $RIGB_CACHE/tools-target (outside the clone). The tools have no dependencies, so nothing is
# downloaded. Prints the path of tools/hostile-vf's binary, which tests/run.sh hands to the
# VM's tests as RIGB_HOSTILE_VF.
#
#   scripts/build-tools.sh          build (release), print the hostile-VF tool's path
#   scripts/build-tools.sh test     also run the tools' unit tests

set -euo pipefail
. "$(dirname "$0")/common.sh"

export CARGO_TARGET_DIR=$RIGB_CACHE/tools-target
command -v cargo >/dev/null || die "cargo not found: the tools need the machine's Rust toolchain"
manifest=$RIGB_ROOT/tools/hostile-vf/Cargo.toml
cargo build --quiet --release --offline --manifest-path "$manifest" >&2
if [ "${1:-}" = test ]; then
	cargo test --quiet --offline --manifest-path "$manifest" >&2
fi
echo "$CARGO_TARGET_DIR/release/rigb-hostile-vf"
