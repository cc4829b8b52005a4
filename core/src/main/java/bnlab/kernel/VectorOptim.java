package bnlab.kernel;

import static bnlab.kernel.Subnormals.TINY;
import static bnlab.kernel.Subnormals.TINY_SQUARED;
import static bnlab.kernel.Subnormals.div;
import static bnlab.kernel.Subnormals.mul;
import static bnlab.kernel.Subnormals.tiny;
import static bnlab.kernel.VectorGemm.L;
import static bnlab.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector API twin of {@link ScalarOptim}: the same float operations in the same order per element
 * (no fused multiply-add), so it is bit-identical to the scalar loops, only wider.
 */
final class VectorOptim implements OptimKernels {
  // p, g, buf (n): one SGD update, see OptimKernels.sgdStep
  @Override
  public void sgdStep(
      float[] p,
      float[] g,
      float[] buf,
      int n,
      float negLr,
      float weightDecay,
      float momentum,
      float oneMinusDampening,
      boolean nesterov,
      boolean firstStep) {
    int i = 0;
    for (int bound = S.loopBound(n); i < bound; i += L) {
      FloatVector pi = FloatVector.fromArray(S, p, i);
      FloatVector d = FloatVector.fromArray(S, g, i);
      if (weightDecay != 0f) {
        d = d.add(pi.mul(weightDecay));
      }
      if (momentum != 0f) {
        // PyTorch clones the gradient into a fresh buffer on the first step: no dampening there.
        FloatVector b = firstStep ? d : FloatVector.fromArray(S, buf, i);
        if (!firstStep && tiny(b, TINY).anyTrue()) {
          // A buffer of a parameter whose gradient stays 0 decays into subnormals and stays there
          // (b·0.9 rounds back to b below 6·2⁻¹⁴⁹): element by element through double, as Adam.
          for (int k = i; k < i + L; k++) {
            sgdExact(p, g, buf, k, negLr, weightDecay, momentum, oneMinusDampening, nesterov);
          }
          continue;
        }
        if (!firstStep) {
          b = b.mul(momentum).add(d.mul(oneMinusDampening));
        }
        b.intoArray(buf, i);
        d = nesterov ? d.add(b.mul(momentum)) : b;
      }
      pi.add(d.mul(negLr)).intoArray(p, i);
    }
    for (; i < n; i++) {
      float d = weightDecay != 0f ? g[i] + weightDecay * p[i] : g[i];
      if (momentum != 0f) {
        float b = firstStep ? d : buf[i] * momentum + oneMinusDampening * d;
        buf[i] = b;
        d = nesterov ? d + momentum * b : b;
      }
      p[i] = p[i] + negLr * d;
    }
  }

  // Element i of an SGD step with momentum after the first, its products through double.
  private static void sgdExact(
      float[] p,
      float[] g,
      float[] buf,
      int i,
      float negLr,
      float weightDecay,
      float momentum,
      float oneMinusDampening,
      boolean nesterov) {
    float d = weightDecay != 0f ? g[i] + mul(weightDecay, p[i]) : g[i];
    float b = mul(buf[i], momentum) + mul(oneMinusDampening, d);
    buf[i] = b;
    d = nesterov ? d + mul(momentum, b) : b;
    p[i] = p[i] + mul(negLr, d);
  }

  /**
   * Below this many elements (all tensors of a call together) an Adam update runs on the calling
   * thread. Each element's update is independent of the others, so how the range is split cannot
   * change a bit; above it the update (a square root and two divisions per element) measured worth
   * the hand-off to the pool.
   */
  static final int ADAM_PARALLEL_MIN = 1 << 14;

  private static final int ADAM_CHUNKS = 8;

  private final ThreadLocal<AdamTensors> singles =
      ThreadLocal.withInitial(() -> new AdamTensors(1));

  // p, g, m, v, vMax (n): one Adam/AdamW/AMSGrad update, see OptimKernels.adamStep
  @Override
  public void adamStep(
      float[] p,
      float[] g,
      float[] m,
      float[] v,
      float[] vMax,
      int n,
      float decay,
      float l2,
      float oneMinusBeta1,
      float beta2,
      float oneMinusBeta2,
      float negStepSize,
      float bc2Sqrt,
      float eps) {
    AdamTensors one = singles.get();
    one.add(p, g, m, v, vMax, n, decay, l2, negStepSize, bc2Sqrt);
    try {
      adamStep(one, oneMinusBeta1, beta2, oneMinusBeta2, eps);
    } finally {
      one.clear();
    }
  }

  private final ThreadLocal<AdamAll> adamAlls = ThreadLocal.withInitial(AdamAll::new);

