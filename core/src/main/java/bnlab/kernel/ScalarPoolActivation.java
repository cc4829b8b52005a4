package bnlab.kernel;

/**
 * The naive ReLU, 2×2 max pooling, addition and addition with ReLU: the reference for {@link
 * VectorPoolActivation}.
 */
final class ScalarPoolActivation implements PoolActivationKernels {
  // x (n) -> y (n); `<=` is false for NaN, which therefore passes through
  @Override
  public void relu(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = x[i] <= 0f ? 0f : x[i];
    }
  }

  @Override
  public void reluInPlace(float[] y, int from, int to) {
    for (int i = from; i < to; i++) {
      y[i] = y[i] <= 0f ? 0f : y[i];
    }
  }

  @Override
  public void reluBackward(float[] y, float[] dy, float[] dx, int n) {
    for (int i = 0; i < n; i++) {
      dx[i] = y[i] > 0f ? dy[i] : 0f;
    }
  }

  @Override
  public void add(float[] a, float[] b, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = a[i] + b[i];
    }
  }

  @Override
  public void addRelu(float[] a, float[] b, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      float s = a[i] + b[i];
      y[i] = s <= 0f ? 0f : s;
    }
  }

  // x (planes,h,w) -> y (planes,h/2,w/2)
  @Override
  public void maxPool2x2(float[] x, int planes, int h, int w, float[] y, int[] argmax) {
    maxPool2x2Planes(x, 0, planes, h, w, y, argmax);
  }

  @Override
  public void maxPool2x2Planes(float[] x, int p0, int p1, int h, int w, float[] y, int[] argmax) {
    int p = h / 2;
    int q = w / 2;
    for (int pl = p0; pl < p1; pl++) {
      for (int i = 0; i < p; i++) {
        int row = pl * h * w + 2 * i * w;
        for (int j = 0; j < q; j++) {
          poolWindow(x, row + 2 * j, w, y, argmax, (pl * p + i) * q + j);
        }
      }
    }
  }

  // dy (planes, outPerPlane), pooled (same)?, argmax -> dx (planes, inPerPlane)
  @Override
  public void maxPoolBackward(
      float[] dy,
      float[] pooled,
      int[] argmax,
      int planes,
      int outPerPlane,
      int inPerPlane,
      float[] dx) {
    maxPoolBackward(dy, pooled, argmax, 0, planes, outPerPlane, inPerPlane, dx);
  }

  @Override
  public void maxPool2x2Backward(
      float[] dy, float[] pooled, int[] argmax, int planes, int h, int w, float[] dx) {
    maxPoolBackward(dy, pooled, argmax, 0, planes, (h / 2) * (w / 2), h * w, dx);
  }

  /** Planes [p0, p1) of {@link #maxPoolBackward}. */
  static void maxPoolBackward(
      float[] dy,
      float[] pooled,
      int[] argmax,
      int p0,
      int p1,
      int outPerPlane,
      int inPerPlane,
      float[] dx) {
    java.util.Arrays.fill(dx, p0 * inPerPlane, p1 * inPerPlane, 0f);
    for (int o = p0 * outPerPlane, end = p1 * outPerPlane; o < end; o++) {
      // Through a ReLU: +0 where it passed nothing (0 + (+0) stays +0, as its backward gives).
      dx[argmax[o]] += pooled == null ? dy[o] : ReluMask.pass(pooled[o], dy[o]);
    }
  }

  /**
   * One 2×2 window with its top-left element at x[top]: visiting the four in row-major order, a
   * later one replaces the best if greater, or if it is the first NaN (v &gt; m is false for NaN,
   * so that needs its own clause).
   */
  static void poolWindow(float[] x, int top, int w, float[] y, int[] argmax, int o) {
    int best = top;
    float m = x[top];
    for (int e = 1; e < 4; e++) {
      int idx = top + (e >> 1) * w + (e & 1);
      float v = x[idx];
      if (v > m || (v != v && m == m)) {
        m = v;
        best = idx;
      }
    }
    y[o] = m;
    argmax[o] = best;
  }
}
