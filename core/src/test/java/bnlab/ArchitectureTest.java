package bnlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The library's package boundaries, checked on the main sources of every library module (tensor,
 * core, data, onnx; the lab's own packages are checked by the lab's DependencyDirectionTest):
 * dependencies point one way (tensor ← nn ← optim ← io; data uses tensor only), the internal kernel
 * package is reached only through the layers, the optimizers and {@code bnlab.runtime}, and {@code
 * jdk.incubator.vector} appears nowhere outside it. Code is scanned with comments removed, so
 * Javadoc links do not count as dependencies.
 */
class ArchitectureTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern REF = Pattern.compile("\\bbnlab\\.(\\w+)\\.[A-Za-z]");
  private static final Pattern COMMENTS = Pattern.compile("(?s)/\\*.*?\\*/|//[^\\n]*");

  /** Package → the bnlab packages it may use besides itself. */
  private static final Map<String, Set<String>> ALLOWED =
      Map.of(
          "tensor", Set.of(),
          "kernel", Set.of(),
          "runtime", Set.of("kernel"),
          "nn", Set.of("tensor", "kernel"),
          "optim", Set.of("tensor", "nn", "kernel"),
          "io", Set.of("tensor", "nn", "optim"),
          "models", Set.of("tensor", "nn"),
          "data", Set.of("tensor"),
          "onnx", Set.of("tensor", "nn", "models", "io"));

  @Test
  void libraryPackagesDependOneWay() throws IOException {
    List<String> violations = new ArrayList<>();
    int files = 0;
    for (String module : List.of("tensor", "core", "data", "onnx")) {
      Path base = ROOT.resolve(module).resolve("src/main/java/bnlab");
      for (Path f : sources(base)) {
        // Sub-packages (bnlab.nn.keras) follow their parent's rule.
        String pkg = base.relativize(f).getName(0).toString();
        Set<String> allowed = ALLOWED.get(pkg);
        if (allowed == null) {
          violations.add(f + ": package bnlab." + pkg + " has no rule in ArchitectureTest");
          continue;
        }
        files++;
        Matcher m = REF.matcher(code(f));
        while (m.find()) {
          String used = m.group(1);
          if (!used.equals(pkg) && !allowed.contains(used)) {
            violations.add(
                module + ": bnlab." + pkg + " (" + f.getFileName() + ") uses bnlab." + used);
          }
        }
      }
    }
    assertTrue(files > 100, "found only " + files + " source files under " + ROOT.toAbsolutePath());
    assertEquals(List.of(), violations.stream().distinct().toList());
  }

  @Test
  void vectorApiStaysInTheKernelPackage() throws IOException {
    List<String> violations = new ArrayList<>();
    Path kernel = ROOT.resolve("core/src/main/java/bnlab/kernel");
    for (String module : List.of("tensor", "core", "data", "onnx", "lab")) {
      for (Path f : sources(ROOT.resolve(module).resolve("src/main/java"))) {
        if (!f.startsWith(kernel) && code(f).contains("jdk.incubator.vector")) {
          violations.add(f.toString());
        }
      }
    }
    assertEquals(List.of(), violations);
  }

  private static List<Path> sources(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }

  private static String code(Path f) throws IOException {
    return COMMENTS.matcher(Files.readString(f)).replaceAll(" ");
  }
}
