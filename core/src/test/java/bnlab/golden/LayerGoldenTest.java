package bnlab.golden;

import bnlab.nn.AvgPool2d;
import bnlab.nn.Conv1d;
import bnlab.nn.Conv2d;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Linear;
import bnlab.nn.MaxPool2d;
import bnlab.nn.Module;
import bnlab.nn.Parameter;
import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * bnlab's convolution, linear, pooling and loss layers against PyTorch's own CPU kernels (golden
 * files from libtorch 2.7.1): forward output, dX and the parameter gradients for a given dY.
 * Tolerances grow with the reduction length of each result ({@link Golden#tolerance}).
 */
class LayerGoldenTest {

  @ParameterizedTest
  @ValueSource(strings = {"conv2d_basic", "conv2d_stride2_pad1", "conv2d_k5_pad2_nobias"})
  void conv2dMatchesLibtorch(String file) {
    Golden g = Golden.load(file);
    int k = g.intAttr("kernel_size");
    Conv2d conv =
        new Conv2d(
            g.intAttr("in_channels"),
            g.intAttr("out_channels"),
            k,
            g.intAttr("stride"),
            g.intAttr("padding"),
            g.boolAttr("bias"));
    checkConv(g, conv, conv.weight(), conv.bias(), k * k);
  }

  @ParameterizedTest
  @ValueSource(strings = {"conv1d_pad1", "conv1d_stride2"})
  void conv1dMatchesLibtorch(String file) {
    Golden g = Golden.load(file);
    int k = g.intAttr("kernel_size");
    Conv1d conv =
        new Conv1d(
            g.intAttr("in_channels"),
            g.intAttr("out_channels"),
            k,
            g.intAttr("stride"),
            g.intAttr("padding"),
            g.boolAttr("bias"));
    checkConv(g, conv, conv.weight(), conv.bias(), k);
  }

  /** y sums C·k·k terms, dX sums K·k·k, dWeight and dBias sum over N and the output positions. */
  private static void checkConv(Golden g, Module conv, Parameter w, Parameter b, int taps) {
    w.data().copyFrom(g.tensor("weight"));
    if (b != null) {
      b.data().copyFrom(g.tensor("bias"));
    }
    int inC = g.intAttr("in_channels");
    int outC = g.intAttr("out_channels");
    Tensor y = conv.forward(g.tensor("x"));
    g.assertClose("y", y, Golden.tolerance(inC * taps));
    Tensor dX = conv.backward(g.tensor("dY"));
    g.assertClose("dX", dX, Golden.tolerance(outC * taps));
    int[] ds = g.shape("dY");
    int positions = ds[0];
    for (int i = 2; i < ds.length; i++) {
      positions *= ds[i];
    }
    g.assertClose("dWeight", w.grad(), Golden.tolerance(positions));
    if (b != null) {
      g.assertClose("dBias", b.grad(), Golden.tolerance(positions));
    }
  }

  @Test
  void linearMatchesLibtorch() {
    Golden g = Golden.load("linear");
    int in = g.intAttr("in_features");
    int out = g.intAttr("out_features");
    Linear fc = new Linear(in, out);
    fc.weight().data().copyFrom(g.tensor("weight"));
    fc.bias().data().copyFrom(g.tensor("bias"));
    g.assertClose("y", fc.forward(g.tensor("x")), Golden.tolerance(in));
    g.assertClose("dX", fc.backward(g.tensor("dY")), Golden.tolerance(out));
    int n = g.shape("x")[0];
    g.assertClose("dWeight", fc.weight().grad(), Golden.tolerance(n));
    g.assertClose("dBias", fc.bias().grad(), Golden.tolerance(n));
  }

  @ParameterizedTest
  @ValueSource(strings = {"maxpool2d_k2s2", "maxpool2d_k3s2"})
  void maxPool2dMatchesLibtorchExactly(String file) {
    Golden g = Golden.load(file);
    MaxPool2d pool = new MaxPool2d(g.intAttr("kernel_size"), g.intAttr("stride"), 0);
    // A max selects a value and routes dY to it: no rounding at all, except that overlapping
    // windows (k3s2) add two dY values into one dX, in the same order as libtorch or not.
    g.assertClose("y", pool.forward(g.tensor("x")), 0);
    g.assertClose("dX", pool.backward(g.tensor("dY")), Golden.tolerance(4));
  }

  @ParameterizedTest
  @ValueSource(strings = {"avgpool2d_k2s2", "avgpool2d_k3s2"})
  void avgPool2dMatchesLibtorch(String file) {
    Golden g = Golden.load(file);
    int k = g.intAttr("kernel_size");
    AvgPool2d pool = new AvgPool2d(k, g.intAttr("stride"), 0, true);
    g.assertClose("y", pool.forward(g.tensor("x")), Golden.tolerance(k * k));
    g.assertClose("dX", pool.backward(g.tensor("dY")), Golden.tolerance(4));
  }

  @Test
  void crossEntropyMatchesLibtorch() {
    Golden g = Golden.load("cross_entropy");
    CrossEntropyLoss loss = new CrossEntropyLoss();
    int classes = g.intAttr("classes");
    float value = loss.forward(g.tensor("logits"), g.ints("target"));
    g.assertClose("loss", new float[] {value}, Golden.tolerance(classes));
    g.assertClose("dLogits", loss.backward(), Golden.tolerance(classes));
  }
}
