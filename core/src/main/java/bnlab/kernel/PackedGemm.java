package bnlab.kernel;

import static bnlab.kernel.VectorGemm.L;
import static bnlab.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;

/**
 * The broadcast GEMM (B not transposed) on packed panels, blocked as in GotoBLAS and BLIS (Goto and
 * van de Geijn 2008; Van Zee and van de Geijn 2015): C's columns in blocks of {@link Blocking#nc},
 * k in blocks of {@link Blocking#kc}, and for each a (kc × nc) block of B copied into column panels
 * of NR = 2 vectors (each panel kc rows of NR contiguous floats, so a tile reads one stream that
 * stays in L1), then A's rows in blocks of {@link Blocking#mc} copied into row panels of MR (kc
 * columns of MR contiguous floats, in L2), and the register tiles ({@link PackedTile}) run over
 * them. Packing makes every load of the inner loop sequential and within a few pages, where the
 * unpacked kernel reads B's rows ldb floats apart (a page per k for wide im2col matrices). Where C
 * has more than one row block, the k loop moves inside the row loop: the k blocks of B for a group
 * of column blocks are packed first (up to {@link #MAX_PACKED_B} floats, in L3), A's row block for
 * all of k once per group (up to {@link #MAX_PACKED_A}), and each (mc × nc) block of C takes the k
 * blocks in turn while it stays in L2, so that C is not fetched from memory once per k block and A
 * is not packed again for every column block.
 *
 * <p>Per C element the same operations as {@link BroadcastGemm}: beta·C, then the fused
 * multiply-adds in k order (k blocks and batch terms in order, the element stored after a block and
 * loaded again for the next, which does not round), so the packed and the unpacked paths give the
 * same bits, at every width and for any split of C across threads. Partial tiles at the edges run
 * {@link BroadcastGemm#panel} on the packed panels.
 *
 * <p>The packing buffers belong to the calling thread and are allocated on its first packed product
 * (B's again on the first product with a longer k that packs all its k blocks): nothing is
 * allocated per call after that.
 */
final class PackedGemm {
  private static final int MR = VectorWidth.PACKED_ROWS;
  private static final int NR = VectorWidth.TILE_COLS;

  /** Block sizes of this process (depend on the vector width and the caches, never the bits). */
  static final Blocking BLOCKS = Blocking.of(CacheSizes.l1(), CacheSizes.l2());

  /**
   * At most this many floats of packed B (k × nc, 16 MB) are kept for all k blocks at once; a
   * product with a longer k packs B block by block and passes over C once per k block.
   */
  static final int MAX_PACKED_B = 1 << 22;

  /**
   * At most this many floats of packed A (mc × k, 4 MB) are kept for all k blocks at once; a
   * product with a longer k packs A once per column block and k block.
   */
  static final int MAX_PACKED_A = 1 << 20;

  private static final ThreadLocal<float[][]> BUFFERS =
      ThreadLocal.withInitial(
          () -> new float[][] {new float[BLOCKS.mc * BLOCKS.kc], new float[BLOCKS.kc * BLOCKS.nc]});

  private PackedGemm() {}

  /**
   * The k, row and column blocks: a (kc × NR) panel of B takes half of L1, a (mc × kc) block of A a
   * quarter of L2 and a (kc × nc) block of B half of L2.
   *
   * @param kc k per block
   * @param mc rows of A per block, a multiple of MR
   * @param nc columns of B per block, a multiple of NR
   */
  record Blocking(int kc, int mc, int nc) {
    static Blocking of(int l1Bytes, int l2Bytes) {
      int kc = Math.clamp(l1Bytes / 2 / (NR * Float.BYTES) / 16 * 16, 64, 512);
      int mc = Math.clamp(l2Bytes / 4 / (kc * Float.BYTES) / MR * MR, MR, 1024 / MR * MR);
      int nc = Math.clamp(l2Bytes / 2 / (kc * Float.BYTES) / NR * NR, NR, 4096);
      return new Blocking(kc, mc, nc);
    }
  }

