package bnlab.reference.bench;

import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * ResNet for CIFAR-10 (He et al. 2016, §4.2) on (N, 3, 32, 32): a 3×3 convolution to 16 channels,
 * three stages of {@code n} basic blocks with 16, 32 and 64 channels on 32×32, 16×16 and 8×8 maps
 * (the first block of stages 2 and 3 has stride 2), global average pooling and one fully connected
 * layer; 6n + 2 weight layers (n = 3: ResNet-20, 269,722 parameters). Every convolution is 3×3
 * without bias and followed by BatchNorm.
 *
 * <p>Shortcuts are the paper's option A: the identity, and where the shape changes x[:, :, ::2,
 * ::2] with the new channels zero-padded (appended after the existing ones), so the shortcut has no
 * parameters. State names are torchvision's ({@code layer2.0.conv1.weight}, {@code fc.bias}).
 */
final class ResNetCifar implements TorchModule {
  private final TorchModule stem;
  private final TorchModule[] blocks;
  private final TorchModule fc;

  ResNetCifar(Params p, int n, int classes) {
    stem =
        new Layers.Seq()
            .add(Layers.conv(p, "conv1", 3, 16, 3, 1, 1, false))
            .add(Layers.batchNorm(p, "bn1", 16))
            .add(Layers.relu());
    blocks = new TorchModule[3 * n];
    int in = 16;
    for (int stage = 0; stage < 3; stage++) {
      int out = 16 << stage;
      for (int b = 0; b < n; b++) {
        int stride = stage > 0 && b == 0 ? 2 : 1;
        blocks[stage * n + b] = block(p, "layer" + (stage + 1) + "." + b, in, out, stride);
        in = out;
      }
    }
    fc = Layers.linear(p, "fc", 64, classes);
  }

  /** relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)). */
  private static TorchModule block(Params p, String name, int in, int out, int stride) {
    TorchModule residual =
        new Layers.Seq()
            .add(Layers.conv(p, name + ".conv1", in, out, 3, stride, 1, false))
            .add(Layers.batchNorm(p, name + ".bn1", out))
            .add(Layers.relu())
            .add(Layers.conv(p, name + ".conv2", out, out, 3, 1, 1, false))
            .add(Layers.batchNorm(p, name + ".bn2", out));
    TorchModule shortcut = stride == 1 && in == out ? (x, t) -> x : optionA(stride, out - in);
    return (x, training) ->
        JniUtils.relu(JniUtils.add(residual.forward(x, training), shortcut.forward(x, training)));
  }

  /**
   * x[:, :, ::s, ::s] with {@code extra} zero channels appended: F.pad(..., (0, 0, 0, 0, 0,
   * extra)).
   */
  private static TorchModule optionA(int stride, int extra) {
    long[] pad = {0, 0, 0, 0, 0, extra};
    return (x, training) -> {
      PtNDArray rows = JniUtils.slice(x, 2, 0, x.getShape().get(2), stride);
      PtNDArray sub = JniUtils.slice(rows, 3, 0, x.getShape().get(3), stride);
      return JniUtils.pad(sub, pad, 0);
    };
  }

  @Override
  public PtNDArray forward(PtNDArray x, boolean training) {
    PtNDArray h = stem.forward(x, training);
    for (TorchModule b : blocks) {
      h = b.forward(h, training);
    }
    PtNDArray pooled = JniUtils.adaptiveAvgPool(h, new Shape(1, 1));
    return fc.forward(
        JniUtils.reshape(pooled, new long[] {pooled.getShape().get(0), -1}), training);
  }
}
