package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.tensor.Rng;
import org.junit.jupiter.api.Test;

/** The factories choose the strategies {@link ConvKernels} documents; plans keep their contract. */
class ConvPlanFactoryTest {
  private final ConvKernels vector =
      new VectorConv(new VectorGemm(), "vector-test", VectorConv.Mode.NO_WINOGRAD);
  private final ConvKernels im2colOnly =
      new VectorConv(new VectorGemm(), "vector-test", VectorConv.Mode.IM2COL);
  private final ConvKernels scalar = new ScalarConv();
  private final ConvKernels auto =
      new VectorConv(new VectorGemm(), "vector-test", VectorConv.Mode.AUTO);
  private final ConvKernels winograd =
      new VectorConv(new VectorGemm(), "vector-test", VectorConv.Mode.WINOGRAD);
  private final ConvKernels winograd4 =
      new VectorConv(new VectorGemm(), "vector-test", VectorConv.Mode.WINOGRAD4);

  private static ConvGeometry conv(int c, int hw, int k, int kernel, int stride, int pad) {
    return new ConvGeometry(c, hw, hw, k, kernel, kernel, stride, stride, pad, pad);
  }

  @Test
  void vectorFactoryFollowsTheDocumentedRule() {
    // The article's Net: both convolutions direct.
    assertEquals(ConvStrategy.DIRECT, vector.strategy(conv(3, 32, 6, 5, 1, 0)));
    assertEquals(ConvStrategy.DIRECT, vector.strategy(conv(6, 14, 16, 5, 1, 0)));
    // Padding is fine; the limits are inclusive: C·R·S = 160 and K = 16.
    assertEquals(ConvStrategy.DIRECT, vector.strategy(conv(3, 12, 7, 5, 1, 2)));
    assertEquals(ConvStrategy.DIRECT, vector.strategy(conv(160, 8, 16, 1, 1, 0)));
    // Output rows exactly half the padded input width: 2·Q = W + 2·pad.
    assertEquals(
        ConvStrategy.DIRECT, vector.strategy(new ConvGeometry(1, 8, 8, 1, 1, 5, 1, 1, 0, 0)));
    // Past any limit (last: 2·Q = 8 < W = 10, too much of each wide row is junk): im2col + GEMM.
    assertEquals(ConvStrategy.IM2COL_GEMM, vector.strategy(conv(161, 8, 16, 1, 1, 0)));
    assertEquals(ConvStrategy.IM2COL_GEMM, vector.strategy(conv(3, 32, 17, 5, 1, 0)));
    assertEquals(ConvStrategy.IM2COL_GEMM, vector.strategy(conv(3, 32, 6, 5, 2, 0)));
    assertEquals(
        ConvStrategy.IM2COL_GEMM,
        vector.strategy(new ConvGeometry(1, 10, 10, 1, 1, 7, 1, 1, 0, 0)));
    // A first layer (C·R·S ≤ 32) stays direct up to 32 output channels: vgg's first, 5×5 on grey.
    assertEquals(ConvStrategy.DIRECT, vector.strategy(conv(3, 32, 32, 3, 1, 1)));
    assertEquals(ConvStrategy.DIRECT, vector.strategy(conv(1, 28, 32, 5, 1, 2)));
    assertEquals(ConvStrategy.IM2COL_GEMM, vector.strategy(conv(3, 32, 33, 3, 1, 1)));
    assertEquals(ConvStrategy.IM2COL_GEMM, vector.strategy(conv(4, 32, 32, 3, 1, 1)));
    assertEquals(ConvStrategy.IM2COL_GEMM, vector.strategy(conv(64, 16, 128, 3, 1, 1)));
  }

  @Test
  void phasesTakeStride2WithOutputsAtLeast16Wide() {
    assertEquals(ConvStrategy.PHASES, vector.strategy(conv(32, 32, 64, 3, 2, 1)));
    // WidthProbe's resnet-phases: its widths-independence test relies on this one.
    assertEquals(ConvStrategy.PHASES, vector.strategy(conv(8, 32, 16, 3, 2, 1)));
    assertEquals(ConvStrategy.PHASES, vector.strategy(conv(3, 34, 8, 4, 2, 0)), "16 wide");
    assertEquals(ConvStrategy.IM2COL_GEMM, vector.strategy(conv(3, 33, 8, 4, 2, 0)), "15 wide");
    assertEquals(
        ConvStrategy.IM2COL_GEMM,
        vector.strategy(new ConvGeometry(16, 32, 32, 32, 3, 3, 2, 1, 1, 1)),
        "stride (2, 1)");
    assertEquals(ConvStrategy.IM2COL_GEMM, im2colOnly.strategy(conv(16, 32, 32, 3, 2, 1)));
    assertEquals(ConvStrategy.IM2COL_GEMM, scalar.strategy(conv(16, 32, 32, 3, 2, 1)));
  }

