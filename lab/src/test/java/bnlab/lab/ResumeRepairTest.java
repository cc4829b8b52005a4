package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.io.Checkpoint;
import bnlab.io.SafeTensors;
import bnlab.io.SafeTensorsFile;
import bnlab.models.ArticleNet;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --resume} of a run folder a user or a crash damaged: every case is one line (exit 2) or is
 * repaired to the files of the uninterrupted run; the report leaves out and names a torn row.
 */
class ResumeRepairTest {
  @TempDir static Path tmp;
  static Path data;
  static Path once;

  @BeforeAll
  static void setUp() throws IOException {
    data = TinyCifar.write(tmp.resolve("cifar"), 40, 20);
    once = tmp.resolve("once");
    assertEquals(0, Cli.run(Cli.args(data, once, "train", "--epochs", "2")).code());
  }

  /** A net-bn run of 1 epoch (10 steps, metrics rows at 3, 6, 9) in a folder of its own. */
  static Path oneEpoch(String name) {
    Path out = tmp.resolve(name);
    Cli r = Cli.run(Cli.args(data, out, "train", "--epochs", "1"));
    assertEquals(0, r.code(), r.err());
    return out;
  }

  static Cli resume(Path out) {
    return Cli.run(Cli.args(data, out, "train", "--epochs", "2", "--resume"));
  }

  static Path checkpoint(Path run) {
    return run.resolve("checkpoints/net-bn-seed44.safetensors");
  }

  /** Rewrites the checkpoint's metadata through {@code edit}, keeping its tensors. */
  static void editMetadata(Path ckpt, Consumer<Map<String, String>> edit) throws IOException {
    SafeTensorsFile f = SafeTensors.read(ckpt);
    Map<String, String> meta = new LinkedHashMap<>(f.metadata());
    edit.accept(meta);
    SafeTensors.write(ckpt, f.tensors(), meta);
  }

