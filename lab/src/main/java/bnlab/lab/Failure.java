package bnlab.lab;

import bnlab.data.DataException;
import bnlab.experiment.Environment;
import bnlab.experiment.UserError;
import bnlab.io.CheckpointException;
import bnlab.io.SafeTensorsException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * What the command line prints and returns when a command throws: one line, never a Java stack
 * trace. A mistake the user can fix ({@link UserError}, a damaged data set or checkpoint) exits
 * with 2; the machine failing (a file that cannot be read or written, a full disk, too little
 * memory) with 1; anything else is a bug in bnlab: one line says so and where the full trace was
 * written (a file {@code bnlab-error-<time>-<pid>.txt} in the temporary directory, with the command
 * line, version, JDK and OS), and the exit code is 1.
 */
final class Failure {
  private Failure() {}

  /** Prints the one line about {@code e} to {@code err}; returns the exit code. */
  static int report(Throwable e, String[] args, PrintStream err) {
    Throwable t = unwrap(e);
    if (t instanceof UserError
        || t instanceof DataException
        || t instanceof CheckpointException
        || t instanceof SafeTensorsException) {
      err.println("bnlab: " + oneLine(t.getMessage()));
      return Main.EXIT_USAGE;
    }
    if (t instanceof ExceptionInInitializerError
        && (t.getCause() instanceof IllegalArgumentException
            || t.getCause() instanceof IllegalStateException)) {
      // A -Dbnlab.* switch the kernels refuse (e.g. a vector width the CPU lacks) fails their
      // class initialization: a user's setting, said in one line.
      err.println("bnlab: " + oneLine(t.getCause().getMessage()));
      return Main.EXIT_USAGE;
    }
    if (t instanceof UncheckedIOException || t instanceof IOException) {
      IOException io = t instanceof UncheckedIOException u ? u.getCause() : (IOException) t;
      err.println("bnlab: " + oneLine(t.getMessage()) + reason(io));
      return Main.EXIT_FAILED;
    }
    if (t instanceof InterruptedException) {
      err.println("bnlab: interrupted");
      return Main.EXIT_INTERRUPTED;
    }
    if (t instanceof OutOfMemoryError) {
      err.println(
          "bnlab: out of memory (the Java heap may grow to "
              + Runtime.getRuntime().maxMemory() / (1 << 20)
              + " MB); use a smaller --batch-size or model, or allow more, e.g."
              + " BNLAB_JAVA_OPTS=-Xmx8g");
      return Main.EXIT_FAILED;
    }
    err.println("bnlab: internal error (" + describe(t) + "); " + traceWritten(t, args));
    return Main.EXIT_FAILED;
  }

  /**
   * What the JDK's file-system exceptions leave out of their message, which is only the path when
   * the operating system's reason is implied by the type (e.g. "/proc/x" for permission denied).
   */
  private static String reason(IOException e) {
    if (!(e instanceof FileSystemException f) || f.getReason() != null) {
      return "";
    }
    return switch (e) {
      case AccessDeniedException a -> " (permission denied)";
      case NoSuchFileException n -> " (no such file or folder)";
      case FileAlreadyExistsException x -> " (already exists)";
      case NotDirectoryException d -> " (not a folder)";
      default -> " (" + e.getClass().getSimpleName() + ")";
    };
  }

  /** Exceptions that only carry another (a failed cell on a pool thread) are reported as it. */
  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.ExecutionException
            || t instanceof java.util.concurrent.CompletionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + clip(oneLine(m)));
  }

  /** Writes the trace file; returns the rest of the line that names it. */
  private static String traceWritten(Throwable t, String[] args) {
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path dir = Path.of(System.getProperty("java.io.tmpdir"));
    Path file = dir.resolve("bnlab-error-" + stamp + "-" + ProcessHandle.current().pid() + ".txt");
    try {
      Files.writeString(file, trace(t, args), StandardCharsets.UTF_8);
      return "this is a bug in bnlab; the full trace is in "
          + file
          + ", please report it with that";
    } catch (IOException | RuntimeException e) {
      return "this is a bug in bnlab, and its trace could not be written to " + file;
    }
  }

  private static String trace(Throwable t, String[] args) {
    StringWriter w = new StringWriter();
    PrintWriter p = new PrintWriter(w);
    p.println("bnlab " + String.join(" ", args));
    p.println("version " + Environment.VERSION);
    p.println(
        "java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + "), "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.arch"));
    p.println();
    t.printStackTrace(p);
    p.flush();
    return w.toString();
  }

  private static String oneLine(String s) {
    return s == null ? "error" : s.replace('\n', ' ').replace('\r', ' ').trim();
  }

  private static String clip(String s) {
    return s.length() <= 200 ? s : s.substring(0, 197) + "...";
  }
}
