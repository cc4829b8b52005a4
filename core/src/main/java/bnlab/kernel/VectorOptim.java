package bnlab.kernel;

import static bnlab.kernel.VectorGemm.L;
import static bnlab.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;
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
        FloatVector b =
            firstStep
                ? d
                : FloatVector.fromArray(S, buf, i).mul(momentum).add(d.mul(oneMinusDampening));
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

  /**
   * Below this many parameters an Adam update runs on the calling thread. Each element's update is
   * independent of the others, so how the range is split cannot change a bit; above it the update
   * (a square root and two divisions per element) measured worth the hand-off to the pool.
   */
  static final int ADAM_PARALLEL_MIN = 1 << 14;

  private static final int ADAM_CHUNKS = 8;

  private final ThreadLocal<AdamJob> adamJobs = ThreadLocal.withInitial(AdamJob::new);

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
    AdamJob job = adamJobs.get();
    job.set(
        p,
        g,
        m,
        v,
        vMax,
        n,
        decay,
        l2,
        oneMinusBeta1,
        beta2,
        oneMinusBeta2,
        negStepSize,
        bc2Sqrt,
        eps);
    try {
      if (n < ADAM_PARALLEL_MIN || Parallel.threads() == 1) {
        job.range(0, n);
      } else {
        Parallel.forEach(ADAM_CHUNKS, job);
      }
    } finally {
      job.set(null, null, null, null, null, 0, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f);
    }
  }

  /** One Adam call's arguments; a chunk on the pool's threads is a range of whole vectors. */
  private static final class AdamJob implements Parallel.Body {
    private float[] p;
    private float[] g;
    private float[] m;
    private float[] v;
    private float[] vMax;
    private int n;
    private float decay;
    private float l2;
    private float oneMinusBeta1;
    private float beta2;
    private float oneMinusBeta2;
    private float negStepSize;
    private float bc2Sqrt;
    private float eps;

    void set(
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
      this.p = p;
      this.g = g;
      this.m = m;
      this.v = v;
      this.vMax = vMax;
      this.n = n;
      this.decay = decay;
      this.l2 = l2;
      this.oneMinusBeta1 = oneMinusBeta1;
      this.beta2 = beta2;
      this.oneMinusBeta2 = oneMinusBeta2;
      this.negStepSize = negStepSize;
      this.bc2Sqrt = bc2Sqrt;
      this.eps = eps;
    }

    @Override
    public void run(int chunk) {
      int vectors = n / L;
      int from = (int) ((long) chunk * vectors / ADAM_CHUNKS) * L;
      int to =
          chunk == ADAM_CHUNKS - 1 ? n : (int) ((long) (chunk + 1) * vectors / ADAM_CHUNKS) * L;
      range(from, to);
    }

    // Elements [from, to): whole vectors, then the tail one by one.
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
        if (decay != 1f) {
          pi = pi.mul(decay);
        }
        FloatVector d = FloatVector.fromArray(S, g, i);
        if (l2 != 0f) {
          d = d.add(pi.mul(l2));
        }
        FloatVector mi = FloatVector.fromArray(S, m, i);
        mi = lerpLow ? mi.add(d.sub(mi).mul(oneMinusBeta1)) : d.sub(d.sub(mi).mul(beta1));
        mi.intoArray(m, i);
        FloatVector vi = FloatVector.fromArray(S, v, i).mul(beta2).add(d.mul(oneMinusBeta2).mul(d));
        vi.intoArray(v, i);
        if (vMax != null) {
          vi = vi.max(FloatVector.fromArray(S, vMax, i));
          vi.intoArray(vMax, i);
        }
        FloatVector denom = vi.lanewise(VectorOperators.SQRT).div(bc2Sqrt).add(eps);
        pi.add(mi.mul(negStepSize).div(denom)).intoArray(p, i);
      }
      for (; i < to; i++) {
        float pi = decay != 1f ? p[i] * decay : p[i];
        float d = l2 != 0f ? g[i] + l2 * pi : g[i];
        float mi = m[i];
        mi = lerpLow ? mi + oneMinusBeta1 * (d - mi) : d - (d - mi) * beta1;
        m[i] = mi;
        float vi = v[i] * beta2 + oneMinusBeta2 * d * d;
        v[i] = vi;
        if (vMax != null) {
          vi = Math.max(vMax[i], vi);
          vMax[i] = vi;
        }
        float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
        p[i] = pi + negStepSize * mi / denom;
      }
    }
  }
}
