package bnlab.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.lab.TinyCifar;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles and runs the README's "Experiment API (Java)" example exactly as printed (the ```java
 * block after {@code <!-- experiment-api -->}; imports go to the top of a generated class, the rest
 * into its main method) on a tiny generated CIFAR-10 passed as {@code args[0]}.
 */
class ReadmeExperimentApiTest {
  private static final Pattern BLOCK =
      Pattern.compile("<!-- experiment-api -->\\s*```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void experimentApiExampleCompilesAndRuns(@TempDir Path dir) throws Exception {
    Matcher m = BLOCK.matcher(Files.readString(findReadme()));
    assertTrue(m.find(), "README.md has no ```java block after <!-- experiment-api -->");
    StringBuilder imports = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (String line : m.group(1).split("\n")) {
      (line.startsWith("import ") ? imports : body).append(line).append('\n');
    }
    String source =
        imports
            + "public class ExperimentApi {\n  public static void main(String[] args) throws"
            + " Exception {\n"
            + body
            + "  }\n}\n";
    Path src = dir.resolve("ExperimentApi.java");
    Files.writeString(src, source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "tests need a JDK, not a JRE");
    StringWriter errors = new StringWriter();
    boolean ok =
        javac
            .getTask(
                errors,
                null,
                null,
                List.of("-d", dir.toString(), "-cp", System.getProperty("java.class.path")),
                null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjects(src))
            .call();
    assertTrue(ok, "the README example does not compile:\n" + errors + "\n" + source);

    Path data = TinyCifar.write(dir.resolve("cifar"), 40, 20);
    // The example writes runs/api-one and runs/api-compare into the working directory.
    Path one = Path.of("runs/api-one");
    Path compare = Path.of("runs/api-compare");
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      deleteRecursively(one);
      deleteRecursively(compare);
      Method main = loader.loadClass("ExperimentApi").getMethod("main", String[].class);
      main.invoke(null, (Object) new String[] {data.toString()});
      ObjectMapper json = new ObjectMapper();
      JsonNode single = json.readTree(one.resolve("summary.json").toFile());
      assertEquals("net-bn", single.at("/runs/0/model").asText());
      assertEquals(2, single.at("/runs/0/epochs").asInt());
      assertTrue(Files.exists(one.resolve("checkpoints/net-bn-seed44.safetensors")));
      JsonNode grid = json.readTree(compare.resolve("summary.json").toFile());
      assertEquals(4, grid.get("runs").size());
      assertEquals("net", grid.at("/runs/1/baseline").asText());
      assertEquals(
          "compare",
          json.readTree(compare.resolve("config.json").toFile()).at("/command").asText());
    } finally {
      deleteRecursively(one);
      deleteRecursively(compare);
    }
  }

  private static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }

  private static Path findReadme() throws IOException {
    return projectRoot().resolve("README.md");
  }

  /**
   * The project's root: the nearest directory above the working one with README.md and bin/bnlab.
   */
  static Path projectRoot() throws IOException {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("README.md")) && Files.exists(p.resolve("bin/bnlab"))) {
        return p;
      }
    }
    throw new IOException(
        "README.md of the project not found above " + Path.of("").toAbsolutePath());
  }
}
