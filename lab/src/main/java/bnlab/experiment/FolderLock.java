package bnlab.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive lock on a run folder while an experiment writes it: the file {@value #FILE} in the
 * folder, locked through the operating system ({@link FileChannel#tryLock()}) and holding the
 * owner's pid, command and start time. A second process (or a second engine in this one) that wants
 * the folder is refused in one line naming the owner, before it touches any file. The operating
 * system releases the lock when its process ends, however it ends.
 *
 * <p>The file is never deleted: a process that opened it just before a deletion would lock a file
 * no longer in the folder, and a third could then lock a new one. A released lock empties it
 * instead, so a lock file that is free but not empty was left by a process that was killed or
 * crashed: it is taken over with a note. This process opens the file through one channel only,
 * since closing any other channel to it would release the lock (POSIX record locks belong to the
 * process, not the descriptor).
 */
final class FolderLock implements AutoCloseable {
  /** The lock file's name inside the run folder. */
  static final String FILE = "bnlab.lock";

  /** The lock files this process holds, with their owners' lines. */
  private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;
  private final String stale;
  private boolean released;

  private FolderLock(Path key, FileChannel channel, FileLock lock, String stale) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
    this.stale = stale;
  }

  /**
   * Locks {@code dir} (created if need be) for {@code command}.
   *
   * @throws UserError if another process or engine holds it, or {@code dir} is a file
   */
  static FolderLock acquire(Path dir, String command) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new UserError("--out " + dir + " is a file, not a folder");
    }
    Path file = dir.resolve(FILE);
    String mine = ProcessHandle.current().pid() + "\n" + command + "\n" + now() + "\n";
    try {
      Files.createDirectories(dir);
      Path key = dir.toRealPath().resolve(FILE);
      String other = HELD.putIfAbsent(key, mine);
      if (other != null) {
        throw inUse(dir, file, other);
      }
      try {
        return lock(dir, file, key, mine);
      } catch (IOException | RuntimeException | Error e) {
        HELD.remove(key);
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + dir + ": " + e.getMessage(), e);
    }
  }

  private static FolderLock lock(Path dir, Path file, Path key, String mine) throws IOException {
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      FileLock lock = ch.tryLock();
      if (lock == null) {
        throw inUse(dir, file, read(ch));
      }
      String previous = read(ch);
      ch.truncate(0);
      ch.write(ByteBuffer.wrap(mine.getBytes(StandardCharsets.UTF_8)), 0);
      ch.force(false);
      String stale =
          previous.isBlank()
              ? null
              : dir
                  + ": took over the lock of "
                  + describe(previous)
                  + ", which ended without releasing it (killed or crashed); --resume continues"
                  + " its runs";
      return new FolderLock(key, ch, lock, stale);
    } catch (IOException | RuntimeException | Error e) {
      ch.close();
      throw e;
    }
  }

  private static UserError inUse(Path dir, Path file, String owner) {
    return new UserError(
        "--out "
            + dir
            + " is in use by another bnlab run ("
            + (owner.isBlank() ? "its lock file " + file : describe(owner))
            + "); wait until it ends, or choose another --out");
  }

  /** A note about the stale lock this one replaced, or null. */
  String staleNote() {
    return stale;
  }

  /** Empties the lock file and releases the lock; calling it again does nothing. */
  @Override
  public synchronized void close() {
    if (released) {
      return;
    }
    released = true;
    try {
      channel.truncate(0);
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the lock " + key + ": " + e.getMessage(), e);
    } finally {
      HELD.remove(key);
    }
  }

  // "pid N, 'bnlab compare', since 2026-11-26 03:51:07" from the lock file's lines.
  private static String describe(String owner) {
    String[] l = owner.split("\n", -1);
    StringBuilder sb = new StringBuilder("pid ").append(clip(l[0]));
    if (l.length > 1 && !l[1].isEmpty()) {
      sb.append(", '").append(clip(l[1])).append('\'');
    }
    if (l.length > 2 && !l[2].isEmpty()) {
      sb.append(", since ").append(clip(l[2]));
    }
    return sb.toString();
  }

  private static String clip(String s) {
    String t = s.length() <= 60 ? s : s.substring(0, 57) + "...";
    return t.replaceAll("\\p{Cntrl}", "?");
  }

  private static String read(FileChannel ch) throws IOException {
    long size = Math.min(ch.size(), 4096);
    ByteBuffer b = ByteBuffer.allocate((int) size);
    while (b.hasRemaining() && ch.read(b, b.position()) >= 0) {
      // read the whole (small) file
    }
    return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
  }

  private static String now() {
    return LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
  }
}
