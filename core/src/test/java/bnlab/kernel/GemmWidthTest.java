package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import bnlab.tensor.Rng;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The broadcast GEMM and the direct convolution give bit-identical results at every vector width
 * and register tile: at this process's width they equal, bit for bit, a scalar chain of fused
 * multiply-adds in k order starting from beta·C (what every tile, tail and width computes per
 * element), and one test instantiates the kernels at every width the CPU has, each in its own class
 * loader (the width is a static constant), and compares their results. core's pom also runs this
 * class and the twin tests at 128 and 256 bits.
 */
class GemmWidthTest {
  // m from 1 to 19 meets every tile and row tail (8, 6, 4, 2, 1); n meets whole tiles and masked
  // columns at every width; k beyond VectorGemm.KC crosses the k blocks.
  private static final int[][] SHAPES = {
    {1, 1, 1}, {19, 37, 5}, {13, 100, 300}, {8, 64, 257}, {6, 33, 17}, {7, 129, 513}, {17, 3, 40}
  };

  @Test
  void broadcastGemmIsTheSequentialFmaChainBitForBit() {
    Rng rng = new Rng(5);
    for (int[] s : SHAPES) {
      int m = s[0], n = s[1], k = s[2];
      for (boolean ta : new boolean[] {false, true}) {
        for (int batch : new int[] {1, 3}) {
          for (float beta : new float[] {0f, 1f, 0.5f}) {
            float[] a = VectorGemmTest.random(rng, batch * m * k);
            float[] b = VectorGemmTest.random(rng, batch * k * n);
            float[] c = VectorGemmTest.random(rng, m * n);
            float[] want = c.clone();
            chain(ta, m, n, k, batch, a, b, beta, want);
            GemmShape shape = GemmShape.of(ta, false, m, n, k).batched(batch, m * k, k * n);
            VectorGemm.product(shape, a, 0, b, 0, beta, c, 0);
            assertBitIdentical(
                want, c, m + "x" + n + "x" + k + " transA " + ta + " batch " + batch);
          }
        }
      }
    }
  }

  @Test
  void directConvolutionIsTheSequentialFmaChainBitForBit() {
    Rng rng = new Rng(9);
    // K = 13, 7, 16, 10 and 3 meet every panel (DirectConv.panelRows: 8-, 6- and packed 4-row
    // tiles, 2- and 1-row tails), K = 6 the row pairs; widths meet partial wide rows.
    ConvGeometry[] gs = {
      new ConvGeometry(3, 11, 13, 13, 3, 3, 1, 1, 0, 0),
      new ConvGeometry(2, 9, 7, 7, 5, 5, 1, 1, 0, 0),
      new ConvGeometry(5, 6, 19, 16, 1, 3, 1, 1, 0, 0),
      new ConvGeometry(4, 8, 9, 10, 3, 3, 1, 1, 0, 0),
      new ConvGeometry(3, 7, 7, 3, 3, 3, 1, 1, 0, 0),
      // K = 6 in row pairs (DirectConv.pairs): an even and an odd number of column tiles.
      new ConvGeometry(3, 8, 11, 6, 3, 3, 1, 1, 0, 0),
      new ConvGeometry(2, 7, 9, 6, 3, 3, 1, 1, 0, 0)
    };
    for (ConvGeometry g : gs) {
      float[] x = VectorGemmTest.random(rng, g.inSize());
      float[] w = VectorGemmTest.random(rng, g.weightSize());
      float[] bias = VectorGemmTest.random(rng, g.outChannels());
      float[] y = new float[g.outSize()];
      DirectConv.Layout pl = new DirectConv.Layout(g);
      float[] panels = new float[w.length];
      DirectConv.panels(w, 0, g.outChannels(), g.crs(), panels);
      DirectConv.forward(
          pl, x, 0, panels, bias, y, 0, new float[pl.wideSize()], new float[pl.reach]);
      assertBitIdentical(convChain(g, x, w, bias), y, g.toString());
    }
  }

