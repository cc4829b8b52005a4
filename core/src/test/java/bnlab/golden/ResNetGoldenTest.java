package bnlab.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import bnlab.models.Activation;
import bnlab.models.Norm;
import bnlab.models.ResNet;
import bnlab.nn.BasicBlock;
import bnlab.nn.BasicBlock.Shortcut;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Module;
import bnlab.nn.Parameter;
import bnlab.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * bnlab's residual block and a tiny ResNet against libtorch (files written by {@code
 * reference/ResNetCases}): the PyTorch model's parameters are loaded by their state-dict names, so
 * the names must match too; then one training-mode forward and backward (output, dX, every
 * parameter gradient), the running statistics after it, and the eval-mode output.
 */
class ResNetGoldenTest {
  @Test
  void blockWithOptionAShortcut() {
    block("resnet_block_a", Shortcut.A);
  }

  @Test
  void blockWithOptionBShortcut() {
    block("resnet_block_b", Shortcut.B);
  }

  private static void block(String file, Shortcut option) {
    Golden g = Golden.load(file);
    assertEquals(option.name(), g.attr("shortcut"));
    BasicBlock b =
        new BasicBlock(g.intAttr("in_planes"), g.intAttr("planes"), g.intAttr("stride"), option);
    load(g, b);
    Tensor x = g.tensor("x");
    // Forward: two 3x3 convolutions (36 and 72 terms) each normalized over 36 values per channel.
    g.assertClose("y", b.train().forward(x), Golden.tolerance(128));
    Tensor dX = b.backward(g.tensor("dY"));
    // Backward: through both BN layers (sums over 36 values) and both convolutions.
    double tol = Golden.tolerance(256);
    g.assertClose("dX", dX, tol);
    b.namedParameters().forEach((n, p) -> g.assertClose("grad:" + n, p.grad(), tol));
    after(g, b);
    g.assertClose("y_eval", b.eval().forward(x), Golden.tolerance(128));
  }

  @Test
  void tinyResNetForwardBackwardAndRunningStatistics() {
    Golden g = Golden.load("resnet_tiny");
    ResNet net = new ResNet(3, 5, 1, 4, Norm.BATCH, Shortcut.A, Activation.RELU);
    load(g, net);
    Tensor x = g.tensor("x");
    CrossEntropyLoss loss = new CrossEntropyLoss();
    Tensor logits = net.train().forward(x);
    // Seven conv + BN stages in a row, each normalized over as few as 4*2*2 = 16 values per
    // channel.
    g.assertClose("logits", logits, Golden.tolerance(256));
    float l = loss.forward(logits, g.ints("target"));
    g.assertClose("loss", new float[] {l}, Golden.tolerance(256));
    net.backward(loss.backward());
    // Norm-wise over all gradients, as in NetGoldenTest: deep BN stacks leave gradients whose
    // rounding follows the largest ones rather than their own size.
    double scale = 0;
    for (String n : net.namedParameters().keySet()) {
      scale = Math.max(scale, g.maxAbs("grad:" + n));
    }
    double tol = Golden.tolerance(256);
    for (Map.Entry<String, Parameter> e : net.namedParameters().entrySet()) {
      g.assertClose("grad:" + e.getKey(), e.getValue().grad(), tol, scale);
    }
    after(g, net);
    g.assertClose("eval_logits", net.eval().forward(x), Golden.tolerance(256));
  }

  /** Copies param:NAME into the module, checking that the names are exactly the file's. */
  private static void load(Golden g, Module m) {
    assertEquals(names(g, "param:"), List.copyOf(m.namedParameters().keySet()), "state-dict names");
    m.namedParameters().forEach((n, p) -> p.data().copyFrom(g.tensor("param:" + n)));
  }

  /** The file's tensor names after {@code prefix}, in file order. */
  private static List<String> names(Golden g, String prefix) {
    String head = "tensor " + prefix;
    List<String> out = new ArrayList<>();
    try (InputStream in = Golden.class.getResourceAsStream("/golden/" + g.name() + ".txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.startsWith(head)) {
          out.add(line.substring(head.length(), line.indexOf(' ', head.length())));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static void after(Golden g, Module m) {
    double tol = Golden.tolerance(64);
    assertEquals(names(g, "after:"), List.copyOf(m.namedBuffers().keySet()), "buffer names");
    m.namedBuffers().forEach((n, t) -> g.assertClose("after:" + n, t, tol));
    m.namedCounters()
        .forEach(
            (n, c) -> assertEquals(g.intAttr("num_batches_tracked"), c.get(), n + " after a step"));
  }
}
