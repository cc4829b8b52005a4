package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import bnlab.tensor.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every convolution strategy against the naive twin {@link ScalarConvPlan} at awkward shapes (batch
 * 1, odd sizes, padding, stride 2, 1×1 kernels), in training and inference, with and without the
 * input gradient; and bit-identical for 1 and 2 threads.
 */
class ConvPlanTwinsTest {
  private final int threadsBefore = Parallel.threads();

  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(threadsBefore);
  }

  // channels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padH, padW, batch
  static final int[][] SHAPES = {
    {3, 32, 32, 6, 5, 5, 1, 1, 0, 0, 10}, // the article's conv1
    {6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 3}, // conv2
    {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1},
    {3, 5, 5, 2, 1, 1, 1, 1, 0, 0, 13}, // 1x1 kernel, uneven chunks
    {7, 9, 11, 5, 1, 1, 1, 1, 1, 1, 2}, // 1x1 kernel with padding
    {2, 9, 11, 15, 3, 3, 1, 1, 1, 1, 1}, // 15 = 4+4+4+2+1 output channels
    {3, 12, 12, 7, 5, 5, 1, 1, 2, 2, 5},
    {2, 9, 9, 17, 3, 3, 1, 1, 0, 0, 1}, // more channels than the factory sends to DIRECT
    {5, 6, 7, 9, 3, 2, 1, 1, 1, 0, 13}, // the packed weight gradient
    {4, 1, 207, 5, 1, 13, 1, 1, 0, 6, 2}, // a long 1-d convolution
    {2, 7, 9, 3, 3, 3, 2, 2, 1, 1, 2}, // stride 2 (PHASES too): odd sizes
    {1, 6, 17, 1, 3, 2, 1, 3, 2, 1, 1}, // stride 1 × 3 (IM2COL_GEMM only)
    {3, 8, 8, 4, 1, 1, 2, 2, 0, 0, 9}, // 1×1 stride 2: three of the four phases unread
    // PHASES: resnet20's strided layers (smaller), an even kernel, no padding, padding 2, several
    // groups of images per chunk, a 5×4 kernel with uneven phases
    {16, 32, 32, 32, 3, 3, 2, 2, 1, 1, 3},
    {32, 16, 16, 64, 3, 3, 2, 2, 1, 1, 9},
    {3, 10, 11, 5, 2, 2, 2, 2, 0, 0, 4},
    {4, 9, 8, 6, 3, 3, 2, 2, 0, 0, 2},
    {2, 11, 10, 3, 5, 4, 2, 2, 2, 1, 3},
    {3, 6, 6, 2, 3, 3, 2, 2, 2, 2, 20},
    // 3x3 stride 1 (WINOGRAD too): odd and even sizes, tail tiles, padding 0 to 2
    {5, 7, 10, 6, 3, 3, 1, 1, 1, 1, 11},
    {3, 3, 3, 2, 3, 3, 1, 1, 0, 0, 2}, // one output
    {4, 6, 5, 3, 3, 3, 1, 1, 2, 2, 3},
    // WINOGRAD with fewer chunks for small images (WinogradPlan.chunks): 60 images of 20 tiles in
    // 4 chunks, 10 in 2
    {16, 8, 8, 20, 3, 3, 1, 1, 1, 1, 60},
    {8, 8, 8, 8, 3, 3, 1, 1, 1, 1, 10},
    // WINOGRAD: 14 images (of 12 tiles) a chunk, in groups of 12 and a ragged 2
    {4, 6, 6, 5, 3, 3, 1, 1, 1, 1, 110},
    {3, 3, 37, 4, 3, 3, 1, 1, 1, 0, 2}, // a row of 18 tiles: vector lanes and a tail
    {2, 5, 4, 3, 3, 3, 1, 1, 0, 1, 1},
    // WINOGRAD's registers of tile numbers from the planes (Winograd.loadTiles, storeTiles): tile
    // rows of 2 (4 rows to a 256-bit register), of 4 with a row left over, and of 1 (scalar)
    {4, 8, 4, 5, 3, 3, 1, 1, 1, 1, 3},
    {3, 6, 8, 4, 3, 3, 1, 1, 1, 1, 2},
    {3, 8, 2, 4, 3, 3, 1, 1, 1, 1, 2},
    // WINOGRAD's dU of 8 chunks summed and transformed in input-channel parts on the pool (above
    // WinogradPlan.SPLIT_SUM_MIN), 33 channels in uneven parts: 29 images of 72 tiles
    {33, 16, 16, 32, 3, 3, 1, 1, 1, 1, 29},
    // WINOGRAD phased (one image), its weight transform, U's transpose and dU's transform on the
    // pool (above SPLIT_FILTERS_MIN and SPLIT_SUM_MIN)
    {96, 6, 6, 96, 3, 3, 1, 1, 1, 1, 1},
    // DIRECT's weight gradient over several groups per chunk (rows longer than a group's 2048
    // floats: one image a group, the sums carried between groups), and padding wider than the
    // kernel less one (the input gradient of the padded image, edges dropped)
    {2, 40, 60, 3, 3, 3, 1, 1, 1, 1, 17},
    {3, 5, 6, 4, 3, 2, 1, 1, 3, 1, 2},
    // one image, its forward split across the threads (WINOGRAD, DIRECT with and without padding;
    // above DirectConvPlan.ONE_IMAGE_SPLIT_MIN)
    {16, 16, 15, 18, 3, 3, 1, 1, 1, 1, 1},
    {16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1},
    {6, 36, 36, 16, 5, 5, 1, 1, 0, 0, 1},
    // DIRECT's weight gradient by outer products (16·m output channels): resnet20's first stage
    // and its stem (27 taps, 3 short of a tile of 6), 32 channels (two tiles of output channels
    // with 256-bit vectors), rows that are not a multiple of a vector, several images a chunk
    {16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 11},
    {3, 32, 32, 16, 3, 3, 1, 1, 1, 1, 3},
    {5, 23, 29, 32, 3, 3, 1, 1, 1, 1, 10},
    {2, 7, 9, 16, 3, 2, 1, 1, 0, 1, 2},
    // vgg's first layer, DIRECT as a first layer of 32 output channels (VectorConv.FIRST_TAPS): its
    // weight gradient two vectors of output channels wide, 8 taps at a time with 32 registers
    {3, 32, 32, 32, 3, 3, 1, 1, 1, 1, 4}
  };

  private static final String VECTOR = "vector-test";

  @Test
  void everyStrategyMatchesTheScalarTwin() {
    Rng rng = new Rng(21);
    for (int[] d : SHAPES) {
      ConvGeometry g = geometry(d);
      int n = d[10];
      Data data = new Data(rng, g, n);
      for (boolean training : new boolean[] {true, false}) {
        for (boolean inputGrad : new boolean[] {true, false}) {
          matchesTheTwin(data, g, n, training, inputGrad);
        }
      }
    }
  }

  @Test
  void everyStrategyIsBitIdenticalForOneAndTwoThreads() {
    Rng rng = new Rng(22);
    for (int[] d : SHAPES) {
      ConvGeometry g = geometry(d);
      int n = d[10] * 3;
      Data data = new Data(rng, g, n);
      for (boolean training : new boolean[] {true, false}) {
        sameBitsForOneAndTwoThreads(data, g, n, training);
      }
    }
  }

  /**
   * Without a bias, where the direct convolution stores rows of whole register tiles straight into
   * y (DirectConv.rows; every shape above has a bias, so only DirectConvBandsTest's comparison with
   * the wide rows reached that path): rows of 4 and 2 vectors at 256 bits, 8, 12 and 16 channels in
   * 4-row panels, an image split across the threads, against the twin and bit for bit at one and
   * two threads.
   */
  @Test
  void withoutBiasEveryStrategyMatchesTheScalarTwin() {
    Rng rng = new Rng(24);
    // channels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padH, padW, batch
    int[][] shapes = {
      {16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 3},
      {8, 32, 32, 8, 3, 3, 1, 1, 1, 1, 2},
      {3, 32, 32, 16, 3, 3, 1, 1, 1, 1, 2},
      {4, 9, 16, 12, 3, 3, 1, 1, 1, 1, 2},
      {5, 7, 34, 4, 3, 3, 1, 1, 0, 0, 3},
      {16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1}
    };
    for (int[] d : shapes) {
      ConvGeometry g = geometry(d);
      int n = d[10];
      Data data = new Data(rng, g, n).withoutBias();
      for (boolean training : new boolean[] {true, false}) {
        matchesTheTwin(data, g, n, training, true);
        sameBitsForOneAndTwoThreads(data, g, n, training);
      }
    }
  }

  // Every vector plan for g against the scalar twin on data.
  private static void matchesTheTwin(
      Data data, ConvGeometry g, int n, boolean training, boolean inputGrad) {
    Out want = data.run(new ScalarConvPlan(g, n, training, inputGrad, null));
    for (ConvPlan plan : vectorPlans(g, n, training, inputGrad)) {
      String what = plan.toString();
      Out got = data.run(plan);
      // F(4×4)'s rounding errors run 4–11× im2col's (WinogradAccuracyTest): a tolerance 8×
      // wider (64× the terms under the square root). Wrong values are off by O(1).
      long wider = plan.strategy() == ConvStrategy.WINOGRAD4 ? 64 : 1;
      KernelTwinsTest.close("y " + what, want.y, got.y, wider * g.crs());
      KernelTwinsTest.close("dW " + what, want.dw, got.dw, wider * n * g.pq());
      if (inputGrad) {
        long taps = (long) g.outChannels() * g.kernelH() * g.kernelW();
        KernelTwinsTest.close("dX " + what, want.dx, got.dx, wider * taps);
      } else {
        assertNull(got.dx);
      }
    }
  }

  // Every vector plan for g run on one thread and on two: the same bits.
  private static void sameBitsForOneAndTwoThreads(
      Data data, ConvGeometry g, int n, boolean training) {
    Parallel.setThreads(1);
    List<Out> one = new ArrayList<>();
    for (ConvPlan plan : vectorPlans(g, n, training, true)) {
      one.add(data.run(plan));
    }
    Parallel.setThreads(2);
    List<ConvPlan> plans = vectorPlans(g, n, training, true);
    for (int i = 0; i < plans.size(); i++) {
      Out two = data.run(plans.get(i));
      String what = plans.get(i).toString();
      assertArrayEquals(one.get(i).y, two.y, 0f, () -> "y " + what);
      assertArrayEquals(one.get(i).dw, two.dw, 0f, () -> "dW " + what);
      assertArrayEquals(one.get(i).dx, two.dx, 0f, () -> "dX " + what);
    }
  }

  /** Keras' layout against the channels-first twin on permuted data: an independent reference. */
  @Test
  void channelsLastPlansMatchTheChannelsFirstTwin() {
    Rng rng = new Rng(23);
    // channels, length, filters, kernel, stride, batch
    int[][] shapes = {
      {256, 128, 64, 3, 1, 2}, {1, 1, 1, 1, 1, 1}, {5, 17, 3, 4, 1, 3}, {3, 20, 7, 3, 2, 2}
    };
    for (int[] s : shapes) {
      int c = s[0], len = s[1], f = s[2], r = s[3], n = s[5];
      ConvGeometry g = new ConvGeometry(c, 1, len, f, 1, r, 1, s[4], 0, 0);
      int q = g.outW();
      Data first = new Data(rng, g, n);
      Out want = first.run(new ScalarConvPlan(g, n, true, true, null));
      // x (N, C, L) -> (N, L, C); weight (F, C, R) -> (R, C, F); dY (N, F, Q) -> (N, Q, F)
      Data last =
          new Data(
              permute(first.x, n, c, len),
              taps(first.w, f, c, r),
              permute(first.dy, n, f, q),
              taps(first.dw0, f, c, r),
              first.bias);
      GemmKernels[] gemms = {new ScalarGemm(), new VectorGemm()};
      for (GemmKernels gemm : gemms) {
        for (boolean training : new boolean[] {true, false}) {
          TapGemmPlan plan = new TapGemmPlan(gemm, "test", g, n, training, true, null);
          Out got = last.run(plan);
          String what = plan + " " + gemm.getClass().getSimpleName();
          KernelTwinsTest.close("y " + what, permute(want.y, n, f, q), got.y, (long) c * r);
          KernelTwinsTest.close("dW " + what, taps(want.dw, f, c, r), got.dw, (long) n * q);
          KernelTwinsTest.close("dX " + what, permute(want.dx, n, c, len), got.dx, (long) f * r);
        }
      }
    }
  }

  /**
   * The vector plans of every strategy that can run g: IM2COL_GEMM always, DIRECT for stride 1,
   * WINOGRAD and WINOGRAD4 for 3×3 stride 1, PHASES for stride 2.
   */
  static List<ConvPlan> vectorPlans(ConvGeometry g, int n, boolean training, boolean inputGrad) {
    List<ConvPlan> plans = new ArrayList<>();
    plans.add(new Im2colGemmPlan(VECTOR, g, n, training, inputGrad, null));
    if (g.strideH() == 1 && g.strideW() == 1) {
      DirectConvPlan rule = new DirectConvPlan(VECTOR, g, n, training, inputGrad, null);
      plans.add(rule);
      if (g.outChannels() % 16 == 0) {
        // Both weight-gradient kernels: the one the rule does not take, forced.
        boolean outer = rule.toString().contains("outer products");
        plans.add(new DirectConvPlan(VECTOR, g, n, training, inputGrad, null, !outer));
      }
    }
    if (StridePhases.applies(g)) {
      plans.add(new PhaseConvPlan(VECTOR, g, n, training, inputGrad, null));
    }
    if (Winograd.applies(g)) {
      plans.add(new WinogradPlan(VECTOR, g, n, training, inputGrad, null));
      plans.add(new WinogradPlan(VECTOR, g, n, training, inputGrad, null, 4));
    }
    return plans;
  }

  static ConvGeometry geometry(int[] c) {
    return new ConvGeometry(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9]);
  }

  // weight (F, C, R) -> kernel (R, C, F)
  private static float[] taps(float[] w, int f, int c, int r) {
    float[] t = new float[w.length];
    for (int k = 0; k < f; k++) {
      for (int ch = 0; ch < c; ch++) {
        for (int i = 0; i < r; i++) {
          t[(i * c + ch) * f + k] = w[(k * c + ch) * r + i];
        }
      }
    }
    return t;
  }

  // a (n, rows, cols) -> (n, cols, rows)
  private static float[] permute(float[] a, int n, int rows, int cols) {
    float[] t = new float[n * rows * cols];
    for (int i = 0; i < n; i++) {
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          t[(i * cols + c) * rows + r] = a[(i * rows + r) * cols + c];
        }
      }
    }
    return t;
  }

  record Out(float[] y, float[] dw, float[] dx) {}

  /** One convolution's operands; {@link #run} does a forward and a backward with a fresh plan. */
  record Data(float[] x, float[] w, float[] dy, float[] dw0, float[] bias) {
    Data(Rng rng, ConvGeometry g, int n) {
      this(
          VectorGemmTest.random(rng, n * g.inSize()),
          VectorGemmTest.random(rng, g.weightSize()),
          VectorGemmTest.random(rng, n * g.outSize()),
          VectorGemmTest.random(rng, g.weightSize()),
          VectorGemmTest.random(rng, g.outChannels()));
    }

    /** The same operands without a bias. */
    Data withoutBias() {
      return new Data(x, w, dy, dw0, null);
    }

    Out run(ConvPlan plan) {
      ConvGeometry g = plan.geometry();
      int n = plan.batch();
      // Junk in y and dX must be overwritten; dW accumulates onto dw0.
      float[] y = new float[n * g.outSize()];
      java.util.Arrays.fill(y, Float.NaN);
      plan.forward(x, w, bias, y);
      float[] dw = dw0.clone();
      float[] dx = plan.inputGrad() ? new float[n * g.inSize()] : null;
      if (dx != null) {
        java.util.Arrays.fill(dx, Float.NaN);
      }
      plan.backward(dy, x, w, dw, dx);
      assertEquals(n * g.outSize(), y.length);
      return new Out(y, dw, dx);
    }
  }
}