  @Test
  void directConvolutionByRowTilesIsTheSequentialFmaChainBitForBit() {
    Rng rng = new Rng(13);
    // Without bias and with Q a multiple of the tile's columns, the tiles are rows' columns stored
    // straight into y (DirectConv.rows). Q = 64 and 32 are whole tiles at every width (resnet20's
    // 16→16 layers: 34-wide padded rows), Q = 16 and 48 at 256 and 128 bits only; K meets every
    // panel (16, 13), the row pairs (6: one, two and three tiles a row) and a 3-row tail; the last
    // row's last tap reads the image's last element, so an x of exactly one image must do.
    ConvGeometry[] gs = {
      new ConvGeometry(16, 34, 34, 16, 3, 3, 1, 1, 0, 0),
      new ConvGeometry(3, 5, 66, 13, 3, 3, 1, 1, 0, 0),
      new ConvGeometry(2, 6, 36, 6, 5, 5, 1, 1, 0, 0),
      new ConvGeometry(2, 4, 50, 6, 3, 3, 1, 1, 0, 0),
      new ConvGeometry(4, 5, 18, 3, 3, 3, 1, 1, 0, 0),
      new ConvGeometry(5, 9, 16, 7, 3, 1, 1, 1, 0, 0)
    };
    boolean sawRows = false;
    for (ConvGeometry g : gs) {
      float[] x = VectorGemmTest.random(rng, g.inSize());
      float[] w = VectorGemmTest.random(rng, g.weightSize());
      DirectConv.Layout pl = new DirectConv.Layout(g);
      sawRows |= pl.rowTiles;
      float[] panels = new float[w.length];
      DirectConv.panels(w, 0, g.outChannels(), g.crs(), panels);
      // y with a margin on both sides, NaN-filled: the tiles must write every output and no more.
      int margin = 40;
      float[] y = new float[g.outSize() + 2 * margin];
      java.util.Arrays.fill(y, Float.NaN);
      DirectConv.forward(
          pl, x, 0, panels, null, y, margin, new float[pl.wideSize()], new float[pl.reach]);
      float[] got = java.util.Arrays.copyOfRange(y, margin, margin + g.outSize());
      assertBitIdentical(convChain(g, x, w, null), got, g.toString());
      for (int i = 0; i < margin; i++) {
        if (!Float.isNaN(y[i]) || !Float.isNaN(y[y.length - 1 - i])) {
          fail(g + ": wrote outside y's range at margin " + i);
        }
      }
    }
    assertTrue(sawRows, "Q = 64 is whole row tiles at every width");
  }