  // every tensor of t in one job: the pool's chunks are ranges of their concatenation
  @Override
  public void adamStep(
      AdamTensors t, float oneMinusBeta1, float beta2, float oneMinusBeta2, float eps) {
    AdamAll all = adamAlls.get();
    all.set(t, oneMinusBeta1, beta2, oneMinusBeta2, eps);
    try {
      if (t.elements < ADAM_PARALLEL_MIN || Parallel.threads() == 1) {
        all.run(0, t.elements);
      } else {
        Parallel.forEach(ADAM_CHUNKS, all);
      }
    } finally {
      all.set(null, 0f, 0f, 0f, 0f);
    }
  }

  /**
   * One multi-tensor Adam call: chunk c updates elements [c·E/8, (c+1)·E/8) of the tensors laid end
   * to end (E elements in all, bounds on whole vectors), through an {@link AdamJob} of its own.
   */
  private static final class AdamAll implements Parallel.Body {
    private final AdamJob[] pieces = new AdamJob[ADAM_CHUNKS];
    private AdamTensors t;
    private float oneMinusBeta1;
    private float beta2;
    private float oneMinusBeta2;
    private float eps;

    AdamAll() {
      for (int c = 0; c < ADAM_CHUNKS; c++) {
        pieces[c] = new AdamJob();
      }
    }

    void set(AdamTensors t, float oneMinusBeta1, float beta2, float oneMinusBeta2, float eps) {
      this.t = t;
      this.oneMinusBeta1 = oneMinusBeta1;
      this.beta2 = beta2;
      this.oneMinusBeta2 = oneMinusBeta2;
      this.eps = eps;
    }

    @Override
    public void run(int chunk) {
      long vectors = t.elements / L;
      long from = chunk * vectors / ADAM_CHUNKS * L;
      long to = chunk == ADAM_CHUNKS - 1 ? t.elements : (chunk + 1) * vectors / ADAM_CHUNKS * L;
      update(pieces[chunk], from, to);
    }

    void run(long from, long to) {
      update(pieces[0], from, to);
    }

    // Elements [from, to) of the concatenation, tensor by tensor.
    private void update(AdamJob job, long from, long to) {
      long start = 0;
      for (int k = 0; k < t.count && start < to; k++) {
        long end = start + t.n[k];
        if (end > from) {
          job.set(t, k, oneMinusBeta1, beta2, oneMinusBeta2, eps);
          job.range((int) (Math.max(from, start) - start), (int) (Math.min(to, end) - start));
        }
        start = end;
      }
      job.set(null, 0, 0f, 0f, 0f, 0f);
    }
  }

  /** One tensor's arguments, for one chunk of an {@link AdamAll} call. */
  private static final class AdamJob {
    private float[] p;
    private float[] g;
    private float[] m;
    private float[] v;
    private float[] vMax;
    private float decay;
    private float l2;
    private float oneMinusBeta1;
    private float beta2;
    private float oneMinusBeta2;
    private float negStepSize;
    private float bc2Sqrt;
    private float eps;

    /** Tensor k of t with the settings it shares with the others; t null forgets the arrays. */
    void set(
        AdamTensors t, int k, float oneMinusBeta1, float beta2, float oneMinusBeta2, float eps) {
      this.p = t == null ? null : t.p[k];
      this.g = t == null ? null : t.g[k];
      this.m = t == null ? null : t.m[k];
      this.v = t == null ? null : t.v[k];
      this.vMax = t == null ? null : t.vMax[k];
      this.decay = t == null ? 1f : t.decay[k];
      this.l2 = t == null ? 0f : t.l2[k];
      this.negStepSize = t == null ? 0f : t.negStepSize[k];
      this.bc2Sqrt = t == null ? 0f : t.bc2Sqrt[k];
      this.oneMinusBeta1 = oneMinusBeta1;
      this.beta2 = beta2;
      this.oneMinusBeta2 = oneMinusBeta2;
      this.eps = eps;
    }

