#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs everything rigb needs to build and test, idempotently. Every step is skipped when it
# is already done; downloads and builds are cached in $RIGB_CACHE (default ~/.cache/rigb),
# outside the source tree, so a second run takes seconds.
#
#   scripts/setup.sh            all steps
#   scripts/setup.sh STEP...    only these: host qemu bindgen python rust-src kernel-source kernel
#
# The machine's apt configuration is not changed: packages from bookworm-backports (QEMU) and
# trixie-backports (kernel and Rust library sources) are resolved with private apt
# configurations under $RIGB_CACHE/apt, with the mirror taken from the machine's own sources.

set -euo pipefail
. "$(dirname "$0")/common.sh"

HOST_PACKAGES=(
	# kernel build
	bc bison flex cpio kmod libelf-dev libssl-dev xz-utils make gcc
	# VM runner (virtme-ng wants udev on the host for its virtio console links)
	udev busybox-static
	# tools the guest tests run (the guest sees the host's root file system); rsync installs
	# the kselftest collection (the kernel's lib.mk)
	iproute2 iputils-ping ethtool pciutils tcpdump socat rsync
	# the benchmark: TCP throughput in the guest, its chart on the host
	iperf3 gnuplot-nox
)

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The Debian mirror the machine already uses, read from its apt sources (one-line and deb822
# formats). Printed without a trailing slash.
debian_mirror() {
	local codename uri
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || die "cannot tell the Debian release from /etc/os-release"
	uri=$(
		{
			cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
				awk -v s="$codename" '
					/^[Uu][Rr][Ii][Ss]:/ { u = $2 }
					/^[Ss]uites:/ { for (i = 2; i <= NF; i++) if ($i == s) print u }
					/^$/ { u = "" }'
			cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
				sed -e 's/\[[^]]*\]//' |
				awk -v s="$codename" '$1 == "deb" && $3 == s { print $2 }'
		} | head -n1
	)
	[ -n "$uri" ] || die "no Debian mirror for '$codename' in the machine's apt sources"
	echo "${uri%/}"
}

# A private apt configuration: its own sources, lists, cache and (for downloads only) an empty
# package status, so nothing here touches the machine's apt state.
#   private_apt NAME "SOURCES LINES" [use-system-status]
private_apt_dir() { echo "$RIGB_CACHE/apt/$1"; }
private_apt_init() {
	local name=$1 sources=$2 dir
	dir=$(private_apt_dir "$name")
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/etc/preferences.d"
	printf '%s\n' "$sources" >"$dir/etc/sources.list"
	[ -f "$dir/status" ] || : >"$dir/status"
}
private_apt() { private_apt_tool apt-get "$@"; }
private_apt_cache() { private_apt_tool apt-cache "$@"; }
private_apt_tool() {
	local tool=$1 name=$2 status=$3 dir
	shift 3
	dir=$(private_apt_dir "$name")
	[ "$status" = system ] && status=/var/lib/dpkg/status || status=$dir/status
	"$tool" -q \
		-o APT::Sandbox::User=root \
		-o Dir::Etc::SourceList="$dir/etc/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::Etc::Preferences="$dir/etc/preferences" \
		-o Dir::Etc::PreferencesParts="$dir/etc/preferences.d" \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::Cache="$dir/cache" \
		-o Dir::State::status="$status" \
		-o APT::Get::List-Cleanup=0 \
		"$@"
}
# Refresh a private configuration's package lists at most once a day.
private_apt_update() {
	local name=$1 status=$2 dir
	dir=$(private_apt_dir "$name")
	if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n1)" ]; then
		log "apt ($name): updating package lists"
		as_root true
		private_apt "$name" "$status" update >/dev/null
	fi
}