  /** Rewrites the trainer state's JSON through {@code edit}. */
  static void editTrainerState(Path ckpt, Consumer<ObjectNode> edit) throws IOException {
    ObjectMapper json = new ObjectMapper();
    editMetadata(
        ckpt,
        m -> {
          try {
            ObjectNode state = (ObjectNode) json.readTree(m.get("trainer"));
            edit.accept(state);
            m.put("trainer", json.writeValueAsString(state));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  @Test
  void resumingFromAnotherModelsCheckpointIsRefusedInOneLine() throws IOException {
    Path out = tmp.resolve("other-model");
    assertEquals(
        0,
        Cli.run(Cli.args(data, out, "compare", "--models", "net,net-bn", "--epochs", "1")).code());
    Files.copy(
        out.resolve("checkpoints/net-seed44.safetensors"),
        checkpoint(out),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Cli r =
        Cli.run(
            Cli.args(data, out, "compare", "--models", "net,net-bn", "--epochs", "2", "--resume"));
    r.oneLine(2);
    assertTrue(r.err().contains("holds a checkpoint of model 'net', not of 'net-bn'"), r.err());
    assertEquals(
        List.of("net,44,1", "net-bn,44,1"),
        Files.readAllLines(out.resolve("epochs.csv")).stream()
            .skip(1)
            .map(l -> l.substring(0, l.indexOf(",", l.indexOf(",") + 1) + 2))
            .toList(),
        "refused before net, the first run of the grid, trained its second epoch");

    // a checkpoint of an older version says neither its model nor its configuration
    editMetadata(
        checkpoint(out),
        m -> {
          m.remove("model");
          m.put("trainer", m.get("trainer").replaceFirst(",\"config\":\\{.*\\}}$", "}"));
        });
    assertTrue(SafeTensors.read(checkpoint(out)).metadata().get("trainer").endsWith("}"));
    r =
        Cli.run(
            Cli.args(data, out, "compare", "--models", "net,net-bn", "--epochs", "2", "--resume"));
    r.oneLine(2);
    assertTrue(r.err().contains("cannot be loaded: does not match the model"), r.err());
    assertTrue(r.err().contains("delete it to train this run again"), r.err());
  }

  @Test
  void resumingFromAModelOnlyStateDictIsRefusedInOneLine() throws IOException {
    Path out = oneEpoch("model-only");
    Checkpoint.save(ArticleNet.withBatchNorm(), checkpoint(out));
    Cli r = resume(out).oneLine(2);
    assertTrue(r.err().contains("holds no trainer state (a model-only state dict"), r.err());
  }

  @Test
  void resumingFromATrainerStateWithoutStepIsRefusedNamingTheField() throws IOException {
    Path out = oneEpoch("no-step");
    editTrainerState(checkpoint(out), s -> s.remove("step"));
    Cli r = resume(out).oneLine(2);
    assertTrue(r.err().contains("damaged trainer state: 'step' is missing"), r.err());
  }

  @Test
  void resumingFromATrainerStateWhoseStepIsNotANumberIsRefusedNamingTheField() throws IOException {
    Path out = oneEpoch("step-abc");
    editTrainerState(checkpoint(out), s -> s.put("step", "abc"));
    Cli r = resume(out).oneLine(2);
    assertTrue(r.err().contains("'step' is \"abc\", expected a whole number"), r.err());
  }

  @Test
  void resumingFromATrainerStateThatDoesNotFitTheRunIsRefused() throws IOException {
    Path out = oneEpoch("step-999");
    editTrainerState(checkpoint(out), s -> s.put("step", 999));
    Cli r = resume(out).oneLine(2);
    assertTrue(r.err().contains("step 999 is not in epoch 1 of 10 steps"), r.err());
  }

  @Test
  void resumingWithADamagedConfigJsonIsRefusedInOneLine() throws IOException {
    Path out = oneEpoch("damaged-config");
    String before = Files.readString(out.resolve("metrics.csv"));
    for (String damaged : new String[] {"garbage", "", "[1,2]", "{\"epochs\": "}) {
      Files.writeString(out.resolve("config.json"), damaged);
      Cli r = resume(out).oneLine(2);
      assertTrue(r.err().contains("config.json is damaged ("), r.err());
      assertTrue(r.err().contains("--overwrite trains it again"), r.err());
    }
    assertEquals(before, Files.readString(out.resolve("metrics.csv")), "nothing was changed");
  }

  @Test
  void resumingAfterATornMetricsRowGivesTheUninterruptedFiles() throws IOException {
    // a full disk in the middle of the first row after the checkpoint: "net-bn," and no newline,
    // as in the issue
    Path out = oneEpoch("torn");
    Files.writeString(
        out.resolve("metrics.csv"), "net-bn,", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    Cli r = resume(out);
    assertEquals(0, r.code(), r.err() + r.out());
    assertTrue(r.out().contains("metrics.csv line 5 is malformed ('net-bn,': 2 fields"), r.out());
    assertSameFiles(once, out);
  }

  @Test
  void resumingAfterShortAndNonNumericMetricsRowsGivesTheUninterruptedFiles() throws IOException {
    Path out = oneEpoch("non-numeric");
    Files.writeString(
        out.resolve("metrics.csv"),
        "net-bn,44,2,abc,2.30,0.01\nnet-bn,44,2\nnet-bn,44,2,12,2.2",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    Cli r = resume(out);
    assertEquals(0, r.code(), r.err() + r.out());
    assertTrue(r.out().contains("line 5 is malformed ('net-bn,44,2,abc,2.30,0.01'"), r.out());
    assertTrue(r.out().contains("line 6 is malformed ('net-bn,44,2': 3 fields"), r.out());
    assertSameFiles(once, out);
  }

  @Test
  void theReportLeavesOutAndNamesATornRowInsteadOfFailing() throws IOException {
    Path out = oneEpoch("report");
    List<String> lines = Files.readAllLines(out.resolve("metrics.csv"));
    lines.add(2, "net-bn,");
    Files.write(out.resolve("metrics.csv"), lines);
    Cli r = Cli.run("report", out.toString());
    assertEquals(0, r.code(), r.err() + r.out());
    assertTrue(
        r.out().contains("left out malformed row metrics.csv line 3 ('net-bn,': 2 fields"),
        r.out());
    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("metrics.csv line 3"), "the page names the row too");
  }

  private static void assertSameFiles(Path expected, Path actual) throws IOException {
    assertEquals(
        Files.readString(expected.resolve("metrics.csv")),
        Files.readString(actual.resolve("metrics.csv")));
    assertEquals(withoutSeconds(expected), withoutSeconds(actual));
  }

  private static List<String> withoutSeconds(Path run) throws IOException {
    return Files.readAllLines(run.resolve("epochs.csv")).stream()
        .map(l -> l.substring(0, l.lastIndexOf(',')))
        .toList();
  }
}