  /**
   * C block rows [i0, i1) × columns [j0, j1) of a product with B not transposed: C = beta·C + Σ_t
   * op(A_t)·B_t.
   */
  static void block(
      GemmShape s,
      float[] a,
      int aOff,
      float[] b,
      int bOff,
      float beta,
      float[] c,
      int cOff,
      int i0,
      int i1,
      int j0,
      int j1) {
    float[][] buffers = BUFFERS.get();
    float[] ap = buffers[0];
    float[] bp = buffers[1];
    int ars = s.transA() ? 1 : s.lda();
    int acs = s.transA() ? s.lda() : 1;
    int k = s.k();
    int ldb = s.ldb();
    int ldc = s.ldc();
    int kc0 = BLOCKS.kc;
    int nc0 = BLOCKS.nc;
    boolean resident = i1 - i0 > BLOCKS.mc && (long) k * nc0 <= MAX_PACKED_B;
    // Resident, with A's row block packed for all of k at once: columns go in groups of as many
    // column blocks as MAX_PACKED_B holds with all their k blocks, and A is packed once per group
    // instead of once per column block.
    boolean wholeA = resident && (long) BLOCKS.mc * k <= MAX_PACKED_A;
    int groupCols = wholeA ? nc0 * (int) Math.max(1, MAX_PACKED_B / ((long) k * nc0)) : nc0;
    groupCols = Math.min(groupCols, (j1 - j0 + nc0 - 1) / nc0 * nc0);
    if (resident && bp.length < k * groupCols) {
      // Grows once per larger k or group (the first product of that shape), never per call after.
      bp = new float[k * groupCols];
      buffers[1] = bp;
    }
    if (wholeA && ap.length < BLOCKS.mc * k) {
      ap = new float[BLOCKS.mc * k];
      buffers[0] = ap;
    }
    for (int jg = j0; jg < j1; jg += groupCols) {
      int gw = Math.min(groupCols, j1 - jg);
      for (int t = 0; t < s.batch(); t++) {
        int at = aOff + t * s.aStride();
        int bt = bOff + t * s.bStride();
        if (!resident) {
          int nc = gw;
          for (int pc = 0; pc < k; pc += kc0) {
            int kc = Math.min(kc0, k - pc);
            float bb = t == 0 && pc == 0 ? beta : 1f;
            packB(kc, nc, b, bt + pc * ldb + jg, ldb, bp, 0);
            for (int ic = i0; ic < i1; ic += BLOCKS.mc) {
              int mc = Math.min(BLOCKS.mc, i1 - ic);
              packA(kc, mc, a, at + ic * ars + pc * acs, ars, acs, ap, 0);
              macro(kc, mc, nc, ap, 0, bp, 0, bb, c, cOff + ic * ldc + jg, ldc);
            }
          }
          continue;
        }
        // All of B's k blocks for the group's columns packed first (column block q at q·k·nc0,
        // its k block at pc · its panels' width), then each C block takes every k block in turn
        // while it stays in L2. Block by block, the other row blocks ran between two visits of a
        // C block, which came back from L3 or memory, its loads stalling the first k steps of
        // every tile (4096³ 1.18×, 1024³ 1.14× faster this way; one thread, AVX2, same bits).
        // With one row block C stays in L2 either way, and this order was no faster there
        // (32×131072×288: 0.93–1.0×).
        for (int jc = jg; jc < jg + gw; jc += nc0) {
          int nc = Math.min(nc0, jg + gw - jc);
          int panels = (nc + NR - 1) / NR * NR;
          for (int pc = 0; pc < k; pc += kc0) {
            int kc = Math.min(kc0, k - pc);
            packB(kc, nc, b, bt + pc * ldb + jc, ldb, bp, (jc - jg) * k + pc * panels);
          }
        }
        for (int ic = i0; ic < i1; ic += BLOCKS.mc) {
          int mc = Math.min(BLOCKS.mc, i1 - ic);
          // A k block takes mc rounded up to whole panels times kc floats.
          int rows = (mc + MR - 1) / MR * MR;
          if (wholeA) {
            for (int pc = 0; pc < k; pc += kc0) {
              int kc = Math.min(kc0, k - pc);
              packA(kc, mc, a, at + ic * ars + pc * acs, ars, acs, ap, pc * rows);
            }
          }
          for (int jc = jg; jc < jg + gw; jc += nc0) {
            int nc = Math.min(nc0, jg + gw - jc);
            int panels = (nc + NR - 1) / NR * NR;
            for (int pc = 0; pc < k; pc += kc0) {
              int kc = Math.min(kc0, k - pc);
              float bb = t == 0 && pc == 0 ? beta : 1f;
              if (!wholeA) {
                packA(kc, mc, a, at + ic * ars + pc * acs, ars, acs, ap, 0);
              }
              int aBlock = wholeA ? pc * rows : 0;
              int bBlock = (jc - jg) * k + pc * panels;
              macro(kc, mc, nc, ap, aBlock, bp, bBlock, bb, c, cOff + ic * ldc + jc, ldc);
            }
          }
        }
      }
    }
  }

