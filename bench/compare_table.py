#!/usr/bin/env python3
"""One table from the launches of bench/compare-libtorch.sh.

Usage: bench/compare_table.py DIR [--markdown]

DIR holds bnlab-<i>.json (`bnlab bench --json`) and libtorch-<i>.json (reference/bench.sh --json),
one pair per round, and isa.txt. For every (model, mode, batch) the table shows each side's median
over the rounds of the launch medians, the range of those medians, and bnlab/libtorch.
"""
import glob
import json
import os
import statistics
import sys


def load(pattern):
    runs = []
    for path in sorted(glob.glob(pattern)):
        with open(path) as f:
            text = f.read().strip()
        if not text:
            raise SystemExit(f"compare_table: {path} is empty (that launch failed; see its log)")
        runs.append(json.loads(text))
    return runs


def medians(runs, key="median"):
    """(model, mode, batch) -> [each launch's value of key, ...] in launch order (nulls skipped)."""
    out = {}
    for r in runs:
        for row in r["rows"]:
            values = out.setdefault((row["model"], row["mode"], row["batch"]), [])
            if row.get(key) is not None:
                values.append(row[key])
    return out


def cell(values):
    if not values:
        return "-"
    return f"{statistics.median(values):,.0f} ({min(values):,.0f}-{max(values):,.0f})"


def ratio(a, b):
    return f"{statistics.median(a) / statistics.median(b):.2f}x" if a and b else "-"


def header(bnlab, torch, isa):
    lines = []
    any_run = (bnlab or torch)[0]
    lines.append(f"CPU {any_run.get('cpu', '?')}, {any_run.get('cpus', '?')} CPUs")
    if bnlab:
        b = bnlab[0]
        flags = " ".join(b.get("jvmFlags") or []) or "none"
        bits = b.get("vectorBits")
        lines.append(
            f"bnlab: JDK {b['jdk']}, kernels {b['kernels']} ({bits}-bit vectors), "
            f"{b['threads']} threads, JVM flags {flags}")
    if torch:
        t = torch[0]
        isa_env = ", ".join(f"{k}={v}" for k, v in t.get("isa", {}).items()) or "none"
        threading = ", ".join(f"{k}={v}" for k, v in t.get("threading", {}).items())
        lines.append(
            f"libtorch: {t['engine']} [{t.get('features', '')}], {t['threads']} intra-op threads"
            + (f" ({threading})" if threading else "")
            + f", ISA limits {isa_env}")
        lines.append(
            f"libtorch per call: empty JNI {t['emptyJniMicros']:.3f} us, "
            f"tiny op through DJL {t['tinyOpMicros']:.2f} us (median over launches: "
            f"{statistics.median(r['tinyOpMicros'] for r in torch):.2f} us)")
    lines.extend("libtorch " + line for line in isa)
    loads = [r["load"] for r in bnlab + torch if r.get("load") is not None]
    rounds = max(len(bnlab), len(torch))
    if loads:
        lines.append(
            f"{rounds} rounds, bnlab and libtorch alternately; 1-min load at launch "
            f"{min(loads):.2f}-{max(loads):.2f}")
    return lines


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    d = argv[1]
    markdown = "--markdown" in argv
    bnlab = load(os.path.join(d, "bnlab-*.json"))
    torch = load(os.path.join(d, "libtorch-*.json"))
    if not bnlab and not torch:
        raise SystemExit(f"compare_table: no bnlab-*.json or libtorch-*.json in {d}")
    isa_path = os.path.join(d, "isa.txt")
    isa = open(isa_path).read().splitlines() if os.path.exists(isa_path) else []
    b, t = medians(bnlab), medians(torch)
    # With one thread on each side, images per CPU-second of the calling thread: the work's own
    # speed, which other processes on the machine hardly change (wall-clock speed they do).
    bc, tc = medians(bnlab, "cpuMedian"), medians(torch, "cpuMedian")
    with_cpu = any(bc.get(k) and tc.get(k) for k in tc)
    keys = list(dict.fromkeys(list(t) + list(b)))
    cols = ["model", "mode", "batch", "bnlab img/s (range)", "libtorch img/s (range)",
            "bnlab/libtorch"]
    if with_cpu:
        cols += ["bnlab img/CPU-s (range)", "libtorch img/CPU-s (range)", "ratio (CPU time)"]
    rows = []
    for k in keys:
        row = [k[0], k[1], str(k[2]), cell(b.get(k)), cell(t.get(k)), ratio(b.get(k), t.get(k))]
        if with_cpu:
            row += [cell(bc.get(k)), cell(tc.get(k)), ratio(bc.get(k), tc.get(k))]
        rows.append(row)
    for line in header(bnlab, torch, isa):
        print(("- " if markdown else "") + line)
    print()
    if markdown:
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * len(cols))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
        print("  ".join(c.ljust(w) for c, w in zip(cols, widths)))
        for r in rows:
            print("  ".join(v.ljust(w) if i < 2 else v.rjust(w)
                            for i, (v, w) in enumerate(zip(r, widths))))


if __name__ == "__main__":
    main(sys.argv)
