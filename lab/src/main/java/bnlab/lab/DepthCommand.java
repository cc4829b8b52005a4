package bnlab.lab;

import bnlab.experiment.Augmentation;
import bnlab.experiment.DataConfig;
import bnlab.experiment.DepthConfig;
import bnlab.experiment.Engine;
import bnlab.experiment.GridCell;
import bnlab.experiment.GridExecutor;
import bnlab.experiment.GridListener;
import bnlab.experiment.LrSchedule;
import bnlab.experiment.RunContext;
import bnlab.experiment.RunResult;
import bnlab.experiment.UserError;
import bnlab.runtime.Compute;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** bnlab study depth: ResNet-20/56 with and without BN (see {@link DepthConfig}). */
@Command(
    name = "depth",
    mixinStandardHelpOptions = true,
    description = {
      "What BN does for depth: ResNet-20 and ResNet-56 on a CIFAR-10 subset with BN (bn), without"
          + " BN (nobn), without BN at a smaller learning rate (nobn-small-lr) and with BN and each"
          + " block's last gamma set to 0 (zero-gamma), with the same seeds and samples. Records"
          + " training loss, per-layer gradient norms at initialization and during training, test"
          + " accuracy and divergence (depth.csv, runs/*/).",
      "Defaults: 5000 training and 1000 test images, 6400 samples (100 steps of 64) per run,"
          + " SGD lr 0.1 (0.01 for nobn-small-lr), momentum 0.9, weight decay 1e-4, no schedule,"
          + " no augmentation, gradient norms every 10 steps, divergence at 10x the first loss;"
          + " 82 minutes measured on 2 cores shared with other work (load 13-19; ResNet-56 takes"
          + " three quarters of it).",
      "--full-schedule runs He et al.'s training instead (the whole training set, 64k steps of"
          + " 128, lr 0.1 divided by 10 at 32k and 48k steps, crop+flip; variant bn unless"
          + " --variants): days on a CPU; --samples cuts it short (the schedule's steps stay where"
          + " they are).",
      "Example: bnlab study depth --out runs/depth"
    })
final class DepthCommand implements Callable<Integer> {
  @ParentCommand StudyCommand study;

  @Mixin StudyOptions o;

  @Option(
      names = "--depths",
      split = ",",
      description = "ResNet depths, 20 and/or 56 (default: ${DEFAULT-VALUE}).",
      defaultValue = "20,56")
  List<Integer> depths;

  @Option(
      names = "--variants",
      split = ",",
      description = "bn, nobn, nobn-small-lr, zero-gamma (default: all; bn with --full-schedule).")
  List<String> variants;

  @Option(names = "--samples", description = "Training samples per run (default: 6400).")
  Long samples;

  @Option(
      names = "--batch-size",
      description = "Mini-batch size (default: 64; 128 with --full-schedule).")
  Integer batchSize;

  @Option(
      names = "--lr",
      description = "SGD learning rate (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.1")
  double lr;

  @Option(
      names = "--small-lr",
      description = "The nobn-small-lr variant's learning rate (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.01")
  double smallLr;

  @Option(
      names = "--momentum",
      description = "SGD momentum (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.9")
  double momentum;

  @Option(
      names = "--weight-decay",
      description = "SGD weight decay (default: ${DEFAULT-VALUE}).",
      defaultValue = "1e-4")
  double weightDecay;

  @Option(
      names = "--lr-milestones",
      split = ",",
      description =
          "Steps after which the learning rate is multiplied by --lr-gamma (default: none).")
  List<Long> milestones;

  @Option(
      names = "--lr-gamma",
      description = "The schedule's factor (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.1")
  double gamma;

  @Option(names = "--augment", description = "Random 32x32 crops of 4-padded images and flips.")
  boolean augment;

  @Option(
      names = "--probe-every",
      description = "Gradient norms every N steps and at step 1, 0 = off (default: 10).")
  Integer probeEvery;

  @Option(names = "--log-every", description = "A metrics.csv row every N steps (default: 2).")
  Integer logEvery;

