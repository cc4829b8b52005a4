package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --spark, --workers and --sync-bn: combinations that cannot run are refused in one line (exit 2)
 * before anything trains; without the spark module on the class path --spark says how to get it.
 */
class SparkOptionsTest {
  @TempDir Path tmp;

  static void refused(String expected, String... args) {
    CliTest.Result r = CliTest.bnlab(args);
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains(expected), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  @Test
  void unsupportedCombinationsAreRefusedInOneLine() {
    String out = tmp.resolve("run").toString();
    refused("--workers needs --spark MASTER", "train", "--workers", "2", "--out", out);
    refused("--sync-bn needs --spark MASTER", "compare", "--sync-bn", "--out", out);
    refused(
        "--workers and --sync-bn are for train and compare",
        "sweep",
        "--spark",
        "local[2]",
        "--workers",
        "2",
        "--out",
        out);
    refused(
        "--batch-size 10 is the global batch and does not divide into 3 workers",
        "train",
        "--spark",
        "local[3]",
        "--workers",
        "3",
        "--out",
        out);
    refused("--workers must be at least 1", "train", "--spark", "local", "--workers", "0");
    refused(
        "the spark module is not on the class path",
        "train",
        "--spark",
        "local[2]",
        "--workers",
        "2",
        "--batch-size",
        "8",
        "--out",
        out);
  }

  @Test
  void sharedStorageAndSyncModelsNeedSpark() {
    String out = tmp.resolve("run").toString();
    refused(
        "--out hdfs://nn:8020/runs/x is a Hadoop URI, which only Spark's workers write to; add"
            + " --spark MASTER (e.g. --spark local[2]) or give a local folder",
        "compare",
        "--out",
        "hdfs://nn:8020/runs/x");
    refused("--out file:///tmp/x is a Hadoop URI", "sweep", "--out", "file:///tmp/x");
    refused(
        "net-bn+sync is net-bn with SyncBatchNorm across data-parallel workers: it needs train or"
            + " compare with --spark MASTER --workers K",
        "compare",
        "--models",
        "net-bn,net-bn+sync",
        "--out",
        out);
    refused(
        "net-bn+sync is net-bn with SyncBatchNorm",
        "sweep",
        "--spark",
        "local[2]",
        "--models",
        "net-bn+sync",
        "--out",
        out);
    refused(
        "net+sync: net has no BatchNorm layers to synchronize (norm none)",
        "compare",
        "--models",
        "net+sync",
        "--out",
        out);
  }
}
