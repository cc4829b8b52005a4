package bnlab.lab;

import bnlab.experiment.DataConfig;
import bnlab.experiment.GridExecutor;
import bnlab.experiment.ModelZoo;
import bnlab.experiment.RunContext;
import bnlab.experiment.Session;
import bnlab.experiment.TrainingOptions;
import bnlab.experiment.UserError;
import bnlab.runtime.Compute;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Options shared by compare, train and sweep (picocli parses them into these fields; {@link
 * #options} turns them into the experiment API's {@link TrainingOptions}); defaults reproduce the
 * article's experiment.
 */
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

  @Option(
      names = "--out",
      description =
          "Run folder (default: runs/<command>-<timestamp>); with --spark also a Hadoop URI"
              + " (hdfs://, s3a://, file:///).")
  String out;

  @Option(names = "--overwrite", description = "Replace the run already in --out.")
  boolean overwrite;

  @Option(names = "--resume", description = "Continue the interrupted run in --out.")
  boolean resume;

  @Option(
      names = "--threads",
      description =
          "Kernel threads (default: all cores); more than the available processors are capped.")
  Integer threads;

  @Option(
      names = "--drop-last",
      description =
          "Drop the last, smaller mini-batch of every epoch (PyTorch's drop_last). Without it, only"
              + " a model that cannot train on one sample (BatchNorm) skips a last batch of one.")
  boolean dropLast;

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

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

  @Option(
      names = "--spark",
      paramLabel = "MASTER",
      description =
          "Run on Apache Spark: local[N], spark://host:7077, yarn, ... (bin/bnlab adds Spark's jars).")
  String spark;

  @Option(
      names = "--workers",
      description =
          "With --spark (train, compare): data-parallel replicas; --batch-size is global.")
  Integer workers;

  @Option(
      names = "--sync-bn",
      description = "With --workers: SyncBatchNorm (statistics of the global batch) for BatchNorm.")
  boolean syncBn;

  @Option(names = "--no-progress", description = "No progress bar.")
  boolean noProgress;

  @Option(names = "--no-report", description = "Do not render report.html at the end.")
  boolean noReport;

  /**
   * The shared options as the experiment API's record (it checks them: a bad value is a {@link
   * UserError} naming it); {@code --threads} is applied to this process, capped at the available
   * processors with a notice (more kernel threads than processors only wait for each other, and the
   * thread count never changes a result).
   */
  TrainingOptions options(boolean asPublished) {
    // executors on a cluster start elsewhere: they need the data's absolute path
    Path where = data == null ? null : spark != null ? data.toAbsolutePath() : data;
    DataConfig d =
        new DataConfig(dataset, where == null ? null : where.toString(), subset, testSubset);
    int cpus = Compute.availableProcessors();
    if (threads != null && threads > cpus) {
      notice("--threads " + threads + " capped at the " + cpus + " available processors");
      threads = cpus;
    }
    TrainingOptions t =
        new TrainingOptions(
            epochs,
            batchSize,
            lr,
            optimizer,
            d,
            asPublished,
            logEvery,
            probeEvery,
            probeEtas,
            threads,
            dropLast);
    if (threads != null) {
      System.setProperty("bnlab.threads", Integer.toString(threads));
      Compute.setThreads(threads);
    }
    return t;
  }

  private void notice(String line) {
    if (spec != null) {
      spec.commandLine().getErr().println("bnlab: " + line);
    }
  }

  /**
   * The run folder of {@code command}: --out (or runs/&lt;command&gt;-&lt;time&gt;), staged locally
   * by the cluster when --out is a Hadoop URI (only with --spark). Refuses a URI without --spark,
   * and resuming without --spark a folder trained data parallel.
   */
  Cluster.SharedRun folder(String command, PrintStream console) {
    Session.Mode mode = Session.mode(overwrite, resume);
    if (out != null && isUri(out)) {
      if (spark == null) {
        throw new UserError(
            "--out "
                + out
                + " is a Hadoop URI, which only Spark's workers write to; add --spark MASTER (e.g."
                + " --spark local[2]) or give a local folder");
      }
      return cluster().stage(out, mode, console);
    }
    Path dir = out(out == null ? null : Path.of(out), command);
    if (spark == null && mode == Session.Mode.RESUME) {
      DataParallelRecord.refuseWithoutSpark(dir);
    }
    return new LocalRun(dir);
  }

  /** How to name the run folder whose local copy is {@code dir}: the URI, if --out is one. */
  String shown(Path dir) {
    return out != null && isUri(out) ? out : dir.toString();
  }

  /** Whether {@code out} names a URI ({@code scheme:/...}) rather than a local path. */
  static boolean isUri(String out) {
    return out.matches("[A-Za-z][A-Za-z0-9+.-]+:/.*");
  }

  /** A local run folder: the engine, the workers and the report all use it directly. */
  private record LocalRun(Path local) implements Cluster.SharedRun {
    @Override
    public String uri() {
      return local.toString();
    }

    @Override
    public void refresh() {}

    @Override
    public void publish() {}

    @Override
    public void close() {}
  }

  /**
   * The session of a run into {@code folder}: --resume, --overwrite; a progress bar unless
   * --no-progress or the cells share the console.
   */
  Session session(Cluster.SharedRun folder, PrintStream out, RunContext.Console console) {
    boolean bar = !noProgress && console == RunContext.Console.ARTICLE;
    RunContext ctx = RunContext.of(out).withConsole(console).withProgressBar(bar);
    return Session.of(folder.local()).withMode(Session.mode(overwrite, resume)).withContext(ctx);
  }

  /**
   * The executor of {@code command}: {@code local}, or the cluster's for {@code --spark}; refuses
   * combinations it cannot run in one line each.
   */
  GridExecutor executor(
      String command,
      List<String> models,
      GridExecutor local,
      Cluster.SharedRun folder,
      PrintStream out) {
    boolean sweep = command.equals("sweep");
    for (String m : models) {
      if (ModelZoo.isSync(m) && (spark == null || sweep)) {
        ModelZoo.get(m); // a +sync model without BatchNorm is the first thing to fix
        throw new UserError(
            m
                + " is "
                + ModelZoo.unsync(m)
                + " with SyncBatchNorm across data-parallel workers: it needs train or compare"
                + " with --spark MASTER --workers K");
      }
    }
    if (spark == null) {
      if (workers != null || syncBn) {
        throw new UserError(
            (workers != null ? "--workers" : "--sync-bn")
                + " needs --spark MASTER (e.g. local[2])");
      }
      return local;
    }
    if (sweep) {
      if (workers != null || syncBn) {
        throw new UserError(
            "sweep --spark runs each run as one task; --workers and --sync-bn are for train and"
                + " compare");
      }
      return cluster().cells(spark, folder, out);
    }
    int k = workers == null ? 1 : workers;
    if (k < 1) {
      throw new UserError("--workers must be at least 1, got " + k);
    }
    if (batchSize % k != 0) {
      throw new UserError(
          "--batch-size "
              + batchSize
              + " is the global batch and does not divide into "
              + k
              + " workers; use a multiple of "
              + k);
    }
    return cluster().dataParallel(spark, k, syncBn, folder, out);
  }

  private static Cluster cluster() {
    return ServiceLoader.load(Cluster.class)
        .findFirst()
        .orElseThrow(
            () ->
                new UserError(
                    "--spark: the spark module is not on the class path; run through bin/bnlab,"
                        + " which adds it"));
  }

  /** {@code out}, or runs/&lt;command&gt;-&lt;yyyyMMdd-HHmmss&gt; when it is null. */
  static Path out(Path out, String command) {
    if (out != null) {
      return out;
    }
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    return Path.of("runs", command + "-" + stamp);
  }
}
