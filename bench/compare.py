#!/usr/bin/env python3
"""Side-by-side medians of two bench harness sample files (TSV).

    compare.py OVS.tsv GOV.tsv

Prints a markdown table: workload, ports, metric, the median (and number of
samples) for each daemon, and the ratio govswitchd/ovs-vswitchd. For *_pps,
*_gbps and conn_cps higher is better; for lat_* and cpu_* lower is better.
"""
import statistics
import sys

ORDER = ["udp_rx_pps", "udp_tx_pps", "udpmf_rx_pps", "udpmf_tx_pps", "tcp1_gbps", "tcp4_gbps",
         "conn_cps", "lat_avg_ms", "lat_p99_ms", "cpu_udp_pct", "cpu_tcp1_pct", "cpu_idle_pct",
         "udp_pmd_cpp", "udp_pmd_busy_pct", "udpmf_pmd_cpp", "udpmf_pmd_busy_pct"]


def load(path):
    rows = {}
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) < 6 or f[0].startswith("#"):
            continue
        try:
            v = float(f[4])
        except ValueError:
            continue
        rows.setdefault((f[0], f[1], f[2]), []).append(v)
    return rows


def med(vs):
    good = [x for x in vs if x == x]  # drop nan (failed samples)
    return (statistics.median(good), len(good)) if good else (None, 0)


def fmt(v):
    if v is None:
        return "FAIL"
    a = abs(v)
    if a >= 1e5:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.3f}"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: compare.py OVS.tsv GOV.tsv")
    ovs, gov = load(sys.argv[1]), load(sys.argv[2])
    keys = sorted(set(ovs) | set(gov),
                  key=lambda k: (k[0], k[1], ORDER.index(k[2]) if k[2] in ORDER else 99, k[2]))
    print("| workload | ports | metric | ovs-vswitchd (n) | govswitchd (n) | gov/ovs |")
    print("|---|---|---|---|---|---|")
    for k in keys:
        o, no = med(ovs.get(k, []))
        g, ng = med(gov.get(k, []))
        if k not in gov:
            g, ng = None, 0
        ratio = f"{g / o:.2f}" if o and g is not None else ""
        print(f"| {k[0]} | {k[1]} | {k[2]} | {fmt(o)} ({no}) | {fmt(g)} ({ng}) | {ratio} |")


if __name__ == "__main__":
    main()
