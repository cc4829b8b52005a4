package bnlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.lab.TinyCifar;
import bnlab.train.Step;
import bnlab.train.TrainListener;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Grids through the engine: executors, Ctrl-C and resume, the folder rules. */
class EngineTest {
  @TempDir static Path tmp;
  static DataConfig data;

  @BeforeAll
  static void setUp() throws IOException {
    data =
        new DataConfig("cifar10", TinyCifar.write(tmp.resolve("cifar"), 40, 20).toString(), 40, 20);
  }

  static Session session(Path out) {
    return Session.of(out).withContext(CellTest.quiet());
  }

  static SmallBatchConfig smallBatch() {
    // 4 cells: net-bn and net, i.i.d. and 2-class batches of 4; 100 samples = 25 steps = 2.5 epochs
    return new SmallBatchConfig(
        List.of("net-bn", "net"), List.of(4), 100, List.of(44L), 0.05, 0.9, 2, data, 1);
  }

  /** Every file below {@code dir} with its contents, timings removed. */
  static List<String> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".csv"))
          .sorted()
          .map(p -> dir.relativize(p) + "\n" + content(p))
          .toList();
    }
  }

  private static String content(Path p) {
    try {
      String text = Files.readString(p);
      // epochs.csv ends with the epoch's seconds
      return p.getFileName().toString().equals("epochs.csv")
          ? text.replaceAll(",[^,\n]*\n", "\n")
          : text;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aStoppedStudyResumesToTheUninterruptedResult() throws Exception {
    Path once = tmp.resolve("study-once");
    Path twice = tmp.resolve("study-twice");
    Engine.Outcome full = Engine.run(smallBatch(), session(once));
    assertEquals(4, full.results().size());
    assertEquals(1 + 4, Files.readAllLines(once.resolve("smallbatch.csv")).size());

    // Ctrl-C in the second cell, in its second epoch
    RunContext ctx = CellTest.quiet();
    Hook ctrlC =
        cell ->
            List.of(
                new TrainListener() {
                  @Override
                  public void onBatch(Step s) {
                    if (cell.config().model().equals("net") && s.step() == 15) {
                      ctx.stop().request();
                    }
                  }
                });
    Engine.Outcome cut =
        Engine.run(smallBatch(), session(twice).withContext(ctx.withHooks(List.of(ctrlC))));
    assertEquals(2, cut.results().size(), "no cell starts after the stop");
    assertEquals("interrupted", cut.results().get(1).status());
    assertEquals(1 + 1, Files.readAllLines(twice.resolve("smallbatch.csv")).size());

    Engine.Outcome resumed = Engine.run(smallBatch(), session(twice).withMode(Session.Mode.RESUME));
    assertEquals(4, resumed.results().size());
    assertEquals(
        Files.readAllLines(once.resolve("smallbatch.csv")),
        Files.readAllLines(twice.resolve("smallbatch.csv")));
    assertEquals(files(once), files(twice));
  }

  @Test
  void parallelCellsGiveTheSequentialResults() throws Exception {
    SweepConfig sweep =
        new SweepConfig(
            List.of("net", "net-bn"),
            List.of(44L),
            TrainingOptions.defaults(data).withEpochs(1).withBatchSize(4).withRecording(3, 0),
            List.of(0.01, 0.05),
            List.of(4),
            2,
            3);
    Path seq = tmp.resolve("sweep-seq");
    Path par = tmp.resolve("sweep-par");
    Engine.run(sweep, session(seq));
    Engine.run(sweep, session(par).withExecutor(GridExecutor.threads(2)));
    assertEquals(
        Files.readAllLines(seq.resolve("sweep.csv")), Files.readAllLines(par.resolve("sweep.csv")));
    assertEquals(files(seq), files(par));
    assertEquals(5, Files.readAllLines(par.resolve("sweep.csv")).size());
    JsonNode summary = Json.MAPPER.readTree(par.resolve("summary.json").toFile());
    assertEquals(4, summary.get("runs").size());
    // grid order: models, batch sizes, learning rates, seeds
    assertEquals("net", summary.at("/runs/1/model").asText());
    assertEquals("net-bn", summary.at("/runs/2/model").asText());
    assertTrue(Files.exists(par.resolve("runs/net-bn-lr0.05-bs4-seed44/summary.json")));
  }

  /**
   * An executor that runs cells "elsewhere", as a cluster's would: each cell travels as bytes, the
   * worker opens the cell's data itself and calls Cell.run into the cell's folder; every cell is
   * run twice, as a retried task would be.
   */
  static final class WorkerExecutor implements GridExecutor {
    @Override
    public int parallelism() {
      return 4;
    }

    @Override
    public void execute(
        RunFolder root,
        List<GridCell> cells,
        java.util.function.Function<GridCell, RunResult> run,
        java.util.function.BiConsumer<GridCell, RunResult> done) {
      for (GridCell shipped : cells) {
        GridCell cell = (GridCell) copy(shipped);
        Datasets.Pair d = cell.config().data().open();
        Path folder = root.cell(cell.folder()).dir();
        Cell.run(cell.config(), d, folder, CellTest.quiet());
        done.accept(
            shipped, (RunResult) copy(Cell.run(cell.config(), d, folder, CellTest.quiet())));
      }
    }

    private static Object copy(Object o) {
      try {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.ObjectOutputStream(bytes)) {
          out.writeObject(o);
        }
        try (var in =
            new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
          return in.readObject();
        }
      } catch (IOException | ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void cellsRunOnWorkersGiveTheLocalResults() throws Exception {
    SweepConfig sweep =
        new SweepConfig(
            List.of("net-bn"),
            List.of(44L, 45L),
            TrainingOptions.defaults(data).withEpochs(1).withBatchSize(8).withRecording(3, 0),
            List.of(0.01),
            List.of(8),
            2,
            3);
    Path local = tmp.resolve("sweep-local");
    Path workers = tmp.resolve("sweep-workers");
    Engine.run(sweep, session(local));
    Engine.run(sweep, session(workers).withExecutor(new WorkerExecutor()));
    assertEquals(
        Files.readAllLines(local.resolve("sweep.csv")),
        Files.readAllLines(workers.resolve("sweep.csv")));
    assertEquals(files(local), files(workers));
  }

  @Test
  void cellsSharingAFolderRunOneAfterAnother() {
    CompareConfig c =
        CompareConfig.compare(
            List.of("net"), List.of(1L, 2L), TrainingOptions.defaults(data).withEpochs(1));
    assertThrows(
        IllegalArgumentException.class,
        () -> Engine.run(c, session(tmp.resolve("shared")).withExecutor(GridExecutor.threads(2))));
  }

  @Test
  void repeatedValuesThatWouldShareACellFolderAreRefused() {
    UserError e =
        assertThrows(
            UserError.class,
            () ->
                new SweepConfig(
                    List.of("net"),
                    List.of(44L),
                    TrainingOptions.defaults(data),
                    List.of(0.01, 0.01),
                    List.of(4),
                    2,
                    3));
    assertTrue(e.getMessage().contains("--lrs lists 0.01 twice"), e.getMessage());
  }

  @Test
  void resumingWithMoreEpochsRecordsThemInConfigJson() throws Exception {
    Path out = tmp.resolve("extend");
    TrainingOptions o = TrainingOptions.defaults(data).withBatchSize(4).withRecording(5, 0);
    CompareConfig one = CompareConfig.compare(List.of("net"), List.of(1L), o.withEpochs(1));
    CompareConfig two = CompareConfig.compare(List.of("net"), List.of(1L), o.withEpochs(2));
    Engine.run(one, session(out));
    UserError occupied = assertThrows(UserError.class, () -> Engine.run(two, session(out)));
    assertTrue(occupied.getMessage().contains("--resume"), occupied.getMessage());
    Engine.Outcome r = Engine.run(two, session(out).withMode(Session.Mode.RESUME));
    assertEquals(2, r.results().get(0).epochs());
    assertEquals(
        2, Json.MAPPER.readTree(out.resolve("config.json").toFile()).get("epochs").asInt());
    UserError shorter =
        assertThrows(
            UserError.class, () -> Engine.run(one, session(out).withMode(Session.Mode.RESUME)));
    assertTrue(shorter.getMessage().contains("epochs was 2, now 1"), shorter.getMessage());
  }
}
