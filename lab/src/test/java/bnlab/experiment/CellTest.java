package bnlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.lab.TinyCifar;
import bnlab.train.EpochResult;
import bnlab.train.Step;
import bnlab.train.TrainListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One cell on its own: deterministic, idempotent, refuses another run's checkpoint, has hooks. */
class CellTest {
  @TempDir static Path tmp;
  static Datasets.Pair data;
  static DataConfig dataConfig;

  @BeforeAll
  static void setUp() throws IOException {
    Path dir = TinyCifar.write(tmp.resolve("cifar"), 40, 20);
    dataConfig = new DataConfig("cifar10", dir.toString(), null, null);
    data = dataConfig.open();
  }

  static RunConfig config() {
    return RunConfig.of("net-bn", 3, dataConfig)
        .withEpochs(2)
        .withBatchSize(4)
        .withLr(0.01)
        .withRecording(new RunConfig.Recording(3, 5, RunConfig.PROBE_ETAS, false));
  }

  static RunContext quiet() {
    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    return RunContext.of(sink).withConsole(RunContext.Console.QUIET);
  }

  static String read(Path p) throws IOException {
    return Files.readString(p);
  }

  static String withoutSeconds(Path epochs) throws IOException {
    return read(epochs).replaceAll(",[^,\n]*\n", "\n");
  }

  @Test
  void sameConfigurationSameFilesAndReRunningChangesNothing() throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    RunResult ra = Cell.run(config(), data, a, quiet());
    RunResult rb = Cell.run(config(), data, b, quiet());
    assertEquals("ok", ra.status());
    assertEquals(20, ra.steps());
    assertEquals(2, ra.epochs());
    assertEquals(ra.finalTrainLoss(), rb.finalTrainLoss());
    assertEquals(read(a.resolve("metrics.csv")), read(b.resolve("metrics.csv")));
    assertEquals(withoutSeconds(a.resolve("epochs.csv")), withoutSeconds(b.resolve("epochs.csv")));
    assertEquals(read(a.resolve("probes/landscape.csv")), read(b.resolve("probes/landscape.csv")));

    String metrics = read(a.resolve("metrics.csv"));
    String epochs = read(a.resolve("epochs.csv"));
    String summary = read(a.resolve("summary.json"));
    RunResult again = Cell.run(config(), data, a, quiet());
    assertEquals(metrics, read(a.resolve("metrics.csv")), "no row is written twice");
    assertEquals(epochs, read(a.resolve("epochs.csv")));
    assertEquals(summary, read(a.resolve("summary.json")), "a finished cell reports the same");
    assertEquals(ra, again);
  }

  @Test
  void aCheckpointOfAnotherConfigurationIsRefused() {
    Path dir = tmp.resolve("other");
    Cell.run(config().withEpochs(1), data, dir, quiet());
    UserError e =
        assertThrows(UserError.class, () -> Cell.run(config().withLr(0.02), data, dir, quiet()));
    assertTrue(e.getMessage().contains("optimizer.lr was 0.01, now 0.02"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
    // more epochs extend the run instead
    assertEquals(2, Cell.run(config(), data, dir, quiet()).epochs());
  }

  @Test
  void extendingARunGivesTheUninterruptedRun() throws IOException {
    Path once = tmp.resolve("once");
    Path twice = tmp.resolve("twice");
    Cell.run(config(), data, once, quiet());
    Cell.run(config().withEpochs(1), data, twice, quiet());
    Cell.run(config(), data, twice, quiet());
    assertEquals(read(once.resolve("metrics.csv")), read(twice.resolve("metrics.csv")));
    assertEquals(
        read(once.resolve("probes/gradients.csv")), read(twice.resolve("probes/gradients.csv")));
    assertEquals(
        withoutSeconds(once.resolve("epochs.csv")), withoutSeconds(twice.resolve("epochs.csv")));
  }

  @Test
  void aRunStoppedMidEpochResumesToTheUninterruptedFiles() throws IOException {
    Path once = tmp.resolve("stop-once");
    Path twice = tmp.resolve("stop-twice");
    Cell.run(config(), data, once, quiet());
    // stop in epoch 2 after step 16: metrics rows (every 3 steps) and probe rows (every 5) were
    // written after the epoch-1 checkpoint, and the resume must drop them before writing them again
    RunContext ctx = quiet();
    Hook stopAt16 =
        cell ->
            List.of(
                new TrainListener() {
                  @Override
                  public void onBatch(Step s) {
                    if (s.step() == 16) {
                      ctx.stop().request();
                    }
                  }
                });
    RunResult cut = Cell.run(config(), data, twice, ctx.withHooks(List.of(stopAt16)));
    assertEquals("interrupted", cut.status());
    assertEquals(1, cut.epochs());
    assertTrue(read(twice.resolve("metrics.csv")).contains(",2,15,"), "a row after the checkpoint");
    Cell.run(config(), data, twice, quiet());
    assertEquals(read(once.resolve("metrics.csv")), read(twice.resolve("metrics.csv")));
    for (String probe : RunFolder.PROBES) {
      assertEquals(read(once.resolve(probe)), read(twice.resolve(probe)), probe);
    }
    assertEquals(
        withoutSeconds(once.resolve("epochs.csv")), withoutSeconds(twice.resolve("epochs.csv")));
  }

  @Test
  void aSampleBudgetEndsMidEpochAndTheTrainModeTestRunsOnce() throws IOException {
    // 40 images in batches of 4: 10 per epoch; 92 samples = 23 steps = epochs 1, 2 and 3 steps of 3
    RunConfig c =
        config()
            .withSamples(92)
            .withBatching(new RunConfig.Batching(0, true, 0))
            .withEvaluation(new RunConfig.Evaluation(20, false, true))
            .withRecording(new RunConfig.Recording(5, 0, RunConfig.PROBE_ETAS, false));
    Path dir = tmp.resolve("samples");
    RunResult r = Cell.run(c, data, dir, quiet());
    assertEquals(23, r.steps());
    assertEquals(3, r.epochs());
    double trainMode = r.measurement(RunConfig.TRAIN_MODE_ACCURACY);
    assertTrue(trainMode >= 0 && trainMode <= 1, "train-mode accuracy " + trainMode);
    assertTrue(read(dir.resolve("summary.json")).contains("\"test_accuracy_train_mode\""));
    List<String> epochs = Files.readAllLines(dir.resolve("epochs.csv"));
    assertEquals(1 + 3, epochs.size());
    assertTrue(epochs.get(1).contains(",NaN,NaN,"), "only the last epoch is tested: " + epochs);
    assertTrue(!epochs.get(3).contains("NaN"), epochs.get(3));
    assertEquals(r, Cell.run(c, data, dir, quiet()), "the measurement is kept in the checkpoint");
  }

  @Test
  void hooksMeasureAndTheirValuesSurviveAResume() {
    Hook stepsSeen =
        cell ->
            List.of(
                new TrainListener() {
                  long steps;

                  @Override
                  public void onBatch(Step s) {
                    steps++;
                  }

                  @Override
                  public void onEpoch(EpochResult r) {
                    cell.measurements().merge("steps_seen", (double) steps, Double::sum);
                    steps = 0;
                  }
                });
    RunContext ctx = quiet().withHooks(List.of(stepsSeen));
    Path dir = tmp.resolve("hooks");
    assertEquals(10.0, Cell.run(config().withEpochs(1), data, dir, ctx).measurement("steps_seen"));
    assertEquals(20.0, Cell.run(config(), data, dir, ctx).measurement("steps_seen"));
  }
}
