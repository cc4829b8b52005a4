package bnlab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import bnlab.experiment.RunContext;
import bnlab.experiment.Session;
import bnlab.io.SafeTensors;
import bnlab.io.StoredTensor;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;

/** What the Spark tests share: one local[2] context, quiet sessions, checkpoint comparisons. */
final class Fixture {
  private Fixture() {}

  static final String MASTER = "local[2]";
  private static JavaSparkContext jsc;

  /**
   * The one Spark context of the test JVM (Spark allows one per JVM); the tests never stop it, the
   * command line does at its end (then the next call starts another).
   */
  static synchronized JavaSparkContext spark() {
    if (jsc == null || jsc.sc().isStopped()) {
      // the tasks and their ring stay on the loopback interface
      System.setProperty("spark.driver.host", "127.0.0.1");
      System.setProperty("spark.driver.bindAddress", "127.0.0.1");
      jsc = Spark.context(MASTER);
    }
    return jsc;
  }

  static final PrintStream NULL = new PrintStream(PrintStream.nullOutputStream());

  static Session session(Path out) {
    return Session.of(out).withContext(RunContext.of(NULL).withConsole(RunContext.Console.QUIET));
  }

  static DataParallel dataParallel(
      int workers, boolean syncBn, Path replicas, int attempts, ReplicaTask.ReplicaHooks hooks) {
    spark();
    return new DataParallel(
        new DataParallel.Settings(
            MASTER,
            workers,
            syncBn,
            20_000,
            attempts,
            replicas == null ? null : replicas.toString(),
            false,
            hooks),
        null,
        NULL);
  }

  /** The float tensors of a checkpoint by name (model, optimizer state, trainer state). */
  static Map<String, float[]> tensors(Path file) {
    try {
      Map<String, float[]> out = new TreeMap<>();
      for (Map.Entry<String, StoredTensor> e : SafeTensors.read(file).tensors().entrySet()) {
        if (e.getValue().dtype().name().equals("F32")) {
          out.put(e.getKey(), e.getValue().toTensor().data());
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Asserts |a − b| ≤ rel · max(floor, max |a| over the tensor) element-wise for every tensor of
   * {@code want}; prints the first differing values.
   */
  static void assertClose(
      Map<String, float[]> want, Map<String, float[]> got, double rel, double floor, String what) {
    int compared = 0;
    for (Map.Entry<String, float[]> e : want.entrySet()) {
      float[] a = e.getValue();
      float[] b = got.get(e.getKey());
      if (b == null) {
        fail(what + ": " + e.getKey() + " missing; have " + got.keySet());
      }
      assertEquals(a.length, b.length, e.getKey());
      double scale = Math.max(floor, maxAbs(a));
      for (int i = 0; i < a.length; i++) {
        double tol = rel * scale;
        if (!(Math.abs(a[i] - b[i]) <= tol)) {
          fail(
              String.format(
                  "%s: %s[%d] want %.9g got %.9g (diff %.3g, tensor's max |value| %.3g)",
                  what, e.getKey(), i, a[i], b[i], Math.abs(a[i] - b[i]), scale));
        }
        compared++;
      }
    }
    if (compared == 0) {
      fail(what + ": nothing compared");
    }
  }

  /** The model's weights only (no optimizer state, no BN running statistics). */
  static Map<String, float[]> weights(Map<String, float[]> all) {
    Map<String, float[]> w = new TreeMap<>();
    all.forEach(
        (k, v) -> {
          if ((k.endsWith(".weight") || k.endsWith(".bias")) && !k.contains("optim")) {
            w.put(k, v);
          }
        });
    return w;
  }

  /** The model's state: weights and BN running statistics (no optimizer or trainer state). */
  static Map<String, float[]> model(Map<String, float[]> all) {
    Map<String, float[]> w = weights(all);
    all.forEach(
        (k, v) -> {
          if (k.endsWith("running_mean") || k.endsWith("running_var")) {
            w.put(k, v);
          }
        });
    return w;
  }

  /** The largest difference relative to its tensor's largest value, over the tensors. */
  static double maxRel(Map<String, float[]> want, Map<String, float[]> got, double floor) {
    double worst = 0;
    for (Map.Entry<String, float[]> e : want.entrySet()) {
      float[] a = e.getValue();
      float[] b = got.get(e.getKey());
      double scale = Math.max(floor, maxAbs(a));
      double t = 0;
      for (int i = 0; i < a.length; i++) {
        t = Math.max(t, Math.abs(a[i] - b[i]) / scale);
      }
      worst = Math.max(worst, t);
    }
    return worst;
  }

  private static double maxAbs(float[] a) {
    double m = 0;
    for (float x : a) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }

  /** train_loss of every metrics.csv row (model,seed,epoch,step,train_loss,lr). */
  static List<Double> losses(Path folder) {
    try {
      List<Double> out = new ArrayList<>();
      List<String> lines = Files.readAllLines(folder.resolve("metrics.csv"));
      for (String l : lines.subList(1, lines.size())) {
        out.add(Double.parseDouble(l.split(",")[4]));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every CSV file below {@code dir} with its contents, epochs.csv's seconds removed. */
  static List<String> csvFiles(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".csv"))
          .sorted()
          .map(p -> dir.relativize(p) + "\n" + content(p))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String content(Path p) {
    try {
      String text = Files.readString(p);
      return p.getFileName().toString().equals("epochs.csv")
          ? text.replaceAll(",[^,\n]*\n", "\n")
          : text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
