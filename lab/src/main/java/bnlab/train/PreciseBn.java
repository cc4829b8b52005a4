package bnlab.train;

import bnlab.data.Batch;
import bnlab.data.DataLoader;
import bnlab.nn.BatchNorm1d;
import bnlab.nn.BatchNorm2d;
import bnlab.nn.BatchNorm3d;
import bnlab.nn.Counter;
import bnlab.nn.Module;
import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * "Precise BN" (Wu &amp; Johnson 2021, "Rethinking 'Batch' in BatchNorm", §3; fvcore's {@code
 * update_bn_stats}, PyTorch's {@code torch.optim.swa_utils.update_bn}): every BatchNorm layer's
 * running statistics recomputed with the weights fixed as the exact average over N training
 * batches,
 *
 * <pre>
 * running_mean = (1/N) Σ_k μ_k        running_var = (1/N) Σ_k σ²_k · m/(m − 1)
 * </pre>
 *
 * where μ_k and σ²_k are the layer's batch mean and biased variance on batch k (m values per
 * channel) with the whole model in training mode, exactly as it computes them in training. This is
 * PyTorch's cumulative average ({@code momentum=None}); afterwards num_batches_tracked = N, as
 * after {@code update_bn}. The exponential moving average that training keeps (momentum 0.1) weighs
 * the last ~10 batches, each computed under older weights; this average uses the final weights
 * only.
 *
 * <p>The layers are {@link BatchNorm1d}, {@link BatchNorm2d} and {@link BatchNorm3d} with running
 * statistics, not frozen and with momentum &gt; 0. Others that keep running statistics (Ghost BN,
 * Batch Renorm, frozen or momentum-0 BN) are left as they are and listed by {@link #skipped}.
 *
 * <p>How the batch statistics are read without hooks into the layer: before each forward, the
 * layers' running statistics and counters are set to 0, so that after it running = f·batch
 * statistic with f = momentum (or 1 for momentum null, whose factor is 1/num_batches_tracked = 1).
 * Training-mode BN does not read its running statistics, so zeroing them changes no output.
 */
public final class PreciseBn {
  private PreciseBn() {}

  /**
   * One BatchNorm layer and its state.
   *
   * @param name dotted module path ({@code "layer1.0.bn1"})
   * @param module the layer
   * @param eps the layer's eps
   * @param momentum PyTorch momentum, null for the cumulative average
   * @param runningMean live running_mean buffer
   * @param runningVar live running_var buffer
   * @param count live num_batches_tracked
   * @param weight live γ, or null without affine
   * @param bias live β, or null without affine
   */
  public record Layer(
      String name,
      Module module,
      double eps,
      Double momentum,
      Tensor runningMean,
      Tensor runningVar,
      Counter count,
      Tensor weight,
      Tensor bias) {
    /** Number of channels. */
    public int channels() {
      return runningMean.size();
    }

    // the factor of the new batch statistic after the counters were reset to 0
    double factor() {
      return momentum == null ? 1.0 : momentum;
    }
  }

  /**
   * Per-channel averages of the batch statistics over {@code batches} batches.
   *
   * @param layers the layers, in module order
   * @param mean per layer, the average batch mean
   * @param var per layer, the average unbiased batch variance
   * @param batches the number of batches averaged
   * @param images the number of images they held
   */
  public record Estimate(
      List<Layer> layers, List<double[]> mean, List<double[]> var, int batches, long images) {}

  /** The BatchNorm layers that can be recalibrated, in module order. */
  public static List<Layer> layers(Module model) {
    List<Layer> out = new ArrayList<>();
    model
        .namedModules()
        .forEach(
            (name, m) -> {
              Layer l = layer(name, m);
              if (l != null && reason(m) == null) {
                out.add(l);
              }
            });
    return out;
  }

  /**
   * Layers with running statistics that are not recalibrated, with the reason: name → reason. Their
   * statistics stay as they were.
   */
  public static Map<String, String> skipped(Module model) {
    Map<String, String> out = new LinkedHashMap<>();
    model
        .namedModules()
        .forEach(
            (name, m) -> {
              String r = reason(m);
              if (r != null) {
                out.put(name.isEmpty() ? "(model)" : name, r);
              }
            });
    return out;
  }

  // why a module that has running statistics is not recalibrated, or null
  private static String reason(Module m) {
    boolean hasStats = m.namedBuffers().containsKey("running_mean") && m.children().isEmpty();
    if (!hasStats) {
      return null;
    }
    return switch (m) {
      case BatchNorm1d b -> bnReason(b.isFrozen(), b.momentum());
      case BatchNorm2d b -> bnReason(b.isFrozen(), b.momentum());
      case BatchNorm3d b -> bnReason(b.isFrozen(), b.momentum());
      default ->
          m.getClass().getSimpleName()
              + " uses its running statistics in training as well (not a plain BatchNorm)";
    };
  }

  private static String bnReason(boolean frozen, Double momentum) {
    if (frozen) {
      return "frozen: its statistics are fixed by design";
    }
    if (momentum != null && momentum == 0) {
      return "momentum 0: its running statistics never follow the data";
    }
    return null;
  }

  private static Layer layer(String name, Module m) {
    return switch (m) {
      case BatchNorm1d b when b.trackRunningStats() -> of(name, m, b.eps(), b.momentum());
      case BatchNorm2d b when b.trackRunningStats() -> of(name, m, b.eps(), b.momentum());
      case BatchNorm3d b when b.trackRunningStats() -> of(name, m, b.eps(), b.momentum());
      default -> null;
    };
  }

  private static Layer of(String name, Module m, double eps, Double momentum) {
    Map<String, Tensor> b = m.namedBuffers();
    var p = m.namedParameters();
    return new Layer(
        name,
        m,
        eps,
        momentum,
        b.get("running_mean"),
        b.get("running_var"),
        m.namedCounters().get("num_batches_tracked"),
        p.containsKey("weight") ? p.get("weight").data() : null,
        p.containsKey("bias") ? p.get("bias").data() : null);
  }

  /**
   * The averages of {@link #layers}' batch statistics over the first {@code batches} batches of
   * {@code loader} (epoch 0, then 1, ... if it has fewer), in training mode. The model's weights,
   * buffers, counters and mode are as before when it returns.
   *
   * @throws IllegalArgumentException if batches &lt; 1 or the model has no such layer
   */
  public static Estimate estimate(Module model, DataLoader loader, int batches) {
    if (batches < 1) {
      throw new IllegalArgumentException("--batches must be at least 1, got " + batches);
    }
    List<Layer> layers = layers(model);
    if (layers.isEmpty()) {
      throw new IllegalArgumentException(
          "the model has no BatchNorm layer whose running statistics can be recalibrated"
              + (skipped(model).isEmpty() ? "" : " (skipped: " + skipped(model) + ")"));
    }
    List<double[]> mean = new ArrayList<>();
    List<double[]> var = new ArrayList<>();
    for (Layer l : layers) {
      mean.add(new double[l.channels()]);
      var.add(new double[l.channels()]);
    }
    ModelState state = new ModelState(model);
    state.save();
    boolean training = model.isTraining();
    int done = 0;
    long images = 0;
    try {
      model.train();
      for (int epoch = 0; done < batches; epoch++) {
        try (DataLoader.Epoch it = loader.epoch(epoch)) {
          if (!it.hasNext()) {
            throw new IllegalArgumentException("the training loader has no batch");
          }
          while (it.hasNext() && done < batches) {
            Batch b = it.next();
            accumulate(model, layers, b.x(), mean, var);
            images += b.size();
            done++;
          }
        }
      }
    } finally {
      state.restore();
      model.train(training);
    }
    for (int i = 0; i < layers.size(); i++) {
      scale(mean.get(i), 1.0 / batches);
      scale(var.get(i), 1.0 / batches);
    }
    return new Estimate(layers, mean, var, batches, images);
  }

  /**
   * One training-mode forward of {@code x}; adds each layer's batch mean and unbiased variance to
   * {@code mean} and {@code var}. Leaves the layers' running statistics and counters at the
   * single-batch values: callers restore them.
   */
  static void accumulate(
      Module model, List<Layer> layers, Tensor x, List<double[]> mean, List<double[]> var) {
    for (Layer l : layers) {
      l.runningMean.fill(0f);
      l.runningVar.fill(0f);
      l.count.set(0);
    }
    model.forward(x);
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      double f = l.factor();
      float[] rm = l.runningMean.data();
      float[] rv = l.runningVar.data();
      double[] m = mean.get(i);
      double[] v = var.get(i);
      for (int c = 0; c < m.length; c++) {
        m[c] += rm[c] / f;
        v[c] += rv[c] / f;
      }
    }
  }

  /**
   * Recalibrates {@code model} in place: {@link #estimate}, then writes the averages into the
   * layers' running statistics and sets their num_batches_tracked to the number of batches. Returns
   * the estimate.
   */
  public static Estimate recalibrate(Module model, DataLoader loader, int batches) {
    Estimate e = estimate(model, loader, batches);
    for (int i = 0; i < e.layers().size(); i++) {
      Layer l = e.layers().get(i);
      copy(e.mean().get(i), l.runningMean);
      copy(e.var().get(i), l.runningVar);
      l.count.set(e.batches());
    }
    return e;
  }

  private static void copy(double[] from, Tensor to) {
    float[] d = to.data();
    for (int c = 0; c < from.length; c++) {
      d[c] = (float) from[c];
    }
  }

  private static void scale(double[] a, double f) {
    for (int i = 0; i < a.length; i++) {
      a[i] *= f;
    }
  }
}
