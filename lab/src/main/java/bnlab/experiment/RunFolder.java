package bnlab.experiment;

import bnlab.train.CsvFile;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A run folder and the one place that knows its files (the run-folder contract): config.json,
 * summary.json, metrics.csv, epochs.csv, probes/*.csv, checkpoints/, a grid's table (sweep.csv,
 * smallbatch.csv) and runs/&lt;cell&gt;/ for grids whose cells have folders of their own. Whole
 * files (JSON, tables) are written to a temporary file and renamed, so a reader never sees half a
 * file; the metrics files are appended row by row as training runs.
 */
public final class RunFolder {
  /** The experiment's configuration, data source and environment. */
  public static final String CONFIG = "config.json";

  /** One entry per finished run ({@link RunResult#toJson()}). */
  public static final String SUMMARY = "summary.json";

  /** model,seed,epoch,step,train_loss,lr every log-every mini-batches. */
  public static final String METRICS = "metrics.csv";

  /** model,seed,epoch,train_loss,test_loss,test_accuracy,seconds per epoch. */
  public static final String EPOCHS = "epochs.csv";

  /** The probes' files, each with model,seed,step first. */
  public static final List<String> PROBES =
      List.of("probes/activations.csv", "probes/gradients.csv", "probes/landscape.csv");

  /** The files and folders a run writes; {@code --overwrite} deletes exactly these. */
  private static final List<String> OWNED =
      List.of(
          CONFIG,
          METRICS,
          EPOCHS,
          SUMMARY,
          "sweep.csv",
          "smallbatch.csv",
          "depth.csv",
          "diagnose.json",
          "data-parallel.json",
          "report.html",
          "probes",
          "checkpoints",
          "plots",
          "runs");

  private final Path dir;

  /**
   * The names of the files and folders of a run below the run folder ({@code --overwrite} deletes
   * exactly these; other files there are the user's).
   */
  public static List<String> owned() {
    return OWNED;
  }

  /** The run folder {@code dir} (it need not exist yet). */
  public RunFolder(Path dir) {
    this.dir = dir;
  }

  /** The folder. */
  public Path dir() {
    return dir;
  }

  /** A file of the folder, e.g. {@code file(RunFolder.METRICS)}. */
  public Path file(String name) {
    return dir.resolve(name);
  }

  /**
   * The checkpoint of {@code model} with {@code seed}: checkpoints/&lt;model&gt;-seed&lt;seed&gt;.
   */
  public Path checkpoint(String model, long seed) {
    return file("checkpoints/" + model + "-seed" + seed + ".safetensors");
  }

  /** The folder of a grid cell, runs/&lt;id&gt;. */
  public RunFolder cell(String id) {
    return new RunFolder(dir.resolve("runs").resolve(id));
  }

  /**
   * Makes the folder ready for the experiment {@code config}: a new or empty folder is used as is;
   * an existing run is refused unless {@code mode} overwrites it (its files are deleted) or resumes
   * it (then the configuration must match, see {@link ConfigDiff}).
   */
  void prepare(ExperimentConfig config, Session.Mode mode) {
    Path cfg = file(CONFIG);
    try {
      if (Files.exists(dir) && !Files.isDirectory(dir)) {
        throw new UserError("--out " + dir + " is a file, not a folder");
      }
      if (Files.exists(cfg)) {
        if (mode == Session.Mode.RESUME) {
          List<String> diff = ConfigDiff.between(readConfig(cfg), config);
          if (!diff.isEmpty()) {
            throw new UserError(
                "--resume: "
                    + dir
                    + " holds a different run ("
                    + String.join("; ", diff)
                    + "); use the original options or another --out");
          }
          return;
        }
        if (mode != Session.Mode.OVERWRITE) {
          throw new UserError(
              "--out "
                  + dir
                  + " already holds a run; pass --resume to continue it, --overwrite to replace"
                  + " it, or choose another --out");
        }
        for (String name : OWNED) {
          deleteRecursively(dir.resolve(name));
        }
      } else if (mode == Session.Mode.RESUME) {
        throw new UserError("--resume: " + dir + " holds no run (no config.json)");
      }
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * The run's config.json, a JSON object.
   *
   * @throws UserError if it is not one (damaged or edited): nothing can be resumed against it
   */
  private static JsonNode readConfig(Path cfg) throws IOException {
    String problem;
    try {
      JsonNode node = Json.MAPPER.readTree(cfg.toFile());
      if (node != null && node.isObject()) {
        return node;
      }
      problem = "not a JSON object";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      problem = "not JSON: " + e.getOriginalMessage().replace('\n', ' ');
    }
    throw new UserError(
        "--resume: "
            + cfg
            + " is damaged ("
            + (problem.length() > 120 ? problem.substring(0, 117) + "..." : problem)
            + "), so the run cannot be checked and resumed; --overwrite trains it again, or"
            + " choose another --out");
  }

  /** Writes config.json. */
  void writeConfig(JsonNode config) {
    writeJson(file(CONFIG), config);
  }

  /** Writes summary.json with {@code results} in their order. */
  void writeSummary(List<RunResult> results) {
    List<Object> runs = new ArrayList<>();
    results.forEach(r -> runs.add(r.toJson()));
    writeJson(file(SUMMARY), Map.of("runs", runs));
  }

  /** Writes a whole CSV table ({@code header}, then one line per row) in one atomic step. */
  void writeTable(String name, String header, List<List<Object>> rows) {
    StringBuilder sb = new StringBuilder(header).append('\n');
    for (List<Object> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        sb.append(i == 0 ? "" : ",").append(CsvFile.format(row.get(i)));
      }
      sb.append('\n');
    }
    writeAtomically(file(name), sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Opens {@code name} for appending rows, writing {@code header} first if it is new. */
  CsvFile append(String name, String header) {
    return new CsvFile(file(name), header);
  }

  /** Decides whether a row of a CSV file stays; may throw on a field it cannot parse. */
  @FunctionalInterface
  interface RowFilter {
    /**
     * Whether the row of {@code fields} (as many as the header has) stays.
     *
     * @throws NumberFormatException if a field it reads is not a number: the row is malformed
     */
    boolean keep(String[] fields);
  }

  /**
   * Rewrites CSV file {@code name} (columns {@code header}) with the rows {@code keep} accepts,
   * e.g. without the rows a resumed run is about to write again; call it before opening the file
   * for appending. Rows that are not well formed (another number of fields than the header, or a
   * field {@code keep} cannot parse) are dropped too, each with a line to {@code notices}: an
   * append cut short by a crash or a full disk leaves such a row, and a row appended after it would
   * join its line. The file then ends with a newline. A header cut short the same way, with no row
   * after it, empties the file (its writer writes the header again).
   *
   * @throws UserError if the file has other columns than {@code header} (another version's or an
   *     edited file), which appending would mix
   */
  void keepRows(String name, String header, RowFilter keep, Consumer<String> notices) {
    Path csv = file(name);
    if (!Files.exists(csv)) {
      return;
    }
    try {
      String text = new String(Files.readAllBytes(csv), StandardCharsets.UTF_8);
      String kept = CsvRows.keep(csv, text, header, keep, notices);
      if (!kept.equals(text)) {
        writeAtomically(csv, kept.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rewrite " + csv + ": " + e.getMessage(), e);
    }
  }

  static void writeJson(Path file, Object value) {
    try {
      writeAtomically(file, Json.MAPPER.writeValueAsBytes(value));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static void writeAtomically(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
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
