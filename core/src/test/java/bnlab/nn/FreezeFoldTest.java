package bnlab.nn;

import static bnlab.nn.BatchNormReference.gaussian;
import static bnlab.nn.NormGradTest.randomAffine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Frozen BatchNorm for fine-tuning, and Conv-BN / Linear-BN folding for inference. */
class FreezeFoldTest {

  private static Sequential model(long seed) {
    Sequential m =
        new Sequential()
            .add("conv1", new Conv2d(3, 4, 3, 1, 1, false))
            .add("bn1", randomAffine(new BatchNorm2d(4), seed))
            .add("relu1", new ReLU())
            .add(
                "block",
                new Sequential()
                    .add("conv2", new Conv2d(4, 5, 3, 2, 0, true))
                    .add("bn2", randomAffine(new BatchNorm2d(5), seed + 1)))
            .add("flatten", new Flatten())
            .add("fc1", new Linear(5 * 2 * 2, 6))
            .add("bn3", randomAffine(new BatchNorm1d(6), seed + 2))
            .add("fc2", new Linear(6, 3));
    m.resetParameters(new Rng(seed));
    for (String bn : new String[] {"bn1", "bn3"}) {
      randomAffine(m.get(bn), seed + bn.length());
    }
    randomAffine(((Sequential) m.get("block")).get("bn2"), seed + 7);
    return m;
  }

  private static float[] snapshot(Module m) {
    float[][] parts =
        java.util.stream.Stream.concat(
                m.namedParameters().values().stream().map(p -> p.data().toArray()),
                m.namedBuffers().values().stream().map(Tensor::toArray))
            .toArray(float[][]::new);
    int n = Arrays.stream(parts).mapToInt(a -> a.length).sum();
    float[] out = new float[n];
    int at = 0;
    for (float[] a : parts) {
      System.arraycopy(a, 0, out, at, a.length);
      at += a.length;
    }
    return out;
  }

  @Test
  void frozenBatchNormKeepsItsStateInTrainingMode() {
    Sequential m = model(1);
    Rng rng = new Rng(2);
    m.forward(gaussian(rng, 0.5, 2, 4, 3, 6, 6)); // running statistics away from (0, 1)
    assertEquals(3, Freeze.batchNorm(m));
    float[] bnState = snapshot(m.get("bn1"));
    m.train();
    Tensor x = gaussian(rng, -0.3, 1.5, 4, 3, 6, 6);
    float[] trainOut = m.forward(x).toArray();
    m.backward(gaussian(rng, 0, 1, 4, 3));
    m.forward(gaussian(rng, 3, 3, 4, 3, 6, 6));
    assertTrue(Arrays.equals(bnState, snapshot(m.get("bn1"))), "bn1 state changed");
    BatchNorm2d bn1 = (BatchNorm2d) m.get("bn1");
    assertTrue(bn1.isFrozen() && !bn1.namedParameters().get("weight").requiresGrad());
    for (Parameter p : bn1.namedParameters().values()) {
      assertTrue(Arrays.equals(new float[p.size()], p.grad().toArray()), "frozen γ/β got grads");
    }
    assertTrue(m.namedParameters().get("conv1.weight").requiresGrad());
    float[] evalOut = m.eval().forward(x).toArray();
    assertTrue(Arrays.equals(trainOut, evalOut), "frozen train output differs from eval output");
    bn1.unfreeze();
    assertTrue(bn1.namedParameters().get("weight").requiresGrad() && !bn1.isFrozen());
  }

  @Test
  void freezeErrors() {
    assertThrows(IllegalArgumentException.class, () -> Freeze.batchNorm(new Sequential()));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> new BatchNorm2d(2, 1e-5, 0.1, true, false).freeze());
    assertTrue(e.getMessage().contains("trackRunningStats"), e.getMessage());
  }

  @Test
  void foldedModelEqualsUnfolded() {
    Sequential m = model(3);
    Rng rng = new Rng(4);
    for (int t = 0; t < 5; t++) {
      m.forward(gaussian(rng, 0.2 * t, 1 + t, 8, 3, 6, 6));
    }
    m.eval();
    Tensor x = gaussian(rng, 0.3, 1.7, 5, 3, 6, 6);
    float[] expected = m.forward(x).toArray();
    float[] stateBefore = snapshot(m);
    Sequential folded = Fold.convBn(m);
    assertEquals(
        Arrays.asList("conv1", "relu1", "block", "flatten", "fc1", "fc2"),
        java.util.List.copyOf(folded.children().keySet()));
    assertEquals(1, ((Sequential) folded.get("block")).size());
    float[] actual = folded.forward(x).toArray();
    double scale = 0;
    for (float v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(actual[i] - expected[i]);
      if (err > 1e-5 * scale) {
        throw new AssertionError(
            "entry "
                + i
                + ": folded "
                + actual[i]
                + ", unfolded "
                + expected[i]
                + ", scale "
                + scale);
      }
    }
    assertTrue(Arrays.equals(stateBefore, snapshot(m)), "folding modified the original model");
    assertTrue(
        folded.parameterCount() < m.parameterCount(), "folded model should drop BN parameters");
  }

  @Test
  void foldingRefusesTrainingMode() {
    Sequential m = model(5);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Fold.convBn(m));
    assertTrue(e.getMessage().contains("model.eval()"), e.getMessage());
    m.eval();
    m.get("bn3").train();
    e = assertThrows(IllegalStateException.class, () -> Fold.convBn(m));
    assertTrue(e.getMessage().contains("'bn3'"), e.getMessage());
    Sequential noStats =
        new Sequential()
            .add("fc", new Linear(2, 2))
            .add("bn", new BatchNorm1d(2, 1e-5, 0.1, true, false));
    noStats.eval();
    e = assertThrows(IllegalStateException.class, () -> Fold.convBn(noStats));
    assertTrue(e.getMessage().contains("no running statistics"), e.getMessage());
  }
}
