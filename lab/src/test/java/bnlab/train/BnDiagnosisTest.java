package bnlab.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.data.Batch;
import bnlab.data.DataLoader;
import bnlab.nn.BatchNorm2d;
import bnlab.nn.Sequential;
import bnlab.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The diagnosis against direct computation: the train/eval gap from the two modes' actual outputs,
 * the staleness measures from statistics shifted by known amounts, γ near zero, and the whole
 * model's logits in both modes.
 */
class BnDiagnosisTest {
  /** The first batch of the test loader, copied. */
  private static Batch first(DataLoader l) {
    try (DataLoader.Epoch it = l.epoch(0)) {
      return it.next();
    }
  }

  @Test
  void gapEqualsTheModesOutputDifferenceOnTheSameInput() {
    // One BN layer on the images themselves, so the gap can be computed from the layer's actual
    // training- and eval-mode outputs. The diagnosis takes the batch variance unbiased (as in
    // running_var; the layer's training mode uses the biased one), which changes the gap by a
    // relative O(1/m): m = 6 images x 16 pixels here.
    BatchNorm2d bn = new BatchNorm2d(1);
    Sequential s = new Sequential().add("bn", bn);
    bn.namedParameters().get("weight").data().fill(1.7f);
    bn.namedParameters().get("bias").data().fill(-0.3f);
    bn.namedBuffers().get("running_mean").fill(0.4f);
    bn.namedBuffers().get("running_var").fill(0.05f);
    Batch fixed = first(PreciseBnTest.loader(PreciseBnTest.images(12)));
    Tensor x = fixed.x().copy();
    BnDiagnosis d =
        BnDiagnosis.of(
            s, PreciseBnTest.loader(PreciseBnTest.images(24)), 2, x, fixed.labels().clone(), 1e-3);
    s.eval();
    float[] yEval = s.forward(x).data().clone();
    s.train();
    float[] yTrain = s.forward(x).data().clone();
    double num = 0;
    double den = 0;
    double ee = 0;
    for (int i = 0; i < yEval.length; i++) {
      num += Math.pow(yTrain[i] - yEval[i], 2);
      den += Math.pow(yTrain[i] + 0.3, 2);
      ee += Math.pow(yEval[i], 2);
    }
    double expected = Math.sqrt(num / den);
    BnDiagnosis.LayerRow r = d.layers().get(0);
    assertEquals("bn", r.name());
    int m = yEval.length;
    assertEquals(expected, r.trainEvalGap(), 1.5 * expected / m, "gap");
    assertEquals(0, r.gammaNearZero());
    assertEquals(0, r.nonFinite());
    // the whole model is the layer: its "logits" are y in both modes
    assertEquals(Math.sqrt(num / ee), d.model().logitsRelRms(), 1e-5, "logits gap");
  }

  @Test
  void recalibratedStatisticsAreNotStaleAndShiftsAreMeasuredInStandardDeviations() {
    Sequential s = PreciseBnTest.net(0.1);
    s.namedParameters().get("bn1.weight").data().data()[1] = -0.0005f;
    DataLoader train = PreciseBnTest.loader(PreciseBnTest.images(30));
    Batch fixed = first(PreciseBnTest.loader(PreciseBnTest.images(12)));
    BnDiagnosis stale = BnDiagnosis.of(s, train, 5, fixed.x().copy(), fixed.labels().clone(), 1e-3);
    assertTrue(stale.layers().get(0).stale(), "random running statistics are stale");
    assertEquals(1, stale.layers().get(0).gammaNearZero());
    assertEquals(List.of(1), stale.layers().get(0).gammaNearZeroChannels());
    assertEquals(0, stale.layers().get(1).gammaNearZero());
    PreciseBn.Estimate e = PreciseBn.recalibrate(s, train, 5);
    float[] before = s.namedBuffers().get("bn1.running_mean").data().clone();
    BnDiagnosis fresh = BnDiagnosis.of(s, train, 5, fixed.x().copy(), fixed.labels().clone(), 1e-3);
    assertArrayEquals(before, s.namedBuffers().get("bn1.running_mean").data(), "unchanged");
    for (BnDiagnosis.LayerRow r : fresh.layers()) {
      assertEquals(0, r.meanShift(), 1e-5, r.name());
      assertEquals(0, r.varRelError(), 1e-5, r.name());
    }
    // shift bn1's running mean by exactly half a data standard deviation in every channel and
    // scale its running variance by 1.2: mean shift 0.5, var error 0.2
    float[] rm = s.namedBuffers().get("bn1.running_mean").data();
    float[] rv = s.namedBuffers().get("bn1.running_var").data();
    double[] var = e.var().get(0);
    for (int c = 0; c < rm.length; c++) {
      rm[c] += (float) (0.5 * Math.sqrt(var[c] + 1e-5));
      rv[c] *= 1.2f;
    }
    BnDiagnosis shifted =
        BnDiagnosis.of(s, train, 5, fixed.x().copy(), fixed.labels().clone(), 1e-3);
    assertEquals(0.5, shifted.layers().get(0).meanShift(), 1e-4);
    assertEquals(0.2, shifted.layers().get(0).varRelError(), 1e-4);
    assertEquals(0, shifted.layers().get(1).meanShift(), 1e-5, "bn2 untouched");
  }
}
