package bnlab.train;

import bnlab.data.DataLoader;
import bnlab.nn.Module;
import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The state of a trained model's BatchNorm layers: how far each layer's running statistics are from
 * the statistics of the training data under the current weights, how differently it normalizes in
 * training and in eval mode, which of its channels are switched off by γ ≈ 0, and whether any of
 * its values is not finite. Computed for {@code bnlab diagnose}; the model is unchanged afterwards.
 *
 * <p>Per layer ({@link PreciseBn#layers}), with μ, σ² the average batch mean and unbiased batch
 * variance over N training batches in training mode (what {@code bnlab recalibrate} would write,
 * {@link PreciseBn#estimate}) and r_μ, r_σ² the running statistics:
 *
 * <pre>
 * mean_shift   = √( mean_c (r_μ,c − μ_c)² / (σ²_c + eps) )          (in the data's standard deviations)
 * var_rel_err  = ‖r_σ² − σ²‖₂ / ‖σ²‖₂
 * train_eval_gap = √( Σ_c γ_c² g_c² / Σ_c γ_c² b_c² σ_B,c² )
 *   g_c² = (b_c − a_c)² σ_B,c² + (μ_B,c − r_μ,c)² a_c²,  b_c = 1/√(σ_B,c² + eps),  a_c = 1/√(r_σ²,c + eps)
 * </pre>
 *
 * where μ_B, σ_B² are the layer's statistics on one fixed batch with BN layers in training mode and
 * all others (dropout) in eval mode. g_c is the root mean square, over the batch, of the difference
 * between the channel's training-mode output (batch statistics) and its eval-mode output (running
 * statistics) for the same input, divided by |γ_c|; the gap is that difference relative to the size
 * of the normalized signal γ·x̂, so 0 means both modes agree and 1 means the difference is as large
 * as the signal. σ_B² is the unbiased batch variance, as in running_var (the diagnosis sees the
 * layer's statistics, not its input); training mode normalizes with the biased one, which changes
 * the gap by a relative O(1/m) for m values per channel. For the whole model on the same batch: the
 * logits' relative RMS difference between the two modes and how many predictions agree.
 *
 * @param layers one row per recalibratable BatchNorm layer, in module order
 * @param skipped layers with running statistics not examined, name → reason
 * @param model the whole model's train/eval comparison on the fixed batch
 * @param batches training batches averaged for the data statistics
 * @param images images in them
 * @param fixedBatch the size of the fixed batch
 * @param nearZero |γ| below this counts as near zero
 */
public record BnDiagnosis(
    List<LayerRow> layers,
    Map<String, String> skipped,
    ModelGap model,
    int batches,
    long images,
    int fixedBatch,
    double nearZero) {

  /** Running statistics this far from the data's (mean_shift or var_rel_err) count as stale. */
  public static final double STALE = 0.1;

  /** A train/eval gap above this is flagged. */
  public static final double GAP = 0.1;

  /** γ channels listed per layer at most (the count is always complete). */
  static final int LISTED = 16;

  /**
   * One BatchNorm layer.
   *
   * @param name dotted module path
   * @param channels C
   * @param meanShift RMS over channels of the running mean's error in data standard deviations
   * @param varRelError relative L2 error of the running variance
   * @param trainEvalGap relative output gap between the modes on the fixed batch (NaN if all γ = 0)
   * @param gammaNearZero number of channels with |γ| &lt; nearZero
   * @param gammaNearZeroChannels the first {@value #LISTED} of them
   * @param nonFinite non-finite values among the layer's γ, β and running statistics
   */
  public record LayerRow(
      String name,
      int channels,
      double meanShift,
      double varRelError,
      double trainEvalGap,
      int gammaNearZero,
      List<Integer> gammaNearZeroChannels,
      int nonFinite) {
    /** Whether the running statistics are stale (either error above {@link #STALE}). */
    public boolean stale() {
      return meanShift > STALE || varRelError > STALE;
    }
  }

  /**
   * The whole model on the fixed batch.
   *
   * @param logitsRelRms RMS of (train-mode − eval-mode logits) over the RMS of eval-mode logits
   * @param agreement fraction of images whose predicted class is the same in both modes
   * @param trainModeAccuracy accuracy on the fixed batch in training mode
   * @param evalModeAccuracy accuracy on the fixed batch in eval mode
   */
  public record ModelGap(
      double logitsRelRms, double agreement, double trainModeAccuracy, double evalModeAccuracy) {}

  /**
   * Diagnoses {@code model}: data statistics over {@code batches} batches of {@code train}, the
   * train/eval comparison on the images {@code fixed} (N, ...) with their {@code labels}. The
   * model's state and mode are unchanged afterwards.
   *
   * @throws IllegalArgumentException if the model has no BatchNorm layer to examine
   */
  public static BnDiagnosis of(
      Module model, DataLoader train, int batches, Tensor fixed, int[] labels, double nearZero) {
    if (labels.length != fixed.dim(0)) {
      throw new IllegalArgumentException(
          labels.length + " labels for a fixed batch of " + fixed.dim(0) + " images");
    }
    PreciseBn.Estimate data = PreciseBn.estimate(model, train, batches);
    List<PreciseBn.Layer> layers = data.layers();
    ModelState state = new ModelState(model);
    state.save();
    boolean training = model.isTraining();
    List<double[]> fixedMean = new ArrayList<>();
    List<double[]> fixedVar = new ArrayList<>();
    for (PreciseBn.Layer l : layers) {
      fixedMean.add(new double[l.channels()]);
      fixedVar.add(new double[l.channels()]);
    }
    float[] trainLogits;
    float[] evalLogits;
    try {
      model.eval();
      layers.forEach(l -> l.module().train(true));
      trainLogits = copy(model.forward(fixed));
      state.restore();
      PreciseBn.accumulate(model, layers, fixed, fixedMean, fixedVar);
      state.restore();
      model.eval();
      evalLogits = copy(model.forward(fixed));
    } finally {
      state.restore();
      model.train(training);
    }
    List<LayerRow> rows = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      rows.add(
          row(
              layers.get(i),
              data.mean().get(i),
              data.var().get(i),
              fixedMean.get(i),
              fixedVar.get(i),
              nearZero));
    }
    ModelGap gap = gap(trainLogits, evalLogits, labels, labels.length);
    return new BnDiagnosis(
        rows,
        PreciseBn.skipped(model),
        gap,
        data.batches(),
        data.images(),
        labels.length,
        nearZero);
  }

  private static float[] copy(Tensor t) {
    return Arrays.copyOf(t.data(), t.size());
  }

  static LayerRow row(
      PreciseBn.Layer l, double[] mu, double[] var, double[] muB, double[] varB, double nearZero) {
    float[] rm = l.runningMean().data();
    float[] rv = l.runningVar().data();
    float[] g = l.weight() == null ? null : l.weight().data();
    int c = l.channels();
    double shift = 0;
    double dv = 0;
    double vv = 0;
    double gapNum = 0;
    double gapDen = 0;
    int near = 0;
    List<Integer> listed = new ArrayList<>();
    for (int j = 0; j < c; j++) {
      shift += sq(rm[j] - mu[j]) / (var[j] + l.eps());
      dv += sq(rv[j] - var[j]);
      vv += sq(var[j]);
      double a = 1 / Math.sqrt(rv[j] + l.eps());
      double b = 1 / Math.sqrt(varB[j] + l.eps());
      double gj2 = sq(b - a) * varB[j] + sq(muB[j] - rm[j]) * a * a;
      double gamma2 = g == null ? 1 : sq(g[j]);
      gapNum += gamma2 * gj2;
      gapDen += gamma2 * b * b * varB[j];
      if (g != null && Math.abs(g[j]) < nearZero) {
        near++;
        if (listed.size() < LISTED) {
          listed.add(j);
        }
      }
    }
    return new LayerRow(
        l.name(),
        c,
        Math.sqrt(shift / c),
        Math.sqrt(dv / vv),
        gapDen > 0 ? Math.sqrt(gapNum / gapDen) : Double.NaN,
        near,
        List.copyOf(listed),
        nonFinite(l.runningMean())
            + nonFinite(l.runningVar())
            + nonFinite(l.weight())
            + nonFinite(l.bias()));
  }

  private static double sq(double x) {
    return x * x;
  }

  /** Non-finite values in {@code t} (0 for null). */
  public static int nonFinite(Tensor t) {
    if (t == null) {
      return 0;
    }
    int n = 0;
    for (float v : t.data()) {
      n += Float.isFinite(v) ? 0 : 1;
    }
    return n;
  }

  static ModelGap gap(float[] train, float[] eval, int[] labels, int n) {
    int k = train.length / n;
    double diff = 0;
    double norm = 0;
    int agree = 0;
    int correctTrain = 0;
    int correctEval = 0;
    for (int i = 0; i < n; i++) {
      int pt = argmax(train, i * k, k);
      int pe = argmax(eval, i * k, k);
      agree += pt == pe ? 1 : 0;
      correctTrain += pt == labels[i] ? 1 : 0;
      correctEval += pe == labels[i] ? 1 : 0;
      for (int j = i * k; j < (i + 1) * k; j++) {
        diff += sq(train[j] - eval[j]);
        norm += sq(eval[j]);
      }
    }
    return new ModelGap(
        Math.sqrt(diff / norm),
        (double) agree / n,
        (double) correctTrain / n,
        (double) correctEval / n);
  }

  private static int argmax(float[] v, int from, int k) {
    int best = 0;
    for (int j = 1; j < k; j++) {
      if (v[from + j] > v[from + best]) {
        best = j;
      }
    }
    return best;
  }
}
