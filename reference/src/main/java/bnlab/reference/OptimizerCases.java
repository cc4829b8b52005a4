package bnlab.reference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Locale;

/**
 * SGD, Adam and AdamW steps. DJL has no exact torch.optim equivalent (its sgdUpdate lacks dampening
 * and nesterov, its adamUpdate has no bias correction of the second moment), so these files follow
 * torch.optim's documented single-tensor update (torch/optim/sgd.py, adam.py, adamw.py, 2.7),
 * evaluated op by op with libtorch float32 tensor arithmetic; Python-float scalars are computed in
 * double and rounded to float32 where the kernel does.
 */
final class OptimizerCases {
  private static final long[] SHAPE = {3, 4};
  private static final int STEPS = 5;
  private static final double[] GRAD_SCALE = {1, 1e-2, 1e-5, 1e-8};

  private OptimizerCases() {}

  static List<GoldenFile> all(NDManager m) {
    return List.of(
        sgd(m, "sgd_plain", 51, 0.1, 0, 0, false, 0),
        sgd(m, "sgd_momentum", 52, 0.1, 0.9, 0, false, 0),
        sgd(m, "sgd_dampening_wd", 53, 0.05, 0.9, 0.5, false, 1e-2),
        sgd(m, "sgd_nesterov_wd", 54, 0.1, 0.9, 0, true, 1e-2),
        adam(m, "adam", 55, 1e-2, 0, false),
        adam(m, "adam_l2", 56, 1e-2, 0.1, false),
        adam(m, "adamw", 57, 1e-2, 0.1, true));
  }

  private static String description(String what) {
    return what
        + "\nNOT torch.optim itself: its documented single-tensor update, computed with libtorch"
        + " float32 tensor ops\n(DJL has no exact torch.optim equivalent). One parameter of shape"
        + " (3, 4), "
        + STEPS
        + " steps;\nthe gradient of step k is grad_k (given), param_k is the parameter after step k.";
  }

  private static GoldenFile sgd(
      NDManager m,
      String name,
      long seed,
      double lr,
      double momentum,
      double dampening,
      boolean nesterov,
      double wd) {
    Inputs r = new Inputs(seed);
    GoldenFile g =
        new GoldenFile(
            name,
            description(
                String.format(
                    Locale.ROOT,
                    "torch.optim.SGD(lr=%s, momentum=%s, dampening=%s, weight_decay=%s, nesterov=%s):"
                        + "%n  g = grad + weight_decay*param; buf = g (first step) else"
                        + " momentum*buf + (1-dampening)*g;"
                        + "%n  g = g + momentum*buf if nesterov else buf (when momentum != 0); param -= lr*g",
                    lr,
                    momentum,
                    dampening,
                    wd,
                    nesterov ? "True" : "False")));
    g.attr("lr", lr).attr("momentum", momentum).attr("dampening", dampening);
    g.attr("weight_decay", wd).attr("nesterov", nesterov).attr("steps", STEPS);
    float[] p0 = r.uniform(12);
    g.f32("param_0", p0, SHAPE);
    NDArray p = Torch.f32(m, p0, SHAPE);
    NDArray buf = null;
    for (int k = 1; k <= STEPS; k++) {
      float[] gv = r.uniform(12);
      g.f32("grad_" + k, gv, SHAPE);
      NDArray grad = Torch.f32(m, gv, SHAPE);
      if (wd != 0) {
        grad = grad.add(p.mul((float) wd));
      }
      if (momentum != 0) {
        buf =
            buf == null
                ? grad.duplicate()
                : buf.mul((float) momentum).add(grad.mul((float) (1 - dampening)));
        grad = nesterov ? grad.add(buf.mul((float) momentum)) : buf;
      }
      p = p.sub(grad.mul((float) lr));
      g.f32("param_" + k, Torch.floats(p), SHAPE);
    }
    return g;
  }

  private static GoldenFile adam(
      NDManager m, String name, long seed, double lr, double wd, boolean decoupled) {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    Inputs r = new Inputs(seed);
    String opt = decoupled ? "AdamW" : "Adam";
    GoldenFile g =
        new GoldenFile(
            name,
            description(
                String.format(
                    Locale.ROOT,
                    "torch.optim.%s(lr=%s, betas=(0.9, 0.999), eps=1e-8, weight_decay=%s, amsgrad=False):"
                        + "%n  %s; m = m.lerp(g, 1-beta1); v = beta2*v + (1-beta2)*g*g;"
                        + "%n  param -= lr/(1-beta1^t) * m / (sqrt(v)/sqrt(1-beta2^t) + eps)",
                    opt,
                    lr,
                    wd,
                    decoupled
                        ? "param *= 1 - lr*weight_decay; g = grad"
                        : "g = grad + weight_decay*param")));
    g.attr("lr", lr).attr("beta1", beta1).attr("beta2", beta2).attr("eps", eps);
    g.attr("weight_decay", wd).attr("decoupled_weight_decay", decoupled).attr("steps", STEPS);
    float[] p0 = r.uniform(12);
    g.f32("param_0", p0, SHAPE);
    NDArray p = Torch.f32(m, p0, SHAPE);
    NDArray mean = p.zerosLike();
    NDArray var = p.zerosLike();
    for (int t = 1; t <= STEPS; t++) {
      // Gradients of mixed scale (1, 1e-2, 1e-5, 1e-8 by column): at 1e-8 sqrt(v) is comparable
      // to eps, so where eps enters the denominator changes the update visibly.
      float[] gv = r.uniform(12);
      for (int i = 0; i < gv.length; i++) {
        gv[i] *= (float) GRAD_SCALE[i % 4];
      }
      g.f32("grad_" + t, gv, SHAPE);
      NDArray grad = Torch.f32(m, gv, SHAPE);
      if (wd != 0) {
        if (decoupled) {
          p = p.mul((float) (1 - lr * wd));
        } else {
          grad = grad.add(p.mul((float) wd));
        }
      }
      mean = mean.add(grad.sub(mean).mul((float) (1 - beta1)));
      var = var.mul((float) beta2).add(grad.mul(grad).mul((float) (1 - beta2)));
      double stepSize = lr / (1 - Math.pow(beta1, t));
      double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
      NDArray denom = var.sqrt().div((float) bc2Sqrt).add((float) eps);
      p = p.sub(mean.div(denom).mul((float) stepSize));
      g.f32("param_" + t, Torch.floats(p), SHAPE);
      g.f32("exp_avg_" + t, Torch.floats(mean), SHAPE);
      g.f32("exp_avg_sq_" + t, Torch.floats(var), SHAPE);
    }
    return g;
  }
}