    // Elements [from, to): whole vectors, then the tail one by one (through exact: the same bits).
    void range(int from, int to) {
      float[] p = this.p;
      float[] g = this.g;
      float[] m = this.m;
      float[] v = this.v;
      float[] vMax = this.vMax;
      float decay = this.decay;
      float l2 = this.l2;
      float oneMinusBeta1 = this.oneMinusBeta1;
      float beta2 = this.beta2;
      float oneMinusBeta2 = this.oneMinusBeta2;
      float negStepSize = this.negStepSize;
      float bc2Sqrt = this.bc2Sqrt;
      float eps = this.eps;
      boolean lerpLow = oneMinusBeta1 < 0.5f;
      float beta1 = 1f - oneMinusBeta1;
      int i = from;
      for (int bound = from + S.loopBound(to - from); i < bound; i += L) {
        FloatVector pi = FloatVector.fromArray(S, p, i);
        FloatVector d = FloatVector.fromArray(S, g, i);
        FloatVector mi = FloatVector.fromArray(S, m, i);
        FloatVector vi = FloatVector.fromArray(S, v, i);
        // Moments of a parameter whose gradient stays 0 decay into subnormals and stay there (m +
        // 0.1·(0 − m) rounds back to m below 5·2⁻¹⁴⁹, v·0.999 = v below 500·2⁻¹⁴⁹), and a float
        // product with them is slow (see Subnormals). A tenth of the article's Net's first moments
        // were, and its Adam step took 2.5× as long.
        VectorMask<Float> slow = tiny(mi, TINY).or(tiny(vi, TINY)).or(tiny(d, TINY_SQUARED));
        boolean anySlow = slow.anyTrue();
        // Only the slow lanes go element by element, the others stay a vector with masked stores;
        // a vector whose lanes are all slow skips the vector. Dead units scatter their slow lanes:
        // with 3% of a 62k-parameter step's elements stuck at random places (a fifth of the
        // 8-float vectors hit) a step took 90–101 μs this way against 136–142 μs with every such
        // vector element by element, with 20% 195–209 against 357–480 (one thread, AVX2, Xeon
        // family 6 model 167; 128-bit vectors 113 against 133); rows of stuck elements cost the
        // same either way. Both give the same bits.
        if (anySlow && slow.allTrue()) {
          for (int k = i; k < i + L; k++) {
            exact(k);
          }
          continue;
        }
        if (anySlow) {
          FloatVector zero = FloatVector.zero(S);
          pi = pi.blend(zero, slow);
          d = d.blend(zero, slow);
          mi = mi.blend(zero, slow);
          vi = vi.blend(zero, slow);
        }
        if (decay != 1f) {
          pi = pi.mul(decay);
        }
        if (l2 != 0f) {
          d = d.add(pi.mul(l2));
        }
        mi = lerpLow ? mi.add(d.sub(mi).mul(oneMinusBeta1)) : d.sub(d.sub(mi).mul(beta1));
        vi = vi.mul(beta2).add(d.mul(oneMinusBeta2).mul(d));
        FloatVector vUsed = vMax != null ? vi.max(FloatVector.fromArray(S, vMax, i)) : vi;
        FloatVector denom = vUsed.lanewise(VectorOperators.SQRT).div(bc2Sqrt).add(eps);
        pi = pi.add(mi.mul(negStepSize).div(denom));
        if (anySlow) {
          // The slow lanes from the arrays before the vector's stores, which then skip them.
          for (long lanes = slow.toLong(); lanes != 0; lanes &= lanes - 1) {
            exact(i + Long.numberOfTrailingZeros(lanes));
          }
          VectorMask<Float> fast = slow.not();
          mi.intoArray(m, i, fast);
          vi.intoArray(v, i, fast);
          if (vMax != null) {
            vUsed.intoArray(vMax, i, fast);
          }
          pi.intoArray(p, i, fast);
          continue;
        }
        mi.intoArray(m, i);
        vi.intoArray(v, i);
        if (vMax != null) {
          vUsed.intoArray(vMax, i);
        }
        pi.intoArray(p, i);
      }
      for (; i < to; i++) {
        exact(i);
      }
    }

    /**
     * Element i as the loop computes it, with every product, quotient and square root taken in
     * double and rounded to float ({@link Subnormals#mul}, {@link Subnormals#div}): the same bits
     * without the subnormal penalty. A zero step (what a subnormal m gives) skips the square root
     * and the divisions, since 0/denom is that zero whenever denom is positive.
     */
    private void exact(int i) {
      float pi = decay != 1f ? mul(p[i], decay) : p[i];
      float d = l2 != 0f ? g[i] + mul(l2, pi) : g[i];
      float mi = m[i];
      mi =
          oneMinusBeta1 < 0.5f
              ? mi + mul(oneMinusBeta1, d - mi)
              : d - mul(d - mi, 1f - oneMinusBeta1);
      m[i] = mi;
      float vi = mul(v[i], beta2) + mul(mul(oneMinusBeta2, d), d);
      v[i] = vi;
      if (vMax != null) {
        vi = Math.max(vMax[i], vi);
        vMax[i] = vi;
      }
      float step = mul(negStepSize, mi);
      if (step != 0f || !(vi >= 0f && eps > 0f && bc2Sqrt > 0f)) {
        step = div(step, div((float) Math.sqrt(vi), bc2Sqrt) + eps);
      }
      p[i] = pi + step;
    }
  }
}
