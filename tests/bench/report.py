#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The VF benchmark's report: from DIR/vm.log ("BENCH DRV ROUND KEY VALUE" lines, see
vf_bench.sh and qemu_mmio.py) writes DIR/results.json (every value, per driver and round, and
the statistics), DIR/results.csv (the raw values), DIR/results.md (median, min-max and the
ratio rigb/igb per row, then the targets) and DIR/ratios.png (gnuplot). Prints results.md.

usage: report.py DIR
"""

import csv
import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict

DRIVERS = ("igb", "rigb")

# (key, label, unit, higher_is_better); rows in this order, missing ones left out.
ROWS = [
    ("load_s", "module load until bound with its interface", "s", False),
]
for n in (1, 3, 7):
    ROWS += [
        (f"enable_{n}_s", f"enable {n} VF(s): echo {n} until all bound with interfaces", "s", False),
        (f"enable_{n}_kernel", "  of which in sriov_numvfs_store", "s", False),
        (f"enable_{n}_core", "    PCI core (pci_enable_sriov net of igbvf)", "s", False),
        (f"enable_{n}_vfdrv", "    igbvf_probe", "s", False),
        (f"enable_{n}_pf", "    PF driver (the store net of pci_enable_sriov)", "s", False),
        (f"disable_{n}_s", f"disable {n} VF(s): echo 0 returns", "s", False),
        (f"disable_{n}_core", "    PCI core (pci_disable_sriov net of igbvf)", "s", False),
        (f"disable_{n}_vfdrv", "    igbvf_remove", "s", False),
        (f"disable_{n}_pf", "    PF driver (the store net of pci_disable_sriov)", "s", False),
    ]
ROWS += [("bringup_s", "VF ip link set up until carrier (median of 7)", "s", False)]
MSGS = ("reset", "set_mac", "set_vlan", "set_mc")
for m in MSGS:
    name = m.upper().replace("SET_MC", "SET_MULTICAST")
    ROWS += [
        (f"mbx_{m}_p50_us", f"mailbox {name} round trip p50", "us", False),
        (f"mbx_{m}_p99_us", f"mailbox {name} round trip p99", "us", False),
    ]
for m in MSGS:
    name = m.upper().replace("SET_MC", "SET_MULTICAST")
    ROWS += [(f"mmio_tx_{m}", f"PF register accesses per {name}", "", False)]
ROWS += [
    ("mmio_vflr", "PF register accesses per VF reset (VFLR)", "", False),
    ("mmio_idle_per_s", "PF register accesses per second, idle with 1 VF", "/s", False),
    ("rtt_ms", "VF-VF ping RTT (100 x 50 ms)", "ms", False),
    ("tcp_vf_vf_mbps", f"VF-VF TCP through the switch (iperf3)", "Mbit/s", True),
    ("tcp_vf_wire_mbps", "VF to wire peer TCP", "Mbit/s", True),
    ("tcp_7vf_wire_sum_mbps", "7 VFs to wire peer at once: sum", "Mbit/s", True),
    ("tcp_7vf_wire_jain", "7 VFs at once: Jain's fairness (1 = equal)", "", True),
    ("rtt_pf_wire_ms", "wire peer-PF ping RTT (100 x 50 ms)", "ms", False),
    ("tcp_pf_tx_mbps", "PF to wire peer TCP", "Mbit/s", True),
    ("cpu_pf_tx_us_per_kframe", "  guest CPU per 1000 frames", "us", False),
    ("tcp_pf_rx_mbps", "wire peer to PF TCP", "Mbit/s", True),
    ("cpu_pf_rx_us_per_kframe", "  guest CPU per 1000 frames", "us", False),
    ("udp64_pf_kpps", "PF to wire peer, 64-byte UDP frames", "kframes/s", True),
    ("tcp_pf_vf_mbps", "PF to VF TCP through the switch", "Mbit/s", True),
]

# (key, comparison, bound, description): ratio rigb/igb unless noted.
TARGETS = [
    ("enable_7_s", "ratio<=", 0.5, "enable 7 VFs <= 0.5x C igb"),
    ("disable_7_s", "ratio<=", 0.4, "disable 7 VFs <= 0.4x C igb"),
    ("disable_7_pf", "rigb<", 0.1, "rigb's own share of disable 7 < 0.1 s"),
]
TARGETS += [(f"mbx_{m}_{p}_us", "ratio<=", 1.0, f"mailbox {m} {p} <= C igb") for m in MSGS for p in ("p50", "p99")]
TARGETS += [(f"mmio_tx_{m}", "ratio<=", 1.0, f"MMIO per {m} <= C igb") for m in MSGS]
TARGETS += [("mmio_vflr", "ratio<=", 1.0, "MMIO per VF reset <= C igb")]
TARGETS += [("tcp_vf_vf_mbps", "ratio>=", 0.95, "VF-VF throughput >= 0.95x C igb")]
TARGETS += [
    ("tcp_pf_tx_mbps", "ratio>=", 0.95, "PF TX throughput >= 0.95x C igb"),
    ("tcp_pf_rx_mbps", "ratio>=", 0.95, "PF RX throughput >= 0.95x C igb"),
    ("udp64_pf_kpps", "ratio>=", 0.95, "PF packet rate >= 0.95x C igb"),
    ("cpu_pf_tx_us_per_kframe", "ratio<=", 1.0, "PF TX: no more CPU per frame than C igb"),
]


def parse(path):
    vals = defaultdict(lambda: defaultdict(dict))  # key -> drv -> round -> value
    info, notes = {}, []
    with open(path, errors="replace") as f:
        for line in f:
            p = line.split()
            if len(p) == 5 and p[0] == "BENCH":
                try:
                    vals[p[3]][p[1]][int(p[2])] = float(p[4])
                except ValueError:
                    notes.append(f"{p[1]} round {p[2]}: {p[3]} = {p[4]}")
            elif len(p) >= 3 and p[0] == "BENCH-INFO":
                info[p[1]] = " ".join(p[2:])
            elif p and p[0] == "BENCH-NOTE":
                notes.append(" ".join(p[1:]))
    return vals, info, notes


def derive(vals):
    """Per-transaction MMIO counts: a window of 200 requests (after one RESET) net of the
    window of the RESET alone; a VF reset window divided by its 20 resets."""
    for m in MSGS:
        win = vals.get(f"mmio_{m}200", {})
        base = vals.get("mmio_reset0", {})
        for drv, rounds in win.items():
            for r, v in rounds.items():
                if r in base.get(drv, {}):
                    vals[f"mmio_tx_{m}"][drv][r] = (v - base[drv][r]) / 200
    for drv, rounds in vals.get("mmio_vflr20", {}).items():
        for r, v in rounds.items():
            vals["mmio_vflr"][drv][r] = v / 20


def stats(rounds):
    v = sorted(rounds.values())
    if not v:
        return None
    return {"median": statistics.median(v), "min": v[0], "max": v[-1], "n": len(v), "values": v}


def paired_ratio(by_drv):
    """The median over rounds of rigb's value over igb's in the same round: the rounds are
    interleaved so that the machine's drift, which is larger than the differences measured,
    cancels in each round's ratio."""
    igb, rigb = by_drv.get("igb", {}), by_drv.get("rigb", {})
    r = [rigb[n] / igb[n] for n in igb if n in rigb and igb[n] > 0]
    return statistics.median(r) if r else None


