package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Even/odd splits and merges of float runs, the data movement of Winograd's polyphase planes
 * ({@link Winograd}, {@link WinogradBackward}): a stride-2 gather or scatter that the JIT does not
 * vectorize by itself, done here as two vector loads and two lane permutations per 2·L floats.
 *
 * <p>Only values move, so the results are the same at every width. The species is the kernels'
 * ({@link VectorWidth#S}). With 512-bit vectors a run then needs 16 pairs, and a 16×16 image's tile
 * rows (9 tiles) take the scalar loop; a 256-bit species there would vectorize them (measured in
 * isolation, 17 tile pairs, JDK 25, Xeon family 6 model 207 under -XX:UseAVX=2: 0.5 ns per pair
 * against 0.95 for the scalar loop), but a second float species in the process can cost every other
 * kernel its intrinsics (see {@link VectorWidth#S}).
 */
final class VectorInterleave {
  private VectorInterleave() {}

  static final VectorSpecies<Float> M = VectorWidth.S;

  static final int N = M.length();

  // Lane i of the result takes lane 2i (or 2i + 1) of the pair (a, b): an index ≥ N is lane
  // index − N of b.
  static final VectorShuffle<Float> EVEN = shuffle(0, 2);
  static final VectorShuffle<Float> ODD = shuffle(1, 2);

  // Lane 2i of the result is a[i] (LOW) or a[N/2 + i] (HIGH), lane 2i + 1 the same lane of b.
  static final VectorShuffle<Float> LOW = merge(0);
  static final VectorShuffle<Float> HIGH = merge(N / 2);

  // Lanes i < N/2 take lane 2i, the others lane 2(i − N/2) + 1: a vector's evens, then its odds.
  private static final VectorShuffle<Float> EVENS_ODDS =
      VectorShuffle.fromOp(M, i -> i < N / 2 ? 2 * i : 2 * (i - N / 2) + 1);
  private static final VectorMask<Float> LOWER_HALF = M.indexInRange(0, N / 2);
  private static final VectorMask<Float> UPPER_HALF = LOWER_HALF.not();

  private static VectorShuffle<Float> shuffle(int first, int step) {
    int[] idx = new int[N];
    for (int i = 0; i < N; i++) {
      idx[i] = first + step * i;
    }
    return VectorShuffle.fromArray(M, idx, 0);
  }

  private static VectorShuffle<Float> merge(int from) {
    int[] idx = new int[N];
    for (int i = 0; i < N / 2; i++) {
      idx[2 * i] = from + i;
      idx[2 * i + 1] = N + from + i;
    }
    return VectorShuffle.fromArray(M, idx, 0);
  }

  /** Whether {@link #transpose8} runs here: registers of 8 floats. */
  static final boolean EIGHT = N == 8;

  /** Whether {@link #transpose16} runs here: registers of 16 floats. */
  static final boolean SIXTEEN = N == 16;

  // Round h of the 8×8 transpose: lane l of the first result is a[l] where bit h of l is clear,
  // else b[l − h]; of the second, a[l + h] where it is clear, else b[l].
  private static final VectorShuffle<Float> T1_LO = exchange(1, false);
  private static final VectorShuffle<Float> T1_HI = exchange(1, true);
  private static final VectorShuffle<Float> T2_LO = exchange(2, false);
  private static final VectorShuffle<Float> T2_HI = exchange(2, true);
  private static final VectorShuffle<Float> T4_LO = exchange(4, false);
  private static final VectorShuffle<Float> T4_HI = exchange(4, true);
  private static final VectorShuffle<Float> T8_LO = exchange(8, false);
  private static final VectorShuffle<Float> T8_HI = exchange(8, true);

  private static VectorShuffle<Float> exchange(int h, boolean high) {
    int[] idx = new int[N];
    for (int l = 0; l < N; l++) {
      boolean set = (l & h) != 0;
      idx[l] = high ? (set ? N + l : l + h) : (set ? N + l - h : l);
    }
    // Where the lanes are fewer than 2·h the indices are not used (no transpose of that size
    // runs), only valid.
    for (int l = 0; l < N; l++) {
      idx[l] = Math.floorMod(idx[l], 2 * N);
    }
    return VectorShuffle.fromArray(M, idx, 0);
  }

  /**
   * dst[base + col[c0 + c] + i] = src[s + i·stride + c0 + c] for i, c &lt; 8: an 8×8 block, rows of
   * src to runs of dst, transposed in registers by three rounds of lane exchanges between pairs of
   * rows (bit h of the row and of the lane swapped in round h). Only with 8 lanes ({@link #EIGHT}).
   */
  static void transpose8(float[] src, int s, int stride, float[] dst, int base, int[] col, int c0) {
    FloatVector r0 = FloatVector.fromArray(M, src, s + c0);
    FloatVector r1 = FloatVector.fromArray(M, src, s + stride + c0);
    FloatVector r2 = FloatVector.fromArray(M, src, s + 2 * stride + c0);
    FloatVector r3 = FloatVector.fromArray(M, src, s + 3 * stride + c0);
    FloatVector r4 = FloatVector.fromArray(M, src, s + 4 * stride + c0);
    FloatVector r5 = FloatVector.fromArray(M, src, s + 5 * stride + c0);
    FloatVector r6 = FloatVector.fromArray(M, src, s + 6 * stride + c0);
    FloatVector r7 = FloatVector.fromArray(M, src, s + 7 * stride + c0);
    FloatVector t0 = r0.rearrange(T4_LO, r4);
    FloatVector t4 = r0.rearrange(T4_HI, r4);
    FloatVector t1 = r1.rearrange(T4_LO, r5);
    FloatVector t5 = r1.rearrange(T4_HI, r5);
    FloatVector t2 = r2.rearrange(T4_LO, r6);
    FloatVector t6 = r2.rearrange(T4_HI, r6);
    FloatVector t3 = r3.rearrange(T4_LO, r7);
    FloatVector t7 = r3.rearrange(T4_HI, r7);
    r0 = t0.rearrange(T2_LO, t2);
    r2 = t0.rearrange(T2_HI, t2);
    r1 = t1.rearrange(T2_LO, t3);
    r3 = t1.rearrange(T2_HI, t3);
    r4 = t4.rearrange(T2_LO, t6);
    r6 = t4.rearrange(T2_HI, t6);
    r5 = t5.rearrange(T2_LO, t7);
    r7 = t5.rearrange(T2_HI, t7);
    r0.rearrange(T1_LO, r1).intoArray(dst, base + col[c0]);
    r0.rearrange(T1_HI, r1).intoArray(dst, base + col[c0 + 1]);
    r2.rearrange(T1_LO, r3).intoArray(dst, base + col[c0 + 2]);
    r2.rearrange(T1_HI, r3).intoArray(dst, base + col[c0 + 3]);
    r4.rearrange(T1_LO, r5).intoArray(dst, base + col[c0 + 4]);
    r4.rearrange(T1_HI, r5).intoArray(dst, base + col[c0 + 5]);
    r6.rearrange(T1_LO, r7).intoArray(dst, base + col[c0 + 6]);
    r6.rearrange(T1_HI, r7).intoArray(dst, base + col[c0 + 7]);
  }

  /**
   * dst[base + col[c0 + c] + i] = src[s + i·stride + c0 + c] for i, c &lt; 16: {@link #transpose8}
   * with 16 lanes, four rounds of lane exchanges. Only with 16 lanes ({@link #SIXTEEN}); its 16
   * rows and 16 results stay in registers where there are 32.
   */
  static void transpose16(
      float[] src, int s, int stride, float[] dst, int base, int[] col, int c0) {
    FloatVector r0 = FloatVector.fromArray(M, src, s + c0);
    FloatVector r1 = FloatVector.fromArray(M, src, s + stride + c0);
    FloatVector r2 = FloatVector.fromArray(M, src, s + 2 * stride + c0);
    FloatVector r3 = FloatVector.fromArray(M, src, s + 3 * stride + c0);
    FloatVector r4 = FloatVector.fromArray(M, src, s + 4 * stride + c0);
    FloatVector r5 = FloatVector.fromArray(M, src, s + 5 * stride + c0);
    FloatVector r6 = FloatVector.fromArray(M, src, s + 6 * stride + c0);
    FloatVector r7 = FloatVector.fromArray(M, src, s + 7 * stride + c0);
    FloatVector r8 = FloatVector.fromArray(M, src, s + 8 * stride + c0);
    FloatVector r9 = FloatVector.fromArray(M, src, s + 9 * stride + c0);
    FloatVector r10 = FloatVector.fromArray(M, src, s + 10 * stride + c0);
    FloatVector r11 = FloatVector.fromArray(M, src, s + 11 * stride + c0);
    FloatVector r12 = FloatVector.fromArray(M, src, s + 12 * stride + c0);
    FloatVector r13 = FloatVector.fromArray(M, src, s + 13 * stride + c0);
    FloatVector r14 = FloatVector.fromArray(M, src, s + 14 * stride + c0);
    FloatVector r15 = FloatVector.fromArray(M, src, s + 15 * stride + c0);
    FloatVector t0 = r0.rearrange(T8_LO, r8);
    FloatVector t8 = r0.rearrange(T8_HI, r8);
    FloatVector t1 = r1.rearrange(T8_LO, r9);
    FloatVector t9 = r1.rearrange(T8_HI, r9);
    FloatVector t2 = r2.rearrange(T8_LO, r10);
    FloatVector t10 = r2.rearrange(T8_HI, r10);
    FloatVector t3 = r3.rearrange(T8_LO, r11);
    FloatVector t11 = r3.rearrange(T8_HI, r11);
    FloatVector t4 = r4.rearrange(T8_LO, r12);
    FloatVector t12 = r4.rearrange(T8_HI, r12);
    FloatVector t5 = r5.rearrange(T8_LO, r13);
    FloatVector t13 = r5.rearrange(T8_HI, r13);
    FloatVector t6 = r6.rearrange(T8_LO, r14);
    FloatVector t14 = r6.rearrange(T8_HI, r14);
    FloatVector t7 = r7.rearrange(T8_LO, r15);
    FloatVector t15 = r7.rearrange(T8_HI, r15);
    r0 = t0.rearrange(T4_LO, t4);
    r4 = t0.rearrange(T4_HI, t4);
    r1 = t1.rearrange(T4_LO, t5);
    r5 = t1.rearrange(T4_HI, t5);
    r2 = t2.rearrange(T4_LO, t6);
    r6 = t2.rearrange(T4_HI, t6);
    r3 = t3.rearrange(T4_LO, t7);
    r7 = t3.rearrange(T4_HI, t7);
    r8 = t8.rearrange(T4_LO, t12);
    r12 = t8.rearrange(T4_HI, t12);
    r9 = t9.rearrange(T4_LO, t13);
    r13 = t9.rearrange(T4_HI, t13);
    r10 = t10.rearrange(T4_LO, t14);
    r14 = t10.rearrange(T4_HI, t14);
    r11 = t11.rearrange(T4_LO, t15);
    r15 = t11.rearrange(T4_HI, t15);
    t0 = r0.rearrange(T2_LO, r2);
    t2 = r0.rearrange(T2_HI, r2);
    t1 = r1.rearrange(T2_LO, r3);
    t3 = r1.rearrange(T2_HI, r3);
    t4 = r4.rearrange(T2_LO, r6);
    t6 = r4.rearrange(T2_HI, r6);
    t5 = r5.rearrange(T2_LO, r7);
    t7 = r5.rearrange(T2_HI, r7);
    t8 = r8.rearrange(T2_LO, r10);
    t10 = r8.rearrange(T2_HI, r10);
    t9 = r9.rearrange(T2_LO, r11);
    t11 = r9.rearrange(T2_HI, r11);
    t12 = r12.rearrange(T2_LO, r14);
    t14 = r12.rearrange(T2_HI, r14);
    t13 = r13.rearrange(T2_LO, r15);
    t15 = r13.rearrange(T2_HI, r15);
    t0.rearrange(T1_LO, t1).intoArray(dst, base + col[c0 + 0]);
    t0.rearrange(T1_HI, t1).intoArray(dst, base + col[c0 + 1]);
    t2.rearrange(T1_LO, t3).intoArray(dst, base + col[c0 + 2]);
    t2.rearrange(T1_HI, t3).intoArray(dst, base + col[c0 + 3]);
    t4.rearrange(T1_LO, t5).intoArray(dst, base + col[c0 + 4]);
    t4.rearrange(T1_HI, t5).intoArray(dst, base + col[c0 + 5]);
    t6.rearrange(T1_LO, t7).intoArray(dst, base + col[c0 + 6]);
    t6.rearrange(T1_HI, t7).intoArray(dst, base + col[c0 + 7]);
    t8.rearrange(T1_LO, t9).intoArray(dst, base + col[c0 + 8]);
    t8.rearrange(T1_HI, t9).intoArray(dst, base + col[c0 + 9]);
    t10.rearrange(T1_LO, t11).intoArray(dst, base + col[c0 + 10]);
    t10.rearrange(T1_HI, t11).intoArray(dst, base + col[c0 + 11]);
    t12.rearrange(T1_LO, t13).intoArray(dst, base + col[c0 + 12]);
    t12.rearrange(T1_HI, t13).intoArray(dst, base + col[c0 + 13]);
    t14.rearrange(T1_LO, t15).intoArray(dst, base + col[c0 + 14]);
    t14.rearrange(T1_HI, t15).intoArray(dst, base + col[c0 + 15]);
  }

  /**
   * even[e + j] = src[s + 2j], odd[o + j] = src[s + 2j + 1] for j &lt; pairs. The source run must
   * not overlap the destinations.
   */
  static void split(float[] src, int s, int pairs, float[] dst, int even, int odd) {
    if (2 * pairs == N && N >= 4) {
      // One vector (a stride-2 convolution's 16-wide rows at 512 bits): its evens to the lower
      // lanes, odds to the upper, each half stored under a mask.
      FloatVector v = FloatVector.fromArray(M, src, s).rearrange(EVENS_ODDS);
      v.intoArray(dst, even, LOWER_HALF);
      v.intoArray(dst, odd - N / 2, UPPER_HALF);
      return;
    }
    int j = 0;
    if (pairs >= N) {
      for (int i = 0; i < pairs; i += N) {
        j = Math.min(i, pairs - N); // the last vector overlaps the one before: same values
        FloatVector a = FloatVector.fromArray(M, src, s + 2 * j);
        FloatVector b = FloatVector.fromArray(M, src, s + 2 * j + N);
        a.rearrange(EVEN, b).intoArray(dst, even + j);
        a.rearrange(ODD, b).intoArray(dst, odd + j);
      }
      return;
    }
    for (; j < pairs; j++) {
      dst[even + j] = src[s + 2 * j];
      dst[odd + j] = src[s + 2 * j + 1];
    }
  }

  /**
   * dst[d + c] = a[ao + c/2] for even c, b[bo + c/2] for odd c, c &lt; n. The sources must not
   * overlap the destination.
   */
  static void merge(float[] a, int ao, float[] b, int bo, float[] dst, int d, int n) {
    int pairs = n / 2;
    if (n == N && ao + N <= a.length && bo + N <= b.length) {
      // One vector: the lower halves of two loads interleaved.
      FloatVector va = FloatVector.fromArray(M, a, ao);
      va.rearrange(LOW, FloatVector.fromArray(M, b, bo)).intoArray(dst, d);
      return;
    }
    if (pairs >= N) {
      for (int i = 0; i < pairs; i += N) {
        int j = Math.min(i, pairs - N);
        FloatVector va = FloatVector.fromArray(M, a, ao + j);
        FloatVector vb = FloatVector.fromArray(M, b, bo + j);
        va.rearrange(LOW, vb).intoArray(dst, d + 2 * j);
        va.rearrange(HIGH, vb).intoArray(dst, d + 2 * j + N);
      }
    } else {
      for (int j = 0; j < pairs; j++) {
        dst[d + 2 * j] = a[ao + j];
        dst[d + 2 * j + 1] = b[bo + j];
      }
    }
    if ((n & 1) != 0) {
      dst[d + n - 1] = a[ao + pairs];
    }
  }

  /**
   * dst[d + j] = src[s + 2j] for j &lt; n (a stride-2 gather), reading src below {@code limit}
   * only: a vector reads the odd element after its last even one, so near the limit the rest goes
   * element by element.
   */
  static void evens(float[] src, int s, int n, float[] dst, int d, int limit) {
    int j = 0;
    if (n >= N) {
      for (int i = 0; i < n; i += N) {
        int at = Math.min(i, n - N); // the last vector overlaps the one before: same values
        if (s + 2 * at + 2 * N > limit) {
          break;
        }
        FloatVector a = FloatVector.fromArray(M, src, s + 2 * at);
        FloatVector b = FloatVector.fromArray(M, src, s + 2 * at + N);
        a.rearrange(EVEN, b).intoArray(dst, d + at);
        j = at + N;
      }
    }
    for (; j < n; j++) {
      dst[d + j] = src[s + 2 * j];
    }
  }

  /**
   * dst[d + 2j] += src[s + j] for j &lt; n (a stride-2 scatter-add), the odd elements between them
   * written back unchanged; dst is touched below {@code limit} only (the caller's own region:
   * another thread may own what follows). Each element gets the one addition the scalar loop gives
   * it, so the results are the same bits.
   */
  static void addIntoEvens(float[] src, int s, float[] dst, int d, int n, int limit) {
    int j = 0;
    for (; j + N <= n && d + 2 * j + 2 * N <= limit; j += N) {
      FloatVector a = FloatVector.fromArray(M, dst, d + 2 * j);
      FloatVector b = FloatVector.fromArray(M, dst, d + 2 * j + N);
      FloatVector even = a.rearrange(EVEN, b).add(FloatVector.fromArray(M, src, s + j));
      FloatVector odd = a.rearrange(ODD, b);
      even.rearrange(LOW, odd).intoArray(dst, d + 2 * j);
      even.rearrange(HIGH, odd).intoArray(dst, d + 2 * j + N);
    }
    for (; j < n; j++) {
      dst[d + 2 * j] += src[s + j];
    }
  }

  // ---- stride 4: F(4×4)'s polyphase planes -------------------------------------------------

  // Lane k < N/2 of phase q's vector takes lane q + 4k of the pair (a, b); the upper half is
  // blended to zero.
  private static final VectorShuffle<Float> QUARTER0 = quarter(0);
  private static final VectorShuffle<Float> QUARTER1 = quarter(1);
  private static final VectorShuffle<Float> QUARTER2 = quarter(2);
  private static final VectorShuffle<Float> QUARTER3 = quarter(3);
  private static final VectorMask<Float> UPPER = upper();

  // Lane c of the low (high) output takes lane c/4 (N/4 + c/4) of phase c mod 4, from the pair
  // (phases 0 and 1 interleaved, phases 2 and 3 interleaved).
  private static final VectorShuffle<Float> MERGE4_LOW = merge4(0);
  private static final VectorShuffle<Float> MERGE4_HIGH = merge4(N / 2);

  private static VectorShuffle<Float> quarter(int p) {
    int[] idx = new int[N];
    for (int k = 0; k < N / 2; k++) {
      idx[k] = p + 4 * k;
    }
    return VectorShuffle.fromArray(M, idx, 0);
  }

  private static VectorMask<Float> upper() {
    boolean[] bits = new boolean[N];
    for (int i = N / 2; i < N; i++) {
      bits[i] = true;
    }
    return VectorMask.fromArray(M, bits, 0);
  }

  private static VectorShuffle<Float> merge4(int from) {
    int[] idx = new int[N];
    for (int c = 0; c < N; c++) {
      idx[c] = from + 2 * (c >> 2) + (c & 1) + ((c & 2) != 0 ? N : 0);
    }
    return VectorShuffle.fromArray(M, idx, 0);
  }

  /** Whether {@link #split4} and {@link #merge4Rows} take runs of n: whole pairs of vectors. */
  static boolean quads(int n) {
    return n % (2 * N) == 0;
  }

  /**
   * dst[d_q + j] = src[s + 4j + q] for j &lt; n/4, q = 0..3 (a stride-4 gather into four runs); n
   * must be a multiple of 2N ({@link #quads}). Each vector store also writes N/2 zeros after its
   * values, which the next store of the run overwrites: after the last one N/2 floats past each run
   * are zero, so the caller writes runs in increasing order and leaves that much room before
   * anything it keeps. The source must not overlap the destinations.
   */
  static void split4(float[] src, int s, int n, float[] dst, int d0, int d1, int d2, int d3) {
    for (int i = 0, o = 0; i < n; i += 2 * N, o += N / 2) {
      FloatVector a = FloatVector.fromArray(M, src, s + i);
      FloatVector b = FloatVector.fromArray(M, src, s + i + N);
      a.rearrange(QUARTER0, b).blend(0f, UPPER).intoArray(dst, d0 + o);
      a.rearrange(QUARTER1, b).blend(0f, UPPER).intoArray(dst, d1 + o);
      a.rearrange(QUARTER2, b).blend(0f, UPPER).intoArray(dst, d2 + o);
      a.rearrange(QUARTER3, b).blend(0f, UPPER).intoArray(dst, d3 + o);
    }
  }

  /**
   * The stride-4 scatter from four runs (the inverse of {@link #split4}) for the rows of a plane
   * kept as polyphase runs: dst[d + r·n + 4j + q] = src[b_r + c_q + j] for j &lt; n/4, q = 0..3,
   * rows r &lt; rows, with b_r = base + 4·(pr mod 4)·phase + (pr / 4)·pitch and pr = pr0 + r; n
   * must be a multiple of 2N. Reads N/2 floats past each run's n/4, which must be inside the array.
   * The sources must not overlap the destination. Blocks of 2N columns outermost and rows
   * innermost, in one call per plane: with a call per row and a loop of n / 2N iterations (2 for 32
   * floats at 256 bits) C2's range checks and loop set-up at each call cost about as much as the
   * moves (F(4×4)'s output transform and input gradient at 32×32, one thread, AVX2: 1.33–1.36×
   * faster in all).
   */
  static void merge4Rows(
      float[] src,
      int base,
      int phase,
      int pitch,
      int pr0,
      int c0,
      int c1,
      int c2,
      int c3,
      float[] dst,
      int d,
      int n,
      int rows) {
    for (int i = 0, o = 0; i < n; i += 2 * N, o += N / 2) {
      for (int r = 0; r < rows; r++) {
        int pr = pr0 + r;
        int b = base + 4 * (pr & 3) * phase + (pr >> 2) * pitch + o;
        FloatVector v0 = FloatVector.fromArray(M, src, b + c0);
        FloatVector v1 = FloatVector.fromArray(M, src, b + c1);
        FloatVector v2 = FloatVector.fromArray(M, src, b + c2);
        FloatVector v3 = FloatVector.fromArray(M, src, b + c3);
        FloatVector u01 = v0.rearrange(LOW, v1);
        FloatVector u23 = v2.rearrange(LOW, v3);
        int at = d + r * n + i;
        u01.rearrange(MERGE4_LOW, u23).intoArray(dst, at);
        u01.rearrange(MERGE4_HIGH, u23).intoArray(dst, at + N);
      }
    }
  }

  /** dst[d + 2i] = even[i], dst[d + 2i + 1] = odd[i] for i &lt; N: two vectors interleaved. */
  static void mergeInto(FloatVector even, FloatVector odd, float[] dst, int d) {
    even.rearrange(LOW, odd).intoArray(dst, d);
    even.rearrange(HIGH, odd).intoArray(dst, d + N);
  }
}
