package bnlab.lab;

import bnlab.experiment.Engine;
import bnlab.experiment.GridExecutor;
import bnlab.experiment.GridListener;
import bnlab.experiment.IoffeFig1Config;
import bnlab.experiment.RunContext;
import bnlab.experiment.RunResult;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** bnlab study ioffe-fig1: Ioffe &amp; Szegedy 2015, Figure 1 (see {@link IoffeFig1Config}). */
@Command(
    name = "ioffe-fig1",
    mixinStandardHelpOptions = true,
    description = {
      "Ioffe & Szegedy 2015, Figure 1: an MLP with 3 hidden layers of 100 sigmoid units, with and"
          + " without BatchNorm, trained with SGD on mini-batches of 60. Records the test accuracy"
          + " against the training steps and the 15th, 50th and 85th percentiles of the input to"
          + " each sigmoid of the last hidden layer (probes/ioffe-*.csv); the report sets both"
          + " plots and the paper's findings against this run's.",
      "The paper trains 50,000 steps on MNIST; the default here is 10,000 steps on Fashion-MNIST"
          + " (about 3 minutes on 2 cores); --steps 50000 runs the paper's length (about 15"
          + " minutes). MNIST's IDX files work through --data.",
      "Example: bnlab study ioffe-fig1 --out runs/ioffe-fig1"
    })
final class IoffeFig1Command implements Callable<Integer> {
  @ParentCommand StudyCommand study;

  @Mixin StudyOptions o;

  @Option(
      names = "--models",
      split = ",",
      description = "Models (default: ${DEFAULT-VALUE}).",
      defaultValue = "mlp-sigmoid,mlp-bn-sigmoid")
  List<String> models;

  @Option(
      names = "--steps",
      description = "Training steps per model; the paper's is 50000 (default: ${DEFAULT-VALUE}).",
      defaultValue = "10000")
  long steps;

  @Option(
      names = "--batch-size",
      description = "Mini-batch size, the paper's 60 (default: ${DEFAULT-VALUE}).",
      defaultValue = "60")
  int batchSize;

  @Option(
      names = "--lr",
      description = "SGD learning rate; the paper gives none (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.1")
  double lr;

  @Option(
      names = "--momentum",
      description = "SGD momentum (default: ${DEFAULT-VALUE}, plain SGD).",
      defaultValue = "0")
  double momentum;

  @Option(
      names = "--eval-every",
      description =
          "Test accuracy and sigmoid-input percentiles every N steps (default: ${DEFAULT-VALUE}).",
      defaultValue = "100")
  int evalEvery;

  @Option(
      names = "--probe-images",
      description = "Percentiles over the first N test images (default: ${DEFAULT-VALUE}).",
      defaultValue = "1000")
  int probeImages;

  @Option(
      names = "--unit",
      description =
          "The unit of the last hidden layer the report plots; all are recorded (default:"
              + " ${DEFAULT-VALUE}).",
      defaultValue = "0")
  int unit;

  @Option(
      names = "--dataset",
      description = "fashion-mnist or cifar10 (default: ${DEFAULT-VALUE}).",
      defaultValue = "fashion-mnist")
  String dataset;

  @Option(names = "--subset", description = "Train on N training images chosen at random.")
  Integer subset;

  @Option(names = "--test-subset", description = "Test on N test images chosen at random.")
  Integer testSubset;

  @Override
  public Integer call() throws InterruptedException {
    IoffeFig1Config config =
        new IoffeFig1Config(
            models,
            o.seeds,
            steps,
            batchSize,
            lr,
            momentum,
            evalEvery,
            probeImages,
            unit,
            o.data(dataset, subset, testSubset));
    var out = study.main.out;
    Engine.Outcome r =
        o.run(
            config,
            "ioffe-fig1",
            out,
            RunContext.Console.ARTICLE,
            GridExecutor.sequential(),
            new GridListener() {});
    out.println("bnlab: results in " + r.folder().dir());
    for (RunResult x : r.results()) {
      out.printf(
          Locale.ROOT,
          "  %-16s seed %-6d %-11s test accuracy %s after %d steps%n",
          x.model(),
          x.seed(),
          x.status(),
          Double.isFinite(x.testAccuracy())
              ? String.format(Locale.ROOT, "%.2f%%", 100 * x.testAccuracy())
              : "n/a",
          x.steps());
    }
    return r.results().stream().allMatch(RunResult::ok) ? 0 : 1;
  }
}