  // C (mc, nc) at c[ci] = beta·C + packed A (mc, kc) · packed B (kc, nc); B's panel outside, so it
  // stays in L1 while A's panels stream from L2.
  private static void macro(
      int kc,
      int mc,
      int nc,
      float[] ap,
      int aOff,
      float[] bp,
      int bOff,
      float beta,
      float[] c,
      int ci,
      int ldc) {
    for (int jr = 0; jr < nc; jr += NR) {
      int nr = Math.min(NR, nc - jr);
      int bi = bOff + jr * kc;
      for (int ir = 0; ir < mc; ir += MR) {
        int mr = Math.min(MR, mc - ir);
        int ai = aOff + ir * kc;
        int cij = ci + ir * ldc + jr;
        if (mr == MR && nr == NR) {
          if (MR == 8) {
            PackedTile.k8x2(kc, ap, ai, bp, bi, beta, c, cij, ldc);
          } else {
            PackedTile.k4x2(kc, ap, ai, bp, bi, beta, c, cij, ldc);
          }
        } else {
          BroadcastGemm.panel(kc, ap, ai, 1, MR, bp, bi, NR, beta, c, cij, ldc, 0, mr, 0, nr);
        }
      }
    }
  }

  /**
   * B (kc, nc) at b[src] with leading dimension ldb into column panels of NR: panel q at dst[dOff +
   * q·NR·kc] holds row p's NR floats at p·NR. Row by row, so B is read in runs of nc floats.
   */
  static void packB(int kc, int nc, float[] b, int src, int ldb, float[] dst, int dOff) {
    int full = nc / NR;
    int rest = nc - full * NR;
    int panel = kc * NR;
    for (int p = 0; p < kc; p++) {
      int from = src + p * ldb;
      int to = dOff + p * NR;
      for (int q = 0; q < full; q++) {
        FloatVector.fromArray(S, b, from).intoArray(dst, to);
        FloatVector.fromArray(S, b, from + L).intoArray(dst, to + L);
        from += NR;
        to += panel;
      }
      if (rest > 0) {
        System.arraycopy(b, from, dst, to, rest);
      }
    }
  }

  /**
   * op(A) (mc, kc) at a[src] (element (i, p) at src + i·ars + p·acs) into row panels of MR: panel r
   * at dst[r·MR·kc] holds column p's MR floats at p·MR (a partial last panel only its rows).
   */
  static void packA(int kc, int mc, float[] a, int src, int ars, int acs, float[] dst, int dOff) {
    for (int i0 = 0; i0 < mc; i0 += MR) {
      int mr = Math.min(MR, mc - i0);
      int base = dOff + i0 * kc;
      int from = src + i0 * ars;
      if (acs == 1) {
        int done = mr == MR ? transposed(kc, a, from, ars, dst, base) : 0;
        // Rows contiguous: read each row once, write it with stride MR.
        for (int r = 0; r < mr; r++) {
          int row = from + r * ars;
          for (int p = done; p < kc; p++) {
            dst[base + p * MR + r] = a[row + p];
          }
        }
      } else if (mr == MR && ars == 1 && MR <= L && L <= 2 * MR) {
        // A transposed: each column's MR floats are contiguous. One vector per column; its lanes
        // past MR land on the next column's slots, which the next column overwrites, so the last
        // column (and any whose vector would pass the end of a) goes by arraycopy. A 128-bit
        // species for exactly MR floats would be a second vector shape in the process (see
        // VectorWidth.S).
        int whole = Math.min(kc - 1, Math.floorDiv(a.length - L - from, acs) + 1);
        int p = 0;
        for (; p < whole; p++) {
          FloatVector.fromArray(S, a, from + p * acs).intoArray(dst, base + p * MR);
        }
        for (; p < kc; p++) {
          System.arraycopy(a, from + p * acs, dst, base + p * MR, mr);
        }
      } else {
        for (int p = 0; p < kc; p++) {
          System.arraycopy(a, from + p * acs, dst, base + p * MR, mr);
        }
      }
    }
  }

  /**
   * A full panel's first columns, L at a time, where MR is 4 or 8: MR rows of L floats transposed
   * in registers (two or three rounds of zips, {@link VectorInterleave#LOW} and {@link
   * VectorInterleave#HIGH}), so that each stored vector is L / MR consecutive columns of the MR
   * rows. Element by element the panel cost about a tenth of the multiply-adds that read it (a
   * profile of 4096³, one thread: A is packed once per column block of nc = 256). Returns the
   * columns done; the caller moves the rest one by one.
   */
  private static int transposed(int kc, float[] a, int row, int ars, float[] dst, int base) {
    if (L < MR || MR != 4 && MR != 8) {
      return 0;
    }
    int p = 0;
    for (; p + L <= kc; p += L) {
      int to = base + p * MR;
      if (MR == 4) {
        rows4(a, row + p, ars, dst, to);
      } else {
        rows8(a, row + p, ars, dst, to);
      }
    }
    return p;
  }

