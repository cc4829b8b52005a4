package bnlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The lab module's packages depend one way: bnlab.train ← bnlab.experiment ← bnlab.lab (command
 * line) and bnlab.report; nothing in the lab reaches into the kernels. Checked on the sources:
 * every reference to a bnlab package, imported or fully qualified.
 */
class DependencyDirectionTest {
  private static final Pattern REF = Pattern.compile("\\bbnlab\\.(\\w+)\\.");

  /** Package → the lab packages (and bnlab.kernel) it must not use. */
  private static final Map<String, List<String>> FORBIDDEN =
      Map.of(
          "train", List.of("experiment", "lab", "report", "kernel"),
          "experiment", List.of("lab", "report", "kernel"),
          "report", List.of("lab", "kernel"),
          "lab", List.of("kernel"));

  @Test
  void dependenciesPointOneWay() throws IOException {
    Path src = Path.of("src/main/java/bnlab");
    List<String> violations = new ArrayList<>();
    for (var e : FORBIDDEN.entrySet()) {
      try (Stream<Path> files = Files.walk(src.resolve(e.getKey()))) {
        // lab/bench is the speed helper's (it measures kernels)
        for (Path f :
            files
                .filter(
                    p -> p.toString().endsWith(".java") && !p.startsWith(src.resolve("lab/bench")))
                .toList()) {
          Matcher m = REF.matcher(Files.readString(f));
          while (m.find()) {
            if (e.getValue().contains(m.group(1))) {
              violations.add(src.relativize(f) + " uses bnlab." + m.group(1));
            }
          }
        }
      }
    }
    assertEquals(List.of(), violations);
  }
}
