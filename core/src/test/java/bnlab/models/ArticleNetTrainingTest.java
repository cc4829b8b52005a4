package bnlab.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Sequential;
import bnlab.optim.Adam;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end check: the article's network with BN memorises a fixed batch of 20 random
 * images with random labels, and afterwards its eval-mode loss on that batch is also low, because
 * the running statistics have converged to the batch's statistics.
 */
class ArticleNetTrainingTest {
  @Test
  void bnNetOverfitsAFixedBatchAndEvalModeAgrees() {
    Rng rng = new Rng(20240101);
    Tensor x = Tensor.zeros(20, 3, 32, 32);
    for (int i = 0; i < x.size(); i++) {
      x.data()[i] = (float) rng.nextGaussian();
    }
    int[] y = new int[20];
    for (int i = 0; i < y.length; i++) {
      y[i] = rng.nextInt(10);
    }
    Sequential net = ArticleNet.withBatchNorm();
    net.resetParameters(new Rng(7));
    Adam adam = new Adam(net.parameters(), 1e-3);
    CrossEntropyLoss ce = new CrossEntropyLoss();
    float loss = Float.NaN;
    int step = 0;
    StringBuilder trace = new StringBuilder();
    for (; step < 400; step++) {
      adam.zeroGrad();
      loss = ce.forward(net.forward(x), y);
      if (step % 25 == 0) {
        trace.append(String.format(" %d:%.4f", step, loss));
      }
      if (loss < 0.05f) {
        break;
      }
      net.backward(ce.backward());
      adam.step();
    }
    System.out.println("train loss by step:" + trace + " -> " + step + ":" + loss);
    assertTrue(loss < 0.05f, "train loss " + loss + " after " + step + " steps:" + trace);
    net.eval();
    float evalLoss = ce.forward(net.forward(x), y);
    System.out.println("eval loss " + evalLoss);
    assertTrue(evalLoss < 0.2f, "eval-mode loss " + evalLoss + " (train " + loss + ")");
  }
}
