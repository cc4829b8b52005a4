package bnlab.lab;

import bnlab.experiment.DataConfig;
import bnlab.experiment.Datasets;
import bnlab.experiment.Engine;
import bnlab.experiment.Grid;
import bnlab.experiment.GridCell;
import bnlab.experiment.GridExecutor;
import bnlab.experiment.GridListener;
import bnlab.experiment.RunConfig;
import bnlab.experiment.RunContext;
import bnlab.experiment.RunFolder;
import bnlab.experiment.RunResult;
import bnlab.experiment.Session;
import bnlab.experiment.SmallBatchConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * bnlab study small-batch: test accuracy against the training batch size for BN and the
 * alternatives, in eval and in train mode, with i.i.d. and class-clustered batches
 * (smallbatch.csv). The configuration and its grid are {@link SmallBatchConfig}.
 */
@Command(
    name = "small-batch",
    mixinStandardHelpOptions = true,
    description = {
      "Trains each model at each batch size on the same number of samples (SGD with momentum,"
          + " learning rate scaled linearly with the batch size, as Wu & He 2018), with i.i.d."
          + " batches and with class-clustered batches of few classes, and records the test"
          + " accuracy in eval mode (running statistics) and in train mode (each test batch of the"
          + " training batch size normalized with its own statistics) in smallbatch.csv; for models"
          + " with BatchNorm also in eval mode after precise BN (running statistics recomputed"
          + " over --recalibrate-batches training batches with the final weights, as bnlab"
          + " recalibrate does).",
      "Defaults run in about 7 minutes on 2 cores: 5000 CIFAR-10 training images, 2000 test"
          + " images, 40000 samples (8 epochs) per configuration, seed 44; --samples 10000 gives a"
          + " 2-minute look in which GroupNorm and the plain net have barely started to learn.",
      "Each configuration keeps metrics and checkpoints in runs/<model>-bs<b>-<iid|kclass>-seed<s>/;"
          + " Ctrl-C stops at the next mini-batch and --resume continues.",
      "Example: bnlab study small-batch --out runs/smallbatch"
    })
final class SmallBatchCommand implements Callable<Integer> {
  /** The header of smallbatch.csv. */
  static final String HEADER = SmallBatchConfig.HEADER;

  @ParentCommand StudyCommand study;

  @Option(
      names = "--models",
      split = ",",
      description = "Models (default: ${DEFAULT-VALUE}; see 'bnlab models').",
      defaultValue = "net-bn,net-brn,net-gn,net")
  List<String> models;

  @Option(
      names = "--batch-sizes",
      split = ",",
      description = "Training batch sizes (default: ${DEFAULT-VALUE}).",
      defaultValue = "2,4,8,16,32,64")
  List<Integer> batchSizes;

  @Option(
      names = "--samples",
      description = "Training samples seen per configuration (default: ${DEFAULT-VALUE}).",
      defaultValue = "40000")
  long samples;

  @Option(
      names = "--lr",
      description =
          "SGD learning rate at batch size 32, scaled linearly (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.02")
  double lr;

  @Option(
      names = "--momentum",
      description = "SGD momentum (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.9")
  double momentum;

  @Option(
      names = "--classes-per-batch",
      description =
          "Classes per batch of the non-i.i.d. variant, 0 = no such variant (default:"
              + " ${DEFAULT-VALUE}).",
      defaultValue = "2")
  int classesPerBatch;

  @Option(
      names = "--seeds",
      split = ",",
      description = "Seeds (default: ${DEFAULT-VALUE}).",
      defaultValue = "44")
  List<Long> seeds;

  @Option(
      names = "--dataset",
      description = "cifar10 or fashion-mnist (default: ${DEFAULT-VALUE}).",
      defaultValue = "cifar10")
  String dataset;

  @Option(names = "--data", description = "Folder or archive with the data set.")
  Path data;

