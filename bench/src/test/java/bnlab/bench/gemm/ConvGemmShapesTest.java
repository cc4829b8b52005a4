package bnlab.bench.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.kernel.KernelProvider;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The sgemm table's shapes come from the models' convolutions, and it times the right product. */
class ConvGemmShapesTest {
  private static List<String> forward(List<ConvLayer> layers, int images) {
    return layers.stream().map(l -> l.m() + "x" + l.n(images) + "x" + l.k()).toList();
  }

  @Test
  void vggShapesAsCountedByHand() {
    // 3x3 padding 1: P·Q stays 32², 32², then 16², 16², 8², 8² after each pool; K = C·9
    assertEquals(
        List.of(
            "32x1024x27", "32x1024x288", "64x256x288", "64x256x576", "128x64x576", "128x64x1152"),
        forward(ConvLayers.vgg(), 1));
    assertEquals("32x131072x27", forward(ConvLayers.vgg(), 128).get(0));
  }

  @Test
  void resnet20HasNineteenConvolutionsWithStrideTwoAtStagesTwoAndThree() {
    List<ConvLayer> r = ConvLayers.resnet20();
    assertEquals(19, r.size());
    assertEquals("16x1024x27", forward(r, 1).get(0));
    assertEquals("layer2.0.conv1", r.get(7).name());
    assertEquals(2, r.get(7).g().strideH());
    assertEquals("32x256x144", forward(r, 1).get(7)); // 16→32, 32×32 → 16×16
    assertEquals("64x64x576", forward(r, 1).get(18)); // layer3.2.conv2
  }

  @Test
  void shapesAreListedOnceWithEveryLayerThatHasThem() {
    List<GemmShape> s = GemmShape.of(ConvLayers.resnet20(), 128, true);
    // squares + 6 distinct per-image shapes + the same 6 for 128 images
    assertEquals(2 + 6 + 6, s.size());
    GemmShape stage1 =
        s.stream().filter(g -> g.label().equals("16x1024x144")).findFirst().orElseThrow();
    assertEquals(6, stage1.layers().size());
    assertEquals("resnet20 layer1.0.conv1 (+5)", stage1.where());
    assertTrue(s.stream().anyMatch(g -> g.label().equals("16x131072x144")));
    assertEquals(2.0 * 512 * 512 * 512, s.get(0).flops());
  }

  @Test
  void theTimedCallComputesTheProduct() {
    GemmShape s = new GemmShape(5, 7, 3, List.of("test"));
    SplittableRandom rng = new SplittableRandom(4);
    float[] a = SgemmTable.random(rng, 5 * 3);
    float[] b = SgemmTable.random(rng, 3 * 7);
    float[] c = new float[5 * 7];
    java.util.Arrays.fill(c, Float.NaN); // beta 0: old contents ignored
    SgemmTable.product(KernelProvider.get().gemm(), s, a, b, c);
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 7; j++) {
        double want = 0;
        for (int p = 0; p < 3; p++) {
          want += (double) a[i * 3 + p] * b[p * 7 + j];
        }
        assertEquals(want, c[i * 7 + j], 1e-5, "c[" + i + "," + j + "]");
      }
    }
  }

  @Test
  void measureReportsOrderedFiguresAndOptionsAreChecked() {
    SgemmTable.Options o =
        SgemmTable.Options.parse(
            new String[] {"--repeats", "3", "--min-seconds", "0.001", "--warmup-seconds", "0"});
    SgemmTable.Measured m =
        SgemmTable.measure(KernelProvider.get().gemm(), new GemmShape(8, 8, 8, List.of("test")), o);
    assertTrue(0 < m.min() && m.min() <= m.median() && m.median() <= m.max(), m.toString());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SgemmTable.Options.parse(new String[] {"--thread", "2"}));
    assertTrue(e.getMessage().contains("--thread") && e.getMessage().contains("--threads"));
  }
}
