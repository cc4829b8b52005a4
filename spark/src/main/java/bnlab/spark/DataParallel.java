package bnlab.spark;

import bnlab.experiment.GridCell;
import bnlab.experiment.GridExecutor;
import bnlab.experiment.ModelZoo;
import bnlab.experiment.RunFolder;
import bnlab.experiment.RunResult;
import bnlab.experiment.UserError;
import bnlab.lab.Cluster;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.Function1;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

/**
 * Synchronous data-parallel training on Spark: each cell, one after another, is a barrier stage of
 * K tasks ({@link ReplicaTask}), gang-scheduled so that all replicas run at once. The driver waits
 * for rank 0's result. When the stage fails (a replica died, was killed or hung past the timeout)
 * the driver starts it again, up to {@code attempts} times in all; every replica then continues
 * from the cell's last checkpoint, which rank 0 wrote, so the replicas cannot drift apart and the
 * run ends with the metrics an uninterrupted one has (the rows after the checkpoint are dropped and
 * written again).
 *
 * <p>A run folder remembers its K and SyncBN choice in {@code data-parallel.json}; resuming a
 * cell's checkpoint with another K or choice is refused, since the replicas' batch statistics, and
 * so the run, would change.
 */
final class DataParallel implements GridExecutor {
  static final String SETTINGS = "data-parallel.json";

  private final Settings s;
  private final Cluster.SharedRun shared;
  private final PrintStream out;

  /**
   * How to run.
   *
   * @param master Spark master
   * @param workers K replicas
   * @param syncBn SyncBatchNorm in place of BatchNorm
   * @param timeoutMillis a replica's patience with a silent peer
   * @param attempts stage runs per cell before the failure is final
   * @param replicaDir where ranks 1.. keep their folders (null: a temporary folder, deleted)
   * @param stopWhenDone stop the Spark context at the end
   * @param hooks extra listeners per rank and attempt (tests), or null
   */
  record Settings(
      String master,
      int workers,
      boolean syncBn,
      long timeoutMillis,
      int attempts,
      String replicaDir,
      boolean stopWhenDone,
      ReplicaTask.ReplicaHooks hooks)
      implements Serializable {}

  /**
   * Data-parallel training as {@code s} says, rank 0 publishing to {@code shared} (null: the run
   * folder itself, a path every executor sees).
   */
  DataParallel(Settings s, Cluster.SharedRun shared, PrintStream out) {
    this.s = s;
    this.shared = shared;
    this.out = out;
  }

  @Override
  public int parallelism() {
    return 1; // the cells' replicas are the parallel work
  }

  @Override
  public void execute(
      RunFolder root,
      List<GridCell> cells,
      Function<GridCell, RunResult> run,
      BiConsumer<GridCell, RunResult> done) {
    for (GridCell c : cells) {
      int b = c.config().batchSize();
      if (b % s.workers() != 0) {
        throw new UserError(
            "--batch-size "
                + b
                + " is the global batch and does not divide into "
                + s.workers()
                + " workers; use a multiple of "
                + s.workers());
      }
    }
    JavaSparkContext jsc = Spark.context(s.master());
    TaskFailures failures = new TaskFailures();
    jsc.sc().addSparkListener(failures);
    try {
      remember(root, cells);
      SharedFolder store = Staged.store(shared, root, jsc.getConf());
      Staged.begin(shared);
      boolean someSync = cells.stream().anyMatch(c -> ModelZoo.isSync(c.config().model()));
      out.printf(
          "bnlab: data parallel on %s: %d workers, batch %d per worker%s%n",
          jsc.master(),
          s.workers(),
          cells.isEmpty() ? 0 : cells.get(0).config().batchSize() / s.workers(),
          s.syncBn()
              ? ", SyncBatchNorm"
              : someSync
                  ? ", per-worker BatchNorm statistics (SyncBatchNorm for the +sync models)"
                  : ", per-worker BatchNorm statistics");
      for (GridCell c : cells) {
        done.accept(c, train(jsc, failures, store, c));
        Staged.publish(shared);
      }
    } finally {
      jsc.sc().removeSparkListener(failures);
      if (s.stopWhenDone()) {
        jsc.stop();
      }
    }
  }