step_host() {
	local missing=() packages=("${HOST_PACKAGES[@]}")
	# The debug kernel is built with clang (RIGB_KERNEL_LLVM is its version suffix, as for
	# kbuild's LLVM=): the kernel allows KASAN with Rust only when C is compiled by clang.
	[ -z "${RIGB_KERNEL_LLVM:-}" ] ||
		packages+=("clang$RIGB_KERNEL_LLVM" "lld$RIGB_KERNEL_LLVM" "llvm$RIGB_KERNEL_LLVM")
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep 'install ok installed' >/dev/null ||
			missing+=("$p")
	done
	python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
	if [ ${#missing[@]} -eq 0 ]; then
		log "host packages: present"
		return
	fi
	log "host packages: installing ${missing[*]}"
	as_root apt-get update -q >/dev/null
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >/dev/null
}

qemu_has_igb() {
	command -v qemu-system-x86_64 >/dev/null &&
		qemu-system-x86_64 -device help 2>/dev/null | grep '"igb"' >/dev/null
}

step_qemu() {
	if qemu_has_igb; then
		log "QEMU with the igb device: $(qemu-system-x86_64 --version | head -n1)"
		return
	fi
	local mirror codename sys_sources
	mirror=$(debian_mirror)
	codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
	# The machine's own suites plus <codename>-backports, used for this one install only.
	sys_sources=$(printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-backports main\n' \
		"$mirror" "$codename" "$mirror" "$codename" "$mirror" "$codename")
	private_apt_init qemu "$sys_sources"
	private_apt_update qemu system
	log "QEMU: installing qemu-system-x86 from $codename-backports"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get -q \
		-o APT::Sandbox::User=root \
		-o Dir::Etc::SourceList="$(private_apt_dir qemu)/etc/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$(private_apt_dir qemu)/lists" \
		-o Dir::Cache="$(private_apt_dir qemu)/cache" \
		install -y --no-install-recommends -t "$codename-backports" \
		qemu-system-x86 qemu-system-data >/dev/null ||
		die "could not install QEMU from $codename-backports; install QEMU >= 8.0 (it must list the 'igb' device in 'qemu-system-x86_64 -device help') and run this again"
	qemu_has_igb || die "the installed QEMU has no 'igb' device; QEMU >= 8.0 is needed"
	log "QEMU: $(qemu-system-x86_64 --version | head -n1)"
}

step_bindgen() {
	local have
	have=$("$RIGB_BINDGEN_ROOT/bin/bindgen" --version 2>/dev/null | awk '{print $2}') || true
	if [ "$have" = "$RIGB_BINDGEN_VERSION" ]; then
		log "bindgen $have: present"
		return
	fi
	log "bindgen: building bindgen-cli $RIGB_BINDGEN_VERSION (about 2 minutes)"
	cargo install -q --locked bindgen-cli --version "$RIGB_BINDGEN_VERSION" \
		--root "$RIGB_BINDGEN_ROOT" ||
		die "cargo could not install bindgen-cli $RIGB_BINDGEN_VERSION"
}

step_python() {
	if [ -x "$RIGB_VENV/bin/vng" ] &&
		"$RIGB_VENV/bin/pip" show libclang 2>/dev/null | grep "^Version: $RIGB_LIBCLANG_VERSION$" >/dev/null &&
		"$RIGB_VENV/bin/pip" show virtme-ng 2>/dev/null | grep "^Version: $RIGB_VIRTME_NG_VERSION$" >/dev/null; then
		log "libclang $RIGB_LIBCLANG_VERSION and virtme-ng $RIGB_VIRTME_NG_VERSION: present"
		return
	fi
	log "python venv: installing libclang==$RIGB_LIBCLANG_VERSION virtme-ng==$RIGB_VIRTME_NG_VERSION"
	[ -x "$RIGB_VENV/bin/pip" ] || python3 -m venv "$RIGB_VENV"
	"$RIGB_VENV/bin/pip" install -q --disable-pip-version-check \
		"libclang==$RIGB_LIBCLANG_VERSION" "virtme-ng==$RIGB_VIRTME_NG_VERSION" ||
		die "pip could not install libclang/virtme-ng"
}

trixie_apt() {
	local mirror
	mirror=$(debian_mirror)
	private_apt_init trixie "deb $mirror trixie-backports main"
	private_apt_update trixie private
}

# Prints the newest version of a package in the private trixie configuration matching a
# version prefix (empty when there is none).
trixie_version() {
	private_apt_cache trixie private madison "$1" 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}' |
		grep -E "^$2" | head -n1 || true
}

step_rust_src() {
	local rv ver dir deb
	rv=$(rustc --version | awk '{print $2}')
	if [ -f "$RIGB_RUST_SRC/path" ] && [ "$(cat "$RIGB_RUST_SRC/rustc")" = "$rv" ] &&
		[ -d "$(cat "$RIGB_RUST_SRC/path")/core" ]; then
		log "rust-src for rustc $rv: present"
		return
	fi
	trixie_apt
	ver=$(trixie_version rust-src "${rv//./\\.}\\+")
	[ -n "$ver" ] || die "no Debian rust-src package for rustc $rv in trixie-backports; install a rustc whose version has a Debian rust-src (see 'apt-cache madison rust-src'), or set RUST_LIB_SRC to the library sources of rustc $rv"
	log "rust-src: downloading rust-src $ver"
	dir=$RIGB_RUST_SRC/pkg
	rm -rf "$dir" && mkdir -p "$dir"
	(cd "$dir" && private_apt trixie private download "rust-src=$ver" >/dev/null)
	deb=$(ls "$dir"/rust-src_*.deb)
	dpkg-deb -x "$deb" "$dir/root"
	rm -f "$deb"
	ls -d "$dir"/root/usr/src/rustc-*/library >"$RIGB_RUST_SRC/path"
	echo "$rv" >"$RIGB_RUST_SRC/rustc"
	log "rust-src: $(cat "$RIGB_RUST_SRC/path")"
}

step_kernel_source() {
	local ver dir deb tarball
	if [ -f "$RIGB_KSRC/.rigb-version" ] && [ -f "$RIGB_KSRC/Makefile" ]; then
		log "kernel source: linux-source-$RIGB_KERNEL_SERIES $(cat "$RIGB_KSRC/.rigb-version")"
		return
	fi
	trixie_apt
	ver=$(trixie_version "linux-source-$RIGB_KERNEL_SERIES" '.')
	[ -n "$ver" ] || die "Debian no longer offers linux-source-$RIGB_KERNEL_SERIES in trixie-backports; unpack a Linux $RIGB_KERNEL_SERIES source tree into $RIGB_KSRC (with a file .rigb-version in it) and run this again"
	log "kernel source: downloading linux-source-$RIGB_KERNEL_SERIES $ver (~170 MB)"
	dir=$RIGB_CACHE/linux-source-pkg
	rm -rf "$dir" && mkdir -p "$dir"
	(cd "$dir" && private_apt trixie private download "linux-source-$RIGB_KERNEL_SERIES=$ver" >/dev/null)
	deb=$(ls "$dir"/linux-source-*.deb)
	dpkg-deb -x "$deb" "$dir/root"
	tarball=$(ls "$dir"/root/usr/src/linux-source-*.tar.xz)
	log "kernel source: unpacking"
	rm -rf "$RIGB_KSRC" "$RIGB_KSRC.tmp" && mkdir -p "$RIGB_KSRC.tmp"
	tar -xJf "$tarball" -C "$RIGB_KSRC.tmp" --strip-components=1
	echo "$ver" >"$RIGB_KSRC.tmp/.rigb-version"
	mv "$RIGB_KSRC.tmp" "$RIGB_KSRC"
	rm -rf "$dir"
}

# The normal kernel adds scripts/kernel-bench.config; the debug kernel (make test-debug) sets
# RIGB_KERNEL_EXTRA to its own fragment.
step_kernel() {
	RIGB_KERNEL_EXTRA=${RIGB_KERNEL_EXTRA-scripts/kernel-bench.config} \
		"$RIGB_ROOT/scripts/build-kernel.sh"
}

main() {
	mkdir -p "$RIGB_CACHE"
	local steps=("$@")
	[ ${#steps[@]} -gt 0 ] || steps=(host qemu bindgen python rust-src kernel-source kernel)
	for s in "${steps[@]}"; do
		case $s in
		host | qemu | bindgen | python | kernel | kernel-source) "step_${s//-/_}" ;;
		rust-src) step_rust_src ;;
		*) die "unknown step '$s'" ;;
		esac
	done
}

main "$@"
