package bnlab.lab;

import bnlab.nn.Module;
import bnlab.train.CsvFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * bnlab study small-batch: test accuracy against the training batch size for BN and the
 * alternatives, in eval and in train mode, with i.i.d. and class-clustered batches
 * (smallbatch.csv).
 */
@Command(
    name = "small-batch",
    mixinStandardHelpOptions = true,
    description = {
      "Trains each model at each batch size on the same number of samples (SGD with momentum,"
          + " learning rate scaled linearly with the batch size, as Wu & He 2018), with i.i.d."
          + " batches and with class-clustered batches of few classes, and records the test"
          + " accuracy in eval mode (running statistics) and in train mode (each test batch of the"
          + " training batch size normalized with its own statistics) in smallbatch.csv.",
      "Defaults run in about 7 minutes on 2 cores: 5000 CIFAR-10 training images, 2000 test"
          + " images, 40000 samples (8 epochs) per configuration, seed 44; --samples 10000 gives a"
          + " 2-minute look in which GroupNorm and the plain net have barely started to learn.",
      "Example: bnlab study small-batch --out runs/smallbatch"
    })
final class SmallBatchCommand implements Callable<Integer> {
  static final String HEADER =
      "model,norm,batch_size,seed,iid,test_accuracy_eval,test_accuracy_train_mode";

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

  @Option(
      names = "--parallel",
      description = "Configurations trained at the same time (default: ${DEFAULT-VALUE}).",
      defaultValue = "2")
  int parallel;

  @Option(names = "--no-report", description = "Do not render report.html at the end.")
  boolean noReport;

  @Override
  public Integer call() throws InterruptedException {
    validate();
    if (parallel > 1) {
      // one kernel thread per configuration: the configurations are the parallel work
      bnlab.runtime.Compute.setThreads(1);
    }
    Datasets.Pair pair = Datasets.open(dataset, data, subset, testSubset);
    RunFolder root = new RunFolder(out != null ? out : defaultOut());
    Map<String, Object> config = config();
    config.put("data_source", pair.source());
    config.put("environment", Environment.describe());
    root.prepare(config, overwrite, false);
    RunFolder.dropRows(root.file("smallbatch.csv"), r -> true);
    List<Callable<Void>> jobs = new ArrayList<>();
    try (CsvFile csv = new CsvFile(root.file("smallbatch.csv"), HEADER)) {
      for (long seed : seeds) {
        for (int cpb : classesPerBatch > 0 ? List.of(0, classesPerBatch) : List.of(0)) {
          for (int bs : batchSizes) {
            for (String m : models) {
              jobs.add(() -> runOne(pair, csv, m, bs, cpb, seed));
            }
          }
        }
      }
      study.main.out.printf(
          Locale.ROOT,
          "bnlab: small-batch study, %d configurations into %s%n",
          jobs.size(),
          root.dir());
      runAll(jobs);
    }
    if (!noReport) {
      ReportCommand.renderAfterRun(root.dir(), study.main.out);
    }
    study.main.out.println("bnlab: study finished; results in " + root.file("smallbatch.csv"));
    return 0;
  }

  private void validate() {
    RunOptions.positive("--parallel", parallel);
    RunOptions.positive("--subset", subset);
    RunOptions.positive("--test-subset", testSubset);
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new UserError("--lr must be a positive number, got " + lr);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new UserError("--momentum must be in [0, 1), got " + momentum);
    }
    if (classesPerBatch < 0) {
      throw new UserError(
          "--classes-per-batch must be 0 (off) or positive, got " + classesPerBatch);
    }
    if (seeds.isEmpty() || batchSizes.isEmpty() || models.isEmpty()) {
      throw new UserError("--seeds, --batch-sizes and --models need at least one value each");
    }
    for (int b : batchSizes) {
      if (b < 2) {
        throw new UserError("--batch-sizes must be at least 2 (BatchNorm needs two samples)");
      }
      if ((long) b > subset) {
        throw new UserError("--batch-sizes: " + b + " is larger than --subset " + subset);
      }
      if (samples < b) {
        throw new UserError("--samples " + samples + " is smaller than batch size " + b);
      }
    }
    models.forEach(ModelZoo::get);
  }

  private Map<String, Object> config() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("command", "study small-batch");
    c.put("models", models);
    c.put("batch_sizes", batchSizes);
    c.put("samples", samples);
    c.put("seeds", seeds);
    c.put("optimizer", "sgd");
    c.put("lr_at_batch_32", lr);
    c.put("lr_rule", "lr * batch_size / 32");
    c.put("momentum", momentum);
    c.put("classes_per_batch", classesPerBatch);
    c.put("dataset", dataset);
    c.put("data", data == null ? null : data.toString());
    c.put("subset", subset);
    c.put("subset_seed", Datasets.SUBSET_SEED);
    c.put("test_subset", testSubset);
    c.put("train_mode_test_batches", "the training batch size, full batches only");
    c.put("transform", "ToTensor");
    c.put("parallel", parallel);
    return c;
  }

  private static Path defaultOut() {
    String stamp =
        java.time.LocalDateTime.now()
            .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    return Path.of("runs", "smallbatch-" + stamp);
  }

  private void runAll(List<Callable<Void>> jobs) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    try {
      for (Future<Void> f : pool.invokeAll(jobs)) {
        f.get();
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private Void runOne(Datasets.Pair pair, CsvFile csv, String m, int bs, int cpb, long seed) {
    ModelZoo.Entry e = ModelZoo.get(m);
    Module model =
        e.factory().build(Datasets.itemShape(pair.train()), pair.train().classes().size(), seed);
    double scaled = lr * bs / 32.0;
    SmallBatchRun.Result r =
        new SmallBatchRun(pair, bs, cpb, seed).run(model, scaled, momentum, samples);
    csv.row(m, e.norm(), bs, seed, cpb == 0, r.evalAccuracy(), r.trainModeAccuracy());
    study.main.out.printf(
        Locale.ROOT,
        "bnlab: %-8s bs %2d %-7s seed %d: eval %.4f train-mode %.4f (%d steps, %.0f s)%n",
        m,
        bs,
        cpb == 0 ? "iid" : cpb + "-class",
        seed,
        r.evalAccuracy(),
        r.trainModeAccuracy(),
        r.steps(),
        r.seconds());
    return null;
  }
}
