package bnlab.kernel;

import static bnlab.kernel.VectorWidth.L;
import static bnlab.kernel.VectorWidth.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

/**
 * The backward transforms of {@link Winograd}'s F(2×2, 3×3): dM = A dY Aᵀ per 2×2 tile of dY (in
 * the (16, K, T) layout for the input gradient and transposed, (16, T, K), for the weight
 * gradient's products), and dX = B dV Bᵀ added into the overlapping input patches through the
 * polyphase planes. Layouts, tile numbering and the width-independence rule (the same adds and
 * subtractions in every lane and tail) are {@link Winograd}'s.
 */
final class WinogradBackward {
  private WinogradBackward() {}

  /**
   * One image's dY (K, P, Q) at gOff into dM (16, K, ld) at dm[mOff + tile]: A dY Aᵀ per 2×2 tile
   * of dY, zero beyond the output's edges.
   */
  static void outputGrad(
      Winograd.Tiles t, float[] dy, int gOff, float[] dm, int mOff, int ld, float[] s) {
    if (t.byRows) {
      outputGradRows(t, dy, gOff, dm, mOff, ld);
    } else {
      outputGradPlanes(t, dy, gOff, dm, mOff, ld, s);
    }
  }

  /** {@link #outputGrad} through scratch runs: any geometry. */
  static void outputGradPlanes(
      Winograd.Tiles t, float[] dy, int gOff, float[] dm, int mOff, int ld, float[] s) {
    int ps = Winograd.planeStride(t.k, ld);
    int n = t.tilesP;
    int f = t.fourAt();
    for (int k = 0; k < t.k; k++) {
      gather(t, dy, gOff + k * t.p * t.q, s, f);
      int d = mOff + k * ld;
      aTransform(s, f, n, dm, d, ps);
    }
  }

  /**
   * {@link #outputGrad} for {@link Winograd.Tiles#byRows} geometries, the same values bit for bit:
   * a register's four runs D_pq (row p, column q of its tiles' 2×2 blocks of dY) are the even and
   * odd lanes of two dY rows (rows of L floats: rows 2i + p and 2i + 2 + p for tile rows i and i +
   * 1; else two halves of row 2i + p), taken by a lane shuffle rather than split through scratch.
   */
  static void outputGradRows(Winograd.Tiles t, float[] dy, int gOff, float[] dm, int mOff, int ld) {
    int ps = Winograd.planeStride(t.k, ld);
    int q = t.q;
    boolean pairs = q == L;
    // The second register of a shuffle: two rows further on, or the next L floats of the row.
    int second = pairs ? 2 * q : L;
    for (int k = 0; k < t.k; k++) {
      int yk = gOff + k * t.p * q;
      int d = mOff + k * ld;
      for (int j = 0; j < t.tilesP; j += L) {
        int at = yk + 2 * (j / t.tw) * q + 2 * (j % t.tw);
        FloatVector r0 = FloatVector.fromArray(S, dy, at);
        FloatVector r0b = FloatVector.fromArray(S, dy, at + second);
        FloatVector r1 = FloatVector.fromArray(S, dy, at + q);
        FloatVector r1b = FloatVector.fromArray(S, dy, at + q + second);
        FloatVector y00 = r0.rearrange(VectorInterleave.EVEN, r0b);
        FloatVector y01 = r0.rearrange(VectorInterleave.ODD, r0b);
        FloatVector y10 = r1.rearrange(VectorInterleave.EVEN, r1b);
        FloatVector y11 = r1.rearrange(VectorInterleave.ODD, r1b);
        // As aTransform: columns (y0, y0 + y1, y0 − y1, −y1) of each row, then A over the rows.
        int base = d + j;
        FloatVector p0 = y00;
        FloatVector q0 = y10;
        p0.intoArray(dm, base);
        p0.add(q0).intoArray(dm, base + 4 * ps);
        p0.sub(q0).intoArray(dm, base + 8 * ps);
        q0.neg().intoArray(dm, base + 12 * ps);
        FloatVector p1 = y00.add(y01);
        FloatVector q1 = y10.add(y11);
        p1.intoArray(dm, base + ps);
        p1.add(q1).intoArray(dm, base + 5 * ps);
        p1.sub(q1).intoArray(dm, base + 9 * ps);
        q1.neg().intoArray(dm, base + 13 * ps);
        FloatVector p2 = y00.sub(y01);
        FloatVector q2 = y10.sub(y11);
        p2.intoArray(dm, base + 2 * ps);
        p2.add(q2).intoArray(dm, base + 6 * ps);
        p2.sub(q2).intoArray(dm, base + 10 * ps);
        q2.neg().intoArray(dm, base + 14 * ps);
        FloatVector p3 = y01.neg();
        FloatVector q3 = y11.neg();
        p3.intoArray(dm, base + 3 * ps);
        p3.add(q3).intoArray(dm, base + 7 * ps);
        p3.sub(q3).intoArray(dm, base + 11 * ps);
        q3.neg().intoArray(dm, base + 15 * ps);
      }
    }
  }

