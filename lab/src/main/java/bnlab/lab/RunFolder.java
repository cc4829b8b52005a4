package bnlab.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A run folder as described in the run-folder contract: config.json, the CSV files, summary.json,
 * checkpoints/ and probes/. Refuses to write into a folder that already holds a run unless told to
 * overwrite it or resume it (and then only if the configuration matches).
 */
final class RunFolder {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The files and folders a run writes; --overwrite deletes exactly these. */
  private static final List<String> OWNED =
      List.of(
          "config.json",
          "metrics.csv",
          "epochs.csv",
          "summary.json",
          "sweep.csv",
          "report.html",
          "probes",
          "checkpoints",
          "plots",
          "runs");

  private final Path dir;

  RunFolder(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  Path file(String name) {
    return dir.resolve(name);
  }

  /**
   * Makes the folder ready for {@code config}: a new or empty folder is used as is; an existing run
   * is refused unless {@code overwrite} (its files are deleted) or {@code resume} (the
   * configuration must match apart from the environment).
   */
  void prepare(Map<String, Object> config, boolean overwrite, boolean resume) {
    if (overwrite && resume) {
      throw new UserError("--overwrite and --resume exclude each other");
    }
    Path cfg = file("config.json");
    try {
      if (Files.exists(dir) && !Files.isDirectory(dir)) {
        throw new UserError("--out " + dir + " is a file, not a folder");
      }
      if (Files.exists(cfg)) {
        if (resume) {
          checkSameRun(cfg, config);
          return;
        }
        if (!overwrite) {
          throw new UserError(
              "--out "
                  + dir
                  + " already holds a run; pass --resume to continue it, --overwrite to replace"
                  + " it, or choose another --out");
        }
        for (String name : OWNED) {
          deleteRecursively(dir.resolve(name));
        }
      } else if (resume) {
        throw new UserError("--resume: " + dir + " holds no run (no config.json)");
      }
      Files.createDirectories(dir);
      writeJson(cfg, config);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void checkSameRun(Path cfg, Map<String, Object> config) throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, Object> old = JSON.readValue(cfg.toFile(), Map.class);
    Map<String, Object> a = comparable(old);
    @SuppressWarnings("unchecked")
    Map<String, Object> now = JSON.readValue(JSON.writeValueAsBytes(config), Map.class);
    Map<String, Object> b = comparable(now);
    if (!a.equals(b)) {
      List<String> diff = new ArrayList<>();
      for (String k : a.keySet()) {
        if (!java.util.Objects.equals(a.get(k), b.get(k))) {
          diff.add(k + " was " + a.get(k) + ", now " + b.get(k));
        }
      }
      throw new UserError(
          "--resume: "
              + cfg.getParent()
              + " holds a different run ("
              + String.join("; ", diff)
              + "); use the original options or another --out");
    }
  }

  private static Map<String, Object> comparable(Map<String, Object> c) {
    Map<String, Object> m = new LinkedHashMap<>(c);
    m.remove("environment");
    m.remove("out");
    m.remove("threads");
    m.remove("data_source");
    // Resuming may extend a run: more epochs continue from the last checkpoint.
    m.remove("epochs");
    m.remove("epochs_per_model");
    return m;
  }

  void writeSummary(List<RunResult> results) {
    List<Object> runs = new ArrayList<>();
    results.forEach(r -> runs.add(r.toJson()));
    writeJson(file("summary.json"), Map.of("runs", runs));
  }

  static void writeJson(Path file, Object value) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      JSON.writeValue(tmp.toFile(), value);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Drops the rows of a CSV file that {@code drop} selects (split on commas, header kept), e.g. the
   * rows a resumed run is about to write again.
   */
  static void dropRows(Path csv, Predicate<String[]> drop) {
    if (!Files.exists(csv)) {
      return;
    }
    try {
      List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
      List<String> kept = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        if (i == 0 || !drop.test(lines.get(i).split(",", -1))) {
          kept.add(lines.get(i));
        }
      }
      Path tmp = csv.resolveSibling(csv.getFileName() + ".tmp");
      Files.write(tmp, kept, StandardCharsets.UTF_8);
      Files.move(tmp, csv, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rewrite " + csv + ": " + e.getMessage(), e);
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
}
