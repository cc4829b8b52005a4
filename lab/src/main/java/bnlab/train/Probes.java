package bnlab.train;

import bnlab.data.Batch;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Module;
import bnlab.nn.Parameter;
import bnlab.nn.Sequential;
import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Measurements of why BN helps, taken every {@code every} steps without touching the training
 * trajectory (everything a probe changes is saved and restored; see {@link ModelState}):
 *
 * <ul>
 *   <li>probes/activations.csv: mean, std, p15/p50/p85 of each pre-activation (the output of the
 *       layer feeding a ReLU or sigmoid, i.e. after BN when there is one) on a fixed probe batch,
 *       train mode, as in Ioffe &amp; Szegedy 2015, Figure 1. Needs a {@link Sequential} model.
 *   <li>probes/gradients.csv: per weight tensor ||dL/dW||, ||W|| and ||W_after − W_before||/||W||
 *       of the step.
 *   <li>probes/landscape.csv: Santurkar et al. 2018: with g = ∇L(W) on the step's own batch, for
 *       each η, L(W − ηg), ||∇L(W) − ∇L(W − ηg)|| and ||ηg||; without any η this probe and its
 *       extra forward and backward pass are skipped.
 * </ul>
 */
public final class Probes implements TrainListener {
  /** Header of probes/activations.csv. */
  public static final String ACT_HEADER = "model,seed,step,layer,mean,std,p15,p50,p85";

  /** Header of probes/gradients.csv. */
  public static final String GRAD_HEADER =
      "model,seed,step,layer,grad_norm,weight_norm,update_ratio";

  /** Header of probes/landscape.csv. */
  public static final String LAND_HEADER = "model,seed,step,eta,loss,grad_diff_norm,step_norm";

  private final Module model;
  private final String name;
  private final long seed;
  private final int every;
  private final double[] etas;
  private final Tensor probeInputs;
  private final CsvFile act;
  private final CsvFile grad;
  private final CsvFile land;
  private final ModelState state;
  private final Map<String, Parameter> weights = new LinkedHashMap<>();
  private final Map<String, float[]> before = new LinkedHashMap<>();
  private final CrossEntropyLoss ce = new CrossEntropyLoss();
  private final List<Parameter> params;

  /**
   * Probes of {@code model} writing into the three CSV files every {@code every} steps; {@code
   * probeInputs} is the fixed batch (owned by the probes) whose activations are measured.
   */
  public Probes(
      Module model,
      String name,
      long seed,
      int every,
      double[] etas,
      Tensor probeInputs,
      CsvFile act,
      CsvFile grad,
      CsvFile land) {
    this.model = model;
    this.name = name;
    this.seed = seed;
    this.every = every;
    this.etas = etas.clone();
    this.probeInputs = probeInputs;
    this.act = act;
    this.grad = grad;
    this.land = land;
    this.state = new ModelState(model);
    this.params = model.parameters();
    model
        .namedParameters()
        .forEach(
            (k, p) -> {
              if (p.role() == Parameter.Role.WEIGHT) {
                weights.put(k, p);
                before.put(k, new float[p.size()]);
              }
            });
  }

  private boolean due(Step s) {
    return s.step() % every == 0 || s.step() == 1;
  }

  @Override
  public void beforeBatch(Step s) {
    if (!due(s)) {
      return;
    }
    weights.forEach((k, p) -> System.arraycopy(p.data().data(), 0, before.get(k), 0, p.size()));
    if (etas.length == 0) {
      return; // no landscape probe: no extra forward and backward
    }
    state.save();
    landscape(s);
    state.restore();
  }

  @Override
  public void onBatch(Step s) {
    if (!due(s)) {
      return;
    }
    weights.forEach(
        (k, p) -> {
          double wn = norm(p.data().data(), p.size());
          double dn = diffNorm(p.data().data(), before.get(k), p.size());
          double bn = norm(before.get(k), p.size());
          grad.row(name, seed, s.step(), k, norm(p.grad().data(), p.size()), wn, dn / bn);
        });
    if (model instanceof Sequential seq) {
      state.save();
      activations(seq, s.step());
      state.restore();
    }
  }

  private void landscape(Step s) {
    Batch b = s.batch();
    lossAndGrad(b);
    List<float[]> g = new ArrayList<>();
    List<float[]> w0 = new ArrayList<>();
    double gNorm = 0;
    for (Parameter p : params) {
      g.add(Arrays.copyOf(p.grad().data(), p.size()));
      w0.add(Arrays.copyOf(p.data().data(), p.size()));
      gNorm += sumSq(p.grad().data(), p.size());
    }
    gNorm = Math.sqrt(gNorm);
    for (double eta : etas) {
      for (int i = 0; i < params.size(); i++) {
        float[] w = params.get(i).data().data();
        float[] gi = g.get(i);
        float[] wi = w0.get(i);
        for (int j = 0; j < gi.length; j++) {
          w[j] = (float) (wi[j] - eta * gi[j]);
        }
      }
      float l = lossAndGrad(b);
      double diff = 0;
      for (int i = 0; i < params.size(); i++) {
        float[] gi = g.get(i);
        float[] gn = params.get(i).grad().data();
        for (int j = 0; j < gi.length; j++) {
          double d = (double) gi[j] - gn[j];
          diff += d * d;
        }
      }
      land.row(name, seed, s.step(), eta, l, Math.sqrt(diff), eta * gNorm);
    }
    model.zeroGrad();
  }

  private float lossAndGrad(Batch b) {
    model.zeroGrad();
    Tensor logits = model.forward(b.x());
    float l = ce.forward(logits, b.labels());
    model.backward(ce.backward());
    return l;
  }

  private void activations(Sequential seq, long step) {
    Set<String> feeding = new HashSet<>();
    String prev = null;
    for (var e : seq.children().entrySet()) {
      String cls = e.getValue().getClass().getSimpleName();
      if (prev != null && (cls.equals("ReLU") || cls.equals("Sigmoid") || cls.equals("Tanh"))) {
        feeding.add(prev);
      }
      prev = e.getKey();
    }
    seq.setListener(
        new Sequential.Listener() {
          @Override
          public void onForward(String layer, Module m, Tensor out) {
            if (feeding.contains(layer)) {
              stats(layer, out, step);
            }
          }
        });
    try {
      seq.forward(probeInputs);
    } finally {
      seq.setListener(null);
    }
  }

  private void stats(String layer, Tensor out, long step) {
    float[] v = Arrays.copyOf(out.data(), out.size());
    double mean = 0;
    for (float x : v) {
      mean += x;
    }
    mean /= v.length;
    double var = 0;
    for (float x : v) {
      var += (x - mean) * (x - mean);
    }
    Arrays.sort(v);
    act.row(
        name,
        seed,
        step,
        layer,
        mean,
        Math.sqrt(var / v.length),
        quantile(v, 0.15),
        quantile(v, 0.50),
        quantile(v, 0.85));
  }

  /** Linear-interpolation quantile of sorted values (numpy's default). */
  static double quantile(float[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  private static double sumSq(float[] a, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += (double) a[i] * a[i];
    }
    return s;
  }

  private static double norm(float[] a, int n) {
    return Math.sqrt(sumSq(a, n));
  }

  private static double diffNorm(float[] a, float[] b, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      double d = (double) a[i] - b[i];
      s += d * d;
    }
    return Math.sqrt(s);
  }
}
