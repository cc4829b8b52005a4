package bnlab.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.nn.BatchNorm1d;
import bnlab.nn.BatchNorm2d;
import bnlab.nn.Module;
import bnlab.tensor.Tensor;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * bnlab's BatchNorm1d/2d against libtorch's {@code batch_norm} (golden files, libtorch 2.7.1), the
 * one suite for these files, under {@link Golden}'s tolerance rule: training output and the full
 * backward (dX through μ and σ², dγ, dβ) for a given dY, running statistics after every one of
 * several steps (momentum 0.1 and None = cumulative average), num_batches_tracked, eval-mode output
 * with those statistics, affine off; and the 1000 ± 0.01 stress case, where bnlab is held to the
 * float64 reference itself and must be at least as close to it as libtorch is.
 */
class BatchNormGoldenTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "bn1d_nc",
        "bn1d_nc_cumulative",
        "bn1d_ncl",
        "bn1d_ncl_cumulative",
        "bn2d",
        "bn2d_cumulative",
        "bn1d_noaffine_article",
        "bn2d_noaffine"
      })
  void trainingBackwardRunningStatsAndEvalMatchLibtorch(String file) {
    Golden g = Golden.load(file);
    int c = g.intAttr("num_features");
    boolean affine = g.boolAttr("affine");
    Module bn = create(g);
    if (affine) {
      bn.namedParameters().get("weight").data().copyFrom(g.tensor("weight"));
      bn.namedParameters().get("bias").data().copyFrom(g.tensor("bias"));
    } else {
      assertTrue(bn.namedParameters().isEmpty(), "affine=False has no parameters");
    }
    int count = perChannel(g.shape("x_1"));
    double tol = Golden.tolerance(count);
    bn.train();
    for (int step = 1; step <= g.intAttr("steps"); step++) {
      Tensor y = bn.forward(g.tensor("x_" + step));
      if (step == 1) {
        g.assertClose("y_1", y, tol);
        bn.zeroGrad();
        g.assertClose("dX_1", bn.backward(g.tensor("dY_1")), tol);
        if (affine) {
          g.assertClose("dWeight_1", bn.namedParameters().get("weight").grad(), tol);
          g.assertClose("dBias_1", bn.namedParameters().get("bias").grad(), tol);
        }
      }
      g.assertClose("running_mean_" + step, bn.namedBuffers().get("running_mean"), tol);
      g.assertClose("running_var_" + step, bn.namedBuffers().get("running_var"), tol);
    }
    assertEquals(
        g.intAttr("num_batches_tracked"),
        bn.namedCounters().get("num_batches_tracked").get(),
        file + ": num_batches_tracked");
    bn.eval();
    // element-wise from the running statistics compared above: no sum of its own
    g.assertClose("y_eval", bn.forward(g.tensor("x_eval")), Golden.tolerance(0));
  }

  private static Module create(Golden g) {
    int c = g.intAttr("num_features");
    double eps = g.doubleAttr("eps");
    String m = g.attr("momentum");
    Double momentum = m.equals("None") ? null : Double.valueOf(m);
    boolean affine = g.boolAttr("affine");
    return g.shape("x_1").length == 4
        ? new BatchNorm2d(c, eps, momentum, affine, true)
        : new BatchNorm1d(c, eps, momentum, affine, true);
  }

  /** Number of values per channel: every axis but 1. */
  private static int perChannel(int[] shape) {
    int n = 1;
    for (int i = 0; i < shape.length; i++) {
      n *= i == 1 ? 1 : shape[i];
    }
    return n;
  }

  /**
   * x = 1000 + 0.01·u: the mean is 10^5 times the standard deviation, so a float32 mean already
   * carries an error of about half an ulp of 1000 (3e-5), 0.5% of σ; libtorch misses y by ~6e-3.
   * bnlab keeps its statistics in double, so it is held to the float64 reference with n = 0 (no
   * float32 sum behind its values), and its error must not exceed libtorch's float32 kernel's (or
   * one float32 ulp of the result, where libtorch is already that exact).
   */
  @Test
  void stressCaseMatchesTheFloat64ReferenceAndBeatsLibtorch() {
    Golden g = Golden.load("bn2d_stress");
    BatchNorm2d bn = new BatchNorm2d(g.intAttr("num_features"));
    bn.train();
    Tensor y = bn.forward(g.tensor("x"));
    Tensor dX = bn.backward(g.tensor("dY"));
    Tensor runningMean = bn.namedBuffers().get("running_mean");
    Tensor runningVar = bn.namedBuffers().get("running_var");
    System.out.printf(
        Locale.ROOT,
        "bn2d_stress (x = 1000 + 0.01·u): max |y − ref64| bnlab %.3g, libtorch %.3g;"
            + " max |dX − ref64| bnlab %.3g, libtorch %.3g%n",
        maxErr(y.toArray(), g.doubles("y_ref64")),
        maxErr(g.floats("y"), g.doubles("y_ref64")),
        maxErr(dX.toArray(), g.doubles("dX_ref64")),
        maxErr(g.floats("dX"), g.doubles("dX_ref64")));
    for (String name : new String[] {"y", "dX", "running_mean", "running_var"}) {
      Tensor ours =
          switch (name) {
            case "y" -> y;
            case "dX" -> dX;
            case "running_mean" -> runningMean;
            default -> runningVar;
          };
      g.assertClose(name + "_ref64", ours, Golden.tolerance(0));
      compareToLibtorch(g, name, ours.toArray());
    }
  }

  private static void compareToLibtorch(Golden g, String name, float[] bnlab) {
    double[] ref = g.doubles(name + "_ref64");
    double ours = maxErr(bnlab, ref);
    double torch = maxErr(g.floats(name), ref);
    String msg =
        String.format(
            Locale.ROOT,
            "bn2d_stress %s: max |error| vs float64 reference: bnlab %.3e, libtorch %.3e",
            name,
            ours,
            torch);
    if (Boolean.getBoolean("golden.verbose")) {
      System.out.println("golden " + msg);
    }
    // Nobody beats rounding the exact result to float32: one ulp of the largest value is allowed.
    double floor = 0;
    for (double r : ref) {
      floor = Math.max(floor, Math.ulp((float) Math.abs(r)));
    }
    assertTrue(ours <= Math.max(torch, floor), msg);
  }

  private static double maxErr(float[] a, double[] ref) {
    double e = 0;
    for (int i = 0; i < a.length; i++) {
      e = Double.isNaN(a[i]) ? Double.POSITIVE_INFINITY : Math.max(e, Math.abs(a[i] - ref[i]));
    }
    return e;
  }
}
