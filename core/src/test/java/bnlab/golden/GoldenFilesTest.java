package bnlab.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The golden files themselves: all present, parseable, from libtorch 2.7.1, and consistent with the
 * documented formulas recomputed here in double precision. This checks the generator (e.g. that
 * PyTorch's momentum convention reached libtorch), independently of bnlab's layers.
 */
class GoldenFilesTest {
  static final String[] FILES = {
    "conv2d_basic",
    "conv2d_stride2_pad1",
    "conv2d_k5_pad2_nobias",
    "conv1d_pad1",
    "conv1d_stride2",
    "linear",
    "maxpool2d_k2s2",
    "maxpool2d_k3s2",
    "avgpool2d_k2s2",
    "avgpool2d_k3s2",
    "cross_entropy",
    "bn1d_nc",
    "bn1d_nc_cumulative",
    "bn1d_ncl",
    "bn1d_ncl_cumulative",
    "bn2d",
    "bn2d_cumulative",
    "bn1d_noaffine_article",
    "bn2d_noaffine",
    "bn2d_stress",
    "sgd_plain",
    "sgd_momentum",
    "sgd_dampening_wd",
    "sgd_nesterov_wd",
    "adam",
    "adam_l2",
    "adamw",
    "tiny_bn_net",
    "keras_conv1d_bn",
    "resnet_block_a",
    "resnet_block_b",
    "resnet_tiny"
  };

  static final String[] BN = {
    "bn1d_nc",
    "bn1d_nc_cumulative",
    "bn1d_ncl",
    "bn1d_ncl_cumulative",
    "bn2d",
    "bn2d_cumulative",
    "bn1d_noaffine_article",
    "bn2d_noaffine"
  };

  @Test
  void everyFileIsPresentParsesAndNamesItsEngine() {
    for (String f : FILES) {
      Golden g = Golden.load(f);
      assertTrue(
          g.comments().stream().anyMatch(c -> c.contains("libtorch 2.7.1")),
          f + " does not name libtorch 2.7.1: " + g.comments());
    }
  }

  /** Every file in the golden folder is one of {@link #FILES}, so none lies there unchecked. */
  @Test
  void noUnlistedGoldenFiles() throws Exception {
    java.net.URL dir = Golden.class.getResource("/golden");
    assertTrue(dir != null && dir.getProtocol().equals("file"), "golden folder on the class path");
    java.util.Set<String> found = new java.util.TreeSet<>();
    try (var files = java.nio.file.Files.list(java.nio.file.Path.of(dir.toURI()))) {
      files.forEach(f -> found.add(f.getFileName().toString().replaceFirst("\\.txt$", "")));
    }
    assertEquals(new java.util.TreeSet<>(java.util.List.of(FILES)), found);
  }

  @Test
  void linearEqualsDoubleMatmul() {
    Golden g = Golden.load("linear");
    int[] xs = g.shape("x");
    int n = xs[0];
    int in = xs[1];
    int out = g.intAttr("out_features");
    double[] x = g.doubles("x");
    double[] w = g.doubles("weight");
    double[] b = g.doubles("bias");
    double[] y = new double[n * out];
    for (int i = 0; i < n; i++) {
      for (int o = 0; o < out; o++) {
        double s = b[o];
        for (int k = 0; k < in; k++) {
          s += x[i * in + k] * w[o * in + k];
        }
        y[i * out + o] = s;
      }
    }
    Golden.assertClose("linear y vs double", g.shape("y"), y, g.floats("y"), Golden.tolerance(in));
  }

  @Test
  void crossEntropyEqualsStableDoubleFormula() {
    Golden g = Golden.load("cross_entropy");
    int[] s = g.shape("logits");
    double[] z = g.doubles("logits");
    int[] t = g.ints("target");
    double loss = 0;
    double[] d = new double[z.length];
    for (int i = 0; i < s[0]; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < s[1]; c++) {
        max = Math.max(max, z[i * s[1] + c]);
      }
      double sum = 0;
      for (int c = 0; c < s[1]; c++) {
        sum += Math.exp(z[i * s[1] + c] - max);
      }
      loss += (max + Math.log(sum) - z[i * s[1] + t[i]]) / s[0];
      for (int c = 0; c < s[1]; c++) {
        d[i * s[1] + c] = (Math.exp(z[i * s[1] + c] - max) / sum - (c == t[i] ? 1 : 0)) / s[0];
      }
    }
    // sums over the classes of a sample, and over the batch for the mean
    double tol = Golden.tolerance(Math.max(s[0], s[1]));
    Golden.assertClose(
        "cross_entropy loss", new int[0], new double[] {loss}, g.floats("loss"), tol);
    Golden.assertClose("cross_entropy dLogits", s, d, g.floats("dLogits"), tol);
  }

  /** Running statistics, step-1 output and eval output from the formulas of issue 2, in double. */
  @Test
  void batchNormFilesFollowPyTorchsFormulas() {
    for (String f : BN) {
      Golden g = Golden.load(f);
      int c = g.intAttr("num_features");
      double eps = g.doubleAttr("eps");
      String momentum = g.attr("momentum");
      double[] rm = new double[c];
      double[] rv = new double[c];
      java.util.Arrays.fill(rv, 1);
      for (int step = 1; step <= g.intAttr("steps"); step++) {
        double[] x = g.doubles("x_" + step);
        int[] shape = g.shape("x_" + step);
        double[][] stats = BnRef.stats(x, shape);
        double m = momentum.equals("None") ? 1.0 / step : Double.parseDouble(momentum);
        int count = x.length / c;
        for (int ch = 0; ch < c; ch++) {
          rm[ch] = (1 - m) * rm[ch] + m * stats[0][ch];
          rv[ch] = (1 - m) * rv[ch] + m * stats[1][ch] * count / (count - 1);
        }
        double tol = Golden.tolerance(count);
        Golden.assertClose(
            f + " running_mean_" + step, new int[] {c}, rm, g.floats("running_mean_" + step), tol);
        Golden.assertClose(
            f + " running_var_" + step, new int[] {c}, rv, g.floats("running_var_" + step), tol);
        if (step == 1) {
          double[] y = BnRef.normalize(x, shape, stats[0], stats[1], eps, g);
          Golden.assertClose(f + " y_1", shape, y, g.floats("y_1"), tol);
        }
      }
      double[] y = BnRef.normalize(g.doubles("x_eval"), g.shape("x_eval"), rm, rv, eps, g);
      Golden.assertClose(
          f + " y_eval", g.shape("x_eval"), y, g.floats("y_eval"), Golden.tolerance(0));
    }
  }

  @Test
  void stressReferenceIsConsistentAndLibtorchErrorIsRecorded() {
    Golden g = Golden.load("bn2d_stress");
    double[] x = g.doubles("x");
    int[] shape = g.shape("x");
    double[][] stats = BnRef.stats(x, shape);
    double[] y = BnRef.normalize(x, shape, stats[0], stats[1], g.doubleAttr("eps"), g);
    double[] ref = g.doubles("y_ref64");
    for (int i = 0; i < y.length; i++) {
      assertEquals(ref[i], y[i], 1e-9, "y_ref64[" + i + "]");
    }
    assertTrue(BnRef.maxErr(g.floats("y"), ref) > 0, "libtorch float32 y should not be exact");
  }

  @Test
  void sgdFilesFollowTorchOptimSgd() {
    for (String f :
        new String[] {"sgd_plain", "sgd_momentum", "sgd_dampening_wd", "sgd_nesterov_wd"}) {
      Golden g = Golden.load(f);
      double lr = g.doubleAttr("lr");
      double mom = g.doubleAttr("momentum");
      double damp = g.doubleAttr("dampening");
      double wd = g.doubleAttr("weight_decay");
      boolean nesterov = g.boolAttr("nesterov");
      double[] p = g.doubles("param_0");
      double[] buf = null;
      for (int k = 1; k <= g.intAttr("steps"); k++) {
        double[] grad = g.doubles("grad_" + k);
        for (int i = 0; i < p.length; i++) {
          grad[i] += wd * p[i];
        }
        if (mom != 0) {
          if (buf == null) {
            buf = grad.clone();
          } else {
            for (int i = 0; i < p.length; i++) {
              buf[i] = mom * buf[i] + (1 - damp) * grad[i];
            }
          }
          for (int i = 0; i < p.length; i++) {
            grad[i] = nesterov ? grad[i] + mom * buf[i] : buf[i];
          }
        }
        for (int i = 0; i < p.length; i++) {
          p[i] -= lr * grad[i];
        }
        Golden.assertClose(
            f + " param_" + k, g.shape("param_0"), p, g.floats("param_" + k), Golden.tolerance(0));
      }
    }
  }

  @Test
  void adamFilesFollowTorchOptimAdamAndAdamW() {
    for (String f : new String[] {"adam", "adam_l2", "adamw"}) {
      Golden g = Golden.load(f);
      double lr = g.doubleAttr("lr");
      double b1 = g.doubleAttr("beta1");
      double b2 = g.doubleAttr("beta2");
      double eps = g.doubleAttr("eps");
      double wd = g.doubleAttr("weight_decay");
      boolean decoupled = g.boolAttr("decoupled_weight_decay");
      double[] p = g.doubles("param_0");
      double[] m = new double[p.length];
      double[] v = new double[p.length];
      for (int t = 1; t <= g.intAttr("steps"); t++) {
        double[] grad = g.doubles("grad_" + t);
        for (int i = 0; i < p.length; i++) {
          if (decoupled) {
            p[i] *= 1 - lr * wd;
          } else {
            grad[i] += wd * p[i];
          }
          m[i] = b1 * m[i] + (1 - b1) * grad[i];
          v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i];
          double mHat = m[i] / (1 - Math.pow(b1, t));
          double vHat = v[i] / (1 - Math.pow(b2, t));
          p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
        }
        Golden.assertClose(
            f + " param_" + t, g.shape("param_0"), p, g.floats("param_" + t), Golden.tolerance(0));
      }
    }
  }
}
