package bnlab.nn;

import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * Softmax cross-entropy from logits with mean reduction, as PyTorch's {@code nn.CrossEntropyLoss()}
 * with class-index targets: loss = (1/N) Σ_n [log Σ_c e^(z[n,c]) − z[n, t_n]].
 *
 * <p>Shapes: logits (N, C), targets N class indices in [0, C). The log-sum-exp subtracts each row's
 * maximum and sums in double, so large logits neither overflow nor lose the small terms. {@link
 * #backward()} returns dLoss/dLogits = (softmax(z) − onehot(t)) / N, owned by this object and
 * overwritten by the next forward. Non-finite logits are rejected with an exception rather than
 * averaged into a NaN loss ({@link NonFiniteException}). Not a {@link Module}: it has no parameters
 * and a different signature.
 */
public final class CrossEntropyLoss {
  private Tensor grad;
  private boolean ready;

  /** Mean cross-entropy of {@code logits} (N, C) against {@code targets}; caches the gradient. */
  public float forward(Tensor logits, int[] targets) {
    ready = false;
    Shape.check("CrossEntropyLoss", logits, "logits (N, C)", -1, -1);
    int n = logits.dim(0);
    int c = logits.dim(1);
    checkTargets(targets, n, c);
    grad = Tensor.ensure(grad, n, c);
    float[] z = logits.data();
    float[] g = grad.data();
    double total = 0;
    for (int i = 0; i < n; i++) {
      total += row(z, g, i, c, targets[i], n);
    }
    ready = true;
    return (float) (total / n);
  }

  // loss of row i; writes (softmax − onehot)/N into g
  private static double row(float[] z, float[] g, int i, int c, int target, int n) {
    int off = i * c;
    float max = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < c; j++) {
      float v = z[off + j];
      if (!Float.isFinite(v)) {
        throw new NonFiniteException(
            "CrossEntropyLoss: logits["
                + i
                + ", "
                + j
                + "] is "
                + v
                + "; the model has diverged (lower the learning rate) or its input holds NaN/Inf");
      }
      max = Math.max(max, v);
    }
    double sum = 0;
    for (int j = 0; j < c; j++) {
      sum += Math.exp((double) z[off + j] - max);
    }
    double logSum = Math.log(sum);
    for (int j = 0; j < c; j++) {
      double prob = Math.exp((double) z[off + j] - max - logSum);
      g[off + j] = (float) ((prob - (j == target ? 1.0 : 0.0)) / n);
    }
    return logSum + max - z[off + target];
  }

  private static void checkTargets(int[] targets, int n, int c) {
    if (targets.length != n) {
      throw new IllegalArgumentException(
          "CrossEntropyLoss: expected "
              + n
              + " targets (one per row of logits), got "
              + targets.length);
    }
    if (n == 0) {
      throw new IllegalArgumentException("CrossEntropyLoss: empty batch (N = 0)");
    }
    for (int i = 0; i < n; i++) {
      if (targets[i] < 0 || targets[i] >= c) {
        throw new IllegalArgumentException(
            "CrossEntropyLoss: target "
                + targets[i]
                + " at position "
                + i
                + " is out of bounds "
                + "for "
                + c
                + " classes (expected 0.."
                + (c - 1)
                + ")");
      }
    }
  }

  /** dLoss/dLogits (N, C) of the last successful forward. */
  public Tensor backward() {
    if (!ready) {
      throw new IllegalStateException("CrossEntropyLoss.backward: call forward first");
    }
    return grad;
  }
}
