package bnlab.reference;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * The article's Keras example, scaled down: channels-last input (N, L, C) into {@code
 * Conv1D(filters, 3)} and {@code BatchNormalization()} over the last axis (momentum 0.99, epsilon
 * 1e-3). libtorch computes it as permute → conv1d (weight[f, c, r] = kernel[r, c, f]) →
 * batch_norm(momentum = 1 − 0.99, eps = 1e-3) → permute back; the moving variance is therefore
 * PyTorch's unbiased one.
 */
final class KerasCase {
  private KerasCase() {}

  static List<GoldenFile> all(NDManager m) {
    return List.of(run(m, "keras_conv1d_bn", 71, 4, 10, 6, 5, 3, 3));
  }

  private static GoldenFile run(
      NDManager m, String name, long seed, int n, int l, int c, int f, int k, int steps) {
    Inputs r = new Inputs(seed);
    int lOut = l - k + 1;
    long[] xs = {n, l, c};
    long[] ys = {n, lOut, f};
    float bound = (float) Math.sqrt(6.0 / (k * c + k * f));
    float[] kernel = r.uniform(k * c * f, 0f, bound);
    float[] bias = r.uniform(f, 0f, 0.1f);
    float[] gamma = r.uniform(f, 1f, 0.2f);
    float[] beta = r.uniform(f, 0f, 0.1f);
    GoldenFile g =
        new GoldenFile(
            name,
            "Keras channels-last: Conv1D(filters="
                + f
                + ", kernel_size="
                + k
                + ") then BatchNormalization(axis=-1, momentum=0.99, epsilon=1e-3),\n"
                + "input (N, L, C) = ("
                + n
                + ", "
                + l
                + ", "
                + c
                + "), kernel (k, C, filters) in Keras's layout.\n"
                + "libtorch: permute(0,2,1) -> conv1d(weight = kernel.permute(2,1,0)) ->"
                + " batch_norm(training, momentum=0.01, eps=1e-3) -> permute(0,2,1).\n"
                + "The moving variance is PyTorch's unbiased one (real Keras 3 stores the biased one).\n"
                + "Step 1: y_1 and gradients of sum(y_1 * dY_1); steps 2..: running stats only;"
                + " then eval mode on x_eval.");
    g.attr("filters", f).attr("kernel_size", k).attr("momentum", 0.99).attr("epsilon", 1e-3);
    g.attr("steps", steps).attr("num_batches_tracked", steps);
    g.f32("kernel", kernel, k, c, f).f32("bias", bias, f);
    g.f32("gamma", gamma, f).f32("beta", beta, f);
    NDArray kNd = Torch.param(m, kernel, k, c, f);
    NDArray bNd = Torch.param(m, bias, f);
    NDArray gNd = Torch.param(m, gamma, f);
    NDArray betaNd = Torch.param(m, beta, f);
    NDArray runningMean = m.zeros(new Shape(f));
    NDArray runningVar = m.ones(new Shape(f));
    for (int step = 1; step <= steps; step++) {
      float[] xv = r.uniform(n * l * c, 0.2f, 1.5f);
      g.f32("x_" + step, xv, xs);
      NDArray x = Torch.param(m, xv, xs);
      try (var collector = Engine.getEngine(Torch.ENGINE).newGradientCollector()) {
        NDArray y = forward(x, kNd, bNd, gNd, betaNd, runningMean, runningVar, true);
        if (step == 1) {
          float[] dyv = r.uniform(n * lOut * f);
          collector.backward(y.mul(Torch.f32(m, dyv, ys)).sum());
          g.f32("y_1", Torch.floats(y), ys).f32("dY_1", dyv, ys);
          g.f32("dX_1", Torch.floats(x.getGradient()), xs);
          g.f32("dKernel_1", Torch.floats(kNd.getGradient()), k, c, f);
          g.f32("dBias_1", Torch.floats(bNd.getGradient()), f);
          g.f32("dGamma_1", Torch.floats(gNd.getGradient()), f);
          g.f32("dBeta_1", Torch.floats(betaNd.getGradient()), f);
        }
      }
      g.f32("running_mean_" + step, Torch.floats(runningMean), f);
      g.f32("running_var_" + step, Torch.floats(runningVar), f);
    }
    float[] ev = r.uniform(n * l * c, 0.2f, 1.5f);
    NDArray y =
        forward(Torch.f32(m, ev, xs), kNd, bNd, gNd, betaNd, runningMean, runningVar, false);
    g.f32("x_eval", ev, xs).f32("y_eval", Torch.floats(y), ys);
    return g;
  }

  private static NDArray forward(
      NDArray x,
      NDArray kernel,
      NDArray bias,
      NDArray gamma,
      NDArray beta,
      NDArray runningMean,
      NDArray runningVar,
      boolean training) {
    NDArray xt = x.transpose(0, 2, 1);
    NDArray w = kernel.transpose(2, 1, 0);
    Shape one = new Shape(1);
    NDArray h =
        xt.getNDArrayInternal()
            .convolution(xt, w, bias, one, new Shape(0), one, 1)
            .singletonOrThrow();
    h = Torch.batchNorm(h, runningMean, runningVar, gamma, beta, training, 1 - 0.99, 1e-3);
    return h.transpose(0, 2, 1);
  }
}
