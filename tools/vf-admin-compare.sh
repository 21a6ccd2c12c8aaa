#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A host tool, not a test: run after `tests/run.sh` and `DRIVER=igb tests/run.sh`, it joins
# the "# admin-cmp: <operation> | <outcome>" lines that the vf_admin_* selftests print into
# one table, rigb next to C igb, plus each driver's result of every vf_admin_* test (ok, not
# ok, SKIP and why). The kselftest runner nests each program's output under "# "; logs of
# either form are read.
#
#   tools/vf-admin-compare.sh [RIGB_LOG IGB_LOG]
#
# Without arguments it takes the newest *-rigb.log and *-igb.log in
# ${RIGB_CACHE:-~/.cache/rigb}/test-logs. Output: Markdown.

set -euo pipefail

logdir=${RIGB_CACHE:-$HOME/.cache/rigb}/test-logs
if [ $# -eq 2 ]; then
	rigb_log=$1
	igb_log=$2
elif [ $# -eq 0 ]; then
	rigb_log=$(ls -t "$logdir"/*-rigb.log 2>/dev/null | head -n1)
	igb_log=$(ls -t "$logdir"/*-igb.log 2>/dev/null | head -n1)
else
	echo "usage: $0 [RIGB_LOG IGB_LOG]" >&2
	exit 2
fi
for f in "$rigb_log" "$igb_log"; do
	[ -r "$f" ] || {
		echo "cannot read log '$f'" >&2
		exit 1
	}
done

echo "rigb: $rigb_log"
echo "igb:  $igb_log"
echo
echo "| operation | rigb | C igb |"
echo "| --- | --- | --- |"
awk -F' [|] ' '
	FNR == 1 { file++ }
	{ sub(/\r$/, ""); sub(/^# # admin-cmp: /, "# admin-cmp: ") }
	/^# admin-cmp: / {
		op = substr($1, 14)
		if (!(op in seen)) { seen[op] = 1; order[++n] = op }
		val[file, op] = $2
	}
	END {
		for (i = 1; i <= n; i++) {
			op = order[i]
			a = ((1, op) in val) ? val[1, op] : "(not reached)"
			b = ((2, op) in val) ? val[2, op] : "(not reached)"
			gsub(/\|/, "\\|", a); gsub(/\|/, "\\|", b)
			printf "| %s | %s | %s |\n", op, a, b
		}
	}' "$rigb_log" "$igb_log"

echo
echo "| test | rigb | C igb |"
echo "| --- | --- | --- |"
awk '
	FNR == 1 { file++ }
	{ sub(/\r$/, ""); if ($0 ~ /^# (not )?ok [0-9]+ vf_admin_/) $0 = substr($0, 3) }
	/^(not )?ok [0-9]+ vf_admin_/ {
		line = $0
		res = (line ~ /^not ok/) ? "not ok" : "ok"
		sub(/^(not )?ok [0-9]+ /, "", line)
		name = line; why = ""
		if (match(line, / # SKIP/)) {
			name = substr(line, 1, RSTART - 1)
			why = substr(line, RSTART + 8)
			res = "SKIP: " why
		}
		# The test names carry the driver name in a few places.
		gsub(/driver r?igb,/, "driver DRIVER,", name)
		gsub(/ r?igb /, " DRIVER ", name)
		if (!(name in seen)) { seen[name] = 1; order[++n] = name }
		val[file, name] = res
	}
	END {
		for (i = 1; i <= n; i++) {
			t = order[i]
			a = ((1, t) in val) ? val[1, t] : "(not run)"
			b = ((2, t) in val) ? val[2, t] : "(not run)"
			gsub(/\|/, "\\|", a); gsub(/\|/, "\\|", b)
			printf "| %s | %s | %s |\n", t, a, b
		}
	}' "$rigb_log" "$igb_log"
