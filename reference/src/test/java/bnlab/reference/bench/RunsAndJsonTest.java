package bnlab.reference.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The libtorch benchmark's runs and JSON, which bench/compare_table.py joins with bnlab's. */
class RunsAndJsonTest {
  @Test
  void fixedStepsRunWarmupsThenTimedRuns() {
    int[] calls = {0};
    Runs.Result r = new Runs(2, 3, 0.5, 4).measure(() -> calls[0]++, 8);
    assertTrue(r.imagesPerCpuSecond()[0] > 0, "CPU-time speed");
    assertTrue(2 <= r.warmups() && r.warmups() <= 2 + Runs.MAX_EXTRA_WARMUPS, r.toString());
    assertEquals((r.warmups() + 3) * 4, calls[0]);
    assertEquals(3, r.imagesPerSecond().length);
    assertTrue(r.min() <= r.median() && r.median() <= r.max());
  }

  @Test
  void badRunsAreRefusedWithTheValues() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Runs(1, 0, 0.5, 0));
    assertTrue(e.getMessage().contains("runs >= 1"), e.getMessage());
  }

  @Test
  void jsonRowsHaveBnlabBenchsKeys() throws Exception {
    TorchResult r =
        new TorchResult(
            "25",
            "libtorch 2.7.1 (DJL 0.36.0)",
            "OPENMP",
            2,
            2,
            -1,
            "cpu",
            Map.of("DNNL_MAX_CPU_ISA", "AVX2"),
            Map.of(),
            Map.of("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1"),
            new Overhead(0.05, 1.5),
            List.of(
                new TorchResult.Row("vgg-bn", "train", 128, 300, 290, 310, 2, 3, 0.0, 320, 138)));
    JsonNode root = new ObjectMapper().readTree(r.json());
    List<String> keys = new ArrayList<>();
    root.get("rows").get(0).fieldNames().forEachRemaining(keys::add);
    // the keys of `bnlab bench --json` rows (lab: BenchFormat), in its order
    List<String> bnlab =
        List.of(
            "model",
            "mode",
            "batch",
            "median",
            "min",
            "max",
            "bnShare",
            "bytesPerStep",
            "steps",
            "warmups",
            "jitShare");
    assertEquals(bnlab, keys.subList(0, bnlab.size()));
    assertEquals("AVX2", root.get("isa").get("DNNL_MAX_CPU_ISA").asText());
    assertEquals(
        "glibc.malloc.trim_threshold=1", root.get("memory").get("GLIBC_TUNABLES").asText());
    assertTrue(root.get("load").isNull());
    // 138 calls of 1.5 µs against a step of 128 / 300 s
    assertEquals(
        138 * 1.5e-6 / (128 / 300.0), root.get("rows").get(0).get("callShare").asDouble(), 1e-12);
  }
}
