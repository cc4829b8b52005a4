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
}
