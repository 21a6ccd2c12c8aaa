#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `modprobe <driver>` with "options <driver> max_vfs=2" in /etc/modprobe.d/<driver>.conf
# gives 2 VFs (DRIVER=rigb: options rigb ..., DRIVER=igb: options igb ...).
#
# rigb.ko is out of tree, so modprobe cannot find it in the kernel's module directory. The
# test builds a private module tree under /tmp: lib/modules/$(uname -r)/kernel links to the
# test kernel's modules (in the VM, /lib/modules/<ver> links to the kernel build's
# .virtme_mods), extra/ holds a copy of rigb.ko, `depmod -b` indexes it, and the test runs
# `modprobe -d <tree> <driver>`. modprobe -d relocates only the module directory; the
# configuration still comes from /etc/modprobe.d (in the VM an overlay, so the file written
# here never reaches the host). igb is loaded through the same tree, so the mechanism is
# checked with the in-tree driver too.

lib_dir=$(dirname "$0")
# shellcheck source=lib.sh
source "$lib_dir/lib.sh"

MODCONF_TREE=
MODCONF_FILE=/etc/modprobe.d/$DRIVER.conf
MODCONF_BACKUP=

# modconf_make_tree: the private module tree, indexed by depmod.
modconf_make_tree() {
	local kver src dst f out
	kver=$(uname -r)
	src=$(readlink -f "/lib/modules/$kver")
	if [ ! -d "$src/kernel" ]; then
		diag "no module directory for $kver at /lib/modules/$kver"
		return 1
	fi
	MODCONF_TREE=$(mktemp -d /tmp/rigb-modtree.XXXXXX) || return 1
	defer rm -rf "$MODCONF_TREE"
	dst=$MODCONF_TREE/lib/modules/$kver
	mkdir -p "$dst/extra" || return 1
	ln -s "$src/kernel" "$dst/kernel"
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -e "$src/$f" ] && ln -s "$src/$f" "$dst/$f"
	done
	if [ "$DRIVER" = rigb ]; then
		if [ ! -f "$RIGB_KO" ]; then
			diag "$RIGB_KO does not exist"
			return 1
		fi
		cp "$RIGB_KO" "$dst/extra/" || return 1
	fi
	if ! out=$(run_to "$RIGB_TIMEOUT" depmod -b "$MODCONF_TREE" "$kver" 2>&1); then
		diag "depmod -b $MODCONF_TREE $kver failed: $out"
		return 1
	fi
	diag "module tree $MODCONF_TREE: $(modinfo -b "$MODCONF_TREE" -k "$kver" -F filename "$DRIVER" 2>&1)"
}

modconf_write_conf() {
	if [ -e "$MODCONF_FILE" ]; then
		MODCONF_BACKUP=$(mktemp /tmp/rigb-modconf.XXXXXX) || return 1
		cp -p "$MODCONF_FILE" "$MODCONF_BACKUP" || return 1
	fi
	# From here on the file is ours to put back, whatever happens to this program.
	defer modconf_restore
	mkdir -p "${MODCONF_FILE%/*}" &&
		echo "options $DRIVER max_vfs=2" >"$MODCONF_FILE"
}

modconf_restore() {
	if [ -n "$MODCONF_BACKUP" ]; then
		cp -p "$MODCONF_BACKUP" "$MODCONF_FILE"
		rm -f "$MODCONF_BACKUP"
		MODCONF_BACKUP=
	else
		rm -f "$MODCONF_FILE"
	fi
}

modconf_modprobe() {
	local out
	modconf_make_tree || return 1
	modconf_write_conf || {
		diag "cannot write $MODCONF_FILE"
		return 1
	}
	diag "$MODCONF_FILE: $(cat "$MODCONF_FILE")"
	diag "modprobe sees: $(modprobe -d "$MODCONF_TREE" -c 2>/dev/null | grep "^options $DRIVER ")"
	if ! out=$(run_to "$RIGB_TIMEOUT" modprobe -d "$MODCONF_TREE" "$DRIVER" 2>&1); then
		diag "modprobe -d $MODCONF_TREE $DRIVER failed: $out"
		return 1
	fi
	drv_wait_bound
}

modconf_two_vfs() {
	local p=/sys/module/$DRIVER/parameters/max_vfs
	[ -r "$p" ] && diag "$p reads $(cat "$p")"
	wait_vf_count 2 && expect_numvfs 2
}

modprobe_conf_run() {
	local f=modprobe_conf
	drv_reset
	check "$f: modprobe $DRIVER finds and loads the module" modconf_modprobe
	check "$f: options $DRIVER max_vfs=2 in $MODCONF_FILE gives 2 VFs" modconf_two_vfs
}

rigb_run 2 modprobe_conf_run
