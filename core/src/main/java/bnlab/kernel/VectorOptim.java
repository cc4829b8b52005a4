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
    boolean lerpLow = oneMinusBeta1 < 0.5f;
    float beta1 = 1f - oneMinusBeta1;
    int i = 0;
    for (int bound = S.loopBound(n); i < bound; i += L) {
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
    for (; i < n; i++) {
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