  // Rows 0-3 zipped as (0, 2) and (1, 3), then those pairs zipped: lanes (0, 1, 2, 3) per column.
  private static void rows4(float[] a, int s, int ars, float[] dst, int to) {
    FloatVector r0 = FloatVector.fromArray(S, a, s);
    FloatVector r1 = FloatVector.fromArray(S, a, s + ars);
    FloatVector r2 = FloatVector.fromArray(S, a, s + 2 * ars);
    FloatVector r3 = FloatVector.fromArray(S, a, s + 3 * ars);
    FloatVector lo02 = r0.rearrange(VectorInterleave.LOW, r2);
    FloatVector lo13 = r1.rearrange(VectorInterleave.LOW, r3);
    FloatVector hi02 = r0.rearrange(VectorInterleave.HIGH, r2);
    FloatVector hi13 = r1.rearrange(VectorInterleave.HIGH, r3);
    lo02.rearrange(VectorInterleave.LOW, lo13).intoArray(dst, to);
    lo02.rearrange(VectorInterleave.HIGH, lo13).intoArray(dst, to + L);
    hi02.rearrange(VectorInterleave.LOW, hi13).intoArray(dst, to + 2 * L);
    hi02.rearrange(VectorInterleave.HIGH, hi13).intoArray(dst, to + 3 * L);
  }

  // Rows 0-7 zipped as (0, 4), (2, 6), (1, 5), (3, 7), then ((0, 4), (2, 6)) and ((1, 5), (3, 7)),
  // then those: lanes (0, 1, ..., 7) per column.
  private static void rows8(float[] a, int s, int ars, float[] dst, int to) {
    FloatVector r0 = FloatVector.fromArray(S, a, s);
    FloatVector r1 = FloatVector.fromArray(S, a, s + ars);
    FloatVector r2 = FloatVector.fromArray(S, a, s + 2 * ars);
    FloatVector r3 = FloatVector.fromArray(S, a, s + 3 * ars);
    FloatVector r4 = FloatVector.fromArray(S, a, s + 4 * ars);
    FloatVector r5 = FloatVector.fromArray(S, a, s + 5 * ars);
    FloatVector r6 = FloatVector.fromArray(S, a, s + 6 * ars);
    FloatVector r7 = FloatVector.fromArray(S, a, s + 7 * ars);
    // Level 1: lanes (r, r + 4) of the first (L) or second (H) half of the columns.
    FloatVector aL = r0.rearrange(VectorInterleave.LOW, r4);
    FloatVector aH = r0.rearrange(VectorInterleave.HIGH, r4);
    FloatVector bL = r2.rearrange(VectorInterleave.LOW, r6);
    FloatVector bH = r2.rearrange(VectorInterleave.HIGH, r6);
    FloatVector cL = r1.rearrange(VectorInterleave.LOW, r5);
    FloatVector cH = r1.rearrange(VectorInterleave.HIGH, r5);
    FloatVector dL = r3.rearrange(VectorInterleave.LOW, r7);
    FloatVector dH = r3.rearrange(VectorInterleave.HIGH, r7);
    // Level 2: lanes (0, 2, 4, 6) and (1, 3, 5, 7) of each quarter of the columns.
    FloatVector e0 = aL.rearrange(VectorInterleave.LOW, bL);
    FloatVector e1 = aL.rearrange(VectorInterleave.HIGH, bL);
    FloatVector e2 = aH.rearrange(VectorInterleave.LOW, bH);
    FloatVector e3 = aH.rearrange(VectorInterleave.HIGH, bH);
    FloatVector f0 = cL.rearrange(VectorInterleave.LOW, dL);
    FloatVector f1 = cL.rearrange(VectorInterleave.HIGH, dL);
    FloatVector f2 = cH.rearrange(VectorInterleave.LOW, dH);
    FloatVector f3 = cH.rearrange(VectorInterleave.HIGH, dH);
    e0.rearrange(VectorInterleave.LOW, f0).intoArray(dst, to);
    e0.rearrange(VectorInterleave.HIGH, f0).intoArray(dst, to + L);
    e1.rearrange(VectorInterleave.LOW, f1).intoArray(dst, to + 2 * L);
    e1.rearrange(VectorInterleave.HIGH, f1).intoArray(dst, to + 3 * L);
    e2.rearrange(VectorInterleave.LOW, f2).intoArray(dst, to + 4 * L);
    e2.rearrange(VectorInterleave.HIGH, f2).intoArray(dst, to + 5 * L);
    e3.rearrange(VectorInterleave.LOW, f3).intoArray(dst, to + 6 * L);
    e3.rearrange(VectorInterleave.HIGH, f3).intoArray(dst, to + 7 * L);
  }
}