  /**
   * As {@link #outputGrad} into the transposed layout dMᵀ (16, ld, K) at dmt[mOff + tile·K + k]
   * (what the weight gradient's products read as rows), vectorized over tiles × K.
   */
  static void outputGradT(
      Winograd.Tiles t, float[] dy, int gOff, float[] dmt, int mOff, int ld, float[] s) {
    int n = t.tilesP * t.k;
    int ps = Winograd.planeStride(t.k, ld);
    int f = t.gatherAt();
    int[] col = t.yColT;
    if (VectorInterleave.EIGHT && t.k % 8 == 0 && t.q % 8 == 0 && t.p % 2 == 0) {
      // Blocks of 8 channels × 8 columns transposed in registers; with P and Q even every element
      // of the runs is written, so they need no zeros first.
      for (int k0 = 0; k0 < t.k; k0 += 8) {
        int off = gOff + k0 * t.p * t.q;
        for (int r = 0; r < t.p; r++) {
          int dst = f + (r & 1) * 2 * n + (r >> 1) * t.pitch * t.k + k0;
          for (int c0 = 0; c0 < t.q; c0 += 8) {
            VectorInterleave.transpose8(dy, off + r * t.q, t.p * t.q, s, dst, col, c0);
          }
        }
      }
    } else {
      java.util.Arrays.fill(s, f, f + 4 * n, 0f);
      for (int k = 0; k < t.k; k++) {
        int off = gOff + k * t.p * t.q;
        for (int r = 0; r < t.p; r++) {
          int dst = f + (r & 1) * 2 * n + (r >> 1) * t.pitch * t.k + k;
          int src = off + r * t.q;
          for (int c = 0; c < t.q; c++) {
            s[dst + col[c]] = dy[src + c];
          }
        }
      }
    }
    aTransform(s, f, n, dmt, mOff, ps);
  }

  // The 4 runs D_pq[i·tw + j] = dy[2i + p][2j + q] of one plane at s[f], zero outside dY.
  private static void gather(Winograd.Tiles t, float[] dy, int off, float[] s, int f) {
    java.util.Arrays.fill(s, f, f + 4 * t.tilesP, 0f);
    for (int r = 0; r < t.p; r++) {
      int dst = f + (r & 1) * 2 * t.tilesP + (r >> 1) * t.pitch;
      int src = off + r * t.q;
      VectorInterleave.split(dy, src, t.q / 2, s, dst, dst + t.tilesP);
      if ((t.q & 1) != 0) {
        s[dst + t.q / 2] = dy[src + t.q - 1];
      }
    }
  }

  // Rows of A over (c0, c1): dM[0][b] = c0, dM[1][b] = c0 + c1, dM[2][b] = c0 − c1, dM[3][b] = −c1.
  private static void storeRows(float c0, float c1, float[] dm, int o, int ps, int b) {
    dm[o + b * ps] = c0;
    dm[o + (4 + b) * ps] = c0 + c1;
    dm[o + (8 + b) * ps] = c0 - c1;
    dm[o + (12 + b) * ps] = -c1;
  }

