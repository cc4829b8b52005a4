package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.data.Cifar10;
import bnlab.experiment.ModelZoo;
import bnlab.io.Checkpoint;
import bnlab.io.SafeTensors;
import bnlab.io.StoredTensor;
import bnlab.lab.CliTest.Result;
import bnlab.nn.Module;
import bnlab.train.ModelInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * eval and export on every kind of file a user has: a training checkpoint, a model-only file
 * written by {@code Checkpoint.save(model, path)} (the README's quick start), and a PyTorch state
 * dict without {@code num_batches_tracked}.
 */
class ModelFilesTest {
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
  static String[] train(Path out, String model) {
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

  private static Result eval(Path file, String... extra) {
    List<String> a = new java.util.ArrayList<>(List.of("eval", file.toString()));
    a.addAll(List.of(extra));
    if (!a.contains("--data")) {
      a.addAll(List.of("--data", data.toString()));
    }
    return CliTest.bnlab(a.toArray(new String[0]));
  }

  private static void assertOneLineUserError(Result r, String contains) {
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("bnlab: ") && r.err().contains(contains), r.err());
  }

  /** The net-bn weights of the training checkpoint, loaded into a fresh model. */
  private static Module trainedModel() throws IOException {
    Module m = ModelZoo.get("net-bn").factory().build(new int[] {3, 32, 32}, 10, 1);
    Checkpoint.load(m, trained);
    return m;
  }

  @Test
  void trainingWritesModelNameShapeAndClassesIntoTheCheckpoint() throws IOException {
    ModelInfo info = ModelInfo.read(Checkpoint.read(trained).metadata());
    assertEquals(
        new ModelInfo("net-bn", new int[] {3, 32, 32}, Cifar10.CLASSES), info, info.toString());
  }

  @Test
  void evalAcceptsTheQuickStartsModelOnlyFile() throws IOException {
    String expected = eval(trained).out();
    assertTrue(expected.startsWith("net-bn on 20 test images: loss "), expected);
    Path quickStart = tmp.resolve("quick/net-bn.safetensors");
    Files.createDirectories(quickStart.getParent());
    Checkpoint.save(trainedModel(), quickStart);
    Result r = eval(quickStart);
    assertEquals(0, r.code(), r.err());
    assertEquals(expected, r.out(), "same weights, same loss and accuracy");
  }

  @Test
  void evalAcceptsAPyTorchStateDictWithoutBatchCounters() throws IOException {
    Module m = trainedModel();
    Map<String, StoredTensor> sd = new LinkedHashMap<>();
    m.namedParameters().forEach((k, p) -> sd.put(k, StoredTensor.f32(p.data())));
    m.namedBuffers().forEach((k, t) -> sd.put(k, StoredTensor.f32(t)));
    Path f = tmp.resolve("torch/net-bn.safetensors");
    Files.createDirectories(f.getParent());
    SafeTensors.write(f, sd, Map.of("format", "pt"));
    Result r = eval(f);
    assertEquals(0, r.code(), r.err());
    assertEquals(eval(trained).out(), r.out());
  }

  @Test
  void unknownModelNamesAskForModelInOneLine() throws IOException {
    Path f = tmp.resolve("names/my-weights.safetensors");
    Files.createDirectories(f.getParent());
    Checkpoint.save(trainedModel(), f);
    assertOneLineUserError(eval(f), "cannot tell which model");
    assertTrue(eval(f).err().contains("pass --model NAME"));
    Result ok = eval(f, "--model", "net-bn");
    assertEquals(0, ok.code(), ok.err());
    assertOneLineUserError(eval(f, "--model", "net"), "does not match the model");
  }

  @Test
  void theFileIsCheckedBeforeTheDataSetIsLoaded() throws IOException {
    Path broken = tmp.resolve("broken/net-bn.safetensors");
    Files.createDirectories(broken.getParent());
    Files.write(broken, new byte[] {1, 2, 3});
    Result r = eval(broken, "--data", tmp.resolve("no-such-data").toString());
    assertOneLineUserError(r, "not a valid safetensors file");
    assertTrue(
        r.err().startsWith("bnlab: " + broken + ": not a valid safetensors file: "), r.err());
    r = eval(tmp.resolve("missing.safetensors"), "--data", tmp.resolve("nothing").toString());
    assertOneLineUserError(r, "does not exist");
  }

  @Test
  void exportWritesOnnxFromAnyFile() throws IOException {
    Path onnx = tmp.resolve("net-bn.onnx");
    Result r = CliTest.bnlab("export", trained.toString(), "--onnx", onnx.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("wrote " + onnx + ": net-bn, ONNX opset 17"), r.out());
    assertTrue(
        r.out().contains("input 'input' (N, 3, 32, 32) -> output 'output' (N, 10)"), r.out());
    assertTrue(Files.size(onnx) > 62_458 * 4, "holds the weights");
    Path folded = tmp.resolve("net-bn-folded.onnx");
    r = CliTest.bnlab("export", trained.toString(), "--onnx", folded.toString(), "--fold-bn");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("(BatchNorm folded)"), r.out());
    assertTrue(Files.size(folded) < Files.size(onnx));
    Path training = tmp.resolve("published");
    assertEquals(0, CliTest.bnlab(train(training, "net-published-bn")).code());
    r =
        CliTest.bnlab(
            "export",
            training.resolve("checkpoints/net-published-bn-seed44.safetensors").toString(),
            "--onnx",
            tmp.resolve("published.onnx").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("exported as the net it computes"), r.out());
  }

  @Test
  void exportRefusesInOneLine() {
    assertOneLineUserError(
        CliTest.bnlab(
            "export", trained.toString(), "--onnx", tmp.resolve("no/such/dir/x.onnx").toString()),
        "does not exist");
    Result r =
        CliTest.bnlab(
            "export",
            trained.toString(),
            "--onnx",
            tmp.resolve("x.onnx").toString(),
            "--input-name",
            "x",
            "--output-name",
            "x");
    assertOneLineUserError(r, "need different names");
    assertFalse(Files.exists(tmp.resolve("x.onnx")));
  }

  @Test
  void modelInfoRoundTripsAndNamesMalformedEntries() {
    ModelInfo info = new ModelInfo("net", new int[] {1, 28, 28}, List.of("a,b", "c\"d"));
    assertEquals(info, ModelInfo.read(info.metadata()));
    assertArrayEquals(new int[] {1, 28, 28}, ModelInfo.read(info.metadata()).inputShape());
    assertEquals(new ModelInfo(null, null, null), ModelInfo.read(Map.of("format", "pt")));
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> ModelInfo.read(Map.of("input_shape", "[3,0,32]")));
    assertTrue(e.getMessage().startsWith("metadata 'input_shape' is '[3,0,32]'"), e.getMessage());
  }
}
