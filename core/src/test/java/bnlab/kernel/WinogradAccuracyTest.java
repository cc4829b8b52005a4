package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The accuracy of {@link WinogradPlan} against a float64 direct convolution, next to {@link
 * Im2colGemmPlan}'s float32 error on the same data, at vgg-like and ResNet-like shapes (3×3, stride
 * 1, padding 1; x and dY standard normal, He-initialized weights).
 *
 * <p>Two bounds, per output element and per tensor:
 *
 * <ul>
 *   <li>worst case: every element's error is at most 4·(n + 8)·u·Σ|terms| with u = 2⁻²⁴, n the
 *       length of the sum (C for the 16 products of Winograd's forward, K for dX, the batch's tiles
 *       for dW) and Σ|terms| the sum of the absolute values of the products the exact result adds
 *       (computed in float64): a sum of n products rounds by at most n·u relative to Σ|terms|, the
 *       transforms add a few roundings of their own (8 covers the adds of Bᵀ d B, G g Gᵀ and Aᵀ M
 *       A), and their entries (0, ±½, ±1) amplify absolute sums by at most 2 per spatial dimension,
 *       hence 4. A wrong transform gives errors of the order of Σ|terms| itself;
 *   <li>typical: the mean absolute error, relative to the mean |exact value|, at most 4× that of
 *       im2col + GEMM on the same data (it measured 1.3–2.6×, see docs/performance.md, "Winograd
 *       F(2×2, 3×3)"), so a loss of accuracy in the transforms shows up here long before the worst
 *       case.
 * </ul>
 */
class WinogradAccuracyTest {
  private static final double U = Math.ulp(1.0f) / 2; // 2^-24

  // name, channels, size, outChannels, batch
  private static final Object[][] SHAPES = {
    {"vgg conv2", 32, 32, 32, 2},
    {"vgg conv4", 64, 16, 64, 2},
    {"vgg conv6", 128, 8, 128, 2},
    {"vgg conv6, 2 chunks of 5", 128, 8, 128, 10},
    {"resnet20 layer1", 16, 32, 16, 2},
    {"resnet20 layer2", 32, 16, 32, 2},
    {"resnet20 layer3", 64, 8, 64, 3},
    {"odd 7x9", 24, 7, 20, 3},
  };

  @Test
  void errorsOfF2x2AgainstFloat64StayWithinTheirBounds() {
    errorsStayWithin(2, 4, 4);
  }

  /**
   * F(4×4, 3×3): the transforms' entries reach 5 (Bᵀ) and 8 (Aᵀ), and 1/6, 1/12 and 1/24 in G are
   * rounded, so each result carries more rounding error. Measured on these shapes: the worst
   * element at up to 2.0·(n + 8)·u·Σ|terms| (F(2×2): 0.12), the mean relative error 3.5–11×
   * im2col's (F(2×2): 0.7–3.1×); the bounds leave a factor of 4 and 1.5 above that. A wrong
   * transform is off by about Σ|terms| itself, 10⁵ times the bound.
   */
  @Test
  void errorsOfF4x4AgainstFloat64StayWithinTheirBounds() {
    errorsStayWithin(4, 8, 16);
  }

  /**
   * F(m×m): every element within worstFactor·(n + 8)·u·Σ|terms|, and the mean relative error of
   * each tensor at most {@code meanRatio} times im2col's.
   */
  private static void errorsStayWithin(int m, double worstFactor, double meanRatio) {
    StringBuilder table = new StringBuilder();
    table.append(
        "F("
            + m
            + "x"
            + m
            + ") shape | tensor | Winograd max rel | Winograd mean rel | im2col max rel | im2col"
            + " mean rel | Winograd mean / im2col mean | worst error / ((n + 8)·u·Σ|terms|)\n");
    StringBuilder bad = new StringBuilder();
    Random r = new Random(2016);
    for (Object[] s : SHAPES) {
      String name = (String) s[0];
      int c = (int) s[1], hw = (int) s[2], k = (int) s[3], n = (int) s[4];
      ConvGeometry g = new ConvGeometry(c, hw, hw, k, 3, 3, 1, 1, 1, 1);
      float[] x = gaussian(r, n * g.inSize(), 1);
      float[] w = gaussian(r, g.weightSize(), Math.sqrt(2.0 / (9 * c)));
      float[] bias = gaussian(r, k, 0.1);
      float[] dy = gaussian(r, n * g.outSize(), 1);
      Exact e = new Exact(g, n, x, w, bias, dy);
      float[][] wino = run(new WinogradPlan("test", g, n, true, true, null, m), x, w, bias, dy);
      float[][] im2col = run(new Im2colGemmPlan("test", g, n, true, true, null), x, w, bias, dy);
      String[] tensors = {"y", "dW", "dX"};
      double[][] exact = {e.y, e.dw, e.dx};
      double[][] abs = {e.yAbs, e.dwAbs, e.dxAbs};
      int th = (hw + m - 1) / m;
      int[] len = {c, n * (th + 1) * th, k};
      for (int i = 0; i < 3; i++) {
        Err ew = Err.of(exact[i], wino[i]);
        Err ei = Err.of(exact[i], im2col[i]);
        table.append(
            String.format(
                Locale.ROOT,
                "%s | %s | %.2e | %.2e | %.2e | %.2e | %.2f | %.3f%n",
                name,
                tensors[i],
                ew.maxRel,
                ew.meanRel,
                ei.maxRel,
                ei.meanRel,
                ew.meanRel / ei.meanRel,
                worstRatio(exact[i], abs[i], wino[i], (len[i] + 8) * U)));
        double bound = worstFactor * (len[i] + 8) * U;
        int worst = worstCase(exact[i], abs[i], wino[i], bound);
        if (worst >= 0) {
          bad.append(
              String.format(
                  Locale.ROOT,
                  "%s %s[%d]: exact %.9g, Winograd %.9g, error %.3g > bound %.3g (Σ|terms| %.4g)%n",
                  name,
                  tensors[i],
                  worst,
                  exact[i][worst],
                  wino[i][worst],
                  Math.abs(wino[i][worst] - exact[i][worst]),
                  bound * abs[i][worst],
                  abs[i][worst]));
        }
        if (!(ew.meanRel <= meanRatio * ei.meanRel)) {
          bad.append(
              String.format(
                  Locale.ROOT,
                  "%s %s: mean relative error %.3g, more than %.0fx im2col's %.3g%n",
                  name,
                  tensors[i],
                  ew.meanRel,
                  meanRatio,
                  ei.meanRel));
        }
      }
    }
    System.out.print(table);
    assertTrue(bad.isEmpty(), () -> "Winograd error beyond its bounds:\n" + bad + table);
  }

  // The largest error / (unit·Σ|terms|) over the elements.
  private static double worstRatio(double[] exact, double[] abs, float[] got, double unit) {
    double worst = 0;
    for (int i = 0; i < exact.length; i++) {
      if (abs[i] > 0) {
        worst = Math.max(worst, Math.abs(got[i] - exact[i]) / (unit * abs[i]));
      }
    }
    return worst;
  }

  // The first element whose error exceeds bound·Σ|terms|, or -1.
  private static int worstCase(double[] exact, double[] abs, float[] got, double bound) {
    for (int i = 0; i < exact.length; i++) {
      if (!(Math.abs(got[i] - exact[i]) <= bound * abs[i])) {
        return i;
      }
    }
    return -1;
  }

  /** Max |error| / max |exact| and mean |error| / mean |exact|. */
  record Err(double maxRel, double meanRel) {
    static Err of(double[] exact, float[] got) {
      double maxErr = 0, maxVal = 0, sumErr = 0, sumVal = 0;
      for (int i = 0; i < exact.length; i++) {
        double d = Math.abs(got[i] - exact[i]);
        maxErr = Math.max(maxErr, d);
        maxVal = Math.max(maxVal, Math.abs(exact[i]));
        sumErr += d;
        sumVal += Math.abs(exact[i]);
      }
      return new Err(maxErr / maxVal, sumErr / sumVal);
    }
  }

  /** y, dW and dX of one forward and backward of {@code p}. */
  static float[][] run(ConvPlan p, float[] x, float[] w, float[] bias, float[] dy) {
    ConvGeometry g = p.geometry();
    float[] y = new float[p.batch() * g.outSize()];
    float[] dw = new float[g.weightSize()];
    float[] dx = new float[x.length];
    p.forward(x, w, bias, y);
    p.backward(dy, x, w, dw, dx);
    return new float[][] {y, dw, dx};
  }

  static float[] gaussian(Random r, int n, double scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (scale * r.nextGaussian());
    }
    return a;
  }

  /** The direct convolution in float64, and each result's Σ|terms|. */
  static final class Exact {
    final double[] y;
    final double[] yAbs;
    final double[] dw;
    final double[] dwAbs;
    final double[] dx;
    final double[] dxAbs;

    // x (N,C,H,W), w (K,C,3,3), padding 1 -> y (N,K,H,W); dW, dX from dY (N,K,H,W)
    Exact(ConvGeometry g, int n, float[] x, float[] w, float[] bias, float[] dy) {
      int c = g.channels(), h = g.height(), wd = g.width(), k = g.outChannels();
      int p = g.outH(), q = g.outW(), pad = g.padH();
      y = new double[n * k * p * q];
      yAbs = new double[y.length];
      dw = new double[w.length];
      dwAbs = new double[w.length];
      dx = new double[x.length];
      dxAbs = new double[x.length];
      for (int t = 0; t < n; t++) {
        for (int o = 0; o < k; o++) {
          for (int i = 0; i < p; i++) {
            for (int j = 0; j < q; j++) {
              int yi = ((t * k + o) * p + i) * q + j;
              double sum = bias[o];
              double abs = Math.abs(bias[o]);
              for (int ch = 0; ch < c; ch++) {
                for (int r = 0; r < 3; r++) {
                  int hi = i + r - pad;
                  if (hi < 0 || hi >= h) {
                    continue;
                  }
                  for (int s = 0; s < 3; s++) {
                    int wi = j + s - pad;
                    if (wi < 0 || wi >= wd) {
                      continue;
                    }
                    int xi = ((t * c + ch) * h + hi) * wd + wi;
                    int fi = ((o * c + ch) * 3 + r) * 3 + s;
                    double xw = (double) x[xi] * w[fi];
                    sum += xw;
                    abs += Math.abs(xw);
                    double gx = (double) dy[yi] * x[xi];
                    dw[fi] += gx;
                    dwAbs[fi] += Math.abs(gx);
                    double gw = (double) dy[yi] * w[fi];
                    dx[xi] += gw;
                    dxAbs[xi] += Math.abs(gw);
                  }
                }
              }
              y[yi] = sum;
              yAbs[yi] = abs;
            }
          }
        }
      }
    }
  }
}
