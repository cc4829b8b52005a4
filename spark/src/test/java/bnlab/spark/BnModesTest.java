package bnlab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-worker BN against SyncBN in one comparison ({@code compare --models net-bn,net-bn+sync
 * --spark M --workers K}): one run folder, one summary and report with both lines; the +sync run is
 * the one-process run with the global batch; resume works; a data-parallel folder resumed without
 * --spark is refused in one line naming the flags.
 */
class BnModesTest {
  @TempDir static Path tmp;
  static String cifar;

  @BeforeAll
  static void setUp() throws IOException {
    cifar = TinyCifar.write(tmp.resolve("cifar"), 40, 20).toString();
  }

  static List<String> args(String command, String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                command,
                "--dataset",
                "cifar10",
                "--data",
                cifar,
                "--subset",
                "40",
                "--test-subset",
                "20",
                "--epochs",
                "1",
                "--batch-size",
                "8",
                "--optimizer",
                "sgd",
                "--lr",
                "0.01",
                "--log-every",
                "1",
                "--probe-every",
                "0",
                "--no-progress"));
    a.addAll(List.of(more));
    return a;
  }

  @Test
  void perWorkerBnAndSyncBnInOneComparison() throws Exception {
    Path out = tmp.resolve("modes");
    List<String> compare =
        args(
            "compare",
            "--models",
            "net-bn,net-bn+sync",
            "--spark",
            Fixture.MASTER,
            "--workers",
            "2",
            "--out",
            out.toString());
    Cli.Result r = SharedStorageTest.ok(compare);
    assertTrue(r.out().contains("SyncBatchNorm for the +sync models"), r.out());
    String summary = Files.readString(out.resolve("summary.json"));
    assertTrue(summary.contains("\"net-bn\"") && summary.contains("\"net-bn+sync\""), summary);
    String report = Files.readString(out.resolve("report.html"));
    assertTrue(report.contains("net-bn+sync"), "the report names both runs");
    try (var plots = Files.list(out.resolve("plots"))) {
      assertTrue(plots.findAny().isPresent(), "plots");
    }

    // the +sync run is one process with the global batch of 8; per-worker BN (4 + 4) is not
    Path single = tmp.resolve("single");
    SharedStorageTest.ok(
        args("train", "--model", "net-bn", "--out", single.toString(), "--no-report"));
    List<Double> want = losses(single, "net-bn");
    DataParallelTest.assertLossesCloseAtLeast(want, losses(out, "net-bn+sync"), 1e-5, 5);
    List<Double> perWorker = losses(out, "net-bn");
    double most = 0;
    for (int i = 0; i < want.size(); i++) {
      most = Math.max(most, Math.abs(want.get(i) - perWorker.get(i)) / want.get(i));
    }
    assertTrue(most > 1e-3, "per-worker statistics differ from the global batch's: " + most);

    // resume finds both runs done and changes nothing
    List<String> before = Fixture.csvFiles(out);
    SharedStorageTest.ok(Cli.args(compare, "--resume"));
    assertEquals(before, Fixture.csvFiles(out));

    // without --spark: refused, naming the folder and the flags
    Cli.Result alone =
        Cli.bnlab(
            args("compare", "--models", "net-bn,net-bn+sync", "--out", out.toString(), "--resume"));
    assertEquals(2, alone.code(), alone.out() + alone.err());
    assertTrue(
        alone
            .err()
            .contains(
                "--resume: "
                    + out
                    + " was trained data parallel on Spark (2 workers, per-worker BatchNorm"
                    + " statistics); resume it with --spark MASTER --workers 2 (any master)"),
        alone.err());
    assertEquals(1, alone.err().strip().lines().count(), alone.err());
  }

  /** train_loss of {@code model}'s rows of metrics.csv. */
  static List<Double> losses(Path folder, String model) {
    try {
      List<Double> out = new ArrayList<>();
      for (String l : Files.readAllLines(folder.resolve("metrics.csv"))) {
        String[] f = l.split(",");
        if (f[0].equals(model)) {
          out.add(Double.parseDouble(f[4]));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
