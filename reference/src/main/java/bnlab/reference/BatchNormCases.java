package bnlab.reference;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Locale;

/**
 * Batch normalization as {@code torch.nn.BatchNorm1d/2d} runs it: {@code F.batch_norm} in training
 * mode with the module's momentum (or, for momentum=None, the cumulative factor {@code
 * 1/num_batches_tracked} that the module computes), then eval mode with the running statistics.
 */
final class BatchNormCases {
  static final double EPS = 1e-5;

  private BatchNormCases() {}

  static List<GoldenFile> all(NDManager m) {
    return List.of(
        bn(m, "bn1d_nc", 31, new long[] {8, 5}, true, 0.1, 4),
        bn(m, "bn1d_nc_cumulative", 32, new long[] {8, 5}, true, null, 4),
        bn(m, "bn1d_ncl", 33, new long[] {4, 3, 6}, true, 0.1, 3),
        bn(m, "bn1d_ncl_cumulative", 34, new long[] {3, 2, 5}, true, null, 3),
        bn(m, "bn2d", 35, new long[] {4, 3, 4, 5}, true, 0.1, 3),
        bn(m, "bn2d_cumulative", 36, new long[] {2, 3, 3, 3}, true, null, 3),
        bn(m, "bn1d_noaffine_article", 37, new long[] {22, 102}, false, 0.1, 2),
        bn(m, "bn2d_noaffine", 38, new long[] {3, 2, 3, 3}, false, 0.1, 2),
        stress(m, "bn2d_stress", 39, new long[] {8, 4, 4, 4}));
  }

  private static int size(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return (int) n;
  }

  private static GoldenFile bn(
      NDManager m,
      String name,
      long seed,
      long[] shape,
      boolean affine,
      Double momentum,
      int steps) {
    Inputs r = new Inputs(seed);
    int c = (int) shape[1];
    int n = size(shape);
    String module = shape.length == 4 ? "BatchNorm2d" : "BatchNorm1d";
    GoldenFile g =
        new GoldenFile(
            name,
            String.format(
                Locale.ROOT,
                "torch.nn.%s(%d, eps=1e-5, momentum=%s, affine=%s, track_running_stats=True), training mode,"
                    + "%nrun as F.batch_norm(x, running_mean, running_var, weight, bias, training=True, factor, eps)"
                    + "%nwith factor = %s; running_mean starts at 0, running_var at 1."
                    + "%nStep 1: y, and dX, dWeight, dBias = autograd gradients of sum(y * dY)."
                    + "%nSteps 2..%d: only the inputs x_k and the running statistics after each step."
                    + "%nThen eval mode: y_eval = F.batch_norm(x_eval, running_mean, running_var, weight, bias, training=False).",
                module,
                c,
                momentum == null ? "None" : momentum.toString(),
                affine ? "True" : "False",
                momentum == null ? "1/num_batches_tracked (cumulative average)" : "momentum",
                steps));
    g.attr("num_features", c).attr("eps", EPS);
    g.attr("momentum", momentum == null ? "None" : momentum.toString());
    g.attr("affine", affine).attr("steps", steps).attr("num_batches_tracked", steps);
    NDArray weight = null;
    NDArray bias = null;
    if (affine) {
      float[] wv = r.uniform(c, 1f, 0.5f);
      float[] bv = r.uniform(c, 0f, 0.5f);
      weight = Torch.param(m, wv, c);
      bias = Torch.param(m, bv, c);
      g.f32("weight", wv, c).f32("bias", bv, c);
    }
    NDArray runningMean = m.zeros(new ai.djl.ndarray.types.Shape(c));
    NDArray runningVar = m.ones(new ai.djl.ndarray.types.Shape(c));
    for (int step = 1; step <= steps; step++) {
      // Channels get different offsets through the shared generator; the spread is 2 around 0.5.
      float[] xv = r.uniform(n, 0.5f, 2f);
      double factor = momentum == null ? 1.0 / step : momentum;
      NDArray x = step == 1 ? Torch.param(m, xv, shape) : Torch.f32(m, xv, shape);
      g.f32("x_" + step, xv, shape);
      if (step == 1) {
        try (var collector = Engine.getEngine(Torch.ENGINE).newGradientCollector()) {
          NDArray y = Torch.batchNorm(x, runningMean, runningVar, weight, bias, true, factor, EPS);
          float[] dyv = r.uniform(n);
          NDArray dY = Torch.f32(m, dyv, shape);
          collector.backward(y.mul(dY).sum());
          g.f32("y_1", Torch.floats(y), shape).f32("dY_1", dyv, shape);
          g.f32("dX_1", Torch.floats(x.getGradient()), shape);
          if (affine) {
            g.f32("dWeight_1", Torch.floats(weight.getGradient()), c);
            g.f32("dBias_1", Torch.floats(bias.getGradient()), c);
          }
        }
      } else {
        Torch.batchNorm(x, runningMean, runningVar, weight, bias, true, factor, EPS);
      }
      g.f32("running_mean_" + step, Torch.floats(runningMean), c);
      g.f32("running_var_" + step, Torch.floats(runningVar), c);
    }
    float[] ev = r.uniform(n, 0.5f, 2f);
    NDArray y =
        Torch.batchNorm(
            Torch.f32(m, ev, shape), runningMean, runningVar, weight, bias, false, 0.0, EPS);
    g.f32("x_eval", ev, shape).f32("y_eval", Torch.floats(y), shape);
    return g;
  }