  /**
   * dV (16, C, ld) at dv[vOff + tile] into one image's dX (C, H, W) at xOff, overwritten: each
   * patch's B dV Bᵀ, added where patches overlap in a fixed order per element, padding dropped.
   */
  static void inputGrad(
      Winograd.Tiles t, float[] dv, int vOff, int ld, float[] dx, int xOff, float[] s) {
    inputGrad(t, dv, vOff, ld, dx, xOff, s, 0, t.c);
  }

  /** {@link #inputGrad} for input channels [from, to) only. */
  static void inputGrad(
      Winograd.Tiles t,
      float[] dv,
      int vOff,
      int ld,
      float[] dx,
      int xOff,
      float[] s,
      int from,
      int to) {
    if (t.byRows) {
      inputGradRows(t, dv, vOff, ld, dx, xOff, s, from, to);
    } else {
      inputGradPlanes(t, dv, vOff, ld, dx, xOff, s, from, to);
    }
  }

  /** {@link #inputGrad} through the polyphase planes: any geometry. */
  static void inputGradPlanes(
      Winograd.Tiles t,
      float[] dv,
      int vOff,
      int ld,
      float[] dx,
      int xOff,
      float[] s,
      int from,
      int to) {
    int ps = Winograd.planeStride(t.c, ld);
    int n = t.tilesP;
    int dd = t.sixteenAt();
    for (int ch = from; ch < to; ch++) {
      // Bᵀ's transpose over the rows: dh[a][b] = (dv0, dv1 − dv2 + dv3, dv1 + dv2 − dv0, −dv3).
      for (int b = 0; b < 4; b++) {
        adjoint(dv, vOff + ch * ld + b * ps, 4 * ps, s, dd + b * n, 4 * n, n);
      }
      // The same over the columns of each row (not in place: the last vector overlaps).
      for (int a = 0; a < 4; a++) {
        adjoint(s, dd + 4 * a * n, n, s, dd + (16 + 4 * a) * n, n, n);
      }
      accumulate(t, s, dd + 16 * n);
      depolyphase(t, s, dx, xOff + ch * t.h * t.w);
    }
  }

  // Lane i of the result is lane i + L/2 of a register, its upper half lanes of the second one.
  private static final VectorShuffle<Float> DOWN_HALF = downHalf();

  private static final VectorMask<Float> UPPER_HALF =
      VectorMask.fromLong(S, ((1L << L) - 1) & ~((1L << (L / 2)) - 1));
  private static final FloatVector PLUS_ZERO = FloatVector.zero(S);
  private static final FloatVector MINUS_ZERO = FloatVector.broadcast(S, -0f);

  private static VectorShuffle<Float> downHalf() {
    int[] idx = new int[L];
    for (int i = 0; i < L; i++) {
      idx[i] = i < L / 2 ? i + L / 2 : L + i;
    }
    return VectorShuffle.fromArray(S, idx, 0);
  }

