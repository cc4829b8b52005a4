package bnlab.data;

import java.nio.file.Path;

/**
 * A data file is missing, unreadable or malformed. The message always names the file and, where it
 * applies, the record index or byte offset, so the user can find and fix the bad input.
 */
public final class DataException extends RuntimeException {
  private final Path file;

  /** An error about {@code file} (may be null when no single file is at fault). */
  public DataException(Path file, String message) {
    super(file == null ? message : file + ": " + message);
    this.file = file;
  }

  /** An error about {@code file} caused by {@code cause}. */
  public DataException(Path file, String message, Throwable cause) {
    super(file == null ? message : file + ": " + message, cause);
    this.file = file;
  }

  /** The file at fault, or null. */
  public Path file() {
    return file;
  }
}
