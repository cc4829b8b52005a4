package bnlab.lab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The formats of {@code bnlab bench}: the table a person reads and the JSON a machine parses. */
class BenchOutputTest {
  private static final BenchResult RESULT =
      new BenchResult(
          "25.0.3 (OpenJDK \"Server\" VM)",
          "vector-256bit",
          256,
          2,
          2,
          -1,
          "Intel(R) Xeon(R) Processor",
          List.of("-XX:UseAVX=2"),
          List.of(
              new BenchResult.Row(
                  "net-bn", "train", 128, 19439.4, 18928, 20269, 0.141, 0, 77, 3, 0.001, 9876.4),
              new BenchResult.Row(
                  "resnet20",
                  "infer",
                  1000,
                  76664,
                  71731,
                  77332,
                  Double.NaN,
                  24.5,
                  3,
                  5,
                  0.25,
                  Double.NaN)));

  @Test
  void jsonParsesAndWritesWhatWasNotMeasuredAsNull() throws Exception {
    JsonNode root = new ObjectMapper().readTree(TrainBenchmark.json(RESULT));
    assertEquals("25.0.3 (OpenJDK \"Server\" VM)", root.get("jdk").asText());
    assertEquals(256, root.get("vectorBits").asInt());
    assertEquals("-XX:UseAVX=2", root.get("jvmFlags").get(0).asText());
    assertEquals("Intel(R) Xeon(R) Processor", root.get("cpu").asText());
    assertTrue(root.get("load").isNull(), "an unknown load (-1) is null");
    JsonNode bn = root.get("rows").get(0);
    assertEquals("net-bn", bn.get("model").asText());
    assertEquals(128, bn.get("batch").asInt());
    assertEquals(19439.4, bn.get("median").asDouble(), 0.0);
    assertEquals(0.141, bn.get("bnShare").asDouble(), 0.0);
    assertEquals(0.0, bn.get("bytesPerStep").asDouble(), 0.0);
    assertEquals(77, bn.get("steps").asInt());
    assertEquals(3, bn.get("warmups").asInt());
    assertEquals(0.001, bn.get("jitShare").asDouble(), 0.0);
    assertEquals(9876.4, bn.get("cpuMedian").asDouble(), 0.0);
    JsonNode infer = root.get("rows").get(1);
    assertTrue(infer.get("bnShare").isNull(), "no BN share for inference");
    assertTrue(infer.get("cpuMedian").isNull(), "no CPU-time speed with several threads");
    assertEquals(24.5, infer.get("bytesPerStep").asDouble(), 0.0);
  }

  @Test
  void tableShowsTheKernelVariantAndEveryRow() {
    String t = TrainBenchmark.table(RESULT);
    String[] lines = t.split("\n");
    assertEquals(6, lines.length, t);
    assertTrue(
        lines[0].contains("kernels vector-256bit (256-bit vectors)")
            && lines[0].contains("threads 2 of 2"),
        t);
    assertTrue(lines[1].contains("Intel(R) Xeon(R)") && lines[1].contains("-XX:UseAVX=2"), t);
    assertTrue(
        lines[3].matches(
            "net-bn\\s+train\\s+128\\s+19439\\s+18928\\s+20269\\s+9876\\s+14\\.1%\\s+0"),
        t);
    assertTrue(
        lines[4].matches("resnet20\\s+infer\\s+1000\\s+76664\\s+71731\\s+77332\\s+-\\s+-\\s+25"),
        t);
    assertEquals(
        "JIT still compiling in the timed runs of (compile time / run time): resnet20 infer 1000"
            + " (25%)",
        lines[5], "only rows above 5% get the note");
  }
}
