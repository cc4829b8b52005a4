#!/usr/bin/env python3
"""The sgemm ceiling: bnlab's SGEMM against OpenBLAS (numpy's `a @ b`) at the same shapes.

Usage: bench/sgemm-vs-openblas.py [--threads 1,2] [--rounds 3] [--batch 128] [--avx2] [--quick]
                                  [--no-squares] [--shapes MxNxK,...] [--out DIR]

The shapes come from bnlab (bnlab.bench.gemm.SgemmTable --list): 512^3, 4096^3 and the forward
GEMMs of vgg's and ResNet-20's convolutions after im2col (M = out channels, N = P*Q of one image
or of --batch images side by side, K = C*R*S). For each thread count the script alternates, round
by round, a bnlab launch (java ... SgemmTable, -Dbnlab threads) and a numpy launch
(OPENBLAS_NUM_THREADS set before numpy loads), both timing every shape the same way: warm-up
calls for 0.5 s, then 5 repeats of as many calls as fill 0.2 s; a launch reports its median repeat.
The table shows, per shape and thread count, the median over rounds of each side's GFLOP/s
(2*M*N*K per product) and bnlab as a percentage of OpenBLAS. Single-thread is the headline.

--avx2 emulates an AVX2 machine: -XX:UseAVX=2 for bnlab, OPENBLAS_CORETYPE=Haswell for OpenBLAS
(the header shows the core OpenBLAS reports). numpy must be installed; nothing else is needed.
"""
import argparse
import ctypes
import glob
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.path.join(ROOT, "bench", "target", "benchmarks.jar")
JAVA_MAIN = "bnlab.bench.gemm.SgemmTable"


def java_cmd(avx2, threads, opts=(), jar=JAR):
    java = os.path.join(os.environ.get("JAVA_HOME", "/usr"), "bin", "java")
    cmd = [java, "--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC", f"-Dbnlab.threads={threads}"]
    if avx2:
        cmd.append("-XX:UseAVX=2")
    return cmd + list(opts) + ["-cp", jar, JAVA_MAIN]