  /**
   * Catastrophic-cancellation case: x = 1000 + 0.01 * u, so the variance (about 3e-5) is tiny next
   * to the squared mean. libtorch's float32 results are stored together with a float64 reference
   * computed here from the same (exactly stored) float32 inputs.
   */
  private static GoldenFile stress(NDManager m, String name, long seed, long[] shape) {
    Inputs r = new Inputs(seed);
    int c = (int) shape[1];
    int n = size(shape);
    int per = n / c;
    int hw = per / (int) shape[0];
    float[] xv = r.uniform(n, 1000f, 0.01f);
    float[] dyv = r.uniform(n);
    float[] wv = new float[c];
    java.util.Arrays.fill(wv, 1f);
    NDArray x = Torch.param(m, xv, shape);
    NDArray weight = Torch.param(m, wv, c);
    NDArray bias = Torch.param(m, new float[c], c);
    NDArray runningMean = m.zeros(new ai.djl.ndarray.types.Shape(c));
    NDArray runningVar = m.ones(new ai.djl.ndarray.types.Shape(c));
    float[] y;
    float[] dX;
    try (var collector = Engine.getEngine(Torch.ENGINE).newGradientCollector()) {
      NDArray out = Torch.batchNorm(x, runningMean, runningVar, weight, bias, true, 0.1, EPS);
      collector.backward(out.mul(Torch.f32(m, dyv, shape)).sum());
      y = Torch.floats(out);
      dX = Torch.floats(x.getGradient());
    }
    double[] yRef = new double[n];
    double[] dxRef = new double[n];
    double[] rmRef = new double[c];
    double[] rvRef = new double[c];
    for (int ch = 0; ch < c; ch++) {
      double sum = 0;
      for (int i = 0; i < per; i++) {
        sum += xv[index(i, ch, c, hw)];
      }
      double mean = sum / per;
      double ss = 0;
      for (int i = 0; i < per; i++) {
        double d = xv[index(i, ch, c, hw)] - mean;
        ss += d * d;
      }
      double var = ss / per;
      double rstd = 1 / Math.sqrt(var + EPS);
      double dySum = 0;
      double dyXhat = 0;
      for (int i = 0; i < per; i++) {
        int j = index(i, ch, c, hw);
        yRef[j] = (xv[j] - mean) * rstd;
        dySum += dyv[j];
        dyXhat += dyv[j] * yRef[j];
      }
      for (int i = 0; i < per; i++) {
        int j = index(i, ch, c, hw);
        dxRef[j] = rstd * (dyv[j] - dySum / per - yRef[j] * dyXhat / per);
      }
      rmRef[ch] = 0.1 * mean;
      rvRef[ch] = 0.9 + 0.1 * var * per / (per - 1);
    }
    GoldenFile g =
        new GoldenFile(
            name,
            "Numerics stress: torch.nn.BatchNorm2d(4) (weight 1, bias 0, eps 1e-5, momentum 0.1), one"
                + " training step\non x = 1000 + 0.01*u, u uniform in [-1,1): the variance is tiny next"
                + " to the mean squared.\nlibtorch's float32 y, dX (for dY), running_mean, running_var,"
                + " and a float64 reference (*_ref64)\ncomputed by the generator in Java doubles from"
                + " the same float32 inputs (two-pass mean/variance).");
    g.comment(String.format(Locale.ROOT, "libtorch max |y - y_ref64| = %.3e", maxErr(y, yRef)));
    g.comment(String.format(Locale.ROOT, "libtorch max |dX - dX_ref64| = %.3e", maxErr(dX, dxRef)));
    g.comment(
        String.format(
            Locale.ROOT,
            "libtorch max |running_var - ref64| = %.3e",
            maxErr(Torch.floats(runningVar), rvRef)));
    g.attr("num_features", c).attr("eps", EPS).attr("momentum", 0.1);
    g.f32("x", xv, shape).f32("dY", dyv, shape);
    g.f32("y", y, shape).f64("y_ref64", yRef, shape);
    g.f32("dX", dX, shape).f64("dX_ref64", dxRef, shape);
    g.f32("running_mean", Torch.floats(runningMean), c).f64("running_mean_ref64", rmRef, c);
    g.f32("running_var", Torch.floats(runningVar), c).f64("running_var_ref64", rvRef, c);
    return g;
  }

  /** Flat index of the i-th element (over N and H*W) of channel ch in (N,C,H*W). */
  private static int index(int i, int ch, int c, int hw) {
    return ((i / hw) * c + ch) * hw + i % hw;
  }

  private static double maxErr(float[] a, double[] ref) {
    double e = 0;
    for (int i = 0; i < a.length; i++) {
      e = Math.max(e, Math.abs(a[i] - ref[i]));
    }
    return e;
  }
}
