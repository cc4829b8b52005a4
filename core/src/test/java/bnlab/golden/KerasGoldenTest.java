package bnlab.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import bnlab.nn.keras.BatchNormalization;
import bnlab.nn.keras.Conv1D;
import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The article's Keras example in small: channels-last Conv1D then BatchNormalization over the last
 * axis with Keras's defaults (momentum 0.99 = PyTorch 0.01, epsilon 1e-3), against libtorch run on
 * the permuted tensors: output, all gradients, moving statistics over three steps and eval output.
 */
class KerasGoldenTest {

  @Test
  void conv1dThenBatchNormalizationMatchesLibtorch() {
    Golden g = Golden.load("keras_conv1d_bn");
    int f = g.intAttr("filters");
    int k = g.intAttr("kernel_size");
    int c = g.shape("kernel")[1];
    Conv1D conv = new Conv1D(f, k, c);
    BatchNormalization bn = new BatchNormalization(f);
    assertEquals(g.doubleAttr("momentum"), bn.momentum(), "Keras default momentum");
    assertEquals(g.doubleAttr("epsilon"), bn.epsilon(), "Keras default epsilon");
    conv.kernel().data().copyFrom(g.tensor("kernel"));
    conv.bias().data().copyFrom(g.tensor("bias"));
    bn.namedParameters().get("weight").data().copyFrom(g.tensor("gamma"));
    bn.namedParameters().get("bias").data().copyFrom(g.tensor("beta"));
    int[] ys = g.shape("y_1");
    int perChannel = ys[0] * ys[1];
    double tol = Golden.tolerance(Math.max(perChannel, k * c));
    conv.train();
    bn.train();
    for (int step = 1; step <= g.intAttr("steps"); step++) {
      Tensor y = bn.forward(conv.forward(g.tensor("x_" + step)));
      if (step == 1) {
        g.assertClose("y_1", y, tol);
        Tensor dX = conv.backward(bn.backward(g.tensor("dY_1")));
        g.assertClose("dX_1", dX, tol);
        g.assertClose("dKernel_1", conv.kernel().grad(), tol);
        // The conv bias feeds BN: exact gradient 0, compared on the scale of the kernel gradient.
        g.assertClose("dBias_1", conv.bias().grad(), tol, g.maxAbs("dKernel_1"));
        g.assertClose("dGamma_1", bn.namedParameters().get("weight").grad(), tol);
        g.assertClose("dBeta_1", bn.namedParameters().get("bias").grad(), tol);
      }
      g.assertClose("running_mean_" + step, bn.namedBuffers().get("running_mean"), tol);
      g.assertClose("running_var_" + step, bn.namedBuffers().get("running_var"), tol);
    }
    assertEquals(
        g.intAttr("num_batches_tracked"), bn.namedCounters().get("num_batches_tracked").get());
    conv.eval();
    bn.eval();
    g.assertClose("y_eval", bn.forward(conv.forward(g.tensor("x_eval"))), tol);
  }
}
