package bnlab.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import bnlab.nn.Sequential;
import bnlab.optim.Adam;
import bnlab.optim.Nets;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target (Jazzer) for the safetensors reader and {@link Checkpoint#load}. Every build replays
 * the committed inputs in {@code src/test/resources/bnlab/io/SafeTensorsFuzzTestInputs/checkpoint};
 * {@code bin/fuzz SafeTensorsFuzzTest 10m} fuzzes it. The contract: any bytes are loaded into a
 * small model and its Adam optimizer, or refused with {@link SafeTensorsException} or {@link
 * CheckpointException} leaving the model unchanged; a loaded model holds only finite values; no
 * input allocates more than {@link #BUDGET_BASE} + {@link #BUDGET_PER_BYTE} bytes per input byte (a
 * DOM JSON header costs a constant factor more than its text) or runs longer than 10 s.
 */
class SafeTensorsFuzzTest {
  static final long BUDGET_BASE = 32L << 20;
  static final long BUDGET_PER_BYTE = 32;

  private static final Path FILE = tempFile();

  private static Path tempFile() {
    try {
      Path f = Files.createTempFile("bnlab-fuzz-", ".safetensors");
      f.toFile().deleteOnExit();
      return f;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeAll
  static void warmUp() {
    Allocation.warmUp(SafeTensorsFuzzTest.class, "checkpoint", input -> run(input, false));
  }

  @FuzzTest(maxDuration = "10m")
  @Timeout(10)
  void checkpoint(byte[] input) throws Exception {
    run(input, true);
  }

  private static void run(byte[] input, boolean measured) throws Exception {
    Allocation.within(
        measured ? BUDGET_BASE + BUDGET_PER_BYTE * input.length : Long.MAX_VALUE,
        "safetensors input",
        () -> load(input));
  }

  private static void load(byte[] input) throws IOException {
    try {
      SafeTensors.parse(input, "fuzz input");
    } catch (SafeTensorsException refused) {
      return;
    }
    Files.write(FILE, input);
    for (boolean withOptimizer : new boolean[] {false, true}) {
      Sequential model = Nets.mlp(1, 2);
      Map<String, String> before = snapshot(model);
      try {
        Checkpoint.load(model, withOptimizer ? new Adam(model.parameters(), 1e-3) : null, FILE);
      } catch (SafeTensorsException | CheckpointException refused) {
        assertEquals(before, snapshot(model), "a refused file changed the model");
        continue;
      }
      model.namedParameters().forEach((k, p) -> requireFinite(k, p.data().toArray()));
      model.namedBuffers().forEach((k, t) -> requireFinite(k, t.toArray()));
    }
  }

  private static void requireFinite(String name, float[] v) {
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new AssertionError("loaded a non-finite " + name + "[" + i + "] = " + v[i]);
      }
    }
  }

  private static Map<String, String> snapshot(Sequential m) {
    Map<String, String> s = new LinkedHashMap<>();
    m.namedParameters().forEach((k, p) -> s.put(k, Arrays.toString(p.data().toArray())));
    m.namedBuffers().forEach((k, t) -> s.put(k, Arrays.toString(t.toArray())));
    m.namedCounters().forEach((k, c) -> s.put(k, Long.toString(c.get())));
    return s;
  }
}
