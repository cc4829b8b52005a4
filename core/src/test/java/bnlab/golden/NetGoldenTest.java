package bnlab.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import bnlab.optim.SGD;
import bnlab.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The llm.c-style end-to-end check: a small CNN with BatchNorm2d/BatchNorm1d, built from bnlab's
 * layers under PyTorch's state-dict names, replays libtorch's training of five SGD steps on one
 * batch: step-1 logits, loss and every parameter gradient, the loss of every step, and after the
 * last step every parameter, running statistic, num_batches_tracked and the eval-mode logits.
 */
class NetGoldenTest {

  private static Sequential tinyBnNet() {
    return new Sequential()
        .add("conv1", new Conv2d(3, 4, 3, 1, 1, true))
        .add("bn1", new BatchNorm2d(4))
        .add("relu1", new ReLU())
        .add("pool1", new MaxPool2d(2))
        .add("conv2", new Conv2d(4, 6, 3, 1, 0, true))
        .add("bn2", new BatchNorm2d(6))
        .add("relu2", new ReLU())
        .add("flatten", new Flatten())
        .add("fc1", new Linear(24, 10))
        .add("bn3", new BatchNorm1d(10))
        .add("relu3", new ReLU())
        .add("fc2", new Linear(10, 5));
  }

  @Test
  void tinyBnNetReplaysLibtorchTraining() {
    Golden g = Golden.load("tiny_bn_net");
    Sequential net = tinyBnNet();
    Map<String, Parameter> params = net.namedParameters();
    assertEquals(14, params.size(), "parameters: " + params.keySet());
    params.forEach((name, p) -> p.data().copyFrom(g.tensor("param0:" + name)));
    Tensor x = g.tensor("x");
    int[] target = g.ints("target");
    CrossEntropyLoss loss = new CrossEntropyLoss();
    SGD sgd = new SGD(net.parameters(), g.doubleAttr("lr"), g.doubleAttr("momentum"), 0, 0, false);
    // Gradients pass back through three BN layers and two convolutions of up to 8·8·8 outputs.
    double gradTol = Golden.tolerance(256);
    net.train();
    for (int step = 1; step <= g.intAttr("steps"); step++) {
      sgd.zeroGrad();
      Tensor logits = net.forward(x);
      float value = loss.forward(logits, target);
      net.backward(loss.backward());
      // Each step's loss sees the previous steps' rounding differences, amplified by training.
      g.assertClose("loss_" + step, new float[] {value}, Golden.tolerance(64 * step));
      if (step == 1) {
        g.assertClose("logits_1", logits, Golden.tolerance(64));
        // Norm-wise over all gradients: the biases of conv1, conv2 and fc1 feed BatchNorm, so their
        // exact gradient is 0 and both libraries return rounding noise of the summed terms' size.
        double scale = 0;
        for (String name : params.keySet()) {
          scale = Math.max(scale, g.maxAbs("grad1:" + name));
        }
        for (var e : params.entrySet()) {
          g.assertClose("grad1:" + e.getKey(), e.getValue().grad(), gradTol, scale);
        }
      }
      sgd.step();
    }
    double finalTol = Golden.tolerance(256);
    params.forEach((name, p) -> g.assertClose("final:" + name, p.data(), finalTol));
    net.namedBuffers().forEach((name, b) -> g.assertClose("final:" + name, b, finalTol));
    net.namedCounters()
        .forEach(
            (name, c) ->
                assertEquals(g.intAttr("num_batches_tracked"), c.get(), name + " after training"));
    assertEquals(3, net.namedCounters().size(), "num_batches_tracked counters");
    net.eval();
    g.assertClose("eval_logits", net.forward(x), finalTol);
  }
}
