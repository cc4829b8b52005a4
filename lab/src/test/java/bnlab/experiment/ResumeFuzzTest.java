package bnlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.train.MetricsCsv;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target (Jazzer) for what {@code --resume} parses: the trainer state in a checkpoint's
 * metadata ({@link TrainerState#parse(String)}) and the run folder's CSV files cut back to the
 * checkpoint ({@link CsvRows#keep}, as {@link CellFiles} calls it for metrics.csv). Every build
 * replays the committed inputs in {@code src/test/resources/bnlab/experiment/
 * ResumeFuzzTestInputs/resume}; {@code bin/fuzz ResumeFuzzTest 10m} fuzzes it. An input's first
 * byte chooses the parser (even: trainer state, odd: metrics.csv), the rest is the text (UTF-8).
 *
 * <p>The contract: a trainer state is parsed, or refused with {@link TrainerStateJson.Invalid}; a
 * parsed state lies in range and reads back the same after saving it as {@link TrainerState#save}
 * would. A metrics.csv is repaired, or refused with {@link UserError} (other columns); a repaired
 * file is empty or the header, then whole rows of its fields, in their order, ending with a
 * newline, and repairing it again changes nothing and says nothing. No input allocates more than
 * {@link #BUDGET_BASE} + {@link #BUDGET_PER_BYTE} bytes per input byte or runs longer than 10 s.
 */
class ResumeFuzzTest {
  // as TrainCheckpoint writes the state into the checkpoint's metadata
  private static final com.fasterxml.jackson.databind.ObjectMapper COMPACT =
      new com.fasterxml.jackson.databind.ObjectMapper();

  static final long BUDGET_BASE = 32L << 20;
  static final long BUDGET_PER_BYTE = 32;

  /** The rows at or before this step stay, as after a checkpoint at step 6. */
  static final long CHECKPOINT_STEP = 6;

  private static final Path FILE = Path.of("metrics.csv");

  @BeforeAll
  static void warmUp() {
    Allocation.warmUp(ResumeFuzzTest.class, "resume", input -> run(input, false));
  }

  @FuzzTest(maxDuration = "10m")
  @Timeout(10)
  void resume(byte[] input) throws Exception {
    run(input, true);
  }

  private static void run(byte[] input, boolean measured) throws Exception {
    if (input.length == 0) {
      return;
    }
    String text = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
    boolean csv = (input[0] & 1) != 0;
    Allocation.within(
        measured ? BUDGET_BASE + BUDGET_PER_BYTE * input.length : Long.MAX_VALUE,
        csv ? "metrics.csv input" : "trainer state input",
        () -> {
          if (csv) {
            repair(text);
          } else {
            parse(text);
          }
        });
  }

  private static void parse(String json) throws Exception {
    TrainerState s;
    try {
      s = TrainerState.parse(json);
    } catch (TrainerStateJson.Invalid refused) {
      return;
    }
    assertTrue(s.epoch() >= 1 && s.step() >= 1 && s.images() >= 0, "in range: " + s);
    assertEquals(2, s.metricsWindow().length, "metrics window");
    for (double loss : s.lossWindow()) {
      assertTrue(Double.isFinite(loss), "finite losses");
    }
    String saved = COMPACT.writeValueAsString(Json.MAPPER.convertValue(s, java.util.Map.class));
    TrainerState again = TrainerState.parse(saved);
    assertEquals(describe(s), describe(again), "a parsed state reads back the same once saved");
  }

  private static String describe(TrainerState s) {
    // the record's own text shows the arrays by identity: they are added by value
    return s.toString().replaceAll("\\[D@\\p{XDigit}+", "[]")
        + Arrays.toString(s.metricsWindow())
        + Arrays.toString(s.lossWindow());
  }

  private static void repair(String text) {
    List<String> notices = new ArrayList<>();
    String kept;
    try {
      kept = CsvRows.keep(FILE, text, MetricsCsv.HEADER, ResumeFuzzTest::keep, notices::add);
    } catch (UserError refused) {
      return;
    }
    for (String n : notices) {
      assertEquals(1, n.lines().count(), "a notice is one line: " + n);
    }
    if (kept.isEmpty()) {
      return;
    }
    assertTrue(kept.startsWith(MetricsCsv.HEADER + "\n") && kept.endsWith("\n"), kept);
    List<String> in = Arrays.asList(text.split("\n", -1));
    int from = 1;
    for (String row : kept.substring(MetricsCsv.HEADER.length() + 1).split("\n")) {
      if (row.isEmpty() && kept.length() == MetricsCsv.HEADER.length() + 1) {
        break; // header only
      }
      assertEquals(6, row.split(",", -1).length, "a whole row: " + row);
      int at = in.subList(from, in.size()).indexOf(row);
      assertTrue(at >= 0, "rows are the input's, in order: " + row);
      from += at + 1;
    }
    List<String> again = new ArrayList<>();
    assertEquals(
        kept,
        CsvRows.keep(FILE, kept, MetricsCsv.HEADER, ResumeFuzzTest::keep, again::add),
        "repairing a repaired file changes nothing");
    assertEquals(List.of(), again, "and says nothing");
  }

  // As CellFiles: another run's rows stay, this run's up to the checkpoint's step.
  private static boolean keep(String[] r) {
    return !(r[0].equals("net-bn") && r[1].equals("44")) || Long.parseLong(r[3]) <= CHECKPOINT_STEP;
  }
}
