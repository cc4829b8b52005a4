package bnlab.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.io.Checkpoint;
import bnlab.nn.BasicBlock.Shortcut;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Freeze;
import bnlab.nn.GradCheck;
import bnlab.nn.LayerContract;
import bnlab.nn.Module;
import bnlab.nn.Parameter;
import bnlab.nn.Tensors;
import bnlab.optim.SGD;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CIFAR-10 ResNets: parameter counts, state names, gradients, options and checkpoints. */
class ResNetTest {
  @TempDir Path dir;

  // Hand count for width 16 and n blocks per stage (3x3 convs, BN = 2 parameters per channel):
  //   conv1 3*16*9 = 432, bn1 32
  //   stage 1, every block: 2 * 16*16*9 + 2 * 32                           = 4,672
  //   stage 2, first block: 16*32*9 + 32*32*9 + 2 * 64                      = 13,952
  //            others:      2 * 32*32*9 + 2 * 64                            = 18,560
  //   stage 3, first block: 32*64*9 + 64*64*9 + 2 * 128                     = 55,552
  //            others:      2 * 64*64*9 + 2 * 128                           = 73,984
  //   fc 64*10 + 10 = 650
  private static long handCount(int n) {
    return 432 + 32 + n * 4672L + 13952 + (n - 1) * 18560L + 55552 + (n - 1) * 73984L + 650;
  }

  // BN parameters of the whole net: 2 * (16 + n*2*16 + n*2*32 + n*2*64); without BN each conv has
  // a bias instead, half as many.
  private static long bnParameters(int n) {
    return 2 * (16 + n * 2 * (16 + 32 + 64L));
  }

  @Test
  void parameterCountsAreThePapers() {
    assertEquals(269_722, handCount(3)); // the paper's 0.27M
    assertEquals(853_018, handCount(9)); // the paper's 0.85M
    assertEquals(269_722, ResNet.cifar(20, Norm.BATCH, Shortcut.A).parameterCount());
    assertEquals(853_018, ResNet.cifar(56, Norm.BATCH, Shortcut.A).parameterCount());
    assertEquals(269_034, handCount(3) - bnParameters(3) / 2);
    assertEquals(269_034, ResNet.cifar(20, Norm.NONE, Shortcut.A).parameterCount());
    assertEquals(850_986, ResNet.cifar(56, Norm.NONE, Shortcut.A).parameterCount());
    // option B adds two projections: 16*32 + 2*32 and 32*64 + 2*64
    assertEquals(269_722 + 576 + 2_176, ResNet.cifar(20, Norm.BATCH, Shortcut.B).parameterCount());
    assertEquals(20, ResNet.cifar(20, Norm.BATCH, Shortcut.A).depth());
    assertEquals(56, ResNet.cifar(56, Norm.BATCH, Shortcut.A).depth());
  }

  @Test
  void stateNamesAreTorchvisions() {
    List<String> want = new ArrayList<>(List.of("conv1.weight", "bn1.weight", "bn1.bias"));
    int[] width = {16, 32, 64};
    for (int stage = 1; stage <= 3; stage++) {
      for (int b = 0; b < 3; b++) {
        String p = "layer" + stage + "." + b + ".";
        want.addAll(List.of(p + "conv1.weight", p + "bn1.weight", p + "bn1.bias"));
        want.addAll(List.of(p + "conv2.weight", p + "bn2.weight", p + "bn2.bias"));
        if (b == 0 && stage > 1) {
          want.addAll(
              List.of(p + "shortcut.0.weight", p + "shortcut.1.weight", p + "shortcut.1.bias"));
        }
      }
    }
    want.addAll(List.of("fc.weight", "fc.bias"));
    ResNet b = ResNet.cifar(20, Norm.BATCH, Shortcut.B);
    assertEquals(want, List.copyOf(b.namedParameters().keySet()));
    assertArrayEquals(
        new int[] {32, 16, 1, 1},
        b.namedParameters().get("layer2.0.shortcut.0.weight").data().shape());
    assertArrayEquals(
        new int[] {10, width[2]}, b.namedParameters().get("fc.weight").data().shape());
    Map<String, Tensor> buffers = b.namedBuffers();
    assertTrue(buffers.containsKey("bn1.running_mean"), buffers.keySet().toString());
    assertTrue(buffers.containsKey("layer1.0.bn1.running_mean"));
    assertTrue(buffers.containsKey("layer3.0.shortcut.1.running_var"));
    assertEquals(1 + 9 * 2 + 2, b.namedCounters().size(), "num_batches_tracked per BN");
    ResNet a = ResNet.cifar(20, Norm.NONE, Shortcut.A);
    assertTrue(a.namedParameters().containsKey("layer3.2.conv2.bias"));
    assertTrue(a.namedBuffers().isEmpty());
    assertFalse(a.namedParameters().keySet().stream().anyMatch(n -> n.contains("shortcut")));
  }

