#!/usr/bin/env python3
"""Disassembles what C2 compiled for one method, without hsdis.

Usage:
  java ... -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=print,bnlab.kernel.PackedTile::k4x2 \\
      ... > print.txt
  bench/jit-disasm.py print.txt [--nmethod K] [--loops]

Without a disassembler plugin the JVM prints each compiled method's machine code as hex words
under "[MachCode]" (Debian's libhsdis0-fcml exports only the old `decode_instructions` entry
point, which JDK 25 does not load). This script takes the K-th C2 nmethod of the file (default the
last one, i.e. the final, fully optimized compilation), rebuilds its bytes and disassembles them
with binutils' objdump (Intel syntax, real addresses). --loops prints only the innermost loops:
the instructions from a backward branch's target to the branch, which is where a kernel spends
its time (look for vfmadd, spills such as `vmovdqu [rsp+...]`, and range checks `cmp ...; jae`).
"""

import argparse
import re
import subprocess
import sys
import tempfile

WORDS = re.compile(r"^\s+0x([0-9a-f]+): ((?:[0-9a-f]{2,8}\s*\|?\s*)+)$")


def nmethods(lines):
    starts = [i for i, line in enumerate(lines) if line.startswith("Compiled method (c2)")]
    return [(s, starts[j + 1] if j + 1 < len(starts) else len(lines)) for j, s in enumerate(starts)]


def machine_code(lines):
    """(address of the first byte, bytes) of one nmethod's [MachCode] section."""
    base, blob, inside = None, bytearray(), False
    for line in lines:
        if line.startswith("[MachCode]"):
            inside = True
            continue
        if line.startswith("[/MachCode]"):
            break
        m = WORDS.match(line) if inside else None
        if not m:
            continue
        addr = int(m.group(1), 16)
        if base is None:
            base = addr
        if addr < base + len(blob):
            continue  # a repeated line (comments are printed between words)
        blob += b"\x90" * (addr - base - len(blob))
        for word in m.group(2).replace("|", " ").split():
            blob += bytes.fromhex(word)
    if base is None:
        raise SystemExit("jit-disasm: no [MachCode] section (was the method compiled by C2?)")
    return base, bytes(blob)


def disassemble(base, blob):
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(blob)
        f.flush()
        out = subprocess.run(
            ["objdump", "-D", "-b", "binary", "-mi386:x86-64", "-Mintel", f"--adjust-vma={base}", f.name],
            capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        m = re.match(r"\s+([0-9a-f]+):\t(?:[0-9a-f]{2} )+\s*\t(.*)$", line)
        if m:
            rows.append((int(m.group(1), 16), m.group(2).strip()))
    return rows


def innermost_loops(rows):
    """Runs [target, branch] of backward jumps that contain no other backward jump's target."""
    index = {addr: i for i, (addr, _) in enumerate(rows)}
    loops = []
    for i, (addr, text) in enumerate(rows):
        m = re.match(r"j\w+\s+0x([0-9a-f]+)", text)
        if m and int(m.group(1), 16) <= addr and int(m.group(1), 16) in index:
            loops.append((index[int(m.group(1), 16)], i))
    return [(a, b) for a, b in loops if not any(a < c and d <= b and (c, d) != (a, b) for c, d in loops)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("--nmethod", type=int, default=-1, help="which C2 nmethod of the file (default: last)")
    ap.add_argument("--loops", action="store_true", help="print only the innermost loops")
    o = ap.parse_args()
    lines = open(o.file, encoding="utf-8", errors="replace").read().splitlines()
    found = nmethods(lines)
    if not found:
        raise SystemExit("jit-disasm: no 'Compiled method (c2)' in " + o.file)
    start, end = found[o.nmethod]
    print(lines[start])
    rows = disassemble(*machine_code(lines[start:end]))
    spans = innermost_loops(rows) if o.loops else [(0, len(rows) - 1)]
    for a, b in spans:
        if o.loops:
            print(f"--- loop of {b - a + 1} instructions")
        for addr, text in rows[a:b + 1]:
            print(f"{addr:x}  {text}")


if __name__ == "__main__":
    sys.exit(main())
