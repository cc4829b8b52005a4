package bnlab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.experiment.DataConfig;
import bnlab.experiment.Engine;
import bnlab.experiment.SweepConfig;
import bnlab.experiment.TrainingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sweep whose cells run as tasks of a real local[2] Spark gives the local sweep run for run. */
class SparkSweepTest {
  @TempDir Path tmp;

  @Test
  void sparkSweepEqualsTheLocalSweepRunForRun() throws Exception {
    DataConfig data =
        new DataConfig("cifar10", TinyCifar.write(tmp.resolve("cifar"), 40, 20).toString(), 40, 20);
    SweepConfig sweep =
        new SweepConfig(
            List.of("net", "net-bn"),
            List.of(44L, 45L),
            TrainingOptions.defaults(data).withEpochs(1).withBatchSize(8).withRecording(1, 0),
            List.of(0.01),
            List.of(8),
            2,
            3);
    Path local = tmp.resolve("local");
    Path spark = tmp.resolve("spark");
    Engine.run(sweep, Fixture.session(local));
    Fixture.spark();
    Engine.Outcome r =
        Engine.run(
            sweep,
            Fixture.session(spark)
                .withExecutor(new SparkCells(Fixture.MASTER, false, null, Fixture.NULL)));
    assertEquals(4, r.results().size());
    assertEquals(
        Files.readAllLines(local.resolve("sweep.csv")),
        Files.readAllLines(spark.resolve("sweep.csv")));
    // every run's metrics.csv (loss of every step) and epochs.csv, byte for byte
    assertEquals(Fixture.csvFiles(local), Fixture.csvFiles(spark));
    assertTrue(Files.exists(spark.resolve("runs/net-bn-lr0.01-bs8-seed45/summary.json")));

    // a retried task (here: the whole sweep again) finds every cell done and changes nothing
    Engine.run(
        sweep,
        Fixture.session(spark)
            .withMode(bnlab.experiment.Session.Mode.RESUME)
            .withExecutor(new SparkCells(Fixture.MASTER, false, null, Fixture.NULL)));
    assertEquals(Fixture.csvFiles(local), Fixture.csvFiles(spark));
  }
}
