package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twin of {@link OptimKernels#adamStep}: the same float operations in the same order per
 * element (no fused multiply-add), so it is bit-identical to the scalar loop, only wider.
 */
final class VectorOptim {
  private static final VectorSpecies<Float> F = VectorGemm.S;
  private static final int L = VectorGemm.L;

  private VectorOptim() {}

  // p, g, m, v, vMax (n): one Adam/AdamW/AMSGrad update, see OptimKernels.adamStep
  static void adamStep(
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
    for (int bound = F.loopBound(n); i < bound; i += L) {
      FloatVector pi = FloatVector.fromArray(F, p, i);
      if (decay != 1f) {
        pi = pi.mul(decay);
      }
      FloatVector d = FloatVector.fromArray(F, g, i);
      if (l2 != 0f) {
        d = d.add(pi.mul(l2));
      }
      FloatVector mi = FloatVector.fromArray(F, m, i);
      mi = lerpLow ? mi.add(d.sub(mi).mul(oneMinusBeta1)) : d.sub(d.sub(mi).mul(beta1));
      mi.intoArray(m, i);
      FloatVector vi = FloatVector.fromArray(F, v, i).mul(beta2).add(d.mul(oneMinusBeta2).mul(d));
      vi.intoArray(v, i);
      if (vMax != null) {
        vi = vi.max(FloatVector.fromArray(F, vMax, i));
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