  @Test
  void winogradTakesThe3x3Stride1LayersWithAtLeast16ChannelsThatDirectDoesNot() {
    // vgg: the first layer (3 channels) is DIRECT's, the others go WINOGRAD, F(4×4) on 32×32
    // outputs.
    assertEquals(ConvStrategy.DIRECT, auto.strategy(conv(3, 32, 32, 3, 1, 1)));
    assertEquals(ConvStrategy.WINOGRAD4, auto.strategy(conv(32, 32, 32, 3, 1, 1)));
    assertEquals(ConvStrategy.WINOGRAD4, auto.strategy(conv(16, 40, 24, 3, 1, 1)));
    assertEquals(ConvStrategy.WINOGRAD, auto.strategy(conv(64, 16, 64, 3, 1, 1)));
    assertEquals(ConvStrategy.WINOGRAD, auto.strategy(conv(32, 32, 32, 3, 1, 0)), "30x30 out");
    assertEquals(ConvStrategy.WINOGRAD, auto.strategy(conv(64, 8, 128, 3, 1, 1)));
    // resnet20: 16 -> 16 channels at 32x32 are DIRECT's (C·R·S = 144, K = 16) before F(4×4)'s;
    // the first layer (3 channels) stays DIRECT; the strided 16 -> 32 runs on its phases, 32 -> 64
    // (8×8 outputs) on im2col.
    assertEquals(ConvStrategy.DIRECT, auto.strategy(conv(16, 32, 16, 3, 1, 1)));
    assertEquals(ConvStrategy.DIRECT, auto.strategy(conv(3, 32, 16, 3, 1, 1)));
    assertEquals(ConvStrategy.DIRECT, vector.strategy(conv(16, 32, 16, 3, 1, 1)));
    assertEquals(ConvStrategy.WINOGRAD, auto.strategy(conv(32, 16, 32, 3, 1, 1)));
    assertEquals(ConvStrategy.PHASES, auto.strategy(conv(16, 32, 32, 3, 2, 1)));
    assertEquals(ConvStrategy.IM2COL_GEMM, auto.strategy(conv(32, 16, 64, 3, 2, 1)));
    assertEquals(ConvStrategy.IM2COL_GEMM, auto.strategy(conv(32, 16, 32, 5, 1, 2)));
    assertEquals(ConvStrategy.IM2COL_GEMM, auto.strategy(conv(32, 16, 15, 3, 1, 1)));
    // -Dbnlab.conv=winograd: every 3×3 stride-1 layer, the rule elsewhere.
    assertEquals(ConvStrategy.WINOGRAD, winograd.strategy(conv(3, 32, 6, 3, 1, 0)));
    assertEquals(ConvStrategy.WINOGRAD, winograd.strategy(conv(16, 32, 16, 3, 1, 1)));
    assertEquals(ConvStrategy.DIRECT, winograd.strategy(conv(3, 32, 6, 5, 1, 0)));
    assertEquals(ConvStrategy.IM2COL_GEMM, im2colOnly.strategy(conv(32, 32, 32, 3, 1, 1)));
    // -Dbnlab.conv=winograd4: F(4×4) for every 3×3 stride-1 layer.
    assertEquals(ConvStrategy.WINOGRAD4, winograd4.strategy(conv(3, 32, 6, 3, 1, 0)));
    assertEquals(ConvStrategy.WINOGRAD4, winograd4.strategy(conv(64, 8, 64, 3, 1, 1)));
    assertEquals(ConvStrategy.DIRECT, winograd4.strategy(conv(3, 32, 6, 5, 1, 0)));
    assertEquals(
        ConvStrategy.WINOGRAD4,
        auto.plan(conv(32, 32, 32, 3, 1, 1), 5, true, true, null).strategy());
    assertEquals(
        ConvStrategy.WINOGRAD,
        auto.plan(conv(32, 16, 32, 3, 1, 1), 5, true, true, null).strategy());
  }

  @Test
  void im2colSwitchAndScalarKernelsNeverGoDirect() {
    ConvGeometry net = conv(3, 32, 6, 5, 1, 0);
    assertEquals(ConvStrategy.IM2COL_GEMM, im2colOnly.strategy(net));
    assertEquals(ConvStrategy.IM2COL_GEMM, scalar.strategy(net));
    assertEquals(ConvStrategy.IM2COL_GEMM, im2colOnly.plan(net, 2, true, true, null).strategy());
  }

