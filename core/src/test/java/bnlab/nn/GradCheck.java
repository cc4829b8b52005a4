package bnlab.nn;

import bnlab.tensor.Rng;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finite-difference check of a module's backward pass: dX and every parameter gradient.
 *
 * <p>The scalar checked is L = Σ r·forward(x) with r uniform in [-1, 1) (fixed by {@link #seed}),
 * so dL/dY = r and backward(r) must return dL/dX and add dL/dθ into each parameter's grad. Each
 * checked entry v is perturbed to v⁺ = fl(v + eps) and v⁻ = fl(v − eps); the numeric derivative is
 * (L(v⁺) − L(v⁻)) / (v⁺ − v⁻) with the <em>actual</em> float step in the denominator and L summed
 * in double. Its error is bounded by
 *
 * <ul>
 *   <li>truncation: eps²/6·|L'''| (default eps 1e-3; BatchNorm on small batches is curved enough
 *       that 1e-2 comes close to the tolerance), covered by the relative tolerance {@code rtol};
 *       and
 *   <li>float rounding of the module's forward: at most {@code growth}·2⁻²⁴·S / (v⁺ − v⁻), with S =
 *       Σ|r_i|(|y⁺_i| + |y⁻_i|) over the outputs that changed (unchanged outputs round identically
 *       and cancel). This noise bound is added to the tolerance per entry, so it adapts to layers
 *       where one input moves many outputs (BatchNorm).
 * </ul>
 *
 * An entry passes when |analytic − numeric| ≤ rtol·max(|analytic|, |numeric|) + noise + atol·m,
 * with m the largest |analytic| of that tensor, but at least 1e-6/atol times the largest |analytic|
 * of all checked tensors (the rounding floor of the backward pass itself). Kinks (ReLU at 0,
 * max-pool ties) are recognised when the one-sided differences disagree by far more than the
 * tolerance and the analytic value lies between them; a few are skipped (reported), many fail the
 * check.
 *
 * <p>Modules with state side effects are handled: buffers (running statistics) and counters are
 * snapshot before the check and restored before every forward, so each forward sees the same state
 * and the module is left as it was. Stochastic modules (Dropout in train mode) pass {@link
 * #beforeForward} to re-seed themselves identically before every forward. The module is checked in
 * its current mode (train or eval). The check also verifies that a second backward pass
 * <em>adds</em> to the parameter gradients (the {@code +=} contract) and leaves all gradients at
 * zero afterwards.
 */
public final class GradCheck {
  private static final double U = 0x1.0p-24;
  // Float rounding in backward leaves ~1e-7·(largest gradient) in gradients that are exactly zero
  // (e.g. a bias before train-mode BatchNorm); no entry is held to a tighter absolute tolerance.
  private static final double FLOOR = 1e-6;

  private final Module module;
  private final Tensor input;
  private double eps = 1e-3;
  private double rtol = 5e-3;
  private double atol = 1e-3;
  private double growth = 32;
  private int maxPerTensor = 300;
  private long seed = 1;
  private boolean checkInput = true;
  private Runnable beforeForward = () -> {};

  private GradCheck(Module module, Tensor input) {
    this.module = module;
    this.input = input;
  }

  /** A check of {@code module} at input {@code x} (x is not modified). */
  public static GradCheck of(Module module, Tensor x) {
    return new GradCheck(module, x);
  }

  /** Perturbation size (default 1e-3). */
  public GradCheck eps(double v) {
    eps = v;
    return this;
  }

  /** Relative tolerance (default 5e-3). */
  public GradCheck rtol(double v) {
    rtol = v;
    return this;
  }

  /** Absolute tolerance as a fraction of the tensor's largest analytic entry (default 1e-3). */
  public GradCheck atol(double v) {
    atol = v;
    return this;
  }

  /** Factor on the float rounding bound of the forward pass (default 32). */
  public GradCheck growth(double v) {
    growth = v;
    return this;
  }

  /** At most this many entries per tensor are checked, sampled with the seed (default 300). */
  public GradCheck maxPerTensor(int v) {
    maxPerTensor = v;
    return this;
  }

  /** Seed of r and of the sampled entries (default 1). */
  public GradCheck seed(long v) {
    seed = v;
    return this;
  }

  /** Skips dX (for modules whose input is not differentiable). */
  public GradCheck skipInput() {
    checkInput = false;
    return this;
  }

  /** Runs before every forward, e.g. to re-seed a Dropout mask. */
  public GradCheck beforeForward(Runnable r) {
    beforeForward = r;
    return this;
  }

  /**
   * Summary of a passed check: entries compared, kinks skipped, and the largest ratio of an entry's
   * error to its tolerance (below 1 for every compared entry).
   */
  public record Report(int checked, int kinks, double worstErrorToTolerance) {}

  /** Runs the check; throws AssertionError naming the first differing entries. */
  public Report check() {
    State state = new State(module);
    Tensor x = input.copy();
    Map<String, Parameter> params = module.namedParameters();
    try {
      state.restore();
      beforeForward.run();
      Tensor y = module.forward(x);
      int[] yShape = y.shape();
      float[] y0 = y.toArray();
      Rng rng = new Rng(seed);
      Tensor r = Tensor.zeros(yShape);
      rng.fillUniform(r, -1f, 1f);
      module.zeroGrad();
      Tensor dX = module.backward(r);
      if (!dX.hasShape(x.shape())) {
        throw new AssertionError(
            "dX has shape " + Shape.str(dX.shape()) + ", input " + Shape.str(x.shape()));
      }
      Map<String, float[]> analytic = new LinkedHashMap<>();
      if (checkInput) {
        analytic.put("input", dX.toArray());
      }
      params.forEach((n, p) -> analytic.put(n, p.grad().toArray()));
      checkAccumulates(state, x, r, params, analytic);

      Probe probe = new Probe(x, r, state, y0.length);
      double l0 = probe.loss(null);
      Tally tally = new Tally();
      double global = 0;
      for (float[] a : analytic.values()) {
        global = Math.max(global, maxAbs(a));
      }
      for (Map.Entry<String, float[]> e : analytic.entrySet()) {
        Tensor t = e.getKey().equals("input") ? x : params.get(e.getKey()).data();
        double scale = Math.max(maxAbs(e.getValue()), FLOOR * global / atol);
        checkTensor(e.getKey(), t, e.getValue(), scale, probe, l0, rng, tally);
      }
      return tally.finish();
    } finally {
      state.restore();
      module.zeroGrad();
    }
  }

  private void checkAccumulates(
      State state, Tensor x, Tensor r, Map<String, Parameter> params, Map<String, float[]> g1) {
    state.restore();
    beforeForward.run();
    module.forward(x);
    module.backward(r);
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      float[] once = g1.get(e.getKey());
      float[] twice = e.getValue().grad().data();
      double scale = maxAbs(once) + 1e-30;
      for (int i = 0; i < once.length; i++) {
        if (Math.abs(twice[i] - 2.0 * once[i]) > 1e-5 * scale) {
          throw new AssertionError(
              e.getKey()
                  + ": a second backward must add to grad: entry "
                  + i
                  + " after one pass "
                  + once[i]
                  + ", after two "
                  + twice[i]);
        }
      }
    }
    module.zeroGrad();
  }

  private void checkTensor(
      String name,
      Tensor t,
      float[] a,
      double scale,
      Probe probe,
      double l0,
      Rng rng,
      Tally tally) {
    float[] d = t.data();
    for (int i : sample(t.size(), rng)) {
      float orig = d[i];
      float vp = (float) (orig + eps);
      float vm = (float) (orig - eps);
      d[i] = vp;
      double lp = probe.loss(probe.yPlus);
      d[i] = vm;
      double lm = probe.loss(probe.yMinus);
      d[i] = orig;
      double hp = (double) vp - orig;
      double hm = orig - (double) vm;
      double numeric = (lp - lm) / (hp + hm);
      double s = probe.changedMass();
      double noise = growth * U * s / (hp + hm);
      double tol = rtol * Math.max(Math.abs(a[i]), Math.abs(numeric)) + noise + atol * scale;
      double err = Math.abs(a[i] - numeric);
      tally.checked++;
      if (err <= tol) {
        tally.worst = Math.max(tally.worst, err / tol);
        continue;
      }
      double dp = (lp - l0) / hp;
      double dm = (l0 - lm) / hm;
      double tolOne = 2 * tol + growth * U * s / Math.min(hp, hm);
      // A kink between v⁻ and v⁺ makes the one-sided slopes disagree; the analytic value is then
      // one of them (one side smooth) or lies between them (kinks on both sides).
      boolean sidesDisagree = Math.abs(dp - dm) > 2 * tol;
      boolean matchesOneSide = Math.abs(a[i] - dp) <= tolOne || Math.abs(a[i] - dm) <= tolOne;
      boolean between =
          Math.abs(dp - dm) > 10 * tol
              && a[i] >= Math.min(dp, dm) - tolOne
              && a[i] <= Math.max(dp, dm) + tolOne;
      boolean kink = sidesDisagree && (matchesOneSide || between);
      if (kink) {
        tally.kinks++;
      } else {
        tally.fail(name, index(t.shape(), i), a[i], numeric, dp, dm);
      }
    }
  }

  private int[] sample(int n, Rng rng) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    if (n <= maxPerTensor) {
      return all;
    }
    rng.shuffle(all);
    return java.util.Arrays.copyOf(all, maxPerTensor);
  }

  private static double maxAbs(float[] a) {
    double m = 0;
    for (float v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  static String index(int[] shape, int flat) {
    int[] idx = new int[shape.length];
    for (int k = shape.length - 1; k >= 0; k--) {
      idx[k] = shape[k] == 0 ? 0 : flat % shape[k];
      flat = shape[k] == 0 ? 0 : flat / shape[k];
    }
    return Shape.str(idx);
  }

  /** Evaluates L = Σ r·forward(x) in double with the module state restored. */
  private final class Probe {
    final Tensor x;
    final float[] r;
    final State state;
    final float[] yPlus;
    final float[] yMinus;

    Probe(Tensor x, Tensor r, State state, int n) {
      this.x = x;
      this.r = r.data();
      this.state = state;
      this.yPlus = new float[n];
      this.yMinus = new float[n];
    }

    double loss(float[] keep) {
      state.restore();
      beforeForward.run();
      Tensor y = module.forward(x);
      float[] ys = y.data();
      double l = 0;
      for (int i = 0; i < r.length; i++) {
        l += (double) r[i] * ys[i];
      }
      if (keep != null) {
        System.arraycopy(ys, 0, keep, 0, r.length);
      }
      return l;
    }

    double changedMass() {
      double s = 0;
      for (int i = 0; i < r.length; i++) {
        if (yPlus[i] != yMinus[i]) {
          s += Math.abs(r[i]) * ((double) Math.abs(yPlus[i]) + Math.abs(yMinus[i]));
        }
      }
      return s;
    }
  }

  /** Buffers and counters of the module tree, snapshot once and restored before each forward. */
  static final class State {
    private final Map<Tensor, float[]> buffers = new LinkedHashMap<>();
    private final Map<Counter, Long> counters = new LinkedHashMap<>();
    private final Map<Module, Boolean> modes = new LinkedHashMap<>();

    State(Module m) {
      m.namedBuffers().values().forEach(t -> buffers.put(t, t.toArray()));
      m.namedCounters().values().forEach(c -> counters.put(c, c.get()));
      m.namedModules().values().forEach(sub -> modes.put(sub, sub.isTraining()));
    }

    void restore() {
      buffers.forEach((t, v) -> System.arraycopy(v, 0, t.data(), 0, v.length));
      counters.forEach(Counter::set);
      modes.forEach(
          (sub, mode) -> {
            if (sub.isTraining() != mode) {
              throw new AssertionError("forward changed the train/eval mode of a module");
            }
          });
    }
  }

  private static final class Tally {
    int checked;
    int kinks;
    double worst;
    final List<String> failures = new ArrayList<>();

    void fail(String name, String idx, float a, double n, double dp, double dm) {
      failures.add(
          String.format(
              "  %s%s: analytic %.6g, numeric %.6g (one-sided %+.6g / %+.6g)",
              name, idx, a, n, dp, dm));
    }

    Report finish() {
      int allowedKinks = Math.max(2, checked / 20);
      if (!failures.isEmpty() || kinks > allowedKinks) {
        StringBuilder sb =
            new StringBuilder(
                String.format(
                    "gradient check failed: %d of %d entries differ, %d kinks (allowed %d)%n",
                    failures.size(), checked, kinks, allowedKinks));
        failures.stream().limit(12).forEach(f -> sb.append(f).append('\n'));
        throw new AssertionError(sb.toString());
      }
      return new Report(checked, kinks, worst);
    }
  }
}