  private static ResNet tiny(Norm norm, Shortcut shortcut, Activation act) {
    ResNet m = new ResNet(3, 5, 1, 2, norm, shortcut, act);
    m.resetParameters(new Rng(7));
    return m;
  }

  @Test
  void contractOfASmallResNet() {
    // 3 -> 2 channels, stages 2/4/8 with one block each: 3*2*9 + 2*2 + 2*(2*2*9) + 2*4 +
    // (2*4*9 + 4*4*9 + 4*4) + (4*8*9 + 8*8*9 + 4*8) + 8*5 + 5
    long count = 54 + 4 + 72 + 8 + (72 + 144 + 16) + (288 + 576 + 32) + 45;
    LayerContract.of(
            () -> new ResNet(3, 5, 1, 2, Norm.BATCH, Shortcut.A, Activation.RELU),
            Tensors.uniform(1, 3, 3, 7, 6))
        .outputShape(3, 5)
        .parameterCount(count)
        .parameters(
            "conv1.weight",
            "bn1.weight",
            "bn1.bias",
            "layer1.0.conv1.weight",
            "layer1.0.bn1.weight",
            "layer1.0.bn1.bias",
            "layer1.0.conv2.weight",
            "layer1.0.bn2.weight",
            "layer1.0.bn2.bias",
            "layer2.0.conv1.weight",
            "layer2.0.bn1.weight",
            "layer2.0.bn1.bias",
            "layer2.0.conv2.weight",
            "layer2.0.bn2.weight",
            "layer2.0.bn2.bias",
            "layer3.0.conv1.weight",
            "layer3.0.bn1.weight",
            "layer3.0.bn1.bias",
            "layer3.0.conv2.weight",
            "layer3.0.bn2.weight",
            "layer3.0.bn2.bias",
            "fc.weight",
            "fc.bias")
        .buffers(names("running_mean", "running_var"))
        .counters(names("num_batches_tracked"))
        .check();
  }

  private static String[] names(String... suffixes) {
    List<String> out = new ArrayList<>();
    for (String bn :
        List.of(
            "bn1",
            "layer1.0.bn1",
            "layer1.0.bn2",
            "layer2.0.bn1",
            "layer2.0.bn2",
            "layer3.0.bn1",
            "layer3.0.bn2")) {
      for (String s : suffixes) {
        out.add(bn + "." + s);
      }
    }
    return out.toArray(String[]::new);
  }

  @Test
  void gradientsOfTheWholeNetworkWithTrainModeBatchNorm() {
    // Sigmoid for ReLU keeps the function smooth under train-mode BN (see BasicBlockTest).
    for (Shortcut s : Shortcut.values()) {
      ResNet m = tiny(Norm.BATCH, s, Activation.SIGMOID);
      GradCheck.Report r = GradCheck.of(m, Tensors.uniform(2, 4, 3, 6, 5)).maxPerTensor(40).check();
      assertTrue(r.checked() > 400, s + ": checked " + r.checked());
    }
  }

  @Test
  void gradientsOfTheWholeNetworkWithRelu() {
    for (Shortcut s : Shortcut.values()) {
      GradCheck.of(tiny(Norm.NONE, s, Activation.RELU), Tensors.uniform(3, 2, 3, 6, 5))
          .maxPerTensor(40)
          .check();
      ResNet bn = tiny(Norm.BATCH, s, Activation.RELU);
      bn.train().forward(Tensors.uniform(4, 6, 3, 6, 5)); // running statistics move
      bn.eval();
      GradCheck.of(bn, Tensors.uniform(5, 2, 3, 6, 5)).maxPerTensor(40).check();
    }
  }

  @Test
  void theActivationReachesEveryBlock() {
    // A sigmoid block's output lies in (0, 1); a ReLU left in a block would give zeros.
    ResNet m = new ResNet(3, 5, 2, 2, Norm.BATCH, Shortcut.A, Activation.SIGMOID);
    Map<String, Module> mods = m.namedModules();
    Tensor h = Tensors.uniform(11, 4, 3, 8, 8);
    h = mods.get("bn1").forward(mods.get("conv1").forward(h));
    h = Activation.SIGMOID.create().forward(h);
    for (var b : m.blocks()) {
      h = b.forward(h);
      for (float v : h.toArray()) {
        assertTrue(v > 0f && v < 1f, b + " gave " + v);
      }
    }
  }

  @Test
  void firstLayerSkipsTheImageGradient() {
    ResNet full = tiny(Norm.BATCH, Shortcut.B, Activation.RELU);
    ResNet skip = tiny(Norm.BATCH, Shortcut.B, Activation.RELU).requiresInputGrad(false);
    Tensor x = Tensors.uniform(6, 4, 3, 8, 8);
    Tensor dY = Tensors.uniform(7, 4, 5);
    assertArrayEquals(full.forward(x).toArray(), skip.forward(x).toArray(), 0f);
    assertNotNull(full.backward(dY));
    assertNull(skip.backward(dY));
    Map<String, Parameter> got = skip.namedParameters();
    full.namedParameters()
        .forEach(
            (n, p) -> assertArrayEquals(p.grad().toArray(), got.get(n).grad().toArray(), 0f, n));
    assertFalse(skip.namedModules().get("conv1").requiresInputGrad());
    assertTrue(skip.namedModules().get("layer1.0.conv1").requiresInputGrad());
  }

