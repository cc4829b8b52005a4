package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import bnlab.tensor.Rng;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The vector kernels against their naive twins on awkward shapes: GEMM, im2col/col2im, ReLU, max
 * pooling, and convolution through the plans the factories choose (every strategy is also checked
 * on its own in {@link ConvPlanTwinsTest}).
 */
class KernelTwinsTest {
  private final ScalarPoolActivation scalar = new ScalarPoolActivation();
  private final VectorPoolActivation vector = new VectorPoolActivation();
  private final GemmKernels scalarGemm = new ScalarGemm();
  private final GemmKernels vectorGemm = new VectorGemm();
  private final ConvKernels scalarConv = new ScalarConv();
  private final ConvKernels vectorConv = VectorSupport.create().conv();
  private final int threadsBefore = Parallel.threads();

  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(threadsBefore);
  }

  // channels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padH, padW, batch
  private static final int[][] CONVS = {
    {3, 32, 32, 6, 5, 5, 1, 1, 0, 0, 10},
    {6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 3},
    {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1},
    {2, 7, 9, 3, 3, 3, 2, 2, 1, 1, 2},
    {4, 1, 207, 5, 1, 13, 1, 1, 0, 6, 2},
    {3, 5, 5, 2, 1, 1, 1, 1, 0, 0, 13},
    {1, 6, 17, 1, 3, 2, 1, 3, 2, 1, 1},
    // Enough output channels for the packed (transposed) weight gradient, odd sizes, batch 1.
    {5, 6, 7, 9, 3, 2, 1, 1, 1, 0, 13},
    {2, 9, 9, 17, 3, 3, 1, 1, 0, 0, 1},
    // Direct kernels: every row-block tail (15 = 4+4+4+2+1 output channels), padding, batch 1.
    {2, 9, 11, 15, 3, 3, 1, 1, 1, 1, 1},
    {3, 12, 12, 7, 5, 5, 1, 1, 2, 2, 5},
    // Stride 2 along the width (vector gathers and scatter-adds): resnet20's downsampling layers,
    // odd widths, no padding, wide padding, a 1x1 projection, a row shorter than a vector.
    {16, 32, 32, 4, 3, 3, 2, 2, 1, 1, 1},
    {4, 16, 16, 8, 3, 3, 2, 2, 1, 1, 2},
    {3, 9, 37, 4, 3, 3, 2, 2, 1, 1, 2},
    {2, 20, 35, 2, 3, 3, 1, 2, 0, 0, 1},
    {2, 11, 40, 2, 5, 5, 2, 2, 2, 2, 1},
    {4, 8, 16, 8, 1, 1, 2, 2, 0, 0, 2},
    {2, 5, 5, 3, 3, 3, 2, 2, 1, 1, 1}
  };

  @Test
  void im2colAndCol2imAreExactTwins() {
    Rng rng = new Rng(1);
    for (int[] c : CONVS) {
      ConvGeometry g = geometry(c);
      float[] x = VectorGemmTest.random(rng, g.inSize());
      float[] a = new float[g.crs() * g.pq()];
      float[] b = VectorGemmTest.random(rng, a.length);
      float[] colS = a.clone();
      float[] colV = b.clone();
      Im2col.im2col(g, x, 0, colS, 0);
      VectorIm2col.im2col(g, x, 0, colV, 0);
      assertArrayEquals(colS, colV, 0f, () -> "im2col " + g);
      float[] dxS = VectorGemmTest.random(rng, g.inSize());
      float[] dxV = dxS.clone();
      Im2col.col2im(g, colS, 0, dxS, 0);
      VectorIm2col.col2im(g, colS, 0, dxV, 0);
      // The same additions in the same order per element: exact.
      assertArrayEquals(dxS, dxV, 0f, () -> "col2im " + g);
    }
  }

  @Test
  void reluAndAddAreExactTwins() {
    reluTwins(new int[] {0, 1, 7, 16, 17, 100, 4098});
  }

  /**
   * From {@link VectorPoolActivation#PARALLEL_MIN} elements on, ReLU, add and addRelu are split
   * across threads.
   */
  @Test
  void reluAndAddSplitAcrossThreadsAreExactTwins() {
    int min = (int) VectorPoolActivation.PARALLEL_MIN;
    for (int threads : new int[] {2, 3}) {
      Parallel.setThreads(threads);
      reluTwins(new int[] {min, min + 13, 3 * min + 7});
    }
  }

  private void reluTwins(int[] sizes) {
    Rng rng = new Rng(9);
    for (int n : sizes) {
      float[] x = VectorGemmTest.random(rng, n);
      float[] special = {Float.NaN, -0f, 0f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
      for (int i = 0; i < n; i += 3) {
        x[i] = special[(i / 3) % special.length];
      }
      float[] dy = VectorGemmTest.random(rng, n);
      float[] ys = new float[n], yv = new float[n], ds = new float[n], dv = new float[n];
      scalar.relu(x, ys, n);
      vector.relu(x, yv, n);
      // Bit patterns, so that −0 versus +0 and NaN are compared too.
      for (int i = 0; i < n; i++) {
        int at = i;
        assertEquals(
            Float.floatToRawIntBits(ys[i]),
            Float.floatToRawIntBits(yv[i]),
            () -> "relu n=" + n + " at " + at + ": x=" + x[at] + " scalar " + ys[at]);
      }
      scalar.reluBackward(ys, dy, ds, n);
      vector.reluBackward(ys, dy, dv, n);
      assertArrayEquals(ds, dv, 0f, () -> "reluBackward n=" + n);
      // The residual addition, also in place (out = b), as BasicBlock may call it.
      float[] sumS = new float[n];
      float[] sumV = dy.clone();
      scalar.add(x, dy, sumS, n);
      vector.add(x, sumV, sumV, n);
      for (int i = 0; i < n; i++) {
        int at = i;
        assertEquals(
            Float.floatToRawIntBits(x[i] + dy[i]),
            Float.floatToRawIntBits(sumS[i]),
            () -> "scalar add n=" + n + " at " + at);
        assertEquals(
            Float.floatToRawIntBits(sumS[i]),
            Float.floatToRawIntBits(sumV[i]),
            () -> "add n=" + n + " at " + at + ": " + x[at] + " + " + dy[at] + " = " + sumS[at]);
      }
      addReluTwins(x, dy, n);
    }
  }

  // addRelu must give the bits of add then relu, for both twins and in place (y = a or y = b):
  // sums of −0 and −0 (→ +0), x − x (+0), ∞ − ∞ (NaN) and NaN (NaN) included.
  private void addReluTwins(float[] x, float[] dy, int n) {
    float[] b = dy.clone();
    for (int i = 0; i < n; i++) {
      if (i % 5 == 1) {
        b[i] = -x[i];
      } else if (i % 3 == 0) {
        b[i] = x[i];
      }
    }
    float[] sum = new float[n];
    float[] twoPasses = new float[n];
    scalar.add(x, b, sum, n);
    scalar.relu(sum, twoPasses, n);
    float[] ys = new float[n];
    scalar.addRelu(x, b, ys, n);
    float[] inA = x.clone();
    vector.addRelu(inA, b, inA, n);
    float[] inB = b.clone();
    vector.addRelu(x, inB, inB, n);
    for (int i = 0; i < n; i++) {
      int at = i;
      String where = "addRelu n=" + n + " at " + at + ": " + x[at] + " + " + b[at];
      int expected = Float.floatToRawIntBits(twoPasses[i]);
      assertEquals(expected, Float.floatToRawIntBits(ys[i]), () -> "scalar " + where);
      assertEquals(expected, Float.floatToRawIntBits(inA[i]), () -> "vector, y = a, " + where);
      assertEquals(expected, Float.floatToRawIntBits(inB[i]), () -> "vector, y = b, " + where);
    }
  }

  @Test
  void reluPropagatesNanInBothTwins() {
    // Long enough for the vector loop and its scalar tail; NaN in both.
    int n = 2 * VectorGemm.L + 3;
    for (PoolActivationKernels k : new PoolActivationKernels[] {scalar, vector}) {
      float[] x = new float[n];
      java.util.Arrays.fill(x, Float.NaN);
      float[] y = new float[n];
      k.relu(x, y, n);
      for (int i = 0; i < n; i++) {
        int at = i;
        assertTrue(Float.isNaN(y[i]), () -> k.getClass().getSimpleName() + ": relu(NaN) at " + at);
      }
      float[] dx = new float[n];
      float[] dy = new float[n];
      java.util.Arrays.fill(dy, 1f);
      k.reluBackward(y, dy, dx, n);
      assertArrayEquals(new float[n], dx, 0f, "no gradient where the output is NaN");
    }
  }

  /**
   * Backward through overlapping 3×3 windows with stride 2, so that several outputs of a plane add
   * into the same input element, in an order the split across threads must keep.
   */
  @Test
  void maxPoolBackwardIsAnExactTwin() {
    Rng rng = new Rng(12);
    // planes, input and output elements per plane: one big enough to be split, one small.
    int[][] shapes = {{640, 28 * 28, 13 * 13}, {3, 5 * 7, 2 * 3}};
    for (int[] d : shapes) {
      int planes = d[0], in = d[1], out = d[2];
      int[] argmax = new int[planes * out];
      for (int pl = 0; pl < planes; pl++) {
        for (int o = 0; o < out; o++) {
          // A few input elements per plane, so that outputs collide on them.
          argmax[pl * out + o] = pl * in + rng.nextInt(Math.max(1, out / 3));
        }
      }
      float[] dy = new float[planes * out];
      for (int i = 0; i < dy.length; i++) {
        dy[i] = (rng.nextFloat() - 0.5f) * (float) Math.pow(10, 6 * rng.nextFloat());
      }
      float[] ds = new float[planes * in + 1];
      scalar.maxPoolBackward(dy, argmax, planes, out, in, ds);
      for (int threads : new int[] {1, 2, 3}) {
        Parallel.setThreads(threads);
        float[] dv = new float[planes * in + 1];
        java.util.Arrays.fill(dv, 7f);
        vector.maxPoolBackward(dy, argmax, planes, out, in, dv);
        assertEquals(7f, dv[planes * in], "wrote past dx");
        dv[planes * in] = 0f;
        assertArrayEquals(ds, dv, 0f, () -> java.util.Arrays.toString(d) + " threads " + threads);
      }
    }
  }

  /**
   * The 2×2 backward writes each window at once: the bits of the general backward (a fill, then 0 +
   * dY at the argmax, so −0 becomes +0), every window's four places as argmax, odd sides (rows and
   * columns outside every window are zero), rows shorter and longer than a vector, 1 to 3 threads,
   * and nothing written outside dX.
   */
  @Test
  void maxPool2x2BackwardIsTheGeneralBackward() {
    Rng rng = new Rng(13);
    int[][] shapes = {{640, 28, 28}, {16, 10, 10}, {3, 2, 2}, {2, 5, 7}, {1, 4, 64}, {5, 3, 71}};
    float[] special = {Float.NaN, -0f, 0f, Float.NEGATIVE_INFINITY, 1e-40f, -3f};
    for (int[] d : shapes) {
      int planes = d[0], h = d[1], w = d[2];
      int p = h / 2;
      int q = w / 2;
      int[] argmax = new int[planes * p * q];
      for (int pl = 0; pl < planes; pl++) {
        for (int i = 0; i < p; i++) {
          for (int j = 0; j < q; j++) {
            int e = rng.nextInt(4);
            argmax[(pl * p + i) * q + j] = pl * h * w + (2 * i + e / 2) * w + 2 * j + e % 2;
          }
        }
      }
      float[] dy = VectorGemmTest.random(rng, argmax.length);
      for (int i = 0; i < dy.length; i++) {
        if (rng.nextInt(4) == 0) {
          dy[i] = special[rng.nextInt(special.length)];
        }
      }
      float[] ds = new float[planes * h * w];
      scalar.maxPoolBackward(dy, argmax, planes, p * q, h * w, ds);
      for (int threads : new int[] {1, 2, 3}) {
        Parallel.setThreads(threads);
        for (PoolActivationKernels k : new PoolActivationKernels[] {scalar, vector}) {
          float[] dv = new float[ds.length + 1];
          java.util.Arrays.fill(dv, 7f);
          k.maxPool2x2Backward(dy, argmax, planes, h, w, dv);
          assertEquals(7f, dv[ds.length], "wrote past dx");
          for (int i = 0; i < ds.length; i++) {
            int at = i;
            assertEquals(
                Float.floatToRawIntBits(ds[i]),
                Float.floatToRawIntBits(dv[i]),
                () ->
                    k.getClass().getSimpleName()
                        + " "
                        + java.util.Arrays.toString(d)
                        + " threads "
                        + threads
                        + " at "
                        + at);
          }
        }
      }
    }
  }

  /**
   * The pooling's backward through the ReLU before it (the mask from the pooled values) gives the
   * bits of the two passes, the pooling's backward then reluBackward on the ReLU's output: 2×2
   * windows of every shape above (rows shorter and longer than a vector, odd sides) and overlapping
   * windows of the general backward; ReLU outputs of +0 (from −0, 0 and negative inputs) and NaN
   * whole windows included, dY with −0 and NaN; both twins, 1 to 3 threads.
   */
  @Test
  void maxPoolBackwardThroughAReluIsTheTwoPasses() {
    Rng rng = new Rng(14);
    float[] special = {Float.NaN, -0f, 0f, Float.NEGATIVE_INFINITY, 1e-40f, -3f};
    int[][] shapes = {{640, 28, 28}, {16, 10, 10}, {3, 2, 2}, {2, 5, 7}, {1, 4, 64}, {5, 3, 71}};
    for (int[] d : shapes) {
      int planes = d[0], h = d[1], w = d[2];
      int out = (h / 2) * (w / 2);
      float[] x = reluOutput(rng, planes * h * w, special);
      float[] pooled = new float[planes * out];
      int[] argmax = new int[planes * out];
      scalar.maxPool2x2(x, planes, h, w, pooled, argmax);
      float[] dy = withSpecials(rng, VectorGemmTest.random(rng, planes * out), special);
      float[] want = twoPasses(dy, x, argmax, planes, out, h * w);
      for (int threads : new int[] {1, 2, 3}) {
        Parallel.setThreads(threads);
        for (PoolActivationKernels k : new PoolActivationKernels[] {scalar, vector}) {
          float[] got = new float[want.length + 1];
          java.util.Arrays.fill(got, 7f);
          k.maxPool2x2Backward(dy, pooled, argmax, planes, h, w, got);
          assertBits(want, got, k + " 2x2 " + java.util.Arrays.toString(d) + " threads " + threads);
        }
      }
    }
    // Overlapping windows (the general backward): outputs share their argmaxes.
    for (int[] d : new int[][] {{640, 28 * 28, 13 * 13}, {3, 5 * 7, 2 * 3}}) {
      int planes = d[0], in = d[1], out = d[2];
      float[] x = reluOutput(rng, planes * in, special);
      int[] argmax = new int[planes * out];
      float[] pooled = new float[planes * out];
      for (int o = 0; o < argmax.length; o++) {
        argmax[o] = (o / out) * in + rng.nextInt(Math.max(1, out / 3));
        pooled[o] = x[argmax[o]];
      }
      float[] dy = withSpecials(rng, VectorGemmTest.random(rng, planes * out), special);
      float[] want = twoPasses(dy, x, argmax, planes, out, in);
      for (int threads : new int[] {1, 2, 3}) {
        Parallel.setThreads(threads);
        for (PoolActivationKernels k : new PoolActivationKernels[] {scalar, vector}) {
          float[] got = new float[want.length + 1];
          java.util.Arrays.fill(got, 7f);
          k.maxPoolBackward(dy, pooled, argmax, planes, out, in, got);
          assertBits(want, got, k + " general " + java.util.Arrays.toString(d) + " " + threads);
        }
      }
    }
  }

  // relu of random values with some special inputs: +0 for ≤ 0 (−0 included), NaN stays.
  private float[] reluOutput(Rng rng, int n, float[] special) {
    float[] x = withSpecials(rng, VectorGemmTest.random(rng, n), special);
    float[] y = new float[n];
    scalar.relu(x, y, n);
    return y;
  }

  private static float[] withSpecials(Rng rng, float[] v, float[] special) {
    for (int i = 0; i < v.length; i++) {
      if (rng.nextInt(5) == 0) {
        v[i] = special[rng.nextInt(special.length)];
      }
    }
    return v;
  }

  // The pooling's backward (scalar twin), then the ReLU's on its output x.
  private float[] twoPasses(float[] dy, float[] x, int[] argmax, int planes, int out, int in) {
    float[] dPool = new float[planes * in];
    scalar.maxPoolBackward(dy, argmax, planes, out, in, dPool);
    float[] want = new float[planes * in];
    scalar.reluBackward(x, dPool, want, want.length);
    return want;
  }

  // want's bits in got[0, want.length), and got's extra last element untouched.
  private static void assertBits(float[] want, float[] got, String what) {
    assertEquals(7f, got[want.length], what + ": wrote past dx");
    for (int i = 0; i < want.length; i++) {
      if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
        throw new AssertionError(
            what + ": first difference at " + i + ": two passes " + want[i] + ", fused " + got[i]);
      }
    }
  }

  @Test
  void maxPoolIsAnExactTwin() {
    Rng rng = new Rng(10);
    // planes, h, w: rows shorter than, equal to and longer than a vector of outputs, odd sides.
    int[][] shapes = {{1280, 28, 28}, {16, 10, 10}, {3, 2, 2}, {2, 5, 7}, {1, 4, 64}, {5, 3, 71}};
    float[] special = {Float.NaN, -0f, 0f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 1f};
    for (int[] d : shapes) {
      int planes = d[0], h = d[1], w = d[2];
      float[] x = VectorGemmTest.random(rng, planes * h * w);
      for (int i = 0; i < x.length; i++) {
        // Plenty of ties, signed zeros and NaNs in every position of the windows.
        if (rng.nextInt(3) == 0) {
          x[i] = special[rng.nextInt(special.length)];
        }
      }
      int out = planes * (h / 2) * (w / 2);
      float[] ys = new float[out + 1];
      float[] yv = new float[out + 1];
      int[] as = new int[out + 1];
      int[] av = new int[out + 1];
      for (int threads : new int[] {1, 2}) {
        Parallel.setThreads(threads);
        yv[out] = 42f;
        scalar.maxPool2x2(x, planes, h, w, ys, as);
        vector.maxPool2x2(x, planes, h, w, yv, av);
        for (int i = 0; i < out; i++) {
          int at = i;
          assertEquals(as[i], av[i], () -> "argmax " + java.util.Arrays.toString(d) + " at " + at);
          assertEquals(
              Float.floatToRawIntBits(ys[i]),
              Float.floatToRawIntBits(yv[i]),
              () -> "y " + java.util.Arrays.toString(d) + " at " + at);
        }
        assertEquals(42f, yv[out], "wrote past the output");
      }
    }
  }

  @Test
  void convForwardAndBackwardMatchScalarTwin() {
    Rng rng = new Rng(2);
    for (int[] c : CONVS) {
      ConvGeometry g = geometry(c);
      int n = c[10];
      float[] x = VectorGemmTest.random(rng, n * g.inSize());
      float[] w = VectorGemmTest.random(rng, g.outChannels() * g.crs());
      float[] dy = VectorGemmTest.random(rng, n * g.outChannels() * g.pq());
      float[] dw0 = VectorGemmTest.random(rng, w.length);
      Out s = run(scalarConv, g, n, x, w, dy, dw0);
      Out v = run(vectorConv, g, n, x, w, dy, dw0);
      close("y " + g, s.y, v.y, g.crs());
      close("dW " + g, s.dw, v.dw, (long) n * g.pq());
      close("dX " + g, s.dx, v.dx, (long) g.outChannels() * g.kernelH() * g.kernelW());
      // The first layer's backward: the weight gradient alone (the direct kernels' own path).
      Out sw = run(scalarConv, g, n, x, w, dy, dw0, true, false);
      Out vw = run(vectorConv, g, n, x, w, dy, dw0, true, false);
      close("dW alone " + g, sw.dw, vw.dw, (long) n * g.pq());
      assertArrayEquals(s.dw, sw.dw, 0f, () -> "scalar dW alone " + g);
      // Without kept im2col matrices (inference): the same outputs, recomputed in backward.
      Out sn = run(scalarConv, g, n, x, w, dy, dw0, false);
      Out vn = run(vectorConv, g, n, x, w, dy, dw0, false);
      assertArrayEquals(v.y, vn.y, 0f, () -> "y without col " + g);
      assertArrayEquals(s.y, sn.y, 0f, () -> "scalar y without col " + g);
      assertArrayEquals(s.dw, sn.dw, 0f, () -> "scalar dW without col " + g);
      close("dW without col " + g, s.dw, vn.dw, (long) n * g.pq());
      assertArrayEquals(v.dx, vn.dx, 0f, () -> "dX without col " + g);
    }
  }

  @Test
  void convIsBitIdenticalForOneAndTwoThreads() {
    Rng rng = new Rng(3);
    for (int[] c : CONVS) {
      ConvGeometry g = geometry(c);
      int n = c[10] * 3;
      float[] x = VectorGemmTest.random(rng, n * g.inSize());
      float[] w = VectorGemmTest.random(rng, g.outChannels() * g.crs());
      float[] dy = VectorGemmTest.random(rng, n * g.outChannels() * g.pq());
      float[] dw0 = VectorGemmTest.random(rng, w.length);
      Parallel.setThreads(1);
      Out one = run(vectorConv, g, n, x, w, dy, dw0);
      Out oneW = run(vectorConv, g, n, x, w, dy, dw0, true, false);
      Parallel.setThreads(2);
      Out two = run(vectorConv, g, n, x, w, dy, dw0);
      Out twoW = run(vectorConv, g, n, x, w, dy, dw0, true, false);
      assertArrayEquals(one.y, two.y, 0f, () -> "y " + g);
      assertArrayEquals(one.dw, two.dw, 0f, () -> "dW " + g);
      assertArrayEquals(one.dx, two.dx, 0f, () -> "dX " + g);
      assertArrayEquals(oneW.dw, twoW.dw, 0f, () -> "dW alone " + g);
    }
  }

  @Test
  void largeSgemmIsBitIdenticalForOneAndTwoThreads() {
    Rng rng = new Rng(4);
    int[][] shapes = {{128, 120, 400}, {13, 4098, 7}, {207, 13, 301}};
    for (int[] s : shapes) {
      for (int t = 0; t < 4; t++) {
        boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
        int m = s[0], n = s[1], k = s[2];
        float[] a = VectorGemmTest.random(rng, m * k), b = VectorGemmTest.random(rng, k * n);
        float[] c1 = VectorGemmTest.random(rng, m * n);
        float[] c2 = c1.clone();
        float[] cs = c1.clone();
        Parallel.setThreads(1);
        vectorGemm.sgemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, 1f, c1, 0, n);
        Parallel.setThreads(2);
        vectorGemm.sgemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, 1f, c2, 0, n);
        assertArrayEquals(c1, c2, 0f);
        scalarGemm.sgemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, 1f, cs, 0, n);
        close("sgemm " + m + "x" + n + "x" + k, cs, c1, k);
      }
    }
  }

  private record Out(float[] y, float[] dw, float[] dx) {}

  private static Out run(
      ConvKernels k, ConvGeometry g, int n, float[] x, float[] w, float[] dy, float[] dw0) {
    return run(k, g, n, x, w, dy, dw0, true);
  }

  private static Out run(
      ConvKernels k,
      ConvGeometry g,
      int n,
      float[] x,
      float[] w,
      float[] dy,
      float[] dw0,
      boolean keepCol) {
    return run(k, g, n, x, w, dy, dw0, keepCol, true);
  }

  private static Out run(
      ConvKernels k,
      ConvGeometry g,
      int n,
      float[] x,
      float[] w,
      float[] dy,
      float[] dw0,
      boolean keepCol,
      boolean needDx) {
    // Training plans keep what backward needs (im2col matrices), inference plans recompute it.
    ConvPlan plan = k.plan(g, n, keepCol, needDx, null);
    float[] y = new float[n * g.outChannels() * g.pq()];
    // Junk in y must be overwritten; the bias is added by the kernels.
    java.util.Arrays.fill(y, Float.NaN);
    float[] bias = new float[g.outChannels()];
    for (int i = 0; i < bias.length; i++) {
      bias[i] = 0.25f * i - 1f;
    }
    plan.forward(x, w, bias, y);
    float[] dw = dw0.clone();
    float[] dx = needDx ? new float[n * g.inSize()] : null;
    if (dx != null) {
      java.util.Arrays.fill(dx, Float.NaN);
    }
    plan.backward(dy, x, w, dw, dx);
    return new Out(y, dw, dx);
  }

  private static ConvGeometry geometry(int[] c) {
    return new ConvGeometry(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9]);
  }

  /** Values of magnitude ~1 summed over {@code len} terms: tolerance grows like sqrt(len). */
  static void close(String what, float[] expected, float[] actual, long len) {
    double tol = 2e-6 * (1 + Math.sqrt(len)) * 4;
    for (int i = 0; i < expected.length; i++) {
      double scale = Math.max(1, Math.abs(expected[i]));
      if (!(Math.abs(expected[i] - actual[i]) <= tol * scale)) {
        fail(
            what
                + ": element "
                + i
                + " scalar "
                + expected[i]
                + " vector "
                + actual[i]
                + " (tolerance "
                + tol * scale
                + ")");
      }
    }
  }
}