  @Test
  void plansRunTheStrategyTheFactoryNames() {
    for (ConvKernels k : new ConvKernels[] {vector, im2colOnly, scalar, auto, winograd}) {
      for (ConvGeometry g :
          new ConvGeometry[] {
            conv(3, 32, 6, 5, 1, 0), conv(3, 9, 4, 3, 2, 1), conv(16, 9, 20, 3, 1, 1)
          }) {
        ConvPlan p = k.plan(g, 4, true, false, null);
        assertEquals(k.strategy(g), p.strategy());
        assertTrue(p.toString().contains(p.strategy().name()), p::toString);
      }
      ConvGeometry keras = new ConvGeometry(256, 1, 128, 64, 1, 3, 1, 1, 0, 0);
      assertEquals(
          ConvStrategy.TAP_GEMM, k.planChannelsLast(keras, 2, true, true, null).strategy());
    }
    assertEquals(
        "ConvPlan[DIRECT on vector-test: x (3, 32, 32) -> y (6, 28, 28), kernel 5x5, stride (1, 1),"
            + " padding (0, 0); batch 10, training, no input gradient]",
        vector.plan(conv(3, 32, 6, 5, 1, 0), 10, true, false, null).toString());
  }

  @Test
  void aPlanIsReusedUntilGeometryBatchOrModeChange() {
    ConvGeometry g = conv(3, 12, 4, 3, 1, 1);
    for (ConvKernels k : new ConvKernels[] {vector, im2colOnly, scalar, winograd}) {
      ConvPlan p = k.plan(g, 5, true, true, null);
      assertSame(p, k.plan(g, 5, true, true, p));
      assertSame(p, k.plan(conv(3, 12, 4, 3, 1, 1), 5, true, true, p), "equal geometry");
      ConvPlan q = k.plan(g, 4, true, true, p);
      assertNotSame(p, q);
      // p handed its scratch to q: it must not run again.
      assertThrows(IllegalStateException.class, () -> p.forward(new float[0], null, null, null));
      assertNotSame(q, k.plan(g, 4, false, true, q));
    }
  }

  /**
   * A layer that switches batch size and mode gets plans that take over each other's scratch: they
   * must give exactly what fresh plans give.
   */
  @Test
  void plansTakingOverScratchGiveTheSameResultsAsFreshOnes() {
    Rng rng = new Rng(31);
    for (ConvKernels k : new ConvKernels[] {vector, im2colOnly, scalar, winograd}) {
      for (ConvGeometry g :
          new ConvGeometry[] {
            conv(3, 12, 7, 5, 1, 2), conv(5, 9, 12, 3, 2, 1), conv(4, 7, 5, 3, 1, 1)
          }) {
        ConvPlan plan = null;
        int[][] modes = {{7, 1, 1}, {3, 0, 1}, {12, 1, 0}, {1, 1, 1}, {7, 0, 0}};
        for (int[] m : modes) {
          int n = m[0];
          boolean training = m[1] == 1, grad = m[2] == 1;
          plan = k.plan(g, n, training, grad, plan);
          ConvPlanTwinsTest.Data d = new ConvPlanTwinsTest.Data(rng, g, n);
          ConvPlanTwinsTest.Out reused = d.run(plan);
          ConvPlanTwinsTest.Out fresh = d.run(k.plan(g, n, training, grad, null));
          String what = plan.toString();
          org.junit.jupiter.api.Assertions.assertArrayEquals(fresh.y(), reused.y(), 0f, what);
          org.junit.jupiter.api.Assertions.assertArrayEquals(fresh.dw(), reused.dw(), 0f, what);
          org.junit.jupiter.api.Assertions.assertArrayEquals(fresh.dx(), reused.dx(), 0f, what);
        }
      }
    }
  }

  @Test
  void badCallsAreRejectedWithTheReason() {
    ConvGeometry g = conv(2, 6, 3, 3, 1, 0);
    ConvPlan noGrad = vector.plan(g, 2, true, false, null);
    float[] x = new float[2 * g.inSize()];
    float[] w = new float[g.weightSize()];
    float[] y = new float[2 * g.outSize()];
    noGrad.forward(x, w, null, y);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> noGrad.backward(y, x, w, new float[w.length], new float[x.length]));
    assertTrue(e.getMessage().contains("without the input gradient"), e::getMessage);
    // Training plans reuse what forward derived from x: backward must get the same x.
    e =
        assertThrows(
            IllegalStateException.class,
            () -> noGrad.backward(y, x.clone(), w, new float[w.length], null));
    assertTrue(e.getMessage().contains("last forward"), e::getMessage);
    IllegalArgumentException a =
        assertThrows(
            IllegalArgumentException.class, () -> noGrad.forward(x, w, null, new float[3]));
    assertTrue(a.getMessage().contains("y holds 3 floats, needs " + y.length), a::getMessage);
    assertThrows(
        IllegalArgumentException.class,
        () -> new DirectConvPlan("v", conv(2, 6, 3, 3, 2, 0), 1, true, true, null));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            scalar.planChannelsLast(
                new ConvGeometry(2, 1, 9, 3, 1, 3, 1, 1, 0, 1), 1, true, true, null));
    assertThrows(IllegalArgumentException.class, () -> vector.plan(g, -1, true, true, null));
    assertThrows(IllegalArgumentException.class, () -> conv(2, 4, 3, 7, 1, 1));
  }
}