  @Test
  void zeroInitResidualZeroesEveryBlocksLastGamma() {
    ResNet m = ResNet.cifar(20, Norm.BATCH, Shortcut.B).zeroInitResidual();
    m.namedParameters()
        .forEach(
            (n, p) -> {
              boolean last = n.endsWith(".bn2.weight");
              float want = last ? 0f : 1f;
              if (n.endsWith("bn1.weight") || last || n.endsWith("shortcut.1.weight")) {
                assertArrayEquals(new float[p.size()], sub(p.data().toArray(), want), 0f, n);
              }
            });
    assertEquals(9, m.blocks().size());
    assertEquals(1 + 9 * 2 + 2, Freeze.batchNorm(m), "every BN of the graph is reachable");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> ResNet.cifar(20, Norm.NONE, Shortcut.A).zeroInitResidual());
    assertTrue(e.getMessage().contains("norm layer"), e.getMessage());
  }

  private static float[] sub(float[] a, float v) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] - v;
    }
    return out;
  }

  @Test
  void shapesOfCifarAndOddImages() {
    ResNet m = ResNet.cifar(20, Norm.BATCH, Shortcut.A);
    // Any image size: 9x7 -> 9x7, 5x4, 3x2 in the three stages, then the global pool.
    assertArrayEquals(new int[] {2, 10}, m.forward(Tensors.uniform(8, 2, 3, 9, 7)).shape());
    ResNet gray = new ResNet(1, 10, 1, 4, Norm.BATCH, Shortcut.A, Activation.RELU);
    assertArrayEquals(new int[] {3, 10}, gray.forward(Tensors.uniform(8, 3, 1, 28, 27)).shape());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(2, 1, 32, 32)));
    assertTrue(e.getMessage().contains("conv1: Conv2d(3, 16"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ResNet.cifar(21, Norm.BATCH, Shortcut.A));
    assertThrows(IllegalArgumentException.class, () -> ResNet.cifar(2, Norm.BATCH, Shortcut.A));
  }

  @Test
  void otherNormsBuildUnderTheSameNames() {
    ResNet m = new ResNet(3, 10, 1, 4, Norm.GROUP, Shortcut.B, Activation.RELU);
    assertTrue(m.namedParameters().containsKey("layer2.0.shortcut.1.weight"));
    assertTrue(m.namedBuffers().isEmpty(), "GroupNorm keeps no running statistics");
    assertArrayEquals(new int[] {2, 10}, m.forward(Tensors.uniform(9, 2, 3, 8, 8)).shape());
  }

  @Test
  void trainsAndResumesBitIdenticallyFromACheckpoint() throws IOException {
    Tensor x = Tensors.uniform(10, 8, 3, 8, 8);
    int[] labels = {0, 1, 2, 3, 4, 0, 1, 2};
    ResNet a = tiny(Norm.BATCH, Shortcut.A, Activation.RELU);
    SGD oa = new SGD(a.parameters(), 0.05, 0.9, 0, 0, false);
    CrossEntropyLoss loss = new CrossEntropyLoss();
    float first = step(a, oa, x, labels, loss);
    for (int i = 0; i < 3; i++) {
      step(a, oa, x, labels, loss);
    }
    Path file = dir.resolve("resnet.safetensors");
    Checkpoint.save(a, oa, Map.of(), file);
    ResNet b = new ResNet(3, 5, 1, 2, Norm.BATCH, Shortcut.A, Activation.RELU);
    b.resetParameters(new Rng(99));
    SGD ob = new SGD(b.parameters(), 0.05, 0.9, 0, 0, false);
    Checkpoint.load(b, ob, file);
    assertTrue(Checkpoint.read(file).tensors().containsKey("layer2.0.bn1.running_mean"));
    float last = 0;
    for (int i = 0; i < 20; i++) {
      last = step(a, oa, x, labels, loss);
      assertEquals(last, step(b, ob, x, labels, loss), 0f, "step " + i + " after the checkpoint");
    }
    assertTrue(last < 0.5f * first, "memorises one batch: loss " + first + " -> " + last);
    assertArrayEquals(a.eval().forward(x).toArray(), b.eval().forward(x).toArray(), 0f);
  }

  private static float step(Module m, SGD opt, Tensor x, int[] labels, CrossEntropyLoss loss) {
    opt.zeroGrad();
    float l = loss.forward(m.forward(x), labels);
    m.backward(loss.backward());
    opt.step();
    return l;
  }
}
