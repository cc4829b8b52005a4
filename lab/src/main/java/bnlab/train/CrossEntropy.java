package bnlab.train;

import bnlab.tensor.Tensor;

/**
 * Mean softmax cross-entropy from logits, PyTorch's {@code nn.CrossEntropyLoss()}: for logits z (N,
 * K) and labels y, L = (1/N) Σ_n [log Σ_k exp(z_nk) − z_n,y_n]; dL/dz = (softmax(z) − onehot(y)) /
 * N. The log-sum-exp subtracts the row maximum, so large logits do not overflow.
 */
public final class CrossEntropy {
  private Tensor dLogits;
  private Tensor probs;
  private int[] lastLabels;

  /** The mean loss over the first {@code n} rows of {@code logits}; caches softmax for backward. */
  public float forward(Tensor logits, int[] labels, int n) {
    if (logits.rank() != 2 || logits.dim(0) != n) {
      throw new IllegalArgumentException(
          "CrossEntropy: expected logits ("
              + n
              + ", K), got "
              + java.util.Arrays.toString(logits.shape()));
    }
    int k = logits.dim(1);
    probs = Tensor.ensure(probs, n, k);
    float[] z = logits.data();
    float[] p = probs.data();
    double total = 0;
    for (int i = 0; i < n; i++) {
      int y = labels[i];
      if (y < 0 || y >= k) {
        throw new IllegalArgumentException("CrossEntropy: label " + y + " outside [0, " + k + ")");
      }
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        max = Math.max(max, z[i * k + j]);
      }
      double sum = 0;
      for (int j = 0; j < k; j++) {
        double e = Math.exp(z[i * k + j] - max);
        p[i * k + j] = (float) e;
        sum += e;
      }
      for (int j = 0; j < k; j++) {
        p[i * k + j] = (float) (p[i * k + j] / sum);
      }
      total += Math.log(sum) + max - z[i * k + y];
    }
    lastLabels = labels;
    return (float) (total / n);
  }

  /** dL/dlogits of the last forward, shape (N, K). */
  public Tensor backward() {
    int n = probs.dim(0);
    int k = probs.dim(1);
    dLogits = Tensor.ensure(dLogits, n, k);
    float[] p = probs.data();
    float[] d = dLogits.data();
    float inv = 1f / n;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        d[i * k + j] = (p[i * k + j] - (j == lastLabels[i] ? 1f : 0f)) * inv;
      }
    }
    return dLogits;
  }

  /** Index of the largest logit of row {@code i}. */
  public static int argmax(Tensor logits, int i) {
    int k = logits.dim(1);
    float[] z = logits.data();
    int best = 0;
    for (int j = 1; j < k; j++) {
      if (z[i * k + j] > z[i * k + best]) {
        best = j;
      }
    }
    return best;
  }
}
