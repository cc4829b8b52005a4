package bnlab.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import bnlab.nn.Module;
import bnlab.nn.Sequential;
import bnlab.optim.Adam;
import bnlab.optim.AdamW;
import bnlab.optim.Nets;
import bnlab.optim.Optimizer;
import bnlab.optim.ParamGroups;
import bnlab.optim.SGD;
import bnlab.optim.TinyLinear;
import bnlab.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path dir;

  /** Every parameter, buffer and counter of {@code m}, copied, for "unchanged" checks. */
  private static Map<String, String> snapshot(Module m) {
    Map<String, String> s = new LinkedHashMap<>();
    m.namedParameters().forEach((k, p) -> s.put(k, Arrays.toString(p.data().toArray())));
    m.namedBuffers().forEach((k, t) -> s.put(k, Arrays.toString(t.toArray())));
    m.namedCounters().forEach((k, c) -> s.put(k, Long.toString(c.get())));
    return s;
  }

  private static void assertSameBits(String what, float[] a, float[] b) {
    assertEquals(a.length, b.length, what);
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
        fail(what + ": first difference at [" + i + "]: " + a[i] + " vs " + b[i]);
      }
    }
  }

  private static Sequential trained(long seed, int steps) {
    Sequential m = Nets.mlp(seed);
    Optimizer opt = new SGD(m.parameters(), 0.1, 0.9);
    Tensor x = Nets.input(8, 99);
    for (int i = 0; i < steps; i++) {
      Nets.trainStep(m, opt, x);
    }
    return m;
  }

  @Test
  void roundTripGivesIdenticalOutputsAndState() throws IOException {
    Sequential a = trained(1, 3);
    Path f = dir.resolve("model.safetensors");
    Checkpoint.save(a, f);
    Sequential b = Nets.mlp(2);
    assertFalse(snapshot(a).equals(snapshot(b)));
    Map<String, String> meta = Checkpoint.load(b, f);
    assertEquals("pt", meta.get("format"));
    assertEquals(snapshot(a), snapshot(b));
    assertEquals(3L, b.namedCounters().get("bn1.num_batches_tracked").get());
    Tensor x = Nets.input(5, 3);
    for (boolean train : new boolean[] {false, true}) {
      a.train(train);
      b.train(train);
      assertSameBits("output, train=" + train, a.forward(x).toArray(), b.forward(x).toArray());
    }
  }

  @Test
  void fileUsesPyTorchNamesAndDtypes() throws IOException {
    Path f = dir.resolve("m.safetensors");
    Checkpoint.save(trained(1, 2), f);
    SafeTensorsFile file = Checkpoint.read(f);
    assertEquals(
        List.of(
            "bn1.num_batches_tracked",
            "bn1.bias",
            "bn1.running_mean",
            "bn1.running_var",
            "bn1.weight",
            "fc1.bias",
            "fc1.weight",
            "fc2.bias",
            "fc2.weight"),
        List.copyOf(file.tensors().keySet()));
    StoredTensor nbt = file.tensors().get("bn1.num_batches_tracked");
    assertEquals(DType.I64, nbt.dtype());
    assertArrayEquals(new int[0], nbt.shape());
    assertEquals(2L, nbt.toLongs()[0]);
    assertEquals(DType.F32, file.tensors().get("fc1.weight").dtype());
    assertArrayEquals(new int[] {6, 4}, file.tensors().get("fc1.weight").shape());
    assertEquals(0, Files.size(f) % 4);
  }

  private static CheckpointException refused(Module m, Path f, String... fragments) {
    Map<String, String> before = snapshot(m);
    CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(m, f));
    for (String s : fragments) {
      assertTrue(e.getMessage().contains(s), "expected '" + s + "' in: " + e.getMessage());
    }
    assertEquals(before, snapshot(m), "a refused checkpoint must leave the model unchanged");
    return e;
  }

  @Test
  void wrongShapeIsRefusedNamingTheTensor() throws IOException {
    Path f = dir.resolve("wide.safetensors");
    Checkpoint.save(Nets.mlp(1, 8), f);
    CheckpointException e =
        refused(
            Nets.mlp(2, 6),
            f,
            "tensor 'fc1.weight': shape (8, 4) in the file, (6, 4) in the model");
    assertTrue(e.getMessage().contains("bn1.running_var"), e.getMessage());
    assertTrue(e.getMessage().contains("Build the model with the same"), e.getMessage());
  }

  @Test
  void missingAndUnexpectedNamesAreRefused() throws IOException {
    Path f = dir.resolve("m.safetensors");
    Checkpoint.save(Nets.mlp(1), f);
    Sequential bigger = Nets.mlp(2).add("fc3", new TinyLinear(3, 2));
    refused(bigger, f, "missing tensor 'fc3.weight'", "missing tensor 'fc3.bias'");
    Path g = dir.resolve("bigger.safetensors");
    Checkpoint.save(bigger, g);
    refused(Nets.mlp(3), g, "unexpected tensor 'fc3.weight'");
  }

  @Test
  void wrongDtypeIsRefused() throws IOException {
    Path f = dir.resolve("m.safetensors");
    Checkpoint.save(Nets.mlp(1), f);
    Map<String, StoredTensor> t = new LinkedHashMap<>(Checkpoint.read(f).tensors());
    t.put("bn1.num_batches_tracked", StoredTensor.f32(Tensor.zeros(1)));
    t.put("fc2.bias", StoredTensor.i64(3));
    SafeTensors.write(f, t, Map.of());
    refused(
        Nets.mlp(2),
        f,
        "tensor 'bn1.num_batches_tracked': dtype F32 in the file, I64 expected",
        "tensor 'fc2.bias': dtype I64 in the file, F32 expected");
  }

  @Test
  void truncatedOrCorruptFilesAreRefusedAndTheModelIsUnchanged() throws IOException {
    Path f = dir.resolve("m.safetensors");
    Checkpoint.save(trained(1, 1), f);
    byte[] good = Files.readAllBytes(f);
    Sequential m = Nets.mlp(2);
    Map<String, String> before = snapshot(m);
    byte[][] bad = {
      Arrays.copyOf(good, good.length - 3),
      Arrays.copyOf(good, 100),
      Arrays.copyOf(good, 4),
      corrupt(good, 8, (byte) 'x'),
      corrupt(good, 20, (byte) '"'),
      corrupt(good, 3, (byte) 1),
    };
    for (byte[] b : bad) {
      Files.write(f, b);
      SafeTensorsException e =
          assertThrows(SafeTensorsException.class, () -> Checkpoint.load(m, f));
      assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
      assertEquals(before, snapshot(m));
    }
  }

  private static byte[] corrupt(byte[] b, int at, byte value) {
    byte[] c = b.clone();
    c[at] = value;
    return c;
  }

  @Test
  void readsAStateDictWrittenByHandAsPyTorchWould() throws IOException {
    // A state dict for fc (2→1) alone, assembled byte by byte, names in PyTorch's order.
    Sequential m = new Sequential().add("fc", new TinyLinear(2, 1));
    String header =
        "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[4,12]}}";
    Path f = dir.resolve("torch.safetensors");
    Files.write(
        f,
        SafeTensorsTest.file(
            header + " ".repeat((8 - header.length() % 8) % 8),
            SafeTensorsTest.f32(0.5f, 2f, -3f)));
    Checkpoint.load(m, f);
    Tensor y = m.forward(Tensor.of(new float[] {1f, 1f}, 1, 2));
    assertEquals(0.5f + 2f - 3f, y.data()[0]);
  }

  @Test
  void optimizerStateRoundTripResumesTrainingBitForBit() throws IOException {
    List<Function<Sequential, Optimizer>> makers =
        List.of(
            m -> new SGD(m.parameters(), 0.05, 0.9, 0.1, 1e-3, false),
            m -> new SGD(ParamGroups.decayExceptNormAndBias(m, 5e-3), 0.05, 0.9, 0, 0, true),
            m -> new Adam(m.parameters(), 0.01, 0.9, 0.999, 1e-8, 1e-3, true),
            m ->
                new AdamW(
                    ParamGroups.decayExceptNormAndBias(m, 0.1), 0.01, 0.9, 0.99, 1e-8, 0, false));
    Tensor x = Nets.input(8, 5);
    int i = 0;
    for (Function<Sequential, Optimizer> make : makers) {
      Sequential straight = Nets.mlp(4);
      Optimizer o1 = make.apply(straight);
      for (int k = 0; k < 3; k++) {
        Nets.trainStep(straight, o1, x);
      }
      o1.paramGroups().get(0).lr(o1.lr() * 0.5); // a scheduler's change must survive too
      Path f = dir.resolve("run" + i++ + ".safetensors");
      Checkpoint.save(straight, o1, Map.of("epoch", "3"), f);

      Sequential resumed = Nets.mlp(77);
      Optimizer o2 = make.apply(resumed);
      Map<String, String> meta = Checkpoint.load(resumed, o2, f);
      assertEquals("3", meta.get("epoch"));
      assertEquals(o1.lr(), o2.lr());
      for (int k = 0; k < 4; k++) {
        Nets.trainStep(straight, o1, x);
        Nets.trainStep(resumed, o2, x);
      }
      String name = o1.getClass().getSimpleName();
      straight
          .namedParameters()
          .forEach(
              (k, p) ->
                  assertSameBits(
                      name + " " + k,
                      p.data().toArray(),
                      resumed.namedParameters().get(k).data().toArray()));
      assertEquals(snapshot(straight), snapshot(resumed), name);
    }
  }

  @Test
  void optimizerFileEntriesUseStateNamesAndMetadata() throws IOException {
    Sequential m = Nets.mlp(1);
    Optimizer opt = new Adam(m.parameters(), 0.002);
    Nets.trainStep(m, opt, Nets.input(4, 1));
    Path f = dir.resolve("a.safetensors");
    Checkpoint.save(m, opt, Map.of(), f);
    SafeTensorsFile file = Checkpoint.read(f);
    assertEquals(DType.F32, file.tensors().get("optimizer.state.0.exp_avg").dtype());
    assertArrayEquals(new int[] {6, 4}, file.tensors().get("optimizer.state.0.exp_avg_sq").shape());
    assertEquals(1L, file.tensors().get("optimizer.state.5.step").toLongs()[0]);
    assertEquals("Adam", file.metadata().get("optimizer.type"));
    assertEquals("0.002", file.metadata().get("optimizer.param_groups.0.lr"));
    assertTrue(
        file.metadata().get("optimizer.param_names").startsWith("fc1.weight,fc1.bias,bn1.weight"));
  }

  @Test
  void mismatchedOptimizerIsRefusedAndNothingChanges() throws IOException {
    Sequential m = Nets.mlp(1);
    Optimizer adam = new Adam(m.parameters());
    Nets.trainStep(m, adam, Nets.input(4, 1));
    Path f = dir.resolve("a.safetensors");
    Checkpoint.save(m, adam, Map.of(), f);

    Sequential target = Nets.mlp(2);
    Optimizer sgd = new SGD(target.parameters(), 0.1, 0.9);
    Map<String, String> before = snapshot(target);
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> Checkpoint.load(target, sgd, f));
    assertTrue(e.getMessage().contains("saved by Adam, this optimizer is SGD"), e.getMessage());
    assertEquals(before, snapshot(target));
    assertEquals(0L, sgd.state().counters().get("state.0.step"));

    Optimizer amsgrad = new Adam(target.parameters(), 1e-3, 0.9, 0.999, 1e-8, 0, true);
    e = assertThrows(CheckpointException.class, () -> Checkpoint.load(target, amsgrad, f));
    assertTrue(e.getMessage().contains("amsgrad"), e.getMessage());
    assertTrue(e.getMessage().contains("missing buffer state.0.max_exp_avg_sq"), e.getMessage());
    assertEquals(before, snapshot(target));

    List<bnlab.nn.Parameter> reversed = new java.util.ArrayList<>(target.parameters());
    java.util.Collections.reverse(reversed);
    Optimizer shuffled = new Adam(reversed);
    e = assertThrows(CheckpointException.class, () -> Checkpoint.load(target, shuffled, f));
    assertTrue(e.getMessage().contains("in the same groups and order"), e.getMessage());
    assertEquals(before, snapshot(target));
  }

  @Test
  void modelAloneLoadsFromAFullCheckpointButNotTheReverse() throws IOException {
    Sequential m = trained(1, 2);
    Optimizer opt = new SGD(m.parameters(), 0.1, 0.9);
    Path full = dir.resolve("full.safetensors");
    Checkpoint.save(m, opt, Map.of(), full);
    Sequential other = Nets.mlp(5);
    Checkpoint.load(other, full);
    assertEquals(snapshot(m), snapshot(other));

    Path modelOnly = dir.resolve("model.safetensors");
    Checkpoint.save(m, modelOnly);
    CheckpointException e =
        assertThrows(
            CheckpointException.class,
            () -> Checkpoint.load(Nets.mlp(6), new SGD(other.parameters(), 0.1), modelOnly));
    assertTrue(e.getMessage().contains("holds no optimizer state"), e.getMessage());
  }

  @Test
  void savingReplacesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
    Path f = dir.resolve("m.safetensors");
    Checkpoint.save(Nets.mlp(1), f);
    Checkpoint.save(trained(2, 1), f);
    Sequential loaded = Nets.mlp(3);
    Checkpoint.load(loaded, f);
    assertEquals(snapshot(trained(2, 1)), snapshot(loaded));
    byte[] kept = Files.readAllBytes(f);
    assertThrows(
        IllegalArgumentException.class,
        () -> Checkpoint.save(Nets.mlp(4), null, Map.of("format", "tf"), f));
    assertArrayEquals(kept, Files.readAllBytes(f), "a failed save must not touch the old file");
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(f), files.toList());
    }
  }

  @Test
  void nonFiniteWeightIsRefusedOnLoadNamingTheTensor() throws IOException {
    Sequential a = trained(1, 2);
    String weight = a.namedParameters().keySet().iterator().next();
    float[] w = a.namedParameters().get(weight).data().data();
    w[3] = Float.NaN;
    w[5] = Float.POSITIVE_INFINITY;
    Tensor var = a.namedBuffers().get("bn1.running_var");
    var.data()[0] = Float.NEGATIVE_INFINITY;
    Path f = dir.resolve("diverged.safetensors");
    Checkpoint.save(a, new Adam(a.parameters(), 1e-3), Map.of(), f);
    for (boolean withOptimizer : new boolean[] {false, true}) {
      Sequential b = trained(2, 1);
      Map<String, String> before = snapshot(b);
      CheckpointException e =
          assertThrows(
              CheckpointException.class,
              () -> Checkpoint.load(b, withOptimizer ? new Adam(b.parameters(), 1e-3) : null, f));
      String m = e.getMessage();
      assertTrue(m.startsWith(f.toString()), m);
      assertTrue(m.contains("'" + weight + "': 2 non-finite values, the first NaN at [3]"), m);
      assertTrue(
          m.contains("'bn1.running_var': 1 non-finite value, the first -Infinity at [0]"), m);
      assertEquals(before, snapshot(b), "a refused file leaves the model unchanged");
    }
  }

  @Test
  void nonFiniteOrAbsurdOptimizerSettingsAreRefusedInOneLineNamingThem() throws IOException {
    Sequential a = trained(1, 2);
    Path good = dir.resolve("good.safetensors");
    Checkpoint.save(a, new Adam(a.parameters(), 1e-3), Map.of(), good);
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("optimizer.param_groups.0.lr", "NaN");
    bad.put("optimizer.param_groups.0.weight_decay", "1e300"); // overflows float32
    bad.put("optimizer.eps", "-Infinity");
    bad.put("optimizer.betas.1", "1.5");
    bad.put("optimizer.amsgrad", "0.5");
    bad.put("optimizer.param_groups.0.num_params", "4.5");
    for (Map.Entry<String, String> e : bad.entrySet()) {
      SafeTensorsFile f = SafeTensors.read(good);
      Map<String, String> meta = new LinkedHashMap<>(f.metadata());
      meta.put(e.getKey(), e.getValue());
      Path edited = dir.resolve("edited.safetensors");
      SafeTensors.write(edited, f.tensors(), meta);
      Sequential b = trained(2, 1);
      Adam opt = new Adam(b.parameters(), 1e-3);
      Map<String, String> before = snapshot(b);
      CheckpointException x =
          assertThrows(CheckpointException.class, () -> Checkpoint.load(b, opt, edited));
      String m = x.getMessage();
      assertTrue(m.contains("'" + e.getKey() + "'"), "names the setting: " + m);
      assertEquals(1, m.lines().count(), m);
      assertEquals(before, snapshot(b), "a refused file leaves the model unchanged");
      assertEquals(1e-3, opt.paramGroups().get(0).lr(), 0, "and the optimizer");
    }
  }
}
