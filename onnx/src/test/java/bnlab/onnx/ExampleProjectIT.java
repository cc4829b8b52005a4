package bnlab.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import bnlab.io.Checkpoint;
import bnlab.models.ArticleNet;
import bnlab.nn.Sequential;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/consumer, a Maven project of its own, built against bnlab's artifacts by coordinates and
 * run as its README says: {@code mvn package}, then {@code java -jar}. Runs after this module's jar
 * is packaged (failsafe, integration-test phase).
 *
 * <p>What {@code mvnw install} would put into the local repository, the POMs and jars of
 * bnlab-parent, bnlab-tensor, bnlab-core and bnlab-onnx from this build, goes into a repository of
 * its own under target/ (never ~/.m2, which other checkouts share). Every other artifact (plugins,
 * JUnit's BOM) comes from the build's own local repository through a file:// mirror, so nothing is
 * downloaded; if one is missing there, the test is skipped with the reason.
 */
class ExampleProjectIT {
  @TempDir Path tmp;

  private static String prop(String name) {
    String v = System.getProperty(name);
    if (v == null) {
      abort(name + " is not set: run this test through Maven (failsafe), which passes it");
    }
    return v;
  }

  @Test
  void theConsumerExampleBuildsAgainstInstalledArtifactsAndExportsItsModel()
      throws IOException, InterruptedException {
    Path root = Path.of(prop("bnlab.root")).toRealPath();
    String version = prop("bnlab.version");
    Path buildRepo = Path.of(prop("bnlab.repo"));
    Path mvn = Path.of(prop("maven.home"), "bin", "mvn");
    // Kept in target/ between runs, so the plugins are copied from the mirror only once; bnlab's
    // own artifacts are replaced every time.
    Path repo = Path.of(prop("bnlab.itRepo"));
    deleteTree(repo.resolve("org/bnlab"));
    install(root, repo, version, "bnlab-parent", root.resolve("pom.xml"), null);
    for (String module : List.of("tensor", "core", "onnx")) {
      Path jar = root.resolve(module + "/target/bnlab-" + module + "-" + version + ".jar");
      if (!Files.isRegularFile(jar)) {
        abort(jar + " is not built: run the whole build (bin/test), not this module alone");
      }
      install(root, repo, version, "bnlab-" + module, root.resolve(module + "/pom.xml"), jar);
    }
    Path project = tmp.resolve("consumer");
    copyTree(root.resolve("examples/consumer"), project);
    Path settings = tmp.resolve("settings.xml");
    Files.writeString(
        settings,
        "<settings><mirrors><mirror><id>this-build</id><mirrorOf>*</mirrorOf><url>"
            + buildRepo.toUri()
            + "</url></mirror></mirrors></settings>");

    Run build =
        run(
            project,
            List.of(
                mvn.toString(),
                "-B",
                "-ntp",
                "-s",
                settings.toString(),
                "-Dmaven.repo.local=" + repo,
                "-Dbnlab.version=" + version,
                "package"));
    if (build.code != 0) {
      if (build.out.contains("Could not resolve")
          || build.out.contains("could not be resolved")
          || build.out.contains("Cannot access")) {
        abort(
            "an artifact the example needs is not in "
                + buildRepo
                + " (the build resolves it once online): "
                + build.out.lines().filter(l -> l.contains("ERROR")).findFirst().orElse(""));
      }
      fail("the example does not build:\n" + build.out);
    }
    Path out = tmp.resolve("out");
    Run example =
        run(
            project,
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                "target/bnlab-consumer-example.jar",
                out.toString()));
    assertEquals(0, example.code, example.out);
    assertTrue(example.out.contains("step 30  loss "), example.out);
    assertTrue(example.out.contains("wrote "), example.out);

    // The exported graph gives the saved model's logits in ONNX Runtime.
    Sequential net = ArticleNet.withBatchNorm();
    Map<String, String> meta = Checkpoint.load(net, out.resolve("net-bn.safetensors"));
    assertEquals("net-bn", meta.get("model"));
    assertTrue(net.namedCounters().get("bn1.num_batches_tracked").get() == 30);
    net.eval();
    Tensor x = Tensor.zeros(37, 3, 32, 32);
    new Rng(2).fillUniform(x, 0f, 1f);
    Tensor expected = net.forward(x).copy();
    Ort.assertClose(
        "example's net-bn.onnx",
        expected,
        Ort.run(Files.readAllBytes(out.resolve("net-bn.onnx")), "input", x),
        1e-5);
  }

  /** Writes a POM (and a jar) where {@code mvn install} would put them in {@code repo}. */
  private static void install(
      Path root, Path repo, String version, String artifact, Path pom, Path jar)
      throws IOException {
    Path dir = repo.resolve("org/bnlab/" + artifact + "/" + version);
    Files.createDirectories(dir);
    Files.copy(pom, dir.resolve(artifact + "-" + version + ".pom"));
    if (jar != null) {
      Files.copy(jar, dir.resolve(artifact + "-" + version + ".jar"));
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.filter(p -> !from.relativize(p).startsWith("target")).toList()) {
        Path dst = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dst);
        } else {
          Files.copy(p, dst, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private record Run(int code, String out) {}

  private static Run run(Path dir, List<String> command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile());
    pb.redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.remove("MAVEN_OPTS");
    env.remove("MAVEN_ARGS");
    Process p = pb.start();
    byte[] output = p.getInputStream().readAllBytes();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + " did not finish in 10 minutes");
    }
    return new Run(p.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
