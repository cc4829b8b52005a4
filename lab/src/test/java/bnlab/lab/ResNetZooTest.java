package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.experiment.ModelZoo;
import bnlab.io.Checkpoint;
import bnlab.models.Norm;
import bnlab.models.ResNet;
import bnlab.nn.Module;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ResNets of the zoo through the lab: compare, probes, checkpoints, report and eval. */
class ResNetZooTest {
  @TempDir static Path tmp;
  static Path data;

  @BeforeAll
  static void setUp() throws IOException {
    // Few images: the first ResNet steps of a JVM run before the JIT has compiled the kernels.
    data = TinyCifar.write(tmp.resolve("cifar"), 10, 5);
  }

  @Test
  void zooBuildsThePapersNetworks() {
    int[] cifar = {3, 32, 32};
    assertEquals(269_722, ModelZoo.get("resnet20").factory().build(cifar, 10, 1).parameterCount());
    assertEquals(853_018, ModelZoo.get("resnet56").factory().build(cifar, 10, 1).parameterCount());
    assertEquals(
        269_034, ModelZoo.get("resnet20-nobn").factory().build(cifar, 10, 1).parameterCount());
    assertEquals(
        850_986, ModelZoo.get("resnet56-nobn").factory().build(cifar, 10, 1).parameterCount());
    assertEquals(Norm.BATCH, ModelZoo.get("resnet20").norm());
    assertEquals(Norm.NONE, ModelZoo.get("resnet56-nobn").norm());
    assertEquals("resnet20-nobn", ModelZoo.get("resnet20").baseline());
    Module m = ModelZoo.get("resnet20").factory().build(cifar, 10, 5);
    assertTrue(m instanceof ResNet r && r.depth() == 20, m.toString());
  }

  @Test
  void compareRunsResNetsEndToEnd() throws IOException {
    Path out = tmp.resolve("compare");
    CliTest.Result r =
        CliTest.bnlab(
            "compare",
            "--data",
            data.toString(),
            "--models",
            "resnet20,resnet20-nobn",
            "--epochs",
            "1",
            "--batch-size",
            "5",
            "--lr",
            "0.001",
            "--log-every",
            "1",
            "--probe-every",
            "2",
            "--probe-etas",
            "0.1",
            "--no-progress",
            "--out",
            out.toString());
    assertEquals(0, r.code(), r.err() + r.out());
    JsonNode runs = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("runs");
    assertEquals(2, runs.size());
    for (JsonNode run : runs) {
      assertEquals("ok", run.get("status").asText(), run.toString());
    }
    assertTrue(Files.size(out.resolve("report.html")) > 1000, "report.html rendered");
    // The gradient and landscape probes work on any module; activation statistics need a
    // Sequential (Probes), so a ResNet run writes none and the report goes without them.
    List<String> grads = Files.readAllLines(out.resolve("probes/gradients.csv"));
    assertTrue(grads.stream().anyMatch(l -> l.contains(",layer3.2.conv2.weight,")), "grad probes");
    assertFalse(
        Files.readAllLines(out.resolve("probes/activations.csv")).stream()
            .anyMatch(l -> l.startsWith("resnet")),
        "no activation rows for a graph model");
    Path ckpt = out.resolve("checkpoints/resnet20-seed44.safetensors");
    assertTrue(Checkpoint.read(ckpt).tensors().containsKey("layer1.0.bn1.running_mean"));
    Module reloaded = ModelZoo.get("resnet20").factory().build(new int[] {3, 32, 32}, 10, 1);
    Checkpoint.load(reloaded, ckpt);
    CliTest.Result eval = CliTest.bnlab("eval", ckpt.toString(), "--data", data.toString());
    assertEquals(0, eval.code(), eval.err() + eval.out());
  }
}
