package bnlab.experiment;

import bnlab.runtime.Compute;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What a run records about the machine and the code that produced it (config.json). */
public final class Environment {
  /** bnlab's version. */
  public static final String VERSION = "0.1.0-SNAPSHOT";

  private Environment() {}

  static Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bnlab_version", VERSION);
    m.put("git_commit", gitCommit());
    m.put("jdk", System.getProperty("java.vm.vendor") + " " + Runtime.version());
    m.put(
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    // the kernel provider's name, e.g. "scalar" or "vector-512bit"
    String kernels = Compute.kernels();
    m.put("kernels", kernels.startsWith("vector") ? "vector" : kernels);
    m.put("vector_bits", Compute.vectorBits() == 0 ? null : Compute.vectorBits());
    m.put("kernel_provider", kernels);
    m.put("threads", Compute.threads());
    return m;
  }

  /** {@code git rev-parse HEAD} in the source tree this code runs from, or null. */
  static String gitCommit() {
    try {
      Path here =
          Path.of(Environment.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path dir = Files.isDirectory(here) ? here : here.getParent();
      Process p =
          new ProcessBuilder("git", "-C", dir.toString(), "rev-parse", "HEAD")
              .redirectErrorStream(true)
              .start();
      String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return null;
      }
      return outText.matches("[0-9a-f]{40}") ? outText : null;
    } catch (IOException | RuntimeException | java.net.URISyntaxException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
