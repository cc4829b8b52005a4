package bnlab.spark;

import bnlab.experiment.GridExecutor;
import bnlab.experiment.Session;
import bnlab.lab.Cluster;
import java.io.PrintStream;

/**
 * bnlab's {@code --spark MASTER}: the {@link Cluster} the command line finds with {@link
 * java.util.ServiceLoader} when this module is on the class path. Sweeps run one task per cell
 * ({@link SparkCells}); train and compare run each cell on K replicas in a barrier stage ({@link
 * DataParallel}).
 */
public final class SparkCluster implements Cluster {
  /** A replica waits this long for a silent peer before it fails the stage (ms). */
  static final long PEER_TIMEOUT_MILLIS = 120_000;

  /** Runs of a data-parallel stage before a failure is final. */
  static final int ATTEMPTS = 3;

  /** For {@link java.util.ServiceLoader}. */
  public SparkCluster() {}

  @Override
  public SharedRun stage(String uri, Session.Mode mode, PrintStream out) {
    return new Staged(uri, mode);
  }

  @Override
  public GridExecutor cells(String master, SharedRun shared, PrintStream out) {
    return new SparkCells(master, true, shared, out);
  }

  @Override
  public GridExecutor dataParallel(
      String master, int workers, boolean syncBn, SharedRun shared, PrintStream out) {
    return new DataParallel(
        new DataParallel.Settings(
            master, workers, syncBn, PEER_TIMEOUT_MILLIS, ATTEMPTS, null, true, null),
        shared,
        out);
  }
}