def run_json_lines(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise SystemExit(f"sgemm-vs-openblas: {' '.join(cmd[:3])} ... failed:\n{p.stderr[-2000:]}")
    return [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]


def openblas_info():
    """OpenBLAS's configuration, core and thread count through numpy's bundled library."""
    import numpy
    libs = glob.glob(os.path.join(os.path.dirname(os.path.dirname(numpy.__file__)), "numpy.libs", "*openblas*"))
    info = {"numpy": numpy.__version__}
    for path in libs:
        lib = ctypes.CDLL(path)
        for key, names in (("config", ("scipy_openblas_get_config64_", "openblas_get_config64_", "openblas_get_config")),
                           ("core", ("scipy_openblas_get_corename64_", "openblas_get_corename64_", "openblas_get_corename"))):
            for name in names:
                if hasattr(lib, name):
                    f = getattr(lib, name)
                    f.restype = ctypes.c_char_p
                    info[key] = f().decode()
                    break
        for name in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads"):
            if hasattr(lib, name):
                info["threads"] = getattr(lib, name)()
                break
    return info


def worker(shapes, warmup, repeats, min_seconds, cpu_time):
    """Runs inside a process whose OPENBLAS_NUM_THREADS was set before numpy loaded."""
    import numpy as np
    # With one OpenBLAS thread the product runs on this thread, so its CPU time is the product's.
    clock = time.thread_time if cpu_time else time.perf_counter
    print(json.dumps(openblas_info()))
    rng = np.random.default_rng(1)
    for s in shapes:
        m, n, k = s["m"], s["n"], s["k"]
        a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
        c = np.empty((m, n), dtype=np.float32)
        flops = 2.0 * m * n * k
        end = clock() + warmup
        calls, t0 = 0, clock()
        while True:
            np.matmul(a, b, out=c)
            calls += 1
            if clock() >= end:
                break
        per_call = (clock() - t0) / calls
        reps = max(1, int(-(-min_seconds // per_call)))
        g = []
        for _ in range(repeats):
            t = clock()
            for _ in range(reps):
                np.matmul(a, b, out=c)
            g.append(flops * reps / (clock() - t) * 1e-9)
        g.sort()
        print(json.dumps(dict(s, gflops=g[len(g) // 2], min=g[0], max=g[-1])), flush=True)


def numpy_cmd(shapes_file, warmup, repeats, min_seconds, cpu_time):
    return [sys.executable, os.path.abspath(__file__), "--worker", shapes_file,
            "--warmup-seconds", str(warmup), "--repeats", str(repeats), "--min-seconds", str(min_seconds)] \
        + (["--cpu-time"] if cpu_time else [])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--avx2", action="store_true")
    ap.add_argument("--quick", action="store_true", help="3 repeats of 0.1 s, no 4096^3, 1 round")
    ap.add_argument("--no-squares", action="store_true")
    ap.add_argument("--shapes", default="")
    ap.add_argument("--out", default="")
    ap.add_argument("--cpu-time", action="store_true",
                    help="time each side's calling thread's CPU time (needs --threads 1)")
    ap.add_argument("--java-opts", default="", help="extra JVM options for bnlab, e.g. -Dbnlab.vectorBits=256")
    ap.add_argument("--cp", default=JAR, help="class path of bnlab's side (e.g. another build's core classes before this jar)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--warmup-seconds", type=float, default=0.5)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--min-seconds", type=float, default=0.2)
    o = ap.parse_args()
    if o.worker:
        with open(o.worker) as f:
            worker([json.loads(line) for line in f], o.warmup_seconds, o.repeats, o.min_seconds, o.cpu_time)
        return
    if o.quick:
        o.repeats, o.min_seconds, o.warmup_seconds, o.rounds = 3, 0.1, 0.3, 1
    threads = [int(t) for t in o.threads.split(",")]
    if o.rounds < 1 or any(t < 1 for t in threads):
        raise SystemExit("sgemm-vs-openblas: --rounds and --threads must be >= 1")
    if o.cpu_time and threads != [1]:
        raise SystemExit("sgemm-vs-openblas: --cpu-time times one thread, so it needs --threads 1")
    if not os.path.exists(JAR):
        raise SystemExit("sgemm-vs-openblas: build the JMH jar first: mvn -B -q -DskipTests package -pl bench -am")
    out = o.out or os.path.join(ROOT, "runs", time.strftime("sgemm-%Y%m%d-%H%M%S"))
    os.makedirs(out, exist_ok=True)
    listing = ["--list", "--batch", str(o.batch)] + (["--no-squares"] if o.no_squares else [])
    if o.shapes:
        listing += ["--shapes", o.shapes]
    shapes = run_json_lines(java_cmd(False, 1) + listing)
    if o.quick:
        shapes = [s for s in shapes if s["m"] * s["n"] * s["k"] < 4096 ** 3]
    shapes_file = os.path.join(out, "shapes.jsonl")
    with open(shapes_file, "w") as f:
        f.writelines(json.dumps(s) + "\n" for s in shapes)
    timing = (["--cpu-time"] if o.cpu_time else []) + ["--repeats", str(o.repeats), "--min-seconds", str(o.min_seconds),
              "--warmup-seconds", str(o.warmup_seconds), "--shapes", ",".join(s["shape"] for s in shapes)]
    results = {}  # (side, threads) -> list of launches, each {shape: gflops}
    meta = {}
    for t in threads:
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(t))
        if o.avx2:
            env["OPENBLAS_CORETYPE"] = "Haswell"
        for r in range(o.rounds):
            print(f"sgemm-vs-openblas: {t} thread(s), round {r + 1} of {o.rounds}: bnlab ...", file=sys.stderr)
            lines = run_json_lines(java_cmd(o.avx2, t, o.java_opts.split(), o.cp) + ["--threads", str(t), "--batch", str(o.batch)] + timing)
            meta["bnlab"] = lines[0]
            results.setdefault(("bnlab", t), []).append({x["shape"]: x["gflops"] for x in lines[1:]})
            print(f"sgemm-vs-openblas: {t} thread(s), round {r + 1} of {o.rounds}: OpenBLAS ...", file=sys.stderr)
            lines = run_json_lines(numpy_cmd(shapes_file, o.warmup_seconds, o.repeats, o.min_seconds, o.cpu_time), env)
            meta[f"openblas{t}"] = lines[0]
            results.setdefault(("openblas", t), []).append({x["shape"]: x["gflops"] for x in lines[1:]})
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"meta": meta, "results": {f"{k[0]}-{k[1]}": v for k, v in results.items()}}, f)
    table = render(shapes, threads, results, meta, o)
    with open(os.path.join(out, "table.txt"), "w") as f:
        f.write(table)
    print(table, end="")


def render(shapes, threads, results, meta, o):
    b = meta.get("bnlab", {})
    ob = meta.get(f"openblas{threads[0]}", {})
    lines = [
        f"CPU {cpu_model()} | bnlab: JDK {b.get('jdk')}, kernels {b.get('kernels')} "
        f"({b.get('vectorBits')}-bit vectors){', -XX:UseAVX=2' if o.avx2 else ''}",
        f"OpenBLAS: {ob.get('config', '?')} | core {ob.get('core', '?')} | numpy {ob.get('numpy', '?')}"
        + (" | OPENBLAS_CORETYPE=Haswell" if o.avx2 else ""),
        f"GFLOP/s = 2*M*N*K per product{' per CPU-second of the calling thread' if o.cpu_time else ''}; "
        f"median over {o.rounds} alternating launches of each side's "
        f"median of {o.repeats} repeats; batch shapes have {o.batch} images side by side"
        + (f"; bnlab JVM options {o.java_opts}" if o.java_opts else ""),
        "",
    ]
    cols = ["shape MxNxK", "layers"]
    for t in threads:
        cols += [f"bnlab {t}T", f"OpenBLAS {t}T", f"% {t}T"]
    rows = []
    for s in shapes:
        row = [s["shape"], s["where"]]
        for t in threads:
            bv = [launch[s["shape"]] for launch in results[("bnlab", t)]]
            ov = [launch[s["shape"]] for launch in results[("openblas", t)]]
            mb, mo = statistics.median(bv), statistics.median(ov)
            row += [f"{mb:.1f}", f"{mo:.1f}", f"{100 * mb / mo:.0f}%"]
        rows.append(row)
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
    lines.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cols, widths))))
    for r in rows:
        lines.append("  ".join(v.ljust(w) if i < 2 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))))
    return "\n".join(lines) + "\n"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


if __name__ == "__main__":
    main()
