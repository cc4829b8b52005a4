package bnlab.reference.bench;

import java.util.List;

/**
 * The models of bnlab's zoo that the libtorch benchmark runs, layer for layer, under bnlab's
 * state-dict names, on (N, 3, 32, 32) inputs with 10 classes:
 *
 * <ul>
 *   <li>{@code net}, {@code net-bn}: the article's Net ({@code bnlab.models.ArticleNets}): conv1
 *       3→6 k5, pool, conv2 6→16 k5, pool, fc1 400→120, fc2 120→84, fc3 84→10, ReLU; with BN after
 *       conv1, conv2 (2d) and fc1, fc2 (1d), before the ReLU.
 *   <li>{@code vgg}, {@code vgg-bn}: {@code bnlab.models.Vgg}: 3×3 convolutions (padding 1, bias)
 *       32, 32, pool, 64, 64, pool, 128, 128, pool, fc1 2048→256, fc2 256→128, fc3 128→10, ReLU;
 *       with BN after every convolution and hidden linear layer.
 *   <li>{@code resnet20}: {@link ResNetCifar} with n = 3.
 * </ul>
 */
final class TorchModels {
  /** The names {@link #build} knows, in the benchmark's order. */
  static final List<String> NAMES = List.of("net", "net-bn", "vgg", "vgg-bn", "resnet20");

  private TorchModels() {}

  /** The model called {@code name} with its state created in {@code p}. */
  static TorchModule build(String name, Params p) {
    return switch (name) {
      case "net" -> net(p, false);
      case "net-bn" -> net(p, true);
      case "vgg" -> vgg(p, false);
      case "vgg-bn" -> vgg(p, true);
      case "resnet20" -> new ResNetCifar(p, 3, 10);
      default ->
          throw new IllegalArgumentException(
              "libtorch bench: unknown model '" + name + "'; known: " + String.join(", ", NAMES));
    };
  }

  private static TorchModule net(Params p, boolean bn) {
    Layers.Seq s = new Layers.Seq();
    s.add(Layers.conv(p, "conv1", 3, 6, 5, 1, 0, true));
    normRelu(s, p, bn, 1, 6).add(Layers.maxPool2());
    s.add(Layers.conv(p, "conv2", 6, 16, 5, 1, 0, true));
    normRelu(s, p, bn, 2, 16).add(Layers.maxPool2()).add(Layers.flatten());
    s.add(Layers.linear(p, "fc1", 400, 120));
    normRelu(s, p, bn, 3, 120).add(Layers.linear(p, "fc2", 120, 84));
    normRelu(s, p, bn, 4, 84).add(Layers.linear(p, "fc3", 84, 10));
    return s;
  }

  private static TorchModule vgg(Params p, boolean bn) {
    int[] conv = {32, 32, -1, 64, 64, -1, 128, 128, -1};
    Layers.Seq s = new Layers.Seq();
    int c = 3;
    int layer = 0;
    for (int out : conv) {
      if (out < 0) {
        s.add(Layers.maxPool2());
        continue;
      }
      layer++;
      s.add(Layers.conv(p, "conv" + layer, c, out, 3, 1, 1, true));
      normRelu(s, p, bn, layer, out);
      c = out;
    }
    s.add(Layers.flatten()).add(Layers.linear(p, "fc1", 128 * 4 * 4, 256));
    normRelu(s, p, bn, layer + 1, 256).add(Layers.linear(p, "fc2", 256, 128));
    return normRelu(s, p, bn, layer + 2, 128).add(Layers.linear(p, "fc3", 128, 10));
  }

  private static Layers.Seq normRelu(Layers.Seq s, Params p, boolean bn, int i, int channels) {
    if (bn) {
      s.add(Layers.batchNorm(p, "bn" + i, channels));
    }
    return s.add(Layers.relu());
  }

  /**
   * What is wrong with a benchmark's models, batch sizes and thread count (the message for the
   * user), or null: every model must be one of {@link #NAMES}, every count at least 1.
   */
  static String invalid(
      List<String> models, List<Integer> trainBatches, List<Integer> inferBatches, int threads) {
    for (String m : models) {
      if (!NAMES.contains(m)) {
        return "unknown model '" + m + "'; known: " + String.join(", ", NAMES);
      }
    }
    if (threads < 1
        || trainBatches.stream().anyMatch(b -> b < 1)
        || inferBatches.stream().anyMatch(b -> b < 1)) {
      return "--threads and every batch size must be >= 1";
    }
    return null;
  }
}
