package bnlab.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The Spark context bnlab runs on: the given master, no web UI or console progress bar (bnlab
 * prints its own lines), no speculative tasks (a speculative copy of a cell would write the same
 * folder at the same time; a retried one runs after the failed one and continues from its
 * checkpoint), and a bound on barrier-stage syncs (the one rendezvous of a data-parallel stage).
 * Settings given on the command line or in spark-defaults.conf win.
 */
final class Spark {
  private Spark() {}

  /** Seconds a data-parallel task waits in the rendezvous for the others to arrive. */
  static final int RENDEZVOUS_SECONDS = 300;

  /** A new context on {@code master} (or the running one, if any). */
  static JavaSparkContext context(String master) {
    SparkConf conf =
        new SparkConf()
            .setAppName("bnlab")
            .setIfMissing("spark.master", master)
            .setIfMissing("spark.ui.enabled", "false")
            .setIfMissing("spark.ui.showConsoleProgress", "false")
            .setIfMissing("spark.speculation", "false")
            .setIfMissing("spark.barrier.sync.timeout", Integer.toString(RENDEZVOUS_SECONDS))
            .setIfMissing("spark.executor.extraJavaOptions", "--add-modules=jdk.incubator.vector");
    String jars = System.getProperty("bnlab.spark.jars");
    if (jars != null && !master.startsWith("local")) {
      conf.setIfMissing("spark.jars", jars); // bin/bnlab's list: bnlab and its libraries
    }
    JavaSparkContext jsc =
        JavaSparkContext.fromSparkContext(org.apache.spark.SparkContext.getOrCreate(conf));
    jsc.setLogLevel("WARN");
    return jsc;
  }
}
