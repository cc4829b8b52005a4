package bnlab.spark;

import bnlab.lab.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The command line in this JVM, as bin/bnlab runs it with the spark module on the class path. */
final class Cli {
  private Cli() {}

  /** Exit code and what was printed. */
  record Result(int code, String out, String err) {}

  static Result bnlab(List<String> args) {
    Fixture.spark(); // the driver's address settings; the command line reuses or restarts it
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            args.toArray(String[]::new),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** {@code first} followed by {@code more}. */
  static List<String> args(List<String> first, List<String> more) {
    return args(first, more.toArray(String[]::new));
  }

  /** {@code first} followed by {@code more}. */
  static List<String> args(List<String> first, String... more) {
    List<String> all = new ArrayList<>(first);
    all.addAll(List.of(more));
    return all;
  }
}
