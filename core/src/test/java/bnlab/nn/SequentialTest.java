package bnlab.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SequentialTest {
  @Test
  void inputErrorsNameTheLayer() {
    Sequential s = new Sequential().add("conv1", new Conv2d(3, 6, 5)).add("fc", new Linear(6, 2));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.forward(Tensor.zeros(10, 1, 28, 28)));
    assertEquals(
        "conv1: Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1), padding=(0, 0)): "
            + "expected input (N, 3, H, W), got (10, 1, 28, 28)",
        e.getMessage());
  }

  @Test
  void gradientsThroughAStack() {
    Sequential s =
        new Sequential()
            .add("conv", new Conv2d(2, 3, 3, 1, 1, true))
            .add("act", new Tanh())
            .add("pool", new AvgPool2d(2))
            .add("flat", new Flatten())
            .add("fc", new Linear(12, 4))
            .add("sig", new Sigmoid());
    GradCheck.of(s, Tensors.uniform(1, 2, 2, 4, 4)).check();
  }

  @Test
  void trainModeBatchNormInsideASmoothTwinOfTheArticleNet() {
    // ArticleNet.withBatchNorm's layout with Tanh/AvgPool for ReLU/MaxPool: a smooth function, so
    // finite differences check the full train-mode BN gradient through mean and variance in a stack
    Sequential s =
        new Sequential()
            .add("conv1", new Conv2d(3, 6, 5))
            .add("bn1", new BatchNorm2d(6))
            .add("act1", new Tanh())
            .add("pool1", new AvgPool2d(2))
            .add("flatten", new Flatten())
            .add("fc1", new Linear(6 * 4 * 4, 12))
            .add("bn3", new BatchNorm1d(12))
            .add("act3", new Tanh())
            .add("fc3", new Linear(12, 10));
    s.resetParameters(new bnlab.tensor.Rng(3));
    GradCheck.Report r = GradCheck.of(s, Tensors.uniform(4, 3, 3, 12, 12)).maxPerTensor(25).check();
    assertEquals(0, r.kinks());
  }
}
