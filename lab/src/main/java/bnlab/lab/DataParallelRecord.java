package bnlab.lab;

import bnlab.experiment.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The record a data-parallel run leaves in its folder, {@code data-parallel.json} ({@code
 * {"workers": K, "sync_bn": true|false}}, written by the spark module): the replicas' per-worker
 * batch, and so their BatchNorm statistics, depend on K and the SyncBN choice, so such a folder
 * resumes only on Spark with the same values (the spark module checks K and the choice; this class
 * refuses a single-process resume).
 */
final class DataParallelRecord {
  static final String FILE = "data-parallel.json";
  private static final Pattern WORKERS = Pattern.compile("\"workers\"\\s*:\\s*(\\d+)");
  private static final Pattern SYNC = Pattern.compile("\"sync_bn\"\\s*:\\s*true");

  private DataParallelRecord() {}

  /** Refuses a {@code --resume} without {@code --spark} of {@code dir} if it was data parallel. */
  static void refuseWithoutSpark(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return;
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    Matcher m = WORKERS.matcher(text);
    String k = m.find() ? m.group(1) : "K";
    boolean sync = SYNC.matcher(text).find();
    throw new UserError(
        "--resume: "
            + dir
            + " was trained data parallel on Spark ("
            + k
            + " workers, "
            + (sync ? "SyncBatchNorm" : "per-worker BatchNorm statistics")
            + "); resume it with --spark MASTER --workers "
            + k
            + (sync ? " --sync-bn" : "")
            + " (any master)");
  }
}
