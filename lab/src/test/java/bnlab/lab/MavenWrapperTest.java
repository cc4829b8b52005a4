package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts' choice of Maven (bin/maven.sh, sourced by bin/bnlab, bin/test and .ci/run through
 * bin/test): the mvn on PATH when it is 3.8 or newer, else the Maven Wrapper; and the wrapper
 * itself, pinned to one Maven version and its checksum.
 */
class MavenWrapperTest {
  @TempDir Path tmp;

  private static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("mvnw"))) {
      p = p.getParent();
    }
    if (p == null) {
      abort("mvnw not found above " + Path.of("").toAbsolutePath());
    }
    return p;
  }

  /** Runs {@code script} in bash from the project root with PATH = {@code path}; its stdout. */
  private static String bash(String script, String path) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(root().toFile());
    pb.environment().put("PATH", path);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), script);
    assertEquals(0, p.exitValue(), out);
    return out.strip();
  }

  /** A folder holding a fake `mvn` that reports {@code version}, plus the tools sed needs. */
  private Path fakeMaven(String version) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("mvn-" + version));
    Path mvn = dir.resolve("mvn");
    Files.writeString(mvn, "#!/bin/sh\necho 'Apache Maven " + version + " (fake)'\n");
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir;
  }

  private static String choice(String path) throws IOException, InterruptedException {
    return bash(". bin/maven.sh; echo \"$BNLAB_MVN\"", path);
  }

  @Test
  void aSuitableMvnOnPathIsUsedElseTheWrapper() throws IOException, InterruptedException {
    String system = "/usr/bin:/bin";
    String wrapper = root().resolve("mvnw").toString();
    assertEquals("mvn", choice(fakeMaven("3.8.1") + ":" + system));
    assertEquals("mvn", choice(fakeMaven("3.9.16") + ":" + system));
    assertEquals("mvn", choice(fakeMaven("4.0.0") + ":" + system));
    assertEquals(wrapper, choice(fakeMaven("3.6.3") + ":" + system));
    // no mvn at all: a PATH holding only the tools the script uses
    Path tools = Files.createDirectories(tmp.resolve("tools"));
    for (String tool : List.of("dirname", "sed", "head")) {
      for (String dir : List.of("/usr/bin", "/bin")) {
        if (Files.isExecutable(Path.of(dir, tool)) && !Files.exists(tools.resolve(tool))) {
          Files.createSymbolicLink(tools.resolve(tool), Path.of(dir, tool));
        }
      }
    }
    assertEquals(wrapper, choice(tools.toString()));
  }

  @Test
  void theWrapperPinsMavenAndItsChecksum() throws IOException {
    Path root = root();
    assertTrue(Files.isExecutable(root.resolve("mvnw")));
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(root.resolve(".mvn/wrapper/maven-wrapper.properties"))) {
      p.load(in);
    }
    assertEquals("only-script", p.getProperty("distributionType"));
    assertEquals(
        "https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/3.9.16/"
            + "apache-maven-3.9.16-bin.zip",
        p.getProperty("distributionUrl"));
    assertTrue(p.getProperty("distributionSha256Sum").matches("[0-9a-f]{64}"));
    for (String script : List.of("bin/bnlab", "bin/test")) {
      assertTrue(
          Files.readString(root.resolve(script)).contains(". \"$root/bin/maven.sh\""), script);
    }
    String ci = Files.readString(root.resolve(".ci/run"));
    assertTrue(ci.strip().endsWith("\nbin/test"), "CI runs exactly the README's test command");
    assertTrue(!ci.contains("need+=(maven)"), "CI does not install Maven");
  }
}
