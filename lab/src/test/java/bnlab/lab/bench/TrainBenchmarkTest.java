package bnlab.lab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.experiment.ModelZoo;
import bnlab.experiment.UserError;
import bnlab.models.Norm;
import bnlab.nn.BatchNorm1d;
import bnlab.nn.BatchNorm2d;
import bnlab.nn.Conv2d;
import bnlab.nn.Flatten;
import bnlab.nn.Linear;
import bnlab.nn.MaxPool2d;
import bnlab.nn.ReLU;
import bnlab.nn.Sequential;
import bnlab.tensor.Rng;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code bnlab bench} on any zoo model: one row per model, mode and batch size. */
class TrainBenchmarkTest {
  @BeforeAll
  static void registerTinyModels() {
    for (boolean bn : new boolean[] {false, true}) {
      ModelZoo.register(
          new ModelZoo.Entry(
              bn ? "bench-tiny-bn" : "bench-tiny",
              bn ? Norm.BATCH : Norm.NONE,
              bn ? "bench-tiny" : null,
              "tiny test model",
              (shape, classes, seed) -> {
                Sequential s =
                    new Sequential().add("conv1", new Conv2d(shape[0], 2, 3, 2, 0, true));
                if (bn) {
                  s.add("bn1", new BatchNorm2d(2));
                }
                s.add("relu1", new ReLU())
                    .add("pool1", new MaxPool2d(2))
                    .add("flatten", new Flatten())
                    .add("fc1", new Linear(2 * 7 * 7, classes));
                s.resetParameters(new Rng(seed));
                return s;
              }));
    }
  }

  /**
   * A model with BatchNorm1d, which cannot train on one image, and its plain baseline (the zoo's
   * contract: the same network without the normalization).
   */
  @BeforeAll
  static void registerTinyBatchNorm1dModel() {
    for (boolean bn : new boolean[] {false, true}) {
      ModelZoo.register(
          new ModelZoo.Entry(
              bn ? "bench-tiny-bn1d" : "bench-tiny-fc",
              bn ? Norm.BATCH : Norm.NONE,
              bn ? "bench-tiny-fc" : null,
              "tiny test model with two linear layers",
              (shape, classes, seed) -> {
                Sequential s =
                    new Sequential()
                        .add("conv1", new Conv2d(shape[0], 2, 3, 2, 0, true))
                        .add("flatten", new Flatten())
                        .add("fc1", new Linear(2 * 15 * 15, 8));
                if (bn) {
                  s.add("bn1", new BatchNorm1d(8));
                }
                s.add("fc2", new Linear(8, classes));
                s.resetParameters(new Rng(seed));
                return s;
              }));
    }
  }

  @Test
  void batchNorm1dModelInfersOneImageAndRefusesToTrainOnOne() {
    BenchResult r =
        TrainBenchmark.run(
            new BenchOptions(
                List.of("bench-tiny-bn1d"), List.of(2), List.of(1), 1, 1, 0.01, 4, 4, 0, 1, false));
    assertEquals(2, r.rows().size());
    UserError e =
        assertThrows(
            UserError.class,
            () ->
                TrainBenchmark.run(
                    new BenchOptions(
                        List.of("bench-tiny-bn1d"),
                        List.of(1),
                        List.of(1),
                        1,
                        1,
                        0.01,
                        4,
                        4,
                        0,
                        1,
                        false)));
    assertTrue(
        e.getMessage().contains("bench-tiny-bn1d")
            && e.getMessage().contains("batch 1")
            && e.getMessage().contains("--batch-sizes"),
        e.getMessage());
  }

  private static BenchOptions options(List<String> models, int fixedImages) {
    return new BenchOptions(
        models, List.of(2, 3), List.of(4), 1, 1, 0.01, fixedImages, fixedImages, 0, 1, true);
  }

  @Test
  void everyModelModeAndBatchGetsARowInOrder() {
    BenchResult r = TrainBenchmark.run(options(List.of("bench-tiny", "bench-tiny-bn"), 0));
    List<String> keys =
        r.rows().stream().map(w -> w.model() + " " + w.mode() + " " + w.batch()).toList();
    assertEquals(
        List.of(
            "bench-tiny train 2",
            "bench-tiny train 3",
            "bench-tiny-bn train 2",
            "bench-tiny-bn train 3",
            "bench-tiny infer 4",
            "bench-tiny-bn infer 4"),
        keys);
    for (BenchResult.Row w : r.rows()) {
      assertTrue(w.steps() >= 1, w.toString());
      assertTrue(0 < w.min() && w.min() <= w.median() && w.median() <= w.max(), w.toString());
      boolean share = w.model().endsWith("-bn") && w.mode().equals("train");
      assertEquals(share, !Double.isNaN(w.bnShare()), "BN share only for BN training: " + w);
    }
    assertTrue(r.threads() >= 1 && r.cpus() >= 1 && !r.cpu().isBlank());
  }

