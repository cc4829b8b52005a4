package bnlab.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.io.Checkpoint;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles and runs the README's quick-start example exactly as printed there, so the README cannot
 * drift from the API. The block is the ```java block after the marker comment {@code <!--
 * quick-start -->}; its import lines go to the top of a generated class, the rest into a method.
 */
class ReadmeQuickStartTest {
  private static final Pattern BLOCK =
      Pattern.compile("<!-- quick-start -->\\s*```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void quickStartCompilesRunsAndSaves(@TempDir Path dir) throws Exception {
    String readme = Files.readString(findReadme());
    Matcher m = BLOCK.matcher(readme);
    assertTrue(m.find(), "README.md has no ```java block after <!-- quick-start -->");
    StringBuilder imports = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (String line : m.group(1).split("\n")) {
      (line.startsWith("import ") ? imports : body).append(line).append('\n');
    }
    String source =
        imports
            + "public class QuickStart {\n  public static void main(String[] args) throws"
            + " Exception {\n"
            + body
            + "  }\n}\n";
    Path src = dir.resolve("QuickStart.java");
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
    assertTrue(ok, "README quick start does not compile:\n" + errors + "\n" + source);

    // The example writes net-bn.safetensors into the working directory (the module folder).
    Path saved = Path.of("net-bn.safetensors");
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      Method main = loader.loadClass("QuickStart").getMethod("main", String[].class);
      main.invoke(null, (Object) new String[0]);
      assertTrue(Files.exists(saved), "the example should save net-bn.safetensors");
      assertEquals(
          5,
          Checkpoint.read(saved).tensors().keySet().stream()
              .filter(k -> k.startsWith("bn1."))
              .count(),
          "bn1 should have weight, bias, running_mean, running_var, num_batches_tracked");
    } finally {
      Files.deleteIfExists(saved);
    }
  }

  private static Path findReadme() throws IOException {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("README.md")) && Files.exists(p.resolve("bin/bnlab"))) {
        return p.resolve("README.md");
      }
    }
    throw new IOException(
        "README.md of the project not found above " + Path.of("").toAbsolutePath());
  }
}