  @Test
  void everyWidthTheCpuHasGivesTheSameBits() throws Exception {
    int max = FloatVector.SPECIES_PREFERRED.vectorBitSize();
    List<float[]> results = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int bits = 128; bits <= max; bits *= 2) {
      for (int registers : new int[] {16, 32}) {
        Object[] r = isolated(bits, registers);
        names.add((String) r[0]);
        results.add((float[]) r[1]);
      }
    }
    for (int i = 1; i < results.size(); i++) {
      assertBitIdentical(results.get(0), results.get(i), names.get(0) + " vs " + names.get(i));
    }
    assertEquals(2 * Integer.numberOfTrailingZeros(max / 64), results.size(), names::toString);
  }

  // The kernels loaded afresh with -Dbnlab.vectorBits and -Dbnlab.vectorRegisters set: the
  // variant's name, then a GEMM's and a direct convolution's outputs end to end.
  private static Object[] isolated(int bits, int registers) throws Exception {
    URL[] path = {
      VectorGemm.class.getProtectionDomain().getCodeSource().getLocation(),
      Rng.class.getProtectionDomain().getCodeSource().getLocation()
    };
    String oldBits = System.getProperty("bnlab.vectorBits");
    String oldRegisters = System.getProperty("bnlab.vectorRegisters");
    try (URLClassLoader loader = new URLClassLoader(path, ClassLoader.getPlatformClassLoader())) {
      System.setProperty("bnlab.vectorBits", Integer.toString(bits));
      System.setProperty("bnlab.vectorRegisters", Integer.toString(registers));
      Class<?> width = loader.loadClass("bnlab.kernel.VectorWidth");
      String name = (String) method(width, "name").invoke(null);
      Rng rng = new Rng(21);
      int m = 19, n = 77, k = 300, batch = 2;
      float[] a = VectorGemmTest.random(rng, batch * m * k);
      float[] b = VectorGemmTest.random(rng, batch * k * n);
      float[] c = VectorGemmTest.random(rng, m * n);
      Class<?> shapeClass = loader.loadClass("bnlab.kernel.GemmShape");
      Object shape = method(shapeClass, "of").invoke(null, false, false, m, n, k);
      shape = method(shapeClass, "batched").invoke(shape, batch, m * k, k * n);
      method(loader.loadClass("bnlab.kernel.VectorGemm"), "product")
          .invoke(null, shape, a, 0, b, 0, 0.5f, c, 0);
      // B's rows 8 KB apart: the packed path, with its width-dependent panels and blocks.
      int wn = 2050, wk = 40;
      float[] wa = VectorGemmTest.random(rng, m * wk);
      float[] wb = VectorGemmTest.random(rng, wk * wn);
      float[] wc = VectorGemmTest.random(rng, m * wn);
      Object wideShape = method(shapeClass, "of").invoke(null, false, false, m, wn, wk);
      method(loader.loadClass("bnlab.kernel.VectorGemm"), "product")
          .invoke(null, wideShape, wa, 0, wb, 0, 1f, wc, 0);
      Class<?> geometry = loader.loadClass("bnlab.kernel.ConvGeometry");
      Object g = geometry.getConstructors()[0].newInstance(3, 12, 14, 13, 3, 3, 1, 1, 0, 0);
      Class<?> layoutClass = loader.loadClass("bnlab.kernel.DirectConv$Layout");
      Constructor<?> make = layoutClass.getDeclaredConstructor(geometry);
      make.setAccessible(true);
      Object layout = make.newInstance(g);
      int wide = (int) method(layoutClass, "wideSize").invoke(layout);
      var reachField = layoutClass.getDeclaredField("reach");
      reachField.setAccessible(true);
      int reach = reachField.getInt(layout);
      float[] x = VectorGemmTest.random(rng, 3 * 12 * 14);
      float[] w = VectorGemmTest.random(rng, 13 * 3 * 3 * 3);
      float[] y = new float[13 * 10 * 12];
      // The weight laid out by that variant's panels (4-row ones packed with 16 registers).
      Class<?> direct = loader.loadClass("bnlab.kernel.DirectConv");
      float[] panels = new float[w.length];
      method(direct, "panels").invoke(null, w, 0, 13, 27, panels);
      method(direct, "forward")
          .invoke(null, layout, x, 0, panels, null, y, 0, new float[wide], new float[reach]);
      float[] out = new float[c.length + y.length + wc.length];
      System.arraycopy(c, 0, out, 0, c.length);
      System.arraycopy(y, 0, out, c.length, y.length);
      System.arraycopy(wc, 0, out, c.length + y.length, wc.length);
      return new Object[] {name, out};
    } finally {
      restore("bnlab.vectorBits", oldBits);
      restore("bnlab.vectorRegisters", oldRegisters);
    }
  }

  private static Method method(Class<?> type, String name) {
    for (Method m : type.getDeclaredMethods()) {
      if (m.getName().equals(name)) {
        m.setAccessible(true);
        return m;
      }
    }
    throw new AssertionError(type + " has no method " + name);
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }

  /** C = beta·C, then per element one fused multiply-add per (t, p) in order. */
  private static void chain(
      boolean ta, int m, int n, int k, int batch, float[] a, float[] b, float beta, float[] c) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float acc = beta == 0f ? 0f : beta == 1f ? c[i * n + j] : c[i * n + j] * beta;
        for (int t = 0; t < batch; t++) {
          for (int p = 0; p < k; p++) {
            float av = ta ? a[t * m * k + p * m + i] : a[t * m * k + i * k + p];
            acc = Math.fma(av, b[t * k * n + p * n + j], acc);
          }
        }
        c[i * n + j] = acc;
      }
    }
  }

  /** y[k, p, q] = (Σ in (c, r, s) order by fused multiply-adds) + bias[k]. */
  private static float[] convChain(ConvGeometry g, float[] x, float[] w, float[] bias) {
    int cc = g.channels(), h = g.height(), wd = g.width(), rr = g.kernelH(), ss = g.kernelW();
    int pp = g.outH(), qq = g.outW();
    float[] y = new float[g.outSize()];
    for (int k = 0; k < g.outChannels(); k++) {
      for (int p = 0; p < pp; p++) {
        for (int q = 0; q < qq; q++) {
          float acc = 0f;
          for (int c = 0; c < cc; c++) {
            for (int r = 0; r < rr; r++) {
              for (int s = 0; s < ss; s++) {
                acc =
                    Math.fma(
                        w[((k * cc + c) * rr + r) * ss + s], x[(c * h + p + r) * wd + q + s], acc);
              }
            }
          }
          y[(k * pp + p) * qq + q] = bias == null ? acc : acc + bias[k];
        }
      }
    }
    return y;
  }

  private static void assertBitIdentical(float[] want, float[] got, String what) {
    int first = -1, count = 0;
    for (int i = 0; i < want.length; i++) {
      if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
        count++;
        if (first < 0) {
          first = i;
        }
      }
    }
    if (first >= 0) {
      fail(
          String.format(
              "%s (%s): %d of %d differ; first at %d: want %s (0x%08x), got %s (0x%08x)",
              what,
              VectorWidth.name(),
              count,
              want.length,
              first,
              want[first],
              Float.floatToRawIntBits(want[first]),
              got[first],
              Float.floatToRawIntBits(got[first])));
    }
  }
}
