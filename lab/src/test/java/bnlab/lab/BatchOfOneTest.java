package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mini-batches of one sample: BatchNorm cannot train on them (PyTorch: "Expected more than 1 value
 * per channel when training"), so {@code --batch-size 1} is refused before anything trains, and a
 * last batch of one is skipped with a note instead of failing after a whole epoch.
 */
class BatchOfOneTest {
  @TempDir static Path tmp;
  static Path data;

  @BeforeAll
  static void setUp() throws IOException {
    data = TinyCifar.write(tmp.resolve("cifar"), 40, 20);
  }

  @Test
  void batchSizeOneWithBatchNormIsRefusedBeforeTrainingNamingTheLayer() {
    Path out = tmp.resolve("bs1");
    // net would train first; the refusal must come before it does
    Cli r =
        Cli.run(Cli.args(data, out, "compare", "--models", "net,net-bn", "--batch-size", "1"))
            .oneLine(2);
    assertTrue(
        r.err().contains("--batch-size 1: model 'net-bn' cannot train on one sample"), r.err());
    assertTrue(r.err().contains("bn3: BatchNorm1d(120)"), "names the layer: " + r.err());
    assertTrue(r.err().contains("use --batch-size 2 or more"), r.err());
    assertFalse(Files.exists(out), "nothing was written");
  }

  @Test
  void batchSizeOneWithoutBatchStatisticsTrains() {
    Cli r =
        Cli.run(
            Cli.args(data, tmp.resolve("bs1-net"), "train", "--model", "net", "--batch-size", "1"));
    assertEquals(0, r.code(), r.err() + r.out());
  }

  @Test
  void aLastBatchOfOneIsSkippedForBatchNormAndTheEpochIsKept() throws IOException {
    // 37 images in batches of 4: 9 batches and a last one of 1 image
    Path out = tmp.resolve("last-of-one");
    Cli r =
        Cli.run(
            Cli.args(
                data,
                out,
                "compare",
                "--models",
                "net,net-bn",
                "--subset",
                "37",
                "--epochs",
                "2",
                "--log-every",
                "1"));
    assertEquals(0, r.code(), r.err() + r.out());
    assertTrue(
        r.out()
            .contains(
                "[net-bn seed 44] note: the last mini-batch of each epoch would hold 1 of"
                    + " the 37 training images"),
        r.out());
    assertFalse(r.out().contains("[net seed 44] note"), "net keeps its last batch: " + r.out());
    assertEquals(2 * 10, rows(out, "metrics.csv", "net,"), "net: 10 steps per epoch");
    assertEquals(2 * 9, rows(out, "metrics.csv", "net-bn,"), "net-bn: 9 steps per epoch");
    assertEquals(2, rows(out, "epochs.csv", "net-bn,"), "both epochs finished");
    JsonNode runs = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("runs");
    assertEquals("ok", runs.get(1).get("status").asText());
    assertFalse(
        new ObjectMapper().readTree(out.resolve("config.json").toFile()).has("drop_last"),
        "config.json records drop_last only when it is set");
  }

  @Test
  void dropLastDropsEveryModelsLastPartialBatch() throws IOException {
    Path out = tmp.resolve("drop-last");
    Cli r =
        Cli.run(
            Cli.args(
                data,
                out,
                "compare",
                "--models",
                "net,net-bn",
                "--subset",
                "37",
                "--epochs",
                "1",
                "--log-every",
                "1",
                "--drop-last"));
    assertEquals(0, r.code(), r.err() + r.out());
    assertFalse(r.out().contains("note:"), r.out());
    assertEquals(9, rows(out, "metrics.csv", "net,"));
    assertEquals(9, rows(out, "metrics.csv", "net-bn,"));
    assertTrue(
        new ObjectMapper()
            .readTree(out.resolve("config.json").toFile())
            .get("drop_last")
            .asBoolean());
  }

  private static long rows(Path run, String file, String prefix) throws IOException {
    return Files.readAllLines(run.resolve(file)).stream().filter(l -> l.startsWith(prefix)).count();
  }
}