def fmt(x):
    if x is None:
        return "-"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def cell(s):
    if s is None:
        return "-"
    if s["n"] == 1:
        return fmt(s["median"])
    return f"{fmt(s['median'])} ({fmt(s['min'])}-{fmt(s['max'])})"


def main():
    d = sys.argv[1]
    vals, info, notes = parse(os.path.join(d, "vm.log"))
    derive(vals)
    table = {}
    for key, label, unit, hib in ROWS:
        if key not in vals:
            continue
        st = {drv: stats(vals[key].get(drv, {})) for drv in DRIVERS}
        table[key] = {"label": label, "unit": unit, "higher_is_better": hib,
                      "ratio": paired_ratio(vals[key]), "ratio_of_medians": None, **st}
        if st["igb"] and st["rigb"] and st["igb"]["median"] > 0:
            table[key]["ratio_of_medians"] = st["rigb"]["median"] / st["igb"]["median"]

    with open(os.path.join(d, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["key", "driver", "round", "value"])
        for key in sorted(vals):
            for drv in sorted(vals[key]):
                for r, v in sorted(vals[key][drv].items()):
                    w.writerow([key, drv, r, v])

    verdicts = []
    for key, how, bound, desc in TARGETS:
        row = table.get(key)
        if not row:
            verdicts.append((desc, "-", "not measured"))
            continue
        if how == "rigb<":
            v = row["rigb"]["median"] if row["rigb"] else None
            ok = v is not None and v < bound
            got = f"{fmt(v)} s"
        else:
            v = row["ratio"]
            ok = v is not None and (v <= bound if how == "ratio<=" else v >= bound)
            got = "-" if v is None else f"{v:.2f}x"
        verdicts.append((desc, got, "holds" if ok else "misses"))

    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump({"info": info, "notes": notes, "rows": table,
                   "targets": [{"target": a, "measured": b, "verdict": c} for a, b, c in verdicts]},
                  f, indent=1)

    md = []
    rounds = max((s["n"] for row in table.values() for s in (row["igb"], row["rigb"]) if s), default=0)
    md.append(f"VF benchmark, one boot, {rounds} interleaved rounds per driver "
              f"({info.get('accel', '?')}, {info.get('vcpus', '?')} vCPUs, kernel {info.get('kernel', '?')}, "
              f"host {info.get('host_cpus', '?')} CPUs). Median (min-max) of the rounds; rigb/igb is "
              f"the median of the rounds' ratios (each round's rigb over the igb round before it).")
    md.append("")
    md.append("| measurement | unit | C igb | rigb | rigb/igb |")
    md.append("|---|---|---|---|---|")
    for key, label, unit, hib in ROWS:
        row = table.get(key)
        if not row:
            continue
        r = row["ratio"]
        rs = "-" if r is None else f"{r:.2f}x"
        md.append(f"| {label} | {unit} | {cell(row['igb'])} | {cell(row['rigb'])} | {rs} |")
    md.append("")
    md.append("| target | measured | |")
    md.append("|---|---|---|")
    for desc, got, verdict in verdicts:
        md.append(f"| {desc} | {got} | {verdict} |")
    if notes:
        md.append("")
        md.append("Notes from the run:")
        md.append("")
        md += [f"- {n}" for n in notes]
    text = "\n".join(md) + "\n"
    with open(os.path.join(d, "results.md"), "w") as f:
        f.write(text)
    print(text)
    chart(d, table)


def chart(d, table):
    """ratios.png: rigb/igb per row, lower is better (throughput rows inverted, igb/rigb)."""
    rows = []
    for key, label, unit, hib in ROWS:
        row = table.get(key)
        if not row or row["ratio"] is None or row["ratio"] <= 0:
            continue
        if key.endswith(("_kernel", "_core", "_vfdrv", "_pf")):
            continue
        r = 1 / row["ratio"] if hib else row["ratio"]
        rows.append((key + (" (inv)" if hib else ""), r))
    if not rows:
        return
    data = os.path.join(d, "ratios.dat")
    with open(data, "w") as f:
        for i, (k, r) in enumerate(rows):
            f.write(f'{i} "{k}" {r:.4f}\n')
    script = f"""
set terminal pngcairo size 1400,700 noenhanced
set output '{os.path.join(d, "ratios.png")}'
set title 'rigb / C igb (below 1: rigb better; throughput rows as igb/rigb)'
set style fill solid 0.6
set boxwidth 0.7
set yrange [0:*]
set xtics rotate by -60 font ',9'
set grid ytics
unset key
plot '{data}' using 1:3:xtic(2) with boxes lc rgb '#3070b0', 1 with lines lw 2 lc rgb '#c03030'
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"no chart: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
