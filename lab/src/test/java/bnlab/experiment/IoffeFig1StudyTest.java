package bnlab.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.io.Checkpoint;
import bnlab.lab.TinyMnist;
import bnlab.nn.Module;
import bnlab.nn.Sequential;
import bnlab.tensor.Tensor;
import bnlab.train.Step;
import bnlab.train.TrainListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code study ioffe-fig1} on a tiny generated Fashion-MNIST: what it records, that the percentiles
 * are those of the last sigmoid's input (recomputed independently from the saved weights), that
 * measuring changes nothing the run keeps, and that a resumed study writes the same files.
 */
class IoffeFig1StudyTest {
  @TempDir static Path tmp;
  static DataConfig data;
  static Datasets.Pair pair;

  @BeforeAll
  static void setUp() throws IOException {
    // 120 training images: 2 steps of 60 per epoch, so epochs end on even steps
    Path dir = TinyMnist.write(tmp.resolve("fmnist"), 120, 30);
    data = new DataConfig("fashion-mnist", dir.toString(), null, null);
    pair = data.open();
  }

  static IoffeFig1Config config(long steps) {
    return new IoffeFig1Config(
        List.of("mlp-sigmoid", "mlp-bn-sigmoid"), List.of(44L), steps, 60, 0.5, 0, 4, 20, 0, data);
  }

  static Engine.Outcome run(IoffeFig1Config c, Path dir, Session.Mode mode, RunContext ctx)
      throws InterruptedException {
    return Engine.run(c, Session.of(dir).withMode(mode).withContext(ctx));
  }

  @Test
  void recordsAccuracyAndPercentilesOfEveryUnitAtStepZeroEveryNAndTheEnd() throws Exception {
    Path dir = tmp.resolve("run");
    Engine.Outcome o = run(config(10), dir, Session.Mode.NEW, CellTest.quiet());
    assertEquals(2, o.results().size());
    List<String> acc = Files.readAllLines(dir.resolve(SigmoidInputProbe.ACCURACY));
    assertEquals(SigmoidInputProbe.ACCURACY_HEADER, acc.get(0));
    // steps 0, 4, 8 and the last, 10, for each model
    assertEquals(1 + 2 * 4, acc.size(), acc.toString());
    assertTrue(acc.get(1).startsWith("mlp-sigmoid,44,0,"), acc.get(1));
    assertTrue(acc.get(4).startsWith("mlp-sigmoid,44,10,"), acc.get(4));
    List<String> sig = Files.readAllLines(dir.resolve(SigmoidInputProbe.SIGMOID));
    assertEquals(1 + 2 * 4 * 100, sig.size(), "100 units, 4 steps, 2 models");
    assertTrue(sig.get(1).startsWith("mlp-sigmoid,44,0,fc3,0,"), sig.get(1));
    assertTrue(
        sig.stream().anyMatch(l -> l.startsWith("mlp-bn-sigmoid,44,10,bn3,99,")), "BN's input");
    String config = Files.readString(dir.resolve("config.json"));
    assertTrue(config.contains("\"command\" : \"study ioffe-fig1\""), config);
    assertTrue(config.contains("\"paper_steps\" : 50000"), config);
  }

  /**
   * The last rows against the saved weights: fc3's output for the first 20 test images, sorted per
   * unit, and numpy's linear-interpolation percentiles worked out here.
   */
  @Test
  void thePercentilesAreThoseOfTheLastSigmoidsInput() throws Exception {
    Path dir = tmp.resolve("check");
    run(config(10), dir, Session.Mode.NEW, CellTest.quiet());
    Sequential net =
        (Sequential) ModelZoo.get("mlp-sigmoid").factory().build(new int[] {1, 28, 28}, 10, 0);
    Checkpoint.load(net, dir.resolve("checkpoints/mlp-sigmoid-seed44.safetensors"));
    Tensor x;
    try (var it = Datasets.loader(pair.test(), 20).prefetch(0).epoch(0)) {
      x = it.next().x().copy();
    }
    Tensor h = x;
    for (String layer : List.of("flatten", "fc1", "sigmoid1", "fc2", "sigmoid2", "fc3")) {
      h = net.get(layer).forward(h);
    }
    List<String> rows =
        Files.readAllLines(dir.resolve(SigmoidInputProbe.SIGMOID)).stream()
            .filter(l -> l.startsWith("mlp-sigmoid,44,10,fc3,"))
            .toList();
    assertEquals(100, rows.size());
    for (int u : new int[] {0, 37, 99}) {
      double[] v = new double[20];
      for (int i = 0; i < 20; i++) {
        v[i] = h.data()[i * 100 + u];
      }
      Arrays.sort(v);
      // position q·(n − 1) = 2.85, 9.5, 16.15 between sorted values
      double p15 = v[2] + 0.85 * (v[3] - v[2]);
      double p50 = (v[9] + v[10]) / 2;
      double p85 = v[16] + 0.15 * (v[17] - v[16]);
      String[] f = rows.get(u).split(",");
      assertEquals(p15, Double.parseDouble(f[5]), 1e-6, "unit " + u + " p15");
      assertEquals(p50, Double.parseDouble(f[6]), 1e-6, "unit " + u + " p50");
      assertEquals(p85, Double.parseDouble(f[7]), 1e-6, "unit " + u + " p85");
    }
  }

