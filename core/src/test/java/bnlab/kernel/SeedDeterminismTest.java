package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import bnlab.models.ArticleNet;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Parameter;
import bnlab.nn.Sequential;
import bnlab.optim.Adam;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Same seed ⇒ bit-identical losses and weights whatever the number of kernel threads. */
class SeedDeterminismTest {
  private final int threadsBefore = Parallel.threads();

  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(threadsBefore);
  }

  @Test
  void netTrainsBitIdenticallyWithOneAndTwoThreads() {
    for (boolean bn : new boolean[] {false, true}) {
      Parallel.setThreads(1);
      float[][] one = train(bn);
      Parallel.setThreads(2);
      float[][] two = train(bn);
      assertArrayEquals(one[0], two[0], 0f, "losses, bn=" + bn);
      assertArrayEquals(one[1], two[1], 0f, "conv1.weight after training, bn=" + bn);
    }
  }

  /** Losses of a few Adam steps of the article's Net at batch 12, and conv1's weight after. */
  private static float[][] train(boolean bn) {
    Sequential net = bn ? ArticleNet.withBatchNorm() : ArticleNet.plain();
    net.resetParameters(new Rng(42));
    net.requiresInputGrad(false);
    Adam adam = new Adam(net.parameters(), 1e-3);
    CrossEntropyLoss loss = new CrossEntropyLoss();
    Rng data = new Rng(9);
    Tensor x = Tensor.zeros(12, 3, 32, 32);
    int[] y = new int[12];
    float[] losses = new float[4];
    for (int step = 0; step < losses.length; step++) {
      data.fillUniform(x, -1f, 1f);
      for (int i = 0; i < y.length; i++) {
        y[i] = data.nextInt(10);
      }
      adam.zeroGrad();
      losses[step] = loss.forward(net.forward(x), y);
      net.backward(loss.backward());
      adam.step();
    }
    Parameter w = net.namedParameters().get("conv1.weight");
    return new float[][] {losses, w.data().toArray()};
  }
}
