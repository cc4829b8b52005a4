package bnlab.onnx;

import bnlab.models.Activation;
import bnlab.models.ArticleNets;
import bnlab.models.Norm;
import bnlab.models.ResNet;
import bnlab.nn.AvgPool2d;
import bnlab.nn.BasicBlock;
import bnlab.nn.BatchNorm1d;
import bnlab.nn.BatchNorm2d;
import bnlab.nn.BatchNorm3d;
import bnlab.nn.BatchRenorm;
import bnlab.nn.Conv1d;
import bnlab.nn.Conv2d;
import bnlab.nn.Dropout;
import bnlab.nn.Flatten;
import bnlab.nn.GhostBatchNorm;
import bnlab.nn.GroupNorm;
import bnlab.nn.InstanceNorm1d;
import bnlab.nn.InstanceNorm2d;
import bnlab.nn.LayerNorm;
import bnlab.nn.Linear;
import bnlab.nn.MaxPool2d;
import bnlab.nn.Module;
import bnlab.nn.ReLU;
import bnlab.nn.Sequential;
import bnlab.nn.Sigmoid;
import bnlab.nn.Tanh;
import bnlab.tensor.Rng;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every exporter and its options, each in a small model run by ONNX Runtime at batch 1 and 37 and
 * compared with bnlab's eval-mode forward to 1e-5.
 */
class LayerExportTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        c(
            "Conv1d stride 2 padding 1, no bias; BatchNorm1d on (N, C, L)",
            new int[] {3, 11},
            () ->
                new Sequential()
                    .add("conv", new Conv1d(3, 5, 3, 2, 1, false))
                    .add("bn", new BatchNorm1d(5))
                    .add("act", new Tanh())),
        c(
            "Conv2d stride 2 padding 2; MaxPool2d 3 stride 2 padding 1",
            new int[] {2, 9, 7},
            () ->
                new Sequential()
                    .add("conv", new Conv2d(2, 4, 5, 2, 2, true))
                    .add("pool", new MaxPool2d(3, 2, 1))
                    .add("act", new Sigmoid())),
        c(
            "AvgPool2d with padding, count_include_pad true and false",
            new int[] {3, 7, 7},
            () ->
                new Sequential()
                    .add("a", new AvgPool2d(3, 2, 1, true))
                    .add("b", new AvgPool2d(2, 1, 1, false))),
        c(
            "BatchNorm2d without affine, momentum null",
            new int[] {4, 5, 5},
            () -> new Sequential().add("bn", new BatchNorm2d(4, 1e-3, null, false, true))),
        c(
            "BatchNorm3d",
            new int[] {3, 2, 4, 3},
            () -> new Sequential().add("bn", new BatchNorm3d(3))),
        c(
            "BatchNorm without running statistics normalizes with the batch in eval mode",
            new int[] {3, 4, 4},
            () ->
                new Sequential()
                    .add("bn", new BatchNorm2d(3, 1e-5, 0.1, true, false))
                    .add("flat", new Flatten())
                    .add("bn1d", new BatchNorm1d(48, 1e-5, 0.1, false, false))),
        c(
            "GhostBatchNorm and BatchRenorm in eval mode",
            new int[] {4, 3, 3},
            () ->
                new Sequential()
                    .add("gbn", new GhostBatchNorm(4, 2))
                    .add("brn", new BatchRenorm(4))),
        c(
            "InstanceNorm1d, InstanceNorm2d affine, InstanceNorm2d with running statistics",
            new int[] {3, 6, 5},
            () ->
                new Sequential()
                    .add("in1", new InstanceNorm2d(3))
                    .add("in2", new InstanceNorm2d(3, 1e-5, 0.1, true, false))
                    .add("in3", new InstanceNorm2d(3, 1e-5, 0.1, true, true))
                    .add("conv", new Conv2d(3, 2, 1))
                    .add("flat", new Flatten())
                    .add("fc", new Linear(60, 8))
                    .add("in4", new LayerNorm(8))),
        c(
            "InstanceNorm1d default",
            new int[] {2, 7},
            () -> new Sequential().add("in", new InstanceNorm1d(2))),
        c(
            "LayerNorm over (C, H, W), with and without affine",
            new int[] {2, 3, 4},
            () ->
                new Sequential()
                    .add("ln1", new LayerNorm(2, 3, 4))
                    .add("ln2", new LayerNorm(new int[] {3, 4}, 1e-3, false))),
        c(
            "GroupNorm on (N, C, H, W), on (N, C) and without affine",
            new int[] {6, 3, 3},
            () ->
                new Sequential()
                    .add("gn1", new GroupNorm(3, 6))
                    .add("flat", new Flatten())
                    .add("gn2", new GroupNorm(9, 54, 1e-5, false))
                    .add("fc", new Linear(54, 4))
                    .add("gn3", new GroupNorm(2, 4))),
        c(
            "Dropout as identity, also as the last layer",
            new int[] {5},
            () ->
                new Sequential()
                    .add("fc", new Linear(5, 3, false))
                    .add("relu", new ReLU())
                    .add("drop", new Dropout(0.3f))),
        c("an empty Sequential is the identity", new int[] {2, 3}, Sequential::new),
        c(
            "nested Sequential",
            new int[] {3, 8, 8},
            () ->
                new Sequential()
                    .add("features", ArticleNetsBlock.block())
                    .add("flat", new Flatten())
                    .add("head", new Sequential().add("fc", new Linear(4 * 4 * 4, 3)))),
        c(
            "the article's Net with every normalization on 1x28x28 (Fashion-MNIST) input",
            new int[] {1, 28, 28},
            () -> ArticleNets.withNorm(1, 28, 10, Norm.GROUP)));
  }

  /**
   * The residual modules, which are not sequences: option-A blocks (strided slice and channel pad)
   * and option-B blocks (1×1 projection) on odd image sizes, with BatchNorm, with GroupNorm and
   * without normalization, and a sigmoid network (the blocks' activation is exported, not assumed).
   */
  static Stream<Arguments> residualCases() {
    return Stream.of(
        Arguments.of(
            "ResNet option A (width 3: uneven channel padding), BatchNorm",
            (Supplier<Module>)
                () -> new ResNet(3, 4, 1, 3, Norm.BATCH, BasicBlock.Shortcut.A, Activation.RELU)),
        Arguments.of(
            "ResNet option B, BatchNorm",
            (Supplier<Module>)
                () -> new ResNet(3, 4, 2, 2, Norm.BATCH, BasicBlock.Shortcut.B, Activation.RELU)),
        Arguments.of(
            "ResNet option A, no normalization, sigmoid",
            (Supplier<Module>)
                () -> new ResNet(3, 4, 1, 4, Norm.NONE, BasicBlock.Shortcut.A, Activation.SIGMOID)),
        Arguments.of(
            "ResNet option B, GroupNorm",
            (Supplier<Module>)
                () -> new ResNet(3, 4, 1, 4, Norm.GROUP, BasicBlock.Shortcut.B, Activation.RELU)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("residualCases")
  void onnxRuntimeMatchesBnlabOnResidualNetworks(String name, Supplier<Module> build) {
    Module model = build.get();
    model.resetParameters(new Rng(7));
    Ort.perturb(model, 8);
    model.eval();
    for (int batch : new int[] {1, 37}) {
      Ort.assertMatches(name, model, new int[] {3, 9, 7}, OnnxExport.Options.defaults(), batch);
    }
  }

  /** A conv block used nested inside a Sequential. */
  static final class ArticleNetsBlock {
    static Sequential block() {
      return new Sequential()
          .add("conv", new Conv2d(3, 4, 3, 1, 1, true))
          .add("bn", new BatchNorm2d(4))
          .add("relu", new ReLU())
          .add("pool", new MaxPool2d(2));
    }
  }

  private static Arguments c(String name, int[] itemShape, Supplier<Sequential> model) {
    return Arguments.of(name, itemShape, model);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void onnxRuntimeMatchesBnlab(String name, int[] itemShape, Supplier<Sequential> build) {
    Sequential model = build.get();
    model.resetParameters(new Rng(5));
    Ort.perturb(model, 6);
    model.eval();
    for (int batch : new int[] {1, 37}) {
      Ort.assertMatches(name, model, itemShape, OnnxExport.Options.defaults(), batch);
    }
  }
}
