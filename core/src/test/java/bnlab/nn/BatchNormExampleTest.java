package bnlab.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import bnlab.nn.keras.BatchNormalization;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The README's BatchNorm usage example, kept compiling and running. */
class BatchNormExampleTest {

  @Test
  void readmeExampleRuns() {
    Rng rng = new Rng(7);
    Tensor x = Tensor.zeros(8, 16, 5, 5);
    rng.fillUniform(x, -1f, 3f);

    BatchNorm2d bn = new BatchNorm2d(16); // eps 1e-5, momentum 0.1, affine, running stats
    Tensor y = bn.forward(x); // training mode: batch statistics, updates running_mean/var
    Tensor dY = Tensor.zeros(y.shape()).fill(1f);
    Tensor dX = bn.backward(dY); // returns dL/dx, adds into weight.grad() and bias.grad()
    bn.eval(); // inference: normalizes with running_mean / running_var
    Tensor yEval = bn.forward(x);
    System.out.println(bn + " " + bn.namedBuffers().keySet() + " " + bn.namedCounters().keySet());

    // the article's examples
    Tensor feats = Tensor.zeros(22, 102);
    rng.fillUniform(feats, 0f, 1f);
    Tensor a = new BatchNorm1d(102).forward(feats);
    Tensor b = new BatchNorm1d(102, 1e-5, 0.1, false, true).forward(feats); // affine=False
    Tensor conv1dOut = Tensor.zeros(4, 126, 64); // Keras Conv1D(64, 3) on (128, 256), channels-last
    rng.fillUniform(conv1dOut, -1f, 1f);
    BatchNormalization kbn = new BatchNormalization(64); // axis -1, momentum 0.99, epsilon 1e-3
    Tensor k = kbn.forward(conv1dOut);

    assertEquals(8 * 16 * 25, dX.size());
    assertEquals(y.size(), yEval.size());
    assertEquals(a.size(), b.size());
    assertEquals(4 * 126 * 64, k.size());
    assertEquals(1, bn.namedCounters().get("num_batches_tracked").get());
  }
}