  private RunResult train(
      JavaSparkContext jsc, TaskFailures failures, SharedFolder root, GridCell cell) {
    Path replicas;
    try {
      replicas =
          s.replicaDir() != null
              ? Path.of(s.replicaDir())
              : Files.createTempDirectory("bnlab-replicas");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      for (int attempt = 1; ; attempt++) {
        failures.clear();
        try {
          return stage(jsc, root, cell, replicas, attempt);
        } catch (Exception e) { // Spark's SparkException is checked, though undeclared
          UserError user = userError(e);
          if (user != null) {
            throw new UserError(user.getMessage()); // a mistake, not a fault: retrying won't help
          }
          String why = why(e, failures);
          if (attempt >= s.attempts()) {
            throw new IllegalStateException(
                cell.label() + ": data-parallel training failed: " + why, e);
          }
          out.println(
              "bnlab: ["
                  + cell.label()
                  + "] attempt "
                  + attempt
                  + " failed ("
                  + why
                  + "); starting the workers again from the last checkpoint");
          awaitIdle(jsc);
        }
      }
    } finally {
      if (s.replicaDir() == null) {
        try {
          ReplicaTask.delete(replicas);
        } catch (IOException e) {
          out.println("bnlab: could not delete " + replicas + ": " + e);
        }
      }
    }
  }

  private RunResult stage(
      JavaSparkContext jsc, SharedFolder root, GridCell cell, Path replicas, int attempt) {
    ReplicaTask task =
        new ReplicaTask(
            cell,
            root,
            s.syncBn(),
            s.timeoutMillis(),
            replicas.toAbsolutePath().toString(),
            s.replicaDir() != null,
            attempt,
            s.hooks());
    List<Integer> ranks = new ArrayList<>();
    for (int r = 0; r < s.workers(); r++) {
      ranks.add(r);
    }
    @SuppressWarnings("unchecked")
    Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<RunResult>> f =
        (Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<RunResult>>
                & Serializable)
            it -> CollectionConverters.asScala(task.run().iterator());
    RDD<RunResult> results =
        jsc.parallelize(ranks, s.workers())
            .rdd()
            .barrier()
            .mapPartitions(f, false, ClassTag$.MODULE$.apply(RunResult.class));
    List<RunResult> all = results.toJavaRDD().collect();
    if (all.size() != 1) {
      throw new IllegalStateException("expected rank 0's result, got " + all.size());
    }
    return all.get(0);
  }

  /**
   * Waits until the failed stage's tasks have ended: Spark reports a failed job while its other
   * tasks may still be running (they fail at their next collective), and rank 0 of the old stage
   * must not write into the run folder next to the new one.
   */
  private static void awaitIdle(JavaSparkContext jsc) {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline) {
      int running = 0;
      for (var e : jsc.sc().statusTracker().getExecutorInfos()) {
        running += e.numRunningTasks();
      }
      if (running == 0) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Writes, or checks against the folder's earlier runs, K and the SyncBN choice. */
  private void remember(RunFolder root, List<GridCell> cells) {
    String mine = "{\"workers\": " + s.workers() + ", \"sync_bn\": " + s.syncBn() + "}\n";
    Path file = root.file(SETTINGS);
    try {
      boolean resuming = false;
      for (GridCell c : cells) {
        resuming |=
            Files.exists(
                ReplicaTask.cellFolder(root, c).checkpoint(c.config().model(), c.config().seed()));
      }
      if (resuming && Files.exists(file) && !Files.readString(file).equals(mine)) {
        throw new UserError(
            "--resume: "
                + root.dir()
                + " was trained with "
                + Files.readString(file).strip()
                + "; resume it with the same --workers and --sync-bn");
      }
      if (resuming && !Files.exists(file)) {
        throw new UserError(
            "--resume: " + root.dir() + " was trained in one process; resume it without --spark");
      }
      Files.createDirectories(root.dir());
      Files.writeString(file, mine);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String why(Exception e, TaskFailures failures) {
    try {
      String task = failures.first(5000);
      return task != null ? task : rootMessage(e);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      return rootMessage(e);
    }
  }

  private static UserError userError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UserError u) {
        return u;
      }
    }
    return null;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    String best = String.valueOf(e.getMessage());
    while (t != null) {
      if (t instanceof TcpRing.ReplicaFailure || t.getCause() == null) {
        best = t.getClass().getSimpleName() + ": " + t.getMessage();
        if (t instanceof TcpRing.ReplicaFailure) {
          return t.getMessage();
        }
      }
      t = t.getCause();
    }
    String first = best.lines().findFirst().orElse(best);
    return first;
  }
}
