package bnlab.golden;

/** Double-precision batch-norm formulas for checking the golden files themselves. */
final class BnRef {
  private BnRef() {}

  /** Per-channel {mean, biased variance} over every axis but 1, two passes in double. */
  static double[][] stats(double[] x, int[] shape) {
    int c = shape[1];
    int inner = x.length / (shape[0] * c);
    double[] mean = new double[c];
    double[] var = new double[c];
    int count = x.length / c;
    for (int i = 0; i < x.length; i++) {
      mean[(i / inner) % c] += x[i];
    }
    for (int ch = 0; ch < c; ch++) {
      mean[ch] /= count;
    }
    for (int i = 0; i < x.length; i++) {
      double d = x[i] - mean[(i / inner) % c];
      var[(i / inner) % c] += d * d;
    }
    for (int ch = 0; ch < c; ch++) {
      var[ch] /= count;
    }
    return new double[][] {mean, var};
  }

  /** y = weight * (x - mean) / sqrt(var + eps) + bias, weight/bias from {@code g} if affine. */
  static double[] normalize(
      double[] x, int[] shape, double[] mean, double[] var, double eps, Golden g) {
    int c = shape[1];
    int inner = x.length / (shape[0] * c);
    boolean affine = g.has("weight");
    double[] w = affine ? g.doubles("weight") : null;
    double[] b = affine ? g.doubles("bias") : null;
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      int ch = (i / inner) % c;
      double xhat = (x[i] - mean[ch]) / Math.sqrt(var[ch] + eps);
      y[i] = affine ? w[ch] * xhat + b[ch] : xhat;
    }
    return y;
  }

  static double maxErr(float[] a, double[] ref) {
    double e = 0;
    for (int i = 0; i < a.length; i++) {
      e = Math.max(e, Math.abs(a[i] - ref[i]));
    }
    return e;
  }
}
