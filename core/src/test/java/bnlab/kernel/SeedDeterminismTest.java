package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import bnlab.models.ArticleNet;
import bnlab.nn.BatchNorm1d;
import bnlab.nn.BatchNorm2d;
import bnlab.nn.Conv2d;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Flatten;
import bnlab.nn.Linear;
import bnlab.nn.MaxPool2d;
import bnlab.nn.Parameter;
import bnlab.nn.ReLU;
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
    Sequential net = bn ? withBatchNorm() : ArticleNet.plain();
    net.resetParameters(new Rng(42));
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

  /** Net with BatchNorm after every convolution and hidden linear layer. */
  static Sequential withBatchNorm() {
    return new Sequential()
        .add("conv1", new Conv2d(3, 6, 5))
        .add("bn1", new BatchNorm2d(6))
        .add("relu1", new ReLU())
        .add("pool1", new MaxPool2d(2))
        .add("conv2", new Conv2d(6, 16, 5))
        .add("bn2", new BatchNorm2d(16))
        .add("relu2", new ReLU())
        .add("pool2", new MaxPool2d(2))
        .add("flatten", new Flatten())
        .add("fc1", new Linear(400, 120))
        .add("bn3", new BatchNorm1d(120))
        .add("relu3", new ReLU())
        .add("fc2", new Linear(120, 84))
        .add("bn4", new BatchNorm1d(84))
        .add("relu4", new ReLU())
        .add("fc3", new Linear(84, 10));
  }
}
