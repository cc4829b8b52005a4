package bnlab.nn.keras;

import bnlab.nn.GradCheck;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Finite-difference check of the channels-last layer, train and eval. */
class BatchNormalizationGradTest {

  private static Tensor input(long seed, int... shape) {
    Tensor t = Tensor.zeros(shape);
    Rng rng = new Rng(seed);
    for (int i = 0; i < t.size(); i++) {
      t.data()[i] = (float) (0.5 + 1.5 * rng.nextGaussian());
    }
    return t;
  }

  @Test
  void channelsLastTrainAndEval() {
    BatchNormalization bn = new BatchNormalization(4);
    new Rng(1).fillUniform(bn.namedParameters().get("weight").data(), 0.5f, 1.5f);
    new Rng(2).fillUniform(bn.namedParameters().get("bias").data(), -0.5f, 0.5f);
    GradCheck.of(bn.train(), input(3, 3, 5, 4)).check();
    bn.forward(input(4, 3, 5, 4));
    GradCheck.of(bn.eval(), input(5, 3, 5, 4)).check();
  }

  @Test
  void noCenterNoScale() {
    BatchNormalization bn = new BatchNormalization(3, -1, 0.9, 1e-3, false, false);
    GradCheck.of(bn.train(), input(6, 4, 2, 3)).check();
  }
}