  /**
   * {@link #inputGrad} for {@link Winograd.Tiles#byRows} geometries, the same values bit for bit.
   * Each register of tiles is transformed in registers (the 16 values dd[a][c] of B dV Bᵀ, with the
   * planes' order of adds) and its 16 runs are stored where the tiles lie in runs of pitch tw + 1,
   * one guard element before each tile row and a guard row before and after; then each dX row is
   * its four overlapping terms, (((T1 + T2) + T3) + T4) as the planes add them, read from the runs
   * at shifts of one tile or tile row, its even and odd columns interleaved. A term that has no
   * tile (at an edge) reads a guard: −0, which adds nothing to any value; but +0 for the first term
   * (runs a, c &lt; 2), where the planes start from a zero. The planes' version read every run into
   * the planes and back (one thread, AVX2, 64 channels of 8×8: 530 → 240 ns per channel and image;
   * 32 channels of 16×16: 780 → 590).
   */
  static void inputGradRows(
      Winograd.Tiles t,
      float[] dv,
      int vOff,
      int ld,
      float[] dx,
      int xOff,
      float[] s,
      int from,
      int to) {
    int ps = Winograd.planeStride(t.c, ld);
    int tw = t.tw;
    int tp = tw + 1;
    int w = t.w;
    int run = t.runRows();
    for (int a = 0; a < 4; a++) {
      for (int c = 0; c < 4; c++) {
        java.util.Arrays.fill(
            s, (4 * a + c) * run, (4 * a + c + 1) * run, a < 2 && c < 2 ? 0f : -0f);
      }
    }
    // With rows of L floats a register holds two tile rows, stored as two halves.
    boolean pairs = w == L;
    // A register is L tiles of a tile row, or two tile rows of L / 2.
    int rowsPer = pairs ? 2 : 1;
    for (int ch = from; ch < to; ch++) {
      int o = vOff + ch * ld;
      // Tile rows innermost and no division per register (the loop over j has one iteration at
      // rows of one or two registers).
      for (int j = 0; j < tw; j += L) {
        for (int i = 0; i < t.th; i += rowsPer) {
          int t0 = i * tw + j;
          int pos = (i + 1) * tp + j + 1;
          int at = o + t0;
          // Bᵀ's transpose over the rows, dh[a][b], as the planes' version computes it.
          FloatVector v00 = FloatVector.fromArray(S, dv, at);
          FloatVector v01 = FloatVector.fromArray(S, dv, at + ps);
          FloatVector v02 = FloatVector.fromArray(S, dv, at + 2 * ps);
          FloatVector v03 = FloatVector.fromArray(S, dv, at + 3 * ps);
          FloatVector v10 = FloatVector.fromArray(S, dv, at + 4 * ps);
          FloatVector v11 = FloatVector.fromArray(S, dv, at + 5 * ps);
          FloatVector v12 = FloatVector.fromArray(S, dv, at + 6 * ps);
          FloatVector v13 = FloatVector.fromArray(S, dv, at + 7 * ps);
          FloatVector v20 = FloatVector.fromArray(S, dv, at + 8 * ps);
          FloatVector v21 = FloatVector.fromArray(S, dv, at + 9 * ps);
          FloatVector v22 = FloatVector.fromArray(S, dv, at + 10 * ps);
          FloatVector v23 = FloatVector.fromArray(S, dv, at + 11 * ps);
          FloatVector v30 = FloatVector.fromArray(S, dv, at + 12 * ps);
          FloatVector v31 = FloatVector.fromArray(S, dv, at + 13 * ps);
          FloatVector v32 = FloatVector.fromArray(S, dv, at + 14 * ps);
          FloatVector v33 = FloatVector.fromArray(S, dv, at + 15 * ps);
          for (int a = 0; a < 4; a++) {
            FloatVector u0;
            FloatVector u1;
            FloatVector u2;
            FloatVector u3;
            if (a == 0) {
              u0 = v00;
              u1 = v01;
              u2 = v02;
              u3 = v03;
            } else if (a == 1) {
              u0 = v10.sub(v20).add(v30);
              u1 = v11.sub(v21).add(v31);
              u2 = v12.sub(v22).add(v32);
              u3 = v13.sub(v23).add(v33);
            } else if (a == 2) {
              u0 = v10.add(v20).sub(v00);
              u1 = v11.add(v21).sub(v01);
              u2 = v12.add(v22).sub(v02);
              u3 = v13.add(v23).sub(v03);
            } else {
              u0 = v30.neg();
              u1 = v31.neg();
              u2 = v32.neg();
              u3 = v33.neg();
            }
            // The same over the columns: dd[a][c].
            FloatVector d0 = u0;
            FloatVector d1 = u1.sub(u2).add(u3);
            FloatVector d2 = u1.add(u2).sub(u0);
            FloatVector d3 = u3.neg();
            int r0 = 4 * a * run + pos;
            FloatVector first = a < 2 ? PLUS_ZERO : MINUS_ZERO;
            if (pairs) {
              // The first half with guards after its tile row (where the second half goes next).
              d0.blend(first, UPPER_HALF).intoArray(s, r0);
              d0.rearrange(DOWN_HALF, first).intoArray(s, r0 + tp);
              d1.blend(first, UPPER_HALF).intoArray(s, r0 + run);
              d1.rearrange(DOWN_HALF, first).intoArray(s, r0 + run + tp);
              d2.blend(MINUS_ZERO, UPPER_HALF).intoArray(s, r0 + 2 * run);
              d2.rearrange(DOWN_HALF, MINUS_ZERO).intoArray(s, r0 + 2 * run + tp);
              d3.blend(MINUS_ZERO, UPPER_HALF).intoArray(s, r0 + 3 * run);
              d3.rearrange(DOWN_HALF, MINUS_ZERO).intoArray(s, r0 + 3 * run + tp);
            } else {
              d0.intoArray(s, r0);
              d1.intoArray(s, r0 + run);
              d2.intoArray(s, r0 + 2 * run);
              d3.intoArray(s, r0 + 3 * run);
            }
          }
        }
      }
      // dX row r is padded row r + 1: parity p, tile row i. Its column 2j is padded column 2j + 1
      // (tile j's column 1, tile j − 1's column 3), column 2j + 1 padded 2j + 2 (tile j + 1's 0,
      // tile j's 2); rows p + 2 of tile row i − 1 after those of rows p of tile row i.
      // Rows innermost: with rows of one or two registers the loop over j has one iteration, and
      // C2 checks a loop's ranges once per entry.
      int xo = xOff + ch * t.h * w;
      for (int j = 0; j < tw; j += L) {
        for (int r = 0; r < t.h; r++) {
          int p = (r + 1) & 1;
          int cur = ((r + 1) / 2 + 1) * tp;
          int up = cur - tp;
          int a0 = 4 * p * run + cur;
          int a2 = 4 * (p + 2) * run + up;
          FloatVector even =
              FloatVector.fromArray(S, s, a0 + run + j + 1)
                  .add(FloatVector.fromArray(S, s, a0 + 3 * run + j))
                  .add(FloatVector.fromArray(S, s, a2 + run + j + 1))
                  .add(FloatVector.fromArray(S, s, a2 + 3 * run + j));
          FloatVector odd =
              FloatVector.fromArray(S, s, a0 + j + 2)
                  .add(FloatVector.fromArray(S, s, a0 + 2 * run + j + 1))
                  .add(FloatVector.fromArray(S, s, a2 + j + 2))
                  .add(FloatVector.fromArray(S, s, a2 + 2 * run + j + 1));
          even.rearrange(VectorInterleave.LOW, odd).intoArray(dx, xo + r * w + 2 * j);
          if (!pairs) {
            even.rearrange(VectorInterleave.HIGH, odd).intoArray(dx, xo + r * w + 2 * j + L);
          }
        }
      }
    }
  }

