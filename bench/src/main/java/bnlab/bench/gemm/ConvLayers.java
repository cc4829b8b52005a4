package bnlab.bench.gemm;

import bnlab.kernel.ConvGeometry;
import bnlab.models.Activation;
import bnlab.models.Norm;
import bnlab.models.Vgg;
import bnlab.nn.Conv2d;
import bnlab.nn.Module;
import bnlab.nn.Sequential;
import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The convolutions of the models whose GEMM shapes the sgemm table measures.
 *
 * <ul>
 *   <li>{@code vgg}: read from bnlab's own model ({@link Vgg#build}): one image goes through it and
 *       every Conv2d's input size is the output size of the layer before it.
 *   <li>{@code resnet20}: from its definition (He et al. 2016, §4.2), as the libtorch twin builds
 *       it: conv1 3→16 on 32×32, then three stages of three basic blocks (two 3×3 convolutions
 *       each) with 16, 32, 64 channels on 32×32, 16×16, 8×8; the first convolution of stages 2 and
 *       3 has stride 2. (bnlab's zoo has no ResNet yet; when it has, read it as vgg is read.)
 * </ul>
 */
final class ConvLayers {
  // One forward of vgg (about a second before the JIT has compiled it), done once.
  private static List<ConvLayer> vgg;

  private ConvLayers() {}

  static List<ConvLayer> all() {
    List<ConvLayer> out = new ArrayList<>(vgg());
    out.addAll(resnet20());
    return out;
  }

  static synchronized List<ConvLayer> vgg() {
    if (vgg == null) {
      vgg = List.copyOf(readVgg());
    }
    return vgg;
  }

  private static List<ConvLayer> readVgg() {
    Sequential net = Vgg.build(3, 32, 10, Norm.NONE, Activation.RELU);
    List<ConvLayer> out = new ArrayList<>();
    int[][] in = {{1, 3, 32, 32}};
    net.setListener(
        new Sequential.Listener() {
          @Override
          public void onForward(String name, Module layer, Tensor output) {
            if (layer instanceof Conv2d c) {
              out.add(new ConvLayer("vgg", name, geometry(c, in[0][2], in[0][3])));
            }
            in[0] = output.shape().clone();
          }
        });
    net.eval();
    net.forward(Tensor.zeros(1, 3, 32, 32));
    return out;
  }

  static List<ConvLayer> resnet20() {
    List<ConvLayer> out = new ArrayList<>();
    out.add(layer("conv1", 3, 16, 32, 1));
    int in = 16;
    int size = 32;
    for (int stage = 0; stage < 3; stage++) {
      int channels = 16 << stage;
      for (int b = 0; b < 3; b++) {
        int stride = stage > 0 && b == 0 ? 2 : 1;
        String block = "layer" + (stage + 1) + "." + b;
        out.add(layer(block + ".conv1", in, channels, size, stride));
        size /= stride;
        out.add(layer(block + ".conv2", channels, channels, size, 1));
        in = channels;
      }
    }
    return out;
  }

  private static ConvLayer layer(String name, int in, int out, int size, int stride) {
    return new ConvLayer(
        "resnet20", name, new ConvGeometry(in, size, size, out, 3, 3, stride, stride, 1, 1));
  }

  private static ConvGeometry geometry(Conv2d c, int h, int w) {
    int k = c.kernelSize();
    return new ConvGeometry(
        c.inChannels(),
        h,
        w,
        c.outChannels(),
        k,
        k,
        c.stride(),
        c.stride(),
        c.padding(),
        c.padding());
  }
}