  @Option(
      names = "--subset",
      description = "Training images chosen at random (default: ${DEFAULT-VALUE}).",
      defaultValue = "5000")
  int subset;

  @Option(
      names = "--test-subset",
      description = "Test images chosen at random (default: ${DEFAULT-VALUE}).",
      defaultValue = "2000")
  int testSubset;

  @Option(names = "--out", description = "Run folder (default: runs/smallbatch-<timestamp>).")
  Path out;

  @Option(names = "--overwrite", description = "Replace the run already in --out.")
  boolean overwrite;

  @Option(names = "--resume", description = "Continue the interrupted study in --out.")
  boolean resume;

  @Option(
      names = "--parallel",
      description = "Configurations trained at the same time (default: ${DEFAULT-VALUE}).",
      defaultValue = "2")
  int parallel;

  @Option(names = "--no-report", description = "Do not render report.html at the end.")
  boolean noReport;

  @Option(
      names = "--recalibrate-batches",
      description =
          "Precise BN at the end of each BN run: running statistics recomputed over N training"
              + " batches with the final weights, then the eval-mode test accuracy"
              + " (test_accuracy_recalibrated); 0 = off (default: ${DEFAULT-VALUE}).",
      defaultValue = "200")
  int recalibrateBatches;

  @Option(
      names = "--recalibrate-batch-size",
      description =
          "Images per recalibration batch, 0 = the run's training batch size (default:"
              + " ${DEFAULT-VALUE}).",
      defaultValue = "0")
  int recalibrateBatchSize;

  @Override
  public Integer call() throws InterruptedException {
    SmallBatchConfig config =
        new SmallBatchConfig(
            models,
            batchSizes,
            samples,
            seeds,
            lr,
            momentum,
            classesPerBatch,
            recalibrateBatches,
            recalibrateBatchSize,
            new DataConfig(dataset, data == null ? null : data.toString(), subset, testSubset),
            parallel);
    if (parallel > 1) {
      // one kernel thread per configuration: the configurations are the parallel work
      bnlab.runtime.Compute.setThreads(1);
    }
    var console = study.main.out;
    GridListener lines =
        new GridListener() {
          @Override
          public void started(RunFolder folder, Datasets.Pair d, Grid grid) {
            console.printf(
                Locale.ROOT,
                "bnlab: small-batch study, %d configurations into %s%n",
                grid.cells().size(),
                folder.dir());
          }

          @Override
          public void finished(GridCell cell, RunResult r) {
            RunConfig c = cell.config();
            int cpb = c.batching().classesPerBatch();
            String what =
                String.format(
                    Locale.ROOT,
                    "bnlab: %-8s bs %2d %-7s seed %d: ",
                    c.model(),
                    c.batchSize(),
                    cpb == 0 ? "iid" : cpb + "-class",
                    c.seed());
            if (r.status().equals("interrupted")) {
              console.println(what + r.message() + "; --resume continues it");
              return;
            }
            boolean ok = r.ok();
            console.printf(
                Locale.ROOT,
                "%seval %.4f train-mode %.4f recalibrated %.4f (%d steps, %.0f s)%n",
                what,
                ok ? r.testAccuracy() : Double.NaN,
                ok ? r.measurement(RunConfig.TRAIN_MODE_ACCURACY) : Double.NaN,
                ok ? r.measurement("test_accuracy_recalibrated") : Double.NaN,
                r.steps(),
                r.wallSeconds());
          }
        };
    Session session =
        Session.of(RunOptions.out(out, "smallbatch"))
            .withMode(Session.mode(overwrite, resume))
            .withContext(RunContext.of(console).withConsole(RunContext.Console.QUIET))
            .withExecutor(GridExecutor.threads(parallel))
            .withListener(lines);
    Engine.Outcome r = Engine.run(config, session);
    if (!noReport) {
      ReportCommand.renderAfterRun(r.folder().dir(), console);
    }
    console.println("bnlab: study finished; results in " + r.folder().file("smallbatch.csv"));
    return 0;
  }
}