  // (v0, v1, v2, v3) at src + k·step -> (v0, v1 − v2 + v3, v1 + v2 − v0, −v3) at dst + k·dstep,
  // over n elements.
  private static void adjoint(float[] src, int so, int step, float[] dst, int d, int dstep, int n) {
    int i = 0;
    for (; n >= L && i < n; i += L) {
      int j = Math.min(i, n - L);
      FloatVector v0 = FloatVector.fromArray(S, src, so + j);
      FloatVector v1 = FloatVector.fromArray(S, src, so + step + j);
      FloatVector v2 = FloatVector.fromArray(S, src, so + 2 * step + j);
      FloatVector v3 = FloatVector.fromArray(S, src, so + 3 * step + j);
      v0.intoArray(dst, d + j);
      v1.sub(v2).add(v3).intoArray(dst, d + dstep + j);
      v1.add(v2).sub(v0).intoArray(dst, d + 2 * dstep + j);
      v3.neg().intoArray(dst, d + 3 * dstep + j);
    }
    for (; i < n; i++) {
      float v0 = src[so + i];
      float v1 = src[so + step + i];
      float v2 = src[so + 2 * step + i];
      float v3 = src[so + 3 * step + i];
      dst[d + i] = v0;
      dst[d + dstep + i] = v1 - v2 + v3;
      dst[d + 2 * dstep + i] = v1 + v2 - v0;
      dst[d + 3 * dstep + i] = -v3;
    }
  }

