package bnlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.lab.TinyCifar;
import bnlab.nn.Linear;
import bnlab.optim.Optimizer;
import bnlab.train.Step;
import bnlab.train.TrainListener;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run configuration's learning-rate schedule, weight decay and augmentation (what He et al.'s
 * ResNet training needs): values worked out by hand, part of the JSON identity only when set, and
 * resumed runs equal uninterrupted ones.
 */
class TrainingScheduleTest {
  @TempDir static Path tmp;
  static Datasets.Pair data;
  static DataConfig dataConfig;

  @BeforeAll
  static void setUp() throws IOException {
    Path dir = TinyCifar.write(tmp.resolve("cifar"), 40, 20);
    dataConfig = new DataConfig("cifar10", dir.toString(), null, null);
    data = dataConfig.open();
  }

  static RunConfig sgd() {
    return RunConfig.of("net-bn", 3, dataConfig)
        .withEpochs(2)
        .withBatchSize(4)
        .withOptimizer(new OptimizerConfig("sgd", 0.04, 0.9, 1e-4))
        .withRecording(new RunConfig.Recording(1, 5, List.of(), false));
  }

  @Test
  void stepScheduleByHand() {
    LrSchedule s = new LrSchedule(List.of(3L, 7L), 0.5);
    double[] want = {0.04, 0.04, 0.04, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01};
    for (int step = 1; step <= want.length; step++) {
      assertEquals(want[step - 1], s.lrAt(0.04, step), 1e-15, "step " + step);
    }
    assertThrows(UserError.class, () -> new LrSchedule(List.of(5L, 5L), 0.1));
    assertThrows(UserError.class, () -> new LrSchedule(List.of(0L), 0.1));
    assertThrows(UserError.class, () -> new LrSchedule(List.of(5L), 0));
  }

  @Test
  void theMetricsShowTheScheduledRate() throws IOException {
    RunConfig c = sgd().withLrSchedule(new LrSchedule(List.of(3L, 7L), 0.5));
    Path dir = tmp.resolve("schedule");
    Cell.run(c, data, dir, CellTest.quiet());
    List<String> rows = Files.readAllLines(dir.resolve("metrics.csv"));
    // model,seed,epoch,step,train_loss,lr: one row per step
    for (String row : rows.subList(1, rows.size())) {
      String[] f = row.split(",");
      long step = Long.parseLong(f[3]);
      double want = step <= 3 ? 0.04 : step <= 7 ? 0.02 : 0.01;
      assertEquals(want, Double.parseDouble(f[5]), 1e-15, row);
    }
    assertEquals(21, rows.size());
  }

  @Test
  void sgdWeightDecayByHand() {
    Linear fc = new Linear(2, 1);
    fc.weight().data().fill(1f);
    fc.bias().data().fill(-2f);
    Optimizer o = Optimizers.create(fc, new OptimizerConfig("sgd", 0.1, 0.0, 0.5));
    fc.zeroGrad();
    o.step(); // gradient 0: only the decay moves the weights, p - lr * wd * p
    assertEquals(0.95f, fc.weight().data().data()[0], 1e-7f);
    assertEquals(-1.9f, fc.bias().data().data()[0], 1e-6f);
    assertEquals(0.5, o.state().hyperParameters().get("param_groups.0.weight_decay"));
    // null keeps each optimizer's PyTorch default
    assertEquals(
        0.0,
        Optimizers.create(fc, OptimizerConfig.of("sgd", 0.1))
            .state()
            .hyperParameters()
            .get("param_groups.0.weight_decay"));
    assertEquals(
        0.01,
        Optimizers.create(fc, OptimizerConfig.of("adamw", 0.1))
            .state()
            .hyperParameters()
            .get("param_groups.0.weight_decay"));
    assertThrows(UserError.class, () -> new OptimizerConfig("sgd", 0.1, null, -1.0));
  }

  @Test
  void augmentationChangesTheImagesAndResumesExactly() throws IOException {
    RunConfig plain = sgd();
    RunConfig aug = sgd().withAugmentation(Augmentation.CROP_FLIP);
    Path a = tmp.resolve("plain");
    Path b = tmp.resolve("aug");
    Cell.run(plain, data, a, CellTest.quiet());
    Cell.run(aug, data, b, CellTest.quiet());
    assertNotEquals(
        CellTest.read(a.resolve("metrics.csv")),
        CellTest.read(b.resolve("metrics.csv")),
        "crops and flips change the losses");

    // stopped in epoch 2 and resumed: the same crops, flips and rates as without the stop
    RunConfig c = aug.withLrSchedule(new LrSchedule(List.of(12L), 0.1));
    Path once = tmp.resolve("aug-once");
    Path twice = tmp.resolve("aug-twice");
    Cell.run(c, data, once, CellTest.quiet());
    RunContext ctx = CellTest.quiet();
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
    assertEquals(
        "interrupted", Cell.run(c, data, twice, ctx.withHooks(List.of(stopAt16))).status());
    Cell.run(c, data, twice, CellTest.quiet());
    assertEquals(
        CellTest.read(once.resolve("metrics.csv")), CellTest.read(twice.resolve("metrics.csv")));
    assertEquals(
        CellTest.read(once.resolve("probes/gradients.csv")),
        CellTest.read(twice.resolve("probes/gradients.csv")));
  }

  @Test
  void theNewSettingsArePartOfTheJsonOnlyWhenSet() throws Exception {
    JsonNode plain = Json.tree(RunConfig.of("net-bn", 1, dataConfig));
    assertFalse(plain.has("lr_schedule"), plain.toString());
    assertFalse(plain.has("augmentation"));
    assertFalse(plain.path("optimizer").has("weight_decay"), "old checkpoints still match");
    RunConfig full =
        sgd()
            .withLrSchedule(new LrSchedule(List.of(32000L, 48000L), 0.1))
            .withAugmentation(Augmentation.CROP_FLIP);
    JsonNode n = Json.tree(full);
    assertEquals(32000, n.at("/lr_schedule/milestones/0").asLong());
    assertEquals(4, n.at("/augmentation/crop_padding").asInt());
    assertTrue(n.at("/augmentation/horizontal_flip").asBoolean());
    assertEquals(1e-4, n.at("/optimizer/weight_decay").asDouble());
    assertEquals(
        full, Json.MAPPER.readValue(Json.MAPPER.writeValueAsString(full), RunConfig.class));
    // a resume with another schedule is refused, naming it
    List<String> diff = ConfigDiff.between(n, sgd().withAugmentation(Augmentation.CROP_FLIP));
    assertEquals(1, diff.size(), diff.toString());
    assertTrue(diff.get(0).startsWith("lr_schedule was"), diff.toString());
  }
}
