package bnlab.spark;

import bnlab.experiment.RunFolder;
import bnlab.experiment.Session;
import bnlab.lab.Cluster;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.UUID;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;

/**
 * The driver's side of a run folder on shared storage ({@code --out hdfs://...} with {@code
 * --spark}): the engine, which writes with java.nio, works in a local staging folder. Resuming
 * copies the whole shared run down first (the configuration, every checkpoint and row to check and
 * continue from); a new run copies down only config.json and data-parallel.json, so that an
 * occupied folder is refused as locally. The executor calls {@link #begin} once the engine has
 * prepared the folder ({@code --overwrite} then deletes the old run's files on shared storage too)
 * and publishes summary.json and the grid's table after every finished run; the command refreshes
 * the staging copy with what the workers published, renders the report into it and publishes that
 * (report.html and plots/ end up in the shared folder).
 *
 * <p>The lock on the run folder ({@code bnlab.lock}) is taken on the staging folder only: two
 * drivers writing into one shared folder at once are not detected.
 */
final class Staged implements Cluster.SharedRun {
  private final Staging staging;
  private final Session.Mode mode;
  private boolean begun;

  Staged(String uri, Session.Mode mode) {
    this.mode = mode;
    SharedFolder shared = SharedFolder.at(uri, new SparkConf());
    String attempt =
        "driver-" + ManagementFactory.getRuntimeMXBean().getPid() + "-" + UUID.randomUUID();
    staging = Staging.temporary(shared, attempt);
    try {
      if (mode == Session.Mode.RESUME) {
        staging.pull("");
      } else {
        staging.pull(RunFolder.CONFIG);
        staging.pull(DataParallel.SETTINGS);
      }
    } catch (RuntimeException e) {
      staging.close();
      throw e;
    }
  }

  @Override
  public java.nio.file.Path local() {
    return staging.local();
  }

  @Override
  public String uri() {
    return staging.shared().uri();
  }

  SharedFolder shared() {
    return staging.shared();
  }

  /**
   * Called by the executor before the first task: the engine has checked and prepared the folder;
   * an overwrite deletes the old run's files on shared storage, then config.json and the rest of
   * what the driver wrote is published.
   */
  void begin() {
    if (!begun && mode == Session.Mode.OVERWRITE) {
      for (String name : RunFolder.owned()) {
        if (!Files.exists(local().resolve(name)) && shared().exists(name)) {
          shared().delete(name);
        }
      }
    }
    begun = true;
    publish();
  }

  @Override
  public void refresh() {
    staging.pull("");
  }

  @Override
  public void publish() {
    staging.push("");
  }

  @Override
  public void close() {
    staging.close();
  }

  /**
   * Where the workers publish: {@code shared}'s URI, or for a local run folder (or none given, as
   * in tests) {@code root} itself through Hadoop's local file system.
   */
  static SharedFolder store(Cluster.SharedRun shared, RunFolder root, SparkConf conf) {
    return shared instanceof Staged s
        ? s.shared()
        : SharedFolder.at(root.dir().toAbsolutePath().toUri().toString(), conf);
  }

  /** {@link #begin} for a staged run folder; nothing for a local one. */
  static void begin(Cluster.SharedRun shared) {
    if (shared instanceof Staged s) {
      s.begin();
    }
  }

  /** {@link #publish} for a staged run folder; nothing for a local one. */
  static void publish(Cluster.SharedRun shared) {
    if (shared != null) {
      shared.publish();
    }
  }

  /** A name unique to this task attempt (or, off Spark, to this call). */
  static String attempt() {
    TaskContext tc = TaskContext.get();
    String id = UUID.randomUUID().toString().substring(0, 8);
    return tc == null
        ? "local-" + id
        : "stage"
            + tc.stageId()
            + "."
            + tc.stageAttemptNumber()
            + "-task"
            + tc.taskAttemptId()
            + "-"
            + id;
  }
}
