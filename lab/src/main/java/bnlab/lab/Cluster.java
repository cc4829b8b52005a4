package bnlab.lab;

import bnlab.experiment.GridExecutor;
import java.io.PrintStream;

/**
 * A cluster the command line can run on ({@code --spark MASTER}), found with {@link
 * java.util.ServiceLoader}: the spark module implements it, and {@code bin/bnlab} puts that module
 * and Spark's jars on the class path only when {@code --spark} is given, so the lab has no
 * compile-time dependency on Spark.
 */
public interface Cluster {
  /**
   * An executor that runs each cell of a grid whose cells have folders of their own as one task on
   * {@code master} ({@code bnlab sweep --spark MASTER}).
   */
  GridExecutor cells(String master, PrintStream out);

  /**
   * An executor that trains each cell, one after another, on {@code workers} replicas of {@code
   * master} in synchronous data parallel ({@code bnlab train|compare --spark MASTER --workers K}),
   * with {@link bnlab.nn.SyncBatchNorm} in place of BatchNorm when {@code syncBn}.
   */
  GridExecutor dataParallel(String master, int workers, boolean syncBn, PrintStream out);
}
