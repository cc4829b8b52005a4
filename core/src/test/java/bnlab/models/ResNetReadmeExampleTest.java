package bnlab.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import bnlab.nn.BasicBlock;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The code of the README's ResNet section, verbatim, so the README cannot rot. */
class ResNetReadmeExampleTest {
  @Test
  void resnetExample() {
    ResNet net = ResNet.cifar(20, Norm.BATCH, BasicBlock.Shortcut.A); // 269,722 parameters
    net.resetParameters(new Rng(44));
    net.zeroInitResidual(); // optional: each block starts as relu(shortcut(x))
    Tensor logits = net.forward(Tensor.zeros(8, 3, 32, 32)); // (8, 10)

    assertEquals(269_722, net.parameterCount());
    assertArrayEquals(new int[] {8, 10}, logits.shape());
  }
}