  @Test
  void imagesPerRunFixTheStepsPerRun() {
    // 6 images per run: 3 steps at batch 2, 2 at batch 3, 1 at batch 4 (at least one step)
    BenchResult r = TrainBenchmark.run(options(List.of("bench-tiny"), 6));
    assertEquals(List.of(3, 2, 1), r.rows().stream().map(BenchResult.Row::steps).toList());
  }

  @Test
  void fixedStepsRunExactlyWarmupPlusTimedRuns() {
    int[] calls = {0};
    Runs.Measured m = Runs.measure(options(List.of("bench-tiny"), 0), 5, 4, () -> calls[0]++);
    // 1 warm-up run asked, up to MAX_EXTRA_WARMUPS more while the JIT compiles, 1 timed run
    assertTrue(1 <= m.warmups() && m.warmups() <= 1 + Runs.MAX_EXTRA_WARMUPS, m.toString());
    assertEquals((m.warmups() + 1) * 4, calls[0]);
    assertEquals(4, m.steps());
    assertEquals(1, m.imagesPerSecond().length);
  }

  @Test
  void cpuTimeSpeedOnlyWithOneThread() {
    int before = bnlab.runtime.Compute.threads();
    try {
      BenchOptions one =
          new BenchOptions(
              List.of("bench-tiny"), List.of(2), List.of(), 1, 1, 0.01, 0, 0, 1, 1, false);
      double cpu = TrainBenchmark.run(one).rows().get(0).cpuMedian();
      assertTrue(cpu > 0 && Double.isFinite(cpu), "images per CPU-second: " + cpu);
      if (bnlab.runtime.Compute.availableProcessors() > 1) {
        BenchOptions two =
            new BenchOptions(
                List.of("bench-tiny"), List.of(2), List.of(), 1, 1, 0.01, 0, 0, 2, 1, false);
        assertTrue(Double.isNaN(TrainBenchmark.run(two).rows().get(0).cpuMedian()));
      }
    } finally {
      bnlab.runtime.Compute.setThreads(before);
    }
  }

  /** Where a test's steps put what they allocate, so that the JIT cannot drop the allocation. */
  static volatile Object sink;

  @Test
  void warmupWaitsForTheAllocationToSettle() {
    // A step that allocates in its first three calls, as one whose kernels the JIT has not compiled
    // yet: the warm-up (1 run of 1 step asked) goes on until a run allocates nothing.
    int[] calls = {0};
    Runs.Measured m =
        Runs.measure(
            options(List.of("bench-tiny"), 0),
            5,
            1,
            () -> {
              if (calls[0]++ < 3) {
                sink = new byte[1 << 16];
              }
            });
    assertTrue(m.warmups() >= 4, "warm-up runs: " + m.warmups());
    assertTrue(m.bytesPerStep()[0] < Runs.ALLOC_QUIET, "bytes per step: " + m.bytesPerStep()[0]);
  }

  @Test
  void aStepThatAlwaysAllocatesIsReportedAfterBoundedWarmup() {
    Runs.Measured m =
        Runs.measure(options(List.of("bench-tiny"), 0), 5, 1, () -> sink = new byte[1 << 16]);
    assertEquals(1 + Runs.MAX_EXTRA_WARMUPS, m.warmups());
    assertTrue(m.bytesPerStep()[0] >= 1 << 16, "bytes per step: " + m.bytesPerStep()[0]);
  }

  @Test
  void noWarmupAskedNoneDone() {
    BenchOptions o =
        new BenchOptions(
            List.of("bench-tiny"), List.of(2), List.of(4), 0, 2, 0.01, 0, 0, 0, 1, false);
    int[] calls = {0};
    Runs.Measured m = Runs.measure(o, 5, 3, () -> calls[0]++);
    assertEquals(0, m.warmups());
    assertEquals(2 * 3, calls[0]);
  }

  @Test
  void unknownModelNamesTheKnownOnes() {
    UserError e =
        assertThrows(UserError.class, () -> TrainBenchmark.run(options(List.of("no-such-net"), 0)));
    assertTrue(
        e.getMessage().contains("no-such-net") && e.getMessage().contains("vgg-bn"),
        e.getMessage());
  }

  @Test
  void badOptionsSayWhichOption() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new BenchOptions(
                    List.of("net"), List.of(10), List.of(0), 1, 3, 0.5, 0, 0, 0, 1, true));
    assertTrue(e.getMessage().contains("inference batch sizes"), e.getMessage());
  }
}
