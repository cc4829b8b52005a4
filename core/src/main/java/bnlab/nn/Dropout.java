package bnlab.nn;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;

/**
 * Inverted dropout as PyTorch's {@code nn.Dropout} (Srivastava et al. 2014): in training each
 * element is zeroed with probability p and the survivors are scaled by 1/(1 − p), so the expected
 * output equals the input; in eval mode the layer is the identity. Any shape; no parameters.
 *
 * <p>Default p = 0.5. The masks come from a generator split off the one given to {@link
 * #initParameters} (or {@link Init#splitDefault()} at construction), so a model re-seeded with
 * {@link Module#resetParameters(Rng)} draws the same masks again.
 */
public final class Dropout extends Module {
  private final float p;
  private Rng maskRng;
  private Tensor mask;
  private Tensor out;
  private Tensor dX;
  private boolean masked;

  /** Dropout with p = 0.5. */
  public Dropout() {
    this(0.5f);
  }

  /** Dropout zeroing each element with probability {@code p} in [0, 1]. */
  public Dropout(float p) {
    if (!(p >= 0f && p <= 1f)) {
      throw new IllegalArgumentException(
          "Dropout: probability has to be between 0 and 1, but got " + p);
    }
    this.p = p;
    initParameters(Init.splitDefault());
  }

  @Override
  protected void initParameters(Rng rng) {
    maskRng = rng.split();
  }

  /** The drop probability. */
  public float p() {
    return p;
  }

  @Override
  public Tensor forward(Tensor x) {
    out = Tensor.ensureLike(out, x);
    float[] xs = x.data();
    float[] ys = out.data();
    int n = x.size();
    masked = isTraining() && p > 0f;
    if (!masked) {
      System.arraycopy(xs, 0, ys, 0, n);
      return out;
    }
    mask = Tensor.ensureLike(mask, x);
    float[] ms = mask.data();
    float keep = p < 1f ? 1f / (1f - p) : 0f;
    for (int i = 0; i < n; i++) {
      ms[i] = maskRng.nextFloat() < p ? 0f : keep;
      ys[i] = xs[i] * ms[i];
    }
    return out;
  }

  @Override
  public Tensor backward(Tensor dY) {
    ConvShapes.checkGrad(toString(), out, dY);
    dX = Tensor.ensureLike(dX, dY);
    float[] g = dY.data();
    float[] d = dX.data();
    int n = dY.size();
    if (!masked) {
      System.arraycopy(g, 0, d, 0, n);
      return dX;
    }
    float[] ms = mask.data();
    for (int i = 0; i < n; i++) {
      d[i] = g[i] * ms[i];
    }
    return dX;
  }

  @Override
  public String toString() {
    return "Dropout(p=" + p + ")";
  }
}