  // Polyphase plane (p, q) (pitch tp) = dd[p][q] + dd[p][q+2] one tile left + dd[p+2][q] one tile
  // row up + dd[p+2][q+2], added in that order for every element: four whole passes, each putting
  // a run of tiles (pitch tw) where its tiles' patches lie, so the order depends neither on the
  // vector width nor on the runs' pitch.
  static void accumulate(Winograd.Tiles t, float[] s, int dd) {
    if (t.place != null) {
      accumulatePlaced(t, s, dd);
    } else {
      accumulateRuns(t, s, dd);
    }
  }

  /** {@link #accumulate} by stores of the runs into the planes: any geometry. */
  static void accumulateRuns(Winograd.Tiles t, float[] s, int dd) {
    int n = t.tilesP;
    int tw = t.pitch;
    int segs = Winograd.segments(tw);
    for (int p = 0; p < 2; p++) {
      for (int q = 0; q < 2; q++) {
        int g = (2 * p + q) * t.plane;
        java.util.Arrays.fill(s, g, g + t.plane, 0f);
        put(t, s, dd + (4 * p + q) * n, g, segs, false);
        put(t, s, dd + (4 * p + q + 2) * n, g + 1, segs, true);
        put(t, s, dd + (4 * (p + 2) + q) * n, g + t.tp, segs, true);
        put(t, s, dd + (4 * (p + 2) + q + 2) * n, g + t.tp + 1, segs, true);
      }
    }
  }

  /**
   * {@link #accumulate} where an image's tiles fit one register and a plane two ({@link
   * Winograd.Tiles#place}), the same values bit for bit: each plane register is its four runs'
   * registers permuted into place and added, (((T1 + T2) + T3) + T4), with +0 where the first run
   * has no tile (the planes start from a zero) and −0 where another has none (which adds nothing).
   * Storing each run into the plane takes one masked store per tile row, each reading back what the
   * one before it wrote a float further on; those reloads cannot be forwarded from the store in
   * flight and took a fifth of resnet20's 64→64 layer at 512 bits (8×8 images, 4 tile rows per
   * register; one thread, Zen 5, JDK 25).
   */
  static void accumulatePlaced(Winograd.Tiles t, float[] s, int dd) {
    int n = t.tilesP;
    Winograd.Placement pl = t.place;
    for (int p = 0; p < 2; p++) {
      for (int q = 0; q < 2; q++) {
        int g = (2 * p + q) * t.plane;
        FloatVector r0 = FloatVector.fromArray(S, s, dd + (4 * p + q) * n);
        FloatVector r1 = FloatVector.fromArray(S, s, dd + (4 * p + q + 2) * n);
        FloatVector r2 = FloatVector.fromArray(S, s, dd + (4 * (p + 2) + q) * n);
        FloatVector r3 = FloatVector.fromArray(S, s, dd + (4 * (p + 2) + q + 2) * n);
        for (int r = 0; r < pl.regs; r++) {
          FloatVector v =
              r0.rearrange(pl.shuffles[r])
                  .blend(PLUS_ZERO, pl.holes[r])
                  .add(r1.rearrange(pl.shuffles[2 + r]).blend(MINUS_ZERO, pl.holes[2 + r]))
                  .add(r2.rearrange(pl.shuffles[4 + r]).blend(MINUS_ZERO, pl.holes[4 + r]))
                  .add(r3.rearrange(pl.shuffles[6 + r]).blend(MINUS_ZERO, pl.holes[6 + r]));
          if (r == pl.regs - 1) {
            v.intoArray(s, g + r * L, pl.last);
          } else {
            v.intoArray(s, g + r * L);
          }
        }
      }
    }
  }

