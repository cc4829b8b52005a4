package bnlab.experiment;

import bnlab.models.Activation;
import bnlab.models.ArticleNets;
import bnlab.models.Mlp;
import bnlab.models.Norm;
import bnlab.models.ResNet;
import bnlab.models.Vgg;
import bnlab.nn.BasicBlock;
import bnlab.nn.Module;
import bnlab.tensor.Rng;

/**
 * The zoo's built-in models, each seeded with {@code resetParameters(new Rng(seed))}. A model with
 * a normalization has the same network without it as its baseline.
 */
final class BuiltinModels {
  private BuiltinModels() {}

  static void register() {
    article("net", Norm.NONE, "the article's Net (conv-pool-conv-pool-fc-fc-fc, ReLU)");
    article("net-bn", Norm.BATCH, "Net with BatchNorm2d after conv1/conv2, 1d after fc1/fc2");
    for (Norm norm : Norm.values()) {
      if (norm != Norm.NONE && norm != Norm.BATCH) {
        article(
            "net-" + norm.prefix(),
            norm,
            "Net with " + norm.id() + " normalization after conv1/conv2 and fc1/fc2");
      }
    }
    // Its BN layers are built but never called, so it normalizes nothing: norm "none". It is the
    // article's "Net+BN", so the report compares it with net.
    ModelZoo.register(
        new ModelZoo.Entry(
            "net-published-bn",
            Norm.NONE,
            "net",
            "the article's 'BN' Net as published: BN layers built but unused in forward",
            (shape, classes, seed) ->
                seeded(ArticleNets.asPublished(shape[0], shape[1], classes), seed)));
    for (Activation act : Activation.values()) {
      String plain = "vgg" + (act == Activation.RELU ? "" : "-" + act.id());
      for (Norm norm : Norm.values()) {
        String name =
            "vgg"
                + (norm == Norm.NONE ? "" : "-" + norm.prefix())
                + (act == Activation.RELU ? "" : "-" + act.id());
        ModelZoo.register(
            new ModelZoo.Entry(
                name,
                norm,
                norm == Norm.NONE ? null : plain,
                "VGG-like CNN, 6 conv + 3 fc, " + act.id() + ", norm " + norm.id(),
                (shape, classes, seed) ->
                    seeded(Vgg.build(shape[0], shape[1], classes, norm, act), seed)));
      }
    }
    registerResNets();
    registerMlps();
  }

  // Ioffe & Szegedy 2015, 4.1: 3 x 100 sigmoid units, small Gaussian weights, with and without BN.
  private static void registerMlps() {
    for (Norm norm : new Norm[] {Norm.NONE, Norm.BATCH}) {
      boolean bn = norm == Norm.BATCH;
      ModelZoo.register(
          new ModelZoo.Entry(
              bn ? "mlp-bn-sigmoid" : "mlp-sigmoid",
              norm,
              bn ? "mlp-sigmoid" : null,
              "Ioffe & Szegedy's MLP: 3 x 100 sigmoid units"
                  + (bn ? ", BatchNorm1d before each sigmoid" : "")
                  + ", weights N(0, "
                  + Mlp.IOFFE_INIT_STD
                  + "^2)",
              (shape, classes, seed) -> {
                Module m = seeded(Mlp.ioffe(shape[0] * shape[1] * shape[2], classes, norm), seed);
                Mlp.gaussianInit(m, new Rng(seed).split(), Mlp.IOFFE_INIT_STD);
                return m;
              }));
    }
  }

  // ResNets for CIFAR-10 (He et al. 2016, 4.2): depth 6n + 2, width 16, option-A shortcuts.
  private static void registerResNets() {
    resnet("resnet20", 3, Norm.BATCH);
    resnet("resnet56", 9, Norm.BATCH);
    resnet("resnet20-nobn", 3, Norm.NONE);
    resnet("resnet56-nobn", 9, Norm.NONE);
    for (int n : new int[] {3, 9}) {
      int depth = 6 * n + 2;
      ModelZoo.register(
          new ModelZoo.Entry(
              "resnet" + depth + "-zero-gamma",
              Norm.BATCH,
              "resnet" + depth + "-nobn",
              "ResNet-"
                  + depth
                  + " with BN, each block's last gamma initialised to 0 (Goyal et al. 2017)",
              (shape, classes, seed) ->
                  resnetModel(shape, classes, n, Norm.BATCH, seed).zeroInitResidual()));
    }
  }

  private static void resnet(String name, int n, Norm norm) {
    String what = norm == Norm.NONE ? "without BN (convs with bias)" : "BN after every conv";
    ModelZoo.register(
        new ModelZoo.Entry(
            name,
            norm,
            norm == Norm.NONE ? null : "resnet" + (6 * n + 2) + "-nobn",
            "ResNet-" + (6 * n + 2) + " for CIFAR-10 (He et al. 2016), option-A shortcuts, " + what,
            (shape, classes, seed) -> resnetModel(shape, classes, n, norm, seed)));
  }

  private static ResNet resnetModel(int[] shape, int classes, int n, Norm norm, long seed) {
    ResNet r = new ResNet(shape[0], classes, n, 16, norm, BasicBlock.Shortcut.A, Activation.RELU);
    r.resetParameters(new Rng(seed));
    return r;
  }

  private static void article(String name, Norm norm, String description) {
    ModelZoo.register(
        new ModelZoo.Entry(
            name,
            norm,
            norm == Norm.NONE ? null : "net",
            description,
            (shape, classes, seed) ->
                seeded(ArticleNets.withNorm(shape[0], shape[1], classes, norm), seed)));
  }

  private static Module seeded(Module m, long seed) {
    m.resetParameters(new Rng(seed));
    return m;
  }
}