  @Test
  void measuringChangesNothingTheRunKeeps() throws Exception {
    RunConfig c = config(10).run("mlp-bn-sigmoid", 44);
    Path with = tmp.resolve("with-probe");
    Path without = tmp.resolve("without-probe");
    RunContext probed = CellTest.quiet().withHooks(config(10).hooks());
    RunResult a = Cell.run(c, pair, with, probed);
    RunResult b = Cell.run(c, pair, without, CellTest.quiet());
    assertEquals(a.finalTrainLoss(), b.finalTrainLoss());
    assertEquals(a.testAccuracy(), b.testAccuracy());
    assertEquals(
        CellTest.withoutSeconds(with.resolve("epochs.csv")),
        CellTest.withoutSeconds(without.resolve("epochs.csv")),
        "the eval-mode test uses the running statistics the training made");
    Module m1 = ModelZoo.get("mlp-bn-sigmoid").factory().build(new int[] {1, 28, 28}, 10, 0);
    Module m2 = ModelZoo.get("mlp-bn-sigmoid").factory().build(new int[] {1, 28, 28}, 10, 0);
    Checkpoint.load(m1, with.resolve("checkpoints/mlp-bn-sigmoid-seed44.safetensors"));
    Checkpoint.load(m2, without.resolve("checkpoints/mlp-bn-sigmoid-seed44.safetensors"));
    for (String k : m1.namedBuffers().keySet()) {
      assertArrayEquals(m2.namedBuffers().get(k).data(), m1.namedBuffers().get(k).data(), k);
    }
    assertEquals(
        m2.namedCounters().get("bn1.num_batches_tracked").get(),
        m1.namedCounters().get("bn1.num_batches_tracked").get());
  }

  @Test
  void aResumedStudyWritesTheSameFiles() throws Exception {
    Path once = tmp.resolve("once");
    Path twice = tmp.resolve("twice");
    run(config(10), once, Session.Mode.NEW, CellTest.quiet());
    RunContext ctx = CellTest.quiet();
    Hook stop =
        cell ->
            List.of(
                new TrainListener() {
                  @Override
                  public void onBatch(Step s) {
                    // mid-epoch 4 of mlp-bn-sigmoid, after its step-8 measurement
                    if (cell.config().model().equals("mlp-bn-sigmoid") && s.step() == 9) {
                      ctx.stop().request();
                    }
                  }
                });
    run(config(10), twice, Session.Mode.NEW, ctx.withHooks(List.of(stop)));
    assertTrue(
        Files.readString(twice.resolve(SigmoidInputProbe.ACCURACY))
            .contains("mlp-bn-sigmoid,44,8,"));
    run(config(10), twice, Session.Mode.RESUME, CellTest.quiet());
    for (String f : List.of(SigmoidInputProbe.ACCURACY, SigmoidInputProbe.SIGMOID, "metrics.csv")) {
      assertEquals(Files.readString(once.resolve(f)), Files.readString(twice.resolve(f)), f);
    }
  }

  @Test
  void aModelWithoutSigmoidIsRefused() {
    IoffeFig1Config c =
        new IoffeFig1Config(
            List.of("mlp-sigmoid", "net"), List.of(1L), 2, 60, 0.1, 0, 1, 10, 0, data);
    UserError e =
        assertThrows(
            UserError.class,
            () -> run(c, tmp.resolve("refused"), Session.Mode.NEW, CellTest.quiet()));
    assertTrue(e.getMessage().contains("model 'net' has none"), e.getMessage());
    assertThrows(UserError.class, () -> config(0));
  }
}
