package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.experiment.ModelZoo;
import bnlab.io.Checkpoint;
import bnlab.io.SafeTensors;
import bnlab.io.StoredTensor;
import bnlab.lab.CliTest.Result;
import bnlab.nn.Module;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bnlab recalibrate and bnlab diagnose end to end on a tiny generated CIFAR-10. */
class BnToolsCommandTest {
  @TempDir static Path tmp;
  static Path data;
  static Path trained;

  @BeforeAll
  static void train() throws IOException {
    data = TinyCifar.write(tmp.resolve("cifar"), 40, 20);
    Path run = tmp.resolve("run");
    Result r = CliTest.bnlab(train(run, "net-bn"));
    assertEquals(0, r.code(), r.err());
    trained = run.resolve("checkpoints/net-bn-seed44.safetensors");
  }

  /** bnlab train MODEL for one quick epoch on the tiny data into {@code out}. */
  private static String[] train(Path out, String model) {
    return new String[] {
      "train",
      "--model",
      model,
      "--epochs",
      "1",
      "--data",
      data.toString(),
      "--batch-size",
      "4",
      "--probe-every",
      "0",
      "--no-progress",
      "--no-report",
      "--out",
      out.toString()
    };
  }

  private static Result run(String command, Path file, String... extra) {
    List<String> a = new ArrayList<>(List.of(command, file.toString(), "--data", data.toString()));
    a.addAll(List.of("--batches", "5", "--batch-size", "4"));
    a.addAll(List.of(extra));
    return CliTest.bnlab(a.toArray(new String[0]));
  }

  private static Module load(Path file) throws IOException {
    Module m = ModelZoo.get("net-bn").factory().build(new int[] {3, 32, 32}, 10, 1);
    Checkpoint.load(m, file);
    return m;
  }

  private static Path stateDict(Module m, Path f, Map<String, float[]> replace) throws IOException {
    Map<String, StoredTensor> sd = new LinkedHashMap<>();
    m.namedParameters().forEach((k, p) -> sd.put(k, StoredTensor.f32(p.data())));
    m.namedBuffers().forEach((k, t) -> sd.put(k, StoredTensor.f32(t)));
    replace.forEach(
        (k, v) -> {
          bnlab.tensor.Tensor t = m.namedBuffers().get(k).copy();
          System.arraycopy(v, 0, t.data(), 0, v.length);
          sd.put(k, StoredTensor.f32(t));
        });
    Files.createDirectories(f.getParent());
    SafeTensors.write(f, sd, Map.of("format", "pt"));
    return f;
  }

  @Test
  void recalibrateWritesANewFileWhoseStatisticsTheDiagnosisFindsFresh() throws IOException {
    Path out = tmp.resolve("rc/net-bn-precise.safetensors");
    Result r = run("recalibrate", trained, "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("recalibrated over 5 batches of 4 (20 images"), r.out());
    assertTrue(r.out().contains("eval-mode test accuracy on 20 images: "), r.out());
    Module before = load(trained);
    Module after = load(out);
    assertFalse(
        Arrays.equals(
            before.namedBuffers().get("bn1.running_var").data(),
            after.namedBuffers().get("bn1.running_var").data()),
        "running statistics changed");
    assertEquals(5, after.namedCounters().get("bn1.num_batches_tracked").get());
    before
        .namedParameters()
        .forEach(
            (k, p) ->
                assertTrue(
                    Arrays.equals(p.data().data(), after.namedParameters().get(k).data().data()),
                    k + " unchanged"));
    // the same batches: the diagnosis of the new file finds its statistics equal to the data's
    Path dir = tmp.resolve("diag-fresh");
    Result d = run("diagnose", out, "--out", dir.toString(), "--no-report");
    assertEquals(0, d.code(), d.err());
    JsonNode layers =
        new ObjectMapper().readTree(dir.resolve("diagnose.json").toFile()).at("/diagnosis/layers");
    assertEquals(4, layers.size(), layers.toString());
    for (JsonNode l : layers) {
      assertEquals(0, l.get("mean_shift").asDouble(), 1e-5, l.toString());
      assertEquals(0, l.get("var_rel_error").asDouble(), 1e-5, l.toString());
    }
    // and refuses to overwrite without --overwrite, in one line
    Result again = run("recalibrate", trained, "--out", out.toString());
    assertEquals(2, again.code());
    assertTrue(again.err().contains("exists; pass --overwrite"), again.err());
    assertEquals(1, again.err().strip().lines().count(), again.err());
  }

  @Test
  void aPyTorchStateDictIsRecalibratedLikeTheCheckpoint() throws IOException {
    Path sd = stateDict(load(trained), tmp.resolve("torch/net-bn.safetensors"), Map.of());
    Path a = tmp.resolve("torch/a.safetensors");
    Path b = tmp.resolve("torch/b.safetensors");
    assertEquals(0, run("recalibrate", sd, "--out", a.toString()).code());
    assertEquals(0, run("recalibrate", trained, "--out", b.toString()).code());
    Module ma = load(a);
    Module mb = load(b);
    ma.namedBuffers()
        .forEach((k, t) -> assertTrue(Arrays.equals(t.data(), mb.namedBuffers().get(k).data()), k));
  }

  @Test
  void diagnosePrintsATableAndWritesJsonAndAReportSection() throws IOException {
    Path dir = tmp.resolve("diag");
    Result r = run("diagnose", trained, "--out", dir.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("mean shift"), r.out());
    for (String layer : List.of("bn1", "bn2", "bn3", "bn4")) {
      assertTrue(r.out().lines().anyMatch(l -> l.startsWith(layer + " ")), r.out());
    }
    assertTrue(r.out().contains("whole model on the fixed batch"), r.out());
    JsonNode j = new ObjectMapper().readTree(dir.resolve("diagnose.json").toFile());
    assertEquals("net-bn", j.get("model").asText());
    assertEquals(5, j.at("/diagnosis/batches").asInt());
    String html = Files.readString(dir.resolve("report.html"));
    assertTrue(html.contains("BatchNorm diagnosis"), "the section");
    assertTrue(Files.isRegularFile(dir.resolve("plots/diagnose.png")));
  }

  @Test
  void nonFiniteTensorsAreListedAndEndTheDiagnosis() throws IOException {
    float[] nan = new float[6];
    nan[2] = Float.NaN;
    Path f =
        stateDict(
            load(trained), tmp.resolve("nan/net-bn.safetensors"), Map.of("bn1.running_var", nan));
    Path dir = tmp.resolve("diag-nan");
    Result r = run("diagnose", f, "--out", dir.toString());
    assertEquals(1, r.code(), r.err() + r.out());
    assertTrue(r.out().contains("bn1.running_var"), r.out());
    JsonNode j = new ObjectMapper().readTree(dir.resolve("diagnose.json").toFile());
    assertEquals(1, j.at("/non_finite_tensors/bn1.running_var").asInt(), j.toString());
  }

  @Test
  void aModelWithoutBatchNormGetsOneLine() throws IOException {
    Path run = tmp.resolve("plain");
    assertEquals(0, CliTest.bnlab(train(run, "net")).code());
    Result r = run("recalibrate", run.resolve("checkpoints/net-seed44.safetensors"));
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("no BatchNorm layer"), r.err());
  }
}
