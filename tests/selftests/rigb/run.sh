#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rigb's VM selftests: runs every test area in one VM boot and prints one KTAP stream.
# Run inside the test VM as root, e.g. from the host:
#   scripts/vm.sh -- env DRIVER=igb tests/selftests/rigb/run.sh
# DRIVER=rigb (default) tests /work/main/rigb.ko; DRIVER=igb tests the in-tree C driver.
# Arguments, if any, pick areas (script names without .sh); kernel_log should stay last.
# Exit status 0 when every planned test passed or was skipped.

RIGB_RUN_ALL=1
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$dir/lib.sh"

areas=(sriov_basic sriov_numvfs sriov_remove modprobe_conf max_vfs_clamp kunit
	vf_basic vf_ping vf_vlan vf_jumbo vf_multicast vf_wire vf_flr
	vf_admin_errno vf_admin_show vf_admin_effects kernel_log)
[ $# -gt 0 ] && areas=("$@")

for area in "${areas[@]}"; do
	if [ ! -f "$dir/$area.sh" ]; then
		ktap_print_header
		ktap_exit_fail_msg "no test area '$area' in $dir"
	fi
	# shellcheck source=/dev/null
	. "$dir/$area.sh"
done

rigb_run_areas "${areas[@]}"
