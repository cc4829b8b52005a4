package bnlab.lab;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options shared by compare, train and sweep; defaults reproduce the article's experiment. */
final class RunOptions {
  @Option(
      names = "--epochs",
      description = "Epochs per run (default: ${DEFAULT-VALUE}).",
      defaultValue = "5")
  int epochs;

  @Option(
      names = "--batch-size",
      description = "Mini-batch size (default: ${DEFAULT-VALUE}).",
      defaultValue = "10")
  int batchSize;

  @Option(
      names = "--lr",
      description = "Learning rate (default: ${DEFAULT-VALUE}).",
      defaultValue = "1e-4")
  double lr;

  @Option(
      names = "--optimizer",
      description = "adam, sgd or adamw (default: ${DEFAULT-VALUE}).",
      defaultValue = "adam")
  String optimizer;

  @Option(
      names = "--seeds",
      split = ",",
      description = "Seeds, comma separated; each seed fixes init and data order (default: 44).",
      defaultValue = "44")
  List<Long> seeds = new ArrayList<>();

  @Option(
      names = "--dataset",
      description = "cifar10 or fashion-mnist (default: ${DEFAULT-VALUE}).",
      defaultValue = "cifar10")
  String dataset;

  @Option(names = "--data", description = "Folder or archive with the data set.")
  Path data;

  @Option(
      names = "--subset",
      description = "Train on N training images chosen at random (the same N for every run).")
  Integer subset;

  @Option(
      names = "--test-subset",
      description = "Evaluate on N test images chosen at random (default: the whole test set).")
  Integer testSubset;

  @Option(names = "--out", description = "Run folder (default: runs/<command>-<timestamp>).")
  Path out;

  @Option(names = "--overwrite", description = "Replace the run already in --out.")
  boolean overwrite;

  @Option(names = "--resume", description = "Continue the interrupted run in --out.")
  boolean resume;

  @Option(names = "--threads", description = "Kernel threads (default: all cores).")
  Integer threads;

  @Option(
      names = "--log-every",
      description = "Log the mean loss every N mini-batches (default: ${DEFAULT-VALUE}).",
      defaultValue = "500")
  int logEvery;

  @Option(
      names = "--probe-every",
      description = "Record probes every N steps, 0 = off (default: ${DEFAULT-VALUE}).",
      defaultValue = "500")
  int probeEvery;

  @Option(
      names = "--probe-etas",
      split = ",",
      description = "Step sizes of the loss-landscape probe (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.001,0.01,0.05,0.1,0.2,0.4")
  List<Double> probeEtas = new ArrayList<>();

  @Option(names = "--no-progress", description = "No progress bar.")
  boolean noProgress;

  @Option(names = "--no-report", description = "Do not render report.html at the end.")
  boolean noReport;

  /** Checks the values; throws a {@link UserError} naming the first bad one. */
  void validate() {
    positive("--epochs", epochs);
    positive("--batch-size", batchSize);
    positive("--log-every", logEvery);
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new UserError("--lr must be a positive number, got " + lr);
    }
    if (probeEvery < 0) {
      throw new UserError("--probe-every must be 0 (off) or positive, got " + probeEvery);
    }
    if (threads != null) {
      positive("--threads", threads);
      System.setProperty("bnlab.threads", Integer.toString(threads));
      bnlab.runtime.Compute.setThreads(threads);
    }
    if (seeds.isEmpty()) {
      throw new UserError("--seeds needs at least one seed");
    }
    Optimizers.check(optimizer);
  }

  static void positive(String name, int value) {
    if (value < 1) {
      throw new UserError(name + " must be at least 1, got " + value);
    }
  }

  Path outOrDefault(String command) {
    if (out != null) {
      return out;
    }
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    return Path.of("runs", command + "-" + stamp);
  }

  Settings settings(boolean asPublished, double divergeFactor) {
    double[] etas = probeEtas.stream().mapToDouble(Double::doubleValue).toArray();
    return new Settings(
        optimizer, logEvery, probeEvery, etas, asPublished, !noProgress, divergeFactor, resume);
  }

  /** The configuration shared by every command, in config.json's key order. */
  Map<String, Object> config(String command, List<String> models, boolean asPublished) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("command", command);
    c.put("models", models);
    c.put("seeds", seeds);
    c.put("epochs", epochs);
    c.put("batch_size", batchSize);
    c.put("lr", lr);
    c.put("optimizer", optimizer);
    c.put("dataset", dataset);
    c.put("data", data == null ? null : data.toString());
    c.put("subset", subset);
    c.put("subset_seed", subset == null ? null : Datasets.SUBSET_SEED);
    c.put("test_subset", testSubset);
    c.put("as_published", asPublished);
    c.put("log_every", logEvery);
    c.put("probe_every", probeEvery);
    c.put("probe_etas", probeEtas);
    c.put("transform", "ToTensor");
    c.put("threads", threads);
    return c;
  }
}