  // Plane at s[g] (pitch tw + 1) = or += the run of tiles at s[d] (pitch tw).
  private static void put(Winograd.Tiles t, float[] s, int d, int g, int segs, boolean add) {
    int n = t.tilesP;
    int tw = t.pitch;
    int i = 0;
    if (segs > 0) {
      for (int bound = S.loopBound(n); i < bound; i += L) {
        Winograd.storeTiles(s, g, i, tw, segs, d, add);
      }
    }
    for (; i < n; i++) {
      int e = g + i + i / tw;
      s[e] = add ? s[e] + s[d + i] : s[d + i];
    }
  }

  // dX (H, W) at off from the polyphase planes of the padded image's gradient.
  private static void depolyphase(Winograd.Tiles t, float[] s, float[] dx, int off) {
    for (int r = 0; r < t.h; r++) {
      int pr = r + t.g.padH();
      int src = 2 * (pr & 1) * t.plane + (pr >> 1) * t.tp;
      // Column c is padded column pw + c: even columns read one parity's plane, odd ones the other.
      int pw = t.g.padW();
      int even = src + (pw & 1) * t.plane + (pw >> 1);
      int odd = src + ((pw + 1) & 1) * t.plane + ((pw + 1) >> 1);
      VectorInterleave.merge(s, even, s, odd, dx, off + r * t.w, t.w);
    }
  }

  /**
   * dM = A·dY·Aᵀ for n tiles side by side: the 2×2 output gradients at s[f + r·n + i] (r = 0..3)
   * become 16 transformed values at out[base + i + ξ·ps].
   */
  private static void aTransform(float[] s, int f, int n, float[] out, int base, int ps) {
    int i = 0;
    for (; i < n; i += L) {
      int j = Math.min(i, n - L); // the last vector overlaps the one before; n < L: the tail
      if (j < 0) {
        break;
      }
      FloatVector y00 = FloatVector.fromArray(S, s, f + j);
      FloatVector y01 = FloatVector.fromArray(S, s, f + n + j);
      FloatVector y10 = FloatVector.fromArray(S, s, f + 2 * n + j);
      FloatVector y11 = FloatVector.fromArray(S, s, f + 3 * n + j);
      // Columns (y0, y0 + y1, y0 − y1, −y1) of each row, then A over the two rows; written out
      // (a vector passed to a call the JIT does not inline is boxed).
      FloatVector p0 = y00;
      FloatVector q0 = y10;
      p0.intoArray(out, base + j + 0 * ps);
      p0.add(q0).intoArray(out, base + j + 4 * ps);
      p0.sub(q0).intoArray(out, base + j + 8 * ps);
      q0.neg().intoArray(out, base + j + 12 * ps);
      FloatVector p1 = y00.add(y01);
      FloatVector q1 = y10.add(y11);
      p1.intoArray(out, base + j + 1 * ps);
      p1.add(q1).intoArray(out, base + j + 5 * ps);
      p1.sub(q1).intoArray(out, base + j + 9 * ps);
      q1.neg().intoArray(out, base + j + 13 * ps);
      FloatVector p2 = y00.sub(y01);
      FloatVector q2 = y10.sub(y11);
      p2.intoArray(out, base + j + 2 * ps);
      p2.add(q2).intoArray(out, base + j + 6 * ps);
      p2.sub(q2).intoArray(out, base + j + 10 * ps);
      q2.neg().intoArray(out, base + j + 14 * ps);
      FloatVector p3 = y01.neg();
      FloatVector q3 = y11.neg();
      p3.intoArray(out, base + j + 3 * ps);
      p3.add(q3).intoArray(out, base + j + 7 * ps);
      p3.sub(q3).intoArray(out, base + j + 11 * ps);
      q3.neg().intoArray(out, base + j + 15 * ps);
    }
    for (; i < n; i++) {
      float y00 = s[f + i];
      float y01 = s[f + n + i];
      float y10 = s[f + 2 * n + i];
      float y11 = s[f + 3 * n + i];
      storeRows(y00, y10, out, base + i, ps, 0);
      storeRows(y00 + y01, y10 + y11, out, base + i, ps, 1);
      storeRows(y00 - y01, y10 - y11, out, base + i, ps, 2);
      storeRows(-y01, -y11, out, base + i, ps, 3);
    }
  }
}
