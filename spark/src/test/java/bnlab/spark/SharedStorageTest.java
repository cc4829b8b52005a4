package bnlab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.experiment.CompareConfig;
import bnlab.experiment.DataConfig;
import bnlab.experiment.Engine;
import bnlab.experiment.Session;
import bnlab.experiment.TrainingOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run folders on shared storage through Hadoop's FileSystem API, on a real local[2] Spark: {@code
 * bnlabtest:///} ({@link MappedFs}) is a scheme java.nio cannot reach, so what arrives there went
 * through the API; {@code file:///} is Hadoop's local file system.
 */
class SharedStorageTest {
  @TempDir static Path tmp;
  static Path root;
  static String cifar;

  @BeforeAll
  static void setUp() throws IOException {
    cifar = TinyCifar.write(tmp.resolve("cifar"), 40, 20).toString();
    root = Files.createDirectories(tmp.resolve("bnlabtest-root"));
    // what a user puts in spark-defaults.conf or --conf; the driver ships it to the executors
    System.setProperty("spark.hadoop.fs.bnlabtest.impl", MappedFs.class.getName());
    System.setProperty("spark.hadoop.fs.bnlabtest.impl.disable.cache", "true");
    System.setProperty("spark.hadoop.fs.bnlabtest.root", root.toString());
  }

  static List<String> common(String... more) {
    return Cli.args(
        List.of(
            "--dataset",
            "cifar10",
            "--data",
            cifar,
            "--subset",
            "40",
            "--test-subset",
            "20",
            "--epochs",
            "2",
            "--batch-size",
            "8",
            "--log-every",
            "1",
            "--probe-every",
            "0",
            "--no-progress"),
        more);
  }

  static Cli.Result ok(List<String> args) {
    Cli.Result r = Cli.bnlab(args);
    assertEquals(0, r.code(), r.out() + r.err());
    return r;
  }

  @Test
  void aSweepOnSharedStorageEqualsTheLocalSweepAndARetriedCellKeepsItsFirstCopy() throws Exception {
    List<String> sweep =
        List.of("sweep", "--models", "net,net-bn", "--lrs", "0.01", "--parallel", "1");
    Path local = tmp.resolve("sweep-local");
    ok(Cli.args(Cli.args(sweep, "--out", local.toString(), "--no-report"), common()));

    Cli.Result r =
        ok(
            Cli.args(
                Cli.args(sweep, "--spark", Fixture.MASTER, "--out", "bnlabtest:///sweep"),
                common()));
    Path shared = root.resolve("sweep");
    assertTrue(r.out().contains("bnlabtest:///sweep/sweep.csv"), r.out());
    assertTrue(r.out().contains("bnlab: report in bnlabtest:///sweep/report.html"), r.out());
    assertEquals(Fixture.csvFiles(local), Fixture.csvFiles(shared));
    for (String f : List.of("config.json", "summary.json", "sweep.csv", "report.html")) {
      assertTrue(Files.exists(shared.resolve(f)), f + " on shared storage");
    }
    assertTrue(MappedFs.SERVED.contains("/sweep/runs/net-bn-lr0.01-bs8-seed44/metrics.csv"));
    assertFalse(Files.exists(Path.of("/sweep")), "nothing written with java.nio at the URI's path");
    assertFalse(Files.exists(Path.of("bnlabtest:")), "nothing written with java.nio at the URI");
    assertOnlyRunFiles(shared);
    Map<String, String> first = markers(shared);
    assertEquals(2, first.size(), "one _SUCCESS per run: " + first);

    // every task again after it published (as a retried task would): the first copy stays
    ok(
        Cli.args(
            Cli.args(sweep, "--spark", Fixture.MASTER, "--out", "bnlabtest:///sweep", "--resume"),
            common()));
    assertEquals(Fixture.csvFiles(local), Fixture.csvFiles(shared));
    assertEquals(first, markers(shared), "no run published twice");
    assertOnlyRunFiles(shared);

    // --overwrite replaces the run on shared storage too: the old runs' folders are gone
    ok(
        Cli.args(
            List.of(
                "sweep",
                "--models",
                "net",
                "--lrs",
                "0.01",
                "--parallel",
                "1",
                "--spark",
                Fixture.MASTER,
                "--out",
                "bnlabtest:///sweep",
                "--overwrite",
                "--no-report"),
            common()));
    try (Stream<Path> runs = Files.list(shared.resolve("runs"))) {
      assertEquals(
          List.of("net-lr0.01-bs8-seed44"), runs.map(p -> p.getFileName().toString()).toList());
    }
    assertFalse(Files.exists(shared.resolve("report.html")), "the old report is gone");
    assertEquals(2, Files.readAllLines(shared.resolve("sweep.csv")).size());

    // file:/// is Hadoop's local file system
    Path file = tmp.resolve("sweep-file");
    ok(
        Cli.args(
            Cli.args(
                sweep, "--spark", Fixture.MASTER, "--out", file.toUri().toString(), "--no-report"),
            common()));
    assertEquals(Fixture.csvFiles(local), Fixture.csvFiles(file));
    assertOnlyRunFiles(file);
  }

  @Test
  void aDataParallelRunOnSharedStorageEqualsALocalOneAndARestartedStageResumesFromIt()
      throws Exception {
    DataConfig data = new DataConfig("cifar10", cifar, 40, 20);
    TrainingOptions o =
        new TrainingOptions(2, 8, 0.01, "sgd", data, false, 1, 0, List.of(0.1), null);
    CompareConfig config = CompareConfig.compare(List.of("net-bn"), List.of(44L), o);
    Path whole = tmp.resolve("dp-local");
    Engine.run(
        config, Fixture.session(whole).withExecutor(Fixture.dataParallel(2, false, null, 1, null)));
    String ckpt = "checkpoints/net-bn-seed44.safetensors";

    // the command line, the same run
    ok(
        Cli.args(
            List.of("train"),
            common(
                "--model",
                "net-bn",
                "--optimizer",
                "sgd",
                "--lr",
                "0.01",
                "--spark",
                Fixture.MASTER,
                "--workers",
                "2",
                "--no-report",
                "--out",
                "bnlabtest:///dp")));
    Path shared = root.resolve("dp");
    assertEquals(Fixture.csvFiles(whole), Fixture.csvFiles(shared));
    Fixture.assertClose(
        Fixture.tensors(whole.resolve(ckpt)), Fixture.tensors(shared.resolve(ckpt)), 0, 0, ckpt);
    assertTrue(Files.exists(shared.resolve("data-parallel.json")));
    assertOnlyRunFiles(shared);
    // --resume reads the run back from shared storage: it is done, nothing changes
    Cli.Result again =
        ok(
            Cli.args(
                List.of("train"),
                common(
                    "--model",
                    "net-bn",
                    "--optimizer",
                    "sgd",
                    "--lr",
                    "0.01",
                    "--spark",
                    Fixture.MASTER,
                    "--workers",
                    "2",
                    "--no-report",
                    "--out",
                    "bnlabtest:///dp",
                    "--resume")));
    assertTrue(again.out().contains("1 run(s) into bnlabtest:///dp"), again.out());
    assertEquals(Fixture.csvFiles(whole), Fixture.csvFiles(shared));

    // worker 1 dies at step 8 of 10: the driver's second attempt starts from what rank 0 published
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (Staged staged = new Staged("bnlabtest:///restart", Session.Mode.NEW)) {
      DataParallel dp =
          new DataParallel(
              new DataParallel.Settings(
                  Fixture.MASTER,
                  2,
                  false,
                  20_000,
                  3,
                  null,
                  false,
                  (rank, attempt) -> FaultTest.dieAt(rank, attempt, 1, 8)),
              staged,
              new PrintStream(log, true, StandardCharsets.UTF_8));
      Engine.run(config, Fixture.session(staged.local()).withExecutor(dp));
      staged.refresh();
    }
    String printed = log.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("attempt 1 failed"), printed);
    Path restarted = root.resolve("restart");
    assertEquals(Fixture.csvFiles(whole), Fixture.csvFiles(restarted));
    Fixture.assertClose(
        Fixture.tensors(whole.resolve(ckpt)), Fixture.tensors(restarted.resolve(ckpt)), 0, 0, ckpt);
    assertOnlyRunFiles(restarted);
  }

  @Test
  void aSchemeWithoutFileSystemIsRefusedInOneLine() {
    Cli.Result r =
        Cli.bnlab(
            Cli.args(
                List.of("sweep", "--spark", Fixture.MASTER, "--out", "nosuchfs:///runs/x"),
                common()));
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(
        r.err()
            .contains(
                "--out nosuchfs:///runs/x: no Hadoop FileSystem for scheme 'nosuchfs' on the class"
                    + " path; add its jars (e.g. hadoop-aws for s3a) or set"
                    + " spark.hadoop.fs.nosuchfs.impl"),
        r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  /** No checksum side files, no half-written files, no lock of the driver's staging folder. */
  static void assertOnlyRunFiles(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      List<String> odd =
          s.map(p -> p.getFileName().toString())
              .filter(
                  n ->
                      n.endsWith(".crc")
                          || n.contains(SharedFolder.TEMP)
                          || n.endsWith(".tmp")
                          || n.equals("bnlab.lock"))
              .toList();
      assertEquals(List.of(), odd, "side files in " + dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Each run's _SUCCESS marker (its writer's attempt) by run folder. */
  static Map<String, String> markers(Path sweep) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(sweep.resolve("runs"))) {
      for (Path run : s.toList()) {
        Path m = run.resolve(SparkCells.COMPLETE);
        if (Files.exists(m)) {
          out.put(run.getFileName().toString(), Files.readString(m));
        }
      }
    }
    return out;
  }
}
