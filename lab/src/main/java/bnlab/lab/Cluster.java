package bnlab.lab;

import bnlab.experiment.GridExecutor;
import bnlab.experiment.Session;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * A cluster the command line can run on ({@code --spark MASTER}), found with {@link
 * java.util.ServiceLoader}: the spark module implements it, and {@code bin/bnlab} puts that module
 * and Spark's jars on the class path only when {@code --spark} is given, so the lab has no
 * compile-time dependency on Spark.
 */
public interface Cluster {
  /**
   * A run folder as the driver sees it: {@link #local()} is the folder the engine writes with
   * java.nio; for a run folder on shared storage (a Hadoop URI) it is a local staging copy, which
   * {@link #refresh()} brings up to date with what the workers published and {@link #publish()}
   * copies back. For a local {@code --out} the two are the same folder and both calls do nothing.
   */
  interface SharedRun extends AutoCloseable {
    /** The folder the engine and the report write. */
    Path local();

    /** Where the run folder is, as the user named it ({@code --out}). */
    String uri();

    /** Copies what the workers published on shared storage into {@link #local()}. */
    void refresh();

    /**
     * Copies the files the driver wrote or changed since the last refresh or publish to shared
     * storage; the first publish of an {@code --overwrite} also deletes the old run's files there.
     */
    void publish();

    /** Deletes the staging copy (never the shared folder). */
    @Override
    void close();
  }

  /**
   * The run folder {@code uri} (a Hadoop URI: {@code hdfs://}, {@code s3a://}, {@code file:///},
   * any scheme with a registered FileSystem) staged in a local folder for a run in {@code mode}:
   * resuming copies the whole run down first; otherwise only what tells whether a run is there.
   */
  SharedRun stage(String uri, Session.Mode mode, PrintStream out);

  /**
   * An executor that runs each cell of a grid whose cells have folders of their own as one task on
   * {@code master} ({@code bnlab sweep --spark MASTER}), publishing the cells' folders to {@code
   * shared}.
   */
  GridExecutor cells(String master, SharedRun shared, PrintStream out);

  /**
   * An executor that trains each cell, one after another, on {@code workers} replicas of {@code
   * master} in synchronous data parallel ({@code bnlab train|compare --spark MASTER --workers K}),
   * with {@link bnlab.nn.SyncBatchNorm} in place of BatchNorm when {@code syncBn} (or for a model
   * spelled {@code <model>+sync}); rank 0 publishes to {@code shared}.
   */
  GridExecutor dataParallel(
      String master, int workers, boolean syncBn, SharedRun shared, PrintStream out);
}
