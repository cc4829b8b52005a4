package bnlab.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A local folder standing in for (part of) a {@link SharedFolder}: the lab writes its run folder
 * here with java.nio, {@link #pull} copies the shared files down first (so a resumed or retried
 * task continues from what was published), and {@link #push} publishes the files that changed since
 * they were pulled or last pushed. A file counts as changed when its inode, size or modification
 * time differ: the lab rewrites whole files by renaming a new one into place (a new inode) and
 * appends rows (a new size).
 *
 * <p>Order of publication: every other file first, checkpoints last, so that a checkpoint on shared
 * storage never counts rows its CSV files there lack; rows published after a checkpoint are dropped
 * by {@code --resume}, as after a crash.
 */
final class Staging implements AutoCloseable {
  private final SharedFolder shared;
  private final Path local;
  private final String attempt;
  private final Map<String, String> seen = new HashMap<>();

  /**
   * A new, empty staging folder for {@code shared}, in the temporary directory.
   *
   * @param attempt unique to the writer (a task attempt), part of its temporary file names
   */
  static Staging temporary(SharedFolder shared, String attempt) {
    try {
      return new Staging(shared, Files.createTempDirectory("bnlab-stage"), attempt);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a staging folder: " + e.getMessage(), e);
    }
  }

  private Staging(SharedFolder shared, Path local, String attempt) {
    this.shared = shared;
    this.local = local;
    this.attempt = attempt;
  }

  /** The local folder. */
  Path local() {
    return local;
  }

  /** The shared folder. */
  SharedFolder shared() {
    return shared;
  }

  /** Copies the shared files below {@code rel} ("" for all) that {@code take} accepts down. */
  void pull(String rel, Predicate<String> take) {
    for (String f : shared.files(rel)) {
      if (take.test(f)) {
        Path to = local.resolve(f);
        shared.download(f, to);
        seen.put(f, stamp(to));
      }
    }
  }

  /** Copies every shared file below {@code rel} down. */
  void pull(String rel) {
    pull(rel, f -> true);
  }

  /** Publishes the local files below {@code rel} ("" for all) that changed; returns how many. */
  int push(String rel) {
    Path from = rel.isEmpty() ? local : local.resolve(rel);
    if (!Files.exists(from)) {
      return 0;
    }
    List<String> changed = new ArrayList<>();
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String f = local.relativize(p).toString().replace('\\', '/');
        String name = p.getFileName().toString();
        if (!name.equals("bnlab.lock") && !name.endsWith(".tmp") && !stamp(p).equals(seen.get(f))) {
          changed.add(f);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + from + ": " + e.getMessage(), e);
    }
    changed.sort(
        Comparator.comparing((String f) -> f.contains("checkpoints/")).thenComparing(f -> f));
    for (String f : changed) {
      Path p = local.resolve(f);
      String before = stamp(p);
      shared.upload(p, f, attempt);
      seen.put(f, before);
    }
    return changed.size();
  }

  private static String stamp(Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      return a.fileKey() + "/" + a.size() + "/" + a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }

  /** Deletes the local folder. */
  @Override
  public void close() {
    try {
      ReplicaTask.delete(local);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + local + ": " + e.getMessage(), e);
    }
  }
}