  @Option(
      names = "--diverge-factor",
      description =
          "Stop a run whose loss exceeds this factor times its first loss (default: 10; 0 ="
              + " NaN/Inf only).")
  Double divergeFactor;

  @Option(
      names = "--dataset",
      description = "cifar10 (default: ${DEFAULT-VALUE}).",
      defaultValue = "cifar10")
  String dataset;

  @Option(
      names = "--subset",
      description = "Training images (default: 5000; all with --full-schedule).")
  Integer subset;

  @Option(
      names = "--test-subset",
      description = "Test images (default: 1000; all with --full-schedule).")
  Integer testSubset;

  @Option(
      names = "--parallel",
      description = "Runs trained at the same time, one kernel thread each (default: 1).",
      defaultValue = "1")
  int parallel;

  @Option(
      names = "--full-schedule",
      description = "He et al.'s training: all data, 64k steps of 128, lr steps, crop+flip.")
  boolean full;

  @Override
  public Integer call() throws InterruptedException {
    DepthConfig config = full ? fullConfig() : subsetConfig();
    if (parallel > 1) {
      Compute.setThreads(1); // the runs are the parallel work
    }
    var out = study.main.out;
    GridListener lines =
        new GridListener() {
          @Override
          public void finished(GridCell cell, RunResult r) {
            out.printf(
                Locale.ROOT,
                "bnlab: %-22s %-11s %5d steps, final train loss %s, test accuracy %s (%.0f s)%n",
                cell.label(),
                r.status(),
                r.steps(),
                Double.isFinite(r.finalTrainLoss())
                    ? String.format(Locale.ROOT, "%.3f", r.finalTrainLoss())
                    : "n/a",
                Double.isFinite(r.testAccuracy())
                    ? String.format(Locale.ROOT, "%.2f%%", 100 * r.testAccuracy())
                    : "n/a",
                r.wallSeconds());
          }
        };
    Engine.Outcome r =
        o.run(
            config, "depth", out, RunContext.Console.QUIET, GridExecutor.threads(parallel), lines);
    out.println("bnlab: study finished; results in " + r.folder().file("depth.csv"));
    return r.results().stream().allMatch(x -> !x.status().equals("interrupted")) ? 0 : 1;
  }

  private DepthConfig subsetConfig() {
    long b = batchSize == null ? 64 : batchSize;
    return new DepthConfig(
        depths,
        variants == null ? DepthConfig.VARIANTS : variants,
        o.seeds,
        samples == null ? 100 * b : samples,
        (int) b,
        lr,
        smallLr,
        momentum,
        weightDecay,
        milestones == null ? null : new LrSchedule(milestones, gamma),
        augment ? Augmentation.CROP_FLIP : null,
        probeEvery == null ? 10 : probeEvery,
        logEvery == null ? 2 : logEvery,
        divergeFactor == null ? 10 : divergeFactor,
        o.data(dataset, subset == null ? 5000 : subset, testSubset == null ? 1000 : testSubset),
        parallel);
  }

  private DepthConfig fullConfig() {
    if (batchSize != null || milestones != null || augment) {
      throw new UserError(
          "--full-schedule sets the batch size, the learning-rate steps and the augmentation"
              + " itself; leave out --batch-size, --lr-milestones and --augment");
    }
    DataConfig data = o.data(dataset, subset, testSubset);
    DepthConfig paper =
        DepthConfig.fullSchedule(
            depths, variants == null ? List.of("bn") : variants, o.seeds, data, parallel);
    return new DepthConfig(
        paper.depths(),
        paper.variants(),
        paper.seeds(),
        samples == null ? paper.samples() : samples,
        paper.batchSize(),
        lr,
        smallLr,
        momentum,
        weightDecay,
        paper.lrSchedule(),
        paper.augmentation(),
        probeEvery == null ? paper.probeEvery() : probeEvery,
        logEvery == null ? paper.logEvery() : logEvery,
        divergeFactor == null ? paper.divergeFactor() : divergeFactor,
        data,
        parallel);
  }
}
