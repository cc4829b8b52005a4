package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reductions sum in an order that does not depend on the vector width ({@link Reduction}), so
 * the same inputs give the same bits on 128-, 256- and 512-bit registers. Each width is a JVM of
 * its own ({@code -XX:MaxVectorSize=16|32|64} sets the preferred species; on a CPU without AVX-512
 * the 64 run is a 256-bit one again), running {@link WidthProbe}; the outputs are compared bit for
 * bit and the first differing values printed.
 */
class WidthIndependenceTest {
  @TempDir Path dir;

  @Test
  void reductionKernelsGiveTheSameBitsAtEveryWidth() throws Exception {
    Map<String, Map<String, double[]>> runs = new LinkedHashMap<>();
    for (int bytes : new int[] {64, 32, 16}) {
      runs.put(bytes * 8 + "-bit", probe("kernels", "-XX:MaxVectorSize=" + bytes));
    }
    assertSame(runs);
  }

  /**
   * Net+BN and one-block-per-stage BatchNorm and GroupNorm ResNets trained for a few Adam steps
   * through the kernel provider, with the default convolution strategies (direct, phases and
   * im2col): losses, parameters and running statistics bit-identical on 128-, 256- and 512-bit
   * registers.
   */
  @Test
  void trainingGivesTheSameBitsAtEveryWidth() throws Exception {
    Map<String, Map<String, double[]>> runs = new LinkedHashMap<>();
    for (int bytes : new int[] {64, 32, 16}) {
      runs.put(bytes * 8 + "-bit", probe("train", "-XX:MaxVectorSize=" + bytes));
    }
    assertSame(runs);
  }

  /** As above with every 3×3 stride-1 convolution on WINOGRAD ({@code -Dbnlab.conv=winograd}). */
  @Test
  void winogradTrainingGivesTheSameBitsAtEveryWidth() throws Exception {
    Map<String, Map<String, double[]>> runs = new LinkedHashMap<>();
    for (int bytes : new int[] {64, 32, 16}) {
      runs.put(
          bytes * 8 + "-bit",
          probe("train-winograd", "-XX:MaxVectorSize=" + bytes, "-Dbnlab.conv=winograd"));
    }
    assertSame(runs);
  }

  /** As above with F(4×4, 3×3) ({@code -Dbnlab.conv=winograd4}). */
  @Test
  void winograd4TrainingGivesTheSameBitsAtEveryWidth() throws Exception {
    Map<String, Map<String, double[]>> runs = new LinkedHashMap<>();
    for (int bytes : new int[] {64, 32, 16}) {
      runs.put(
          bytes * 8 + "-bit",
          probe("train-winograd", "-XX:MaxVectorSize=" + bytes, "-Dbnlab.conv=winograd4"));
    }
    assertSame(runs);
  }

  private Map<String, double[]> probe(String mode, String... jvmArgs) throws Exception {
    Path file = Files.createTempFile(dir, mode, ".bin");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--add-modules");
    cmd.add("jdk.incubator.vector");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Xmx1g");
    cmd.addAll(List.of(jvmArgs));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(WidthProbe.class.getName());
    cmd.add(mode);
    cmd.add(file.toString());
    Path log = dir.resolve(mode + "-" + String.join("_", jvmArgs).replace('=', '-') + ".log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("probe " + mode + " " + List.of(jvmArgs) + " timed out");
    }
    assertEquals(0, p.exitValue(), () -> "probe " + cmd + " failed:\n" + readQuietly(log));
    return read(file);
  }

  private static String readQuietly(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** The probe's records in order; the first, the provider's name, under "provider". */
  static Map<String, double[]> read(Path file) throws IOException {
    Map<String, double[]> m = new LinkedHashMap<>();
    try (DataInputStream in =
        new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
      m.put(in.readUTF(), new double[0]);
      while (true) {
        String name;
        try {
          name = in.readUTF();
        } catch (EOFException end) {
          return m;
        }
        double[] v = new double[in.readInt()];
        for (int i = 0; i < v.length; i++) {
          v[i] = in.readDouble();
        }
        m.put(name, v);
      }
    }
  }

  /** Every run against the first: same records, same bits, else the first differences. */
  static void assertSame(Map<String, Map<String, double[]>> runs) {
    var it = runs.entrySet().iterator();
    var first = it.next();
    StringBuilder bad = new StringBuilder();
    while (it.hasNext()) {
      var other = it.next();
      assertEquals(
          first.getValue().size(),
          other.getValue().size(),
          "records of " + first.getKey() + " and " + other.getKey());
      int shown = 0;
      for (var e : first.getValue().entrySet()) {
        double[] a = e.getValue();
        double[] b = other.getValue().get(e.getKey());
        if (b == null) {
          continue; // the provider line names the width
        }
        for (int i = 0; i < a.length; i++) {
          if (Double.doubleToRawLongBits(a[i]) != Double.doubleToRawLongBits(b[i])) {
            if (shown++ < 12) {
              bad.append(
                  String.format(
                      "%s [%d]: %s %.9g, %s %.9g%n",
                      e.getKey(), i, first.getKey(), a[i], other.getKey(), b[i]));
            }
            break;
          }
        }
      }
      if (shown > 0) {
        bad.append(
            String.format(
                "%d of %d records differ between %s and %s (first value of each shown)%n",
                shown, first.getValue().size(), first.getKey(), other.getKey()));
      }
    }
    if (!bad.isEmpty()) {
      fail("not bit-identical across widths:\n" + bad);
    }
  }
}
