package bnlab.reference.bench;

import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;

/**
 * The layers of the twin models as libtorch calls, each what {@code torch.nn} runs: {@code
 * F.conv2d}, {@code F.batch_norm} (momentum 0.1, eps 1e-5, PyTorch's convention), {@code F.linear},
 * {@code F.relu}, {@code F.max_pool2d}, flatten. Every call goes through DJL's JNI bridge ({@link
 * JniUtils}) straight to the ATen operator.
 */
final class Layers {
  private Layers() {}

  /** Conv2d(in, out, k, stride, padding, bias) on (N, in, H, W). */
  static TorchModule conv(
      Params p, String name, int in, int out, int k, int stride, int pad, boolean bias) {
    float bound = (float) (1 / Math.sqrt((double) in * k * k));
    PtNDArray w = p.parameter(name + ".weight", bound, out, in, k, k);
    PtNDArray b = bias ? p.parameter(name + ".bias", bound, out) : null;
    Shape s = new Shape(stride, stride);
    Shape pd = new Shape(pad, pad);
    Shape dilation = new Shape(1, 1);
    return (x, training) -> JniUtils.convolution(x, w, b, s, pd, dilation, 1);
  }

  /** BatchNorm1d/2d(c): affine, running statistics updated in training (momentum 0.1). */
  static TorchModule batchNorm(Params p, String name, int c) {
    PtNDArray gamma = p.parameter(name + ".weight", 0f, c);
    PtNDArray beta = p.parameter(name + ".bias", 0f, c);
    PtNDArray mean = p.buffer(name + ".running_mean", c);
    PtNDArray var = p.buffer(name + ".running_var", c);
    return (x, training) -> JniUtils.batchNorm(x, mean, var, gamma, beta, training, 0.1, 1e-5);
  }

  /** Linear(in, out) with bias on (N, in). */
  static TorchModule linear(Params p, String name, int in, int out) {
    float bound = (float) (1 / Math.sqrt(in));
    PtNDArray w = p.parameter(name + ".weight", bound, out, in);
    PtNDArray b = p.parameter(name + ".bias", bound, out);
    return (x, training) -> JniUtils.linear(x, w, b);
  }

  static TorchModule relu() {
    return (x, training) -> JniUtils.relu(x);
  }

  /** MaxPool2d(2): kernel 2, stride 2, no padding, floor. */
  static TorchModule maxPool2() {
    Shape two = new Shape(2, 2);
    Shape zero = new Shape(0, 0);
    return (x, training) -> JniUtils.maxPool(x, two, two, zero, false);
  }

  /** (N, ...) → (N, rest): a view, as torch.flatten(x, 1). */
  static TorchModule flatten() {
    return (x, training) -> JniUtils.reshape(x, new long[] {x.getShape().get(0), -1});
  }

  /** Layers applied in order. */
  static final class Seq implements TorchModule {
    private final List<TorchModule> layers = new ArrayList<>();

    Seq add(TorchModule layer) {
      layers.add(layer);
      return this;
    }

    @Override
    public PtNDArray forward(PtNDArray x, boolean training) {
      PtNDArray h = x;
      for (TorchModule m : layers) {
        h = m.forward(h, training);
      }
      return h;
    }
  }
}
