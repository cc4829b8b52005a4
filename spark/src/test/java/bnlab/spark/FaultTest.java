package bnlab.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.experiment.CompareConfig;
import bnlab.experiment.DataConfig;
import bnlab.experiment.Engine;
import bnlab.experiment.Hook;
import bnlab.experiment.Session;
import bnlab.experiment.TrainingOptions;
import bnlab.train.Step;
import bnlab.train.TrainListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults on a real local[2] Spark: a worker that dies mid-epoch fails the barrier stage, the driver
 * starts it again, every replica continues from rank 0's last checkpoint and the run ends with the
 * files of an uninterrupted run; a hung worker makes its peer give up with a message naming it.
 */
class FaultTest {
  @TempDir static Path tmp;
  static DataConfig data;

  @BeforeAll
  static void setUp() throws IOException {
    data =
        new DataConfig("cifar10", TinyCifar.write(tmp.resolve("cifar"), 80, 20).toString(), 80, 20);
  }

  /** 80 images, batch 8 (2 × 4): 10 steps per epoch, 3 epochs. */
  static CompareConfig config() {
    TrainingOptions o =
        new TrainingOptions(3, 8, 0.01, "sgd", data, false, 2, 0, List.of(0.1), null);
    return CompareConfig.compare(List.of("net-bn"), List.of(44L), o);
  }

  /** Rank {@code rank} throws at step {@code step} of the driver's first attempt. */
  static List<Hook> dieAt(int rank, int attempt, int victim, long step) {
    if (rank != victim || attempt != 1) {
      return List.of();
    }
    return List.of(
        cell ->
            List.of(
                new TrainListener() {
                  @Override
                  public void beforeBatch(Step s) {
                    if (s.step() == step) {
                      throw new IllegalStateException("worker " + rank + " killed at step " + step);
                    }
                  }
                }));
  }

  @Test
  void aWorkerKilledMidEpochResumesFromTheCheckpointToTheUninterruptedResult() throws Exception {
    Path whole = tmp.resolve("whole");
    Path killed = tmp.resolve("killed");
    Engine.run(
        config(),
        Fixture.session(whole).withExecutor(Fixture.dataParallel(2, false, null, 1, null)));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    DataParallel dp =
        new DataParallel(
            new DataParallel.Settings(
                Fixture.MASTER,
                2,
                false,
                20_000,
                3,
                null,
                false,
                (rank, attempt) -> dieAt(rank, attempt, 1, 15)),
            null,
            new PrintStream(log, true, StandardCharsets.UTF_8));
    Engine.Outcome r = Engine.run(config(), Fixture.session(killed).withExecutor(dp));
    String printed = log.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("attempt 1 failed"), printed);
    assertTrue(printed.contains("starting the workers again from the last checkpoint"), printed);
    assertEquals("ok", r.results().get(0).status());
    assertEquals(3, r.results().get(0).epochs());
    // metrics.csv and epochs.csv (apart from timings) as if nothing had happened
    assertEquals(Fixture.csvFiles(whole), Fixture.csvFiles(killed));
    Map<String, float[]> a =
        Fixture.tensors(whole.resolve("checkpoints/net-bn-seed44.safetensors"));
    Map<String, float[]> b =
        Fixture.tensors(killed.resolve("checkpoints/net-bn-seed44.safetensors"));
    assertEquals(a.keySet(), b.keySet());
    a.forEach((k, v) -> assertArrayEquals(v, b.get(k), k));

    // --resume with another K is refused: the replicas' statistics would change
    RuntimeException e =
        assertThrows(
            RuntimeException.class,
            () ->
                Engine.run(
                    config(),
                    Fixture.session(killed)
                        .withMode(Session.Mode.RESUME)
                        .withExecutor(Fixture.dataParallel(2, true, null, 1, null))));
    assertTrue(e.getMessage().contains("same --workers and --sync-bn"), e.getMessage());
  }

  /** Rank {@code victim} stops answering at step {@code step} (until it is interrupted). */
  static List<Hook> hangAt(int rank, int victim, long step) {
    if (rank != victim) {
      return List.of();
    }
    return List.of(
        cell ->
            List.of(
                new TrainListener() {
                  @Override
                  public void beforeBatch(Step s) {
                    if (s.step() == step) {
                      try {
                        Thread.sleep(
                            5_000); // longer than the peer timeout: Spark cannot interrupt it
                      } catch (InterruptedException e) {
                        throw new IllegalStateException("hung worker interrupted", e);
                      }
                    }
                  }
                }));
  }

  @Test
  void aHungWorkerTimesOutWithAMessageNamingIt() {
    ReplicaTask.ReplicaHooks hang = (rank, attempt) -> hangAt(rank, 1, 3);
    DataParallel dp =
        new DataParallel(
            new DataParallel.Settings(Fixture.MASTER, 2, false, 1500, 1, null, false, hang),
            null,
            Fixture.NULL);
    Fixture.spark();
    long t0 = System.nanoTime();
    RuntimeException e =
        assertThrows(
            RuntimeException.class,
            () -> Engine.run(config(), Fixture.session(tmp.resolve("hung")).withExecutor(dp)));
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(
        e.getMessage().contains("replica 1 (") && e.getMessage().contains("within 1500 ms"),
        e.getMessage());
    assertTrue(seconds < 50, "gave up after " + seconds + " s");
  }
}
