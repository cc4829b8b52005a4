package bnlab.lab.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/** {@link BenchResult} as the table a person reads and the JSON a machine parses. */
final class BenchFormat {
  /** Rows whose timed runs saw more JIT compilation than this share of their time get a note. */
  static final double JIT_NOTE = 0.05;

  private BenchFormat() {}

  static String table(BenchResult r) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "JDK %s | kernels %s (%s) | threads %d of %d CPUs | load %.2f%n",
            r.jdk(),
            r.kernels(),
            r.vectorBits() == 0 ? "scalar" : r.vectorBits() + "-bit vectors",
            r.threads(),
            r.cpus(),
            r.load()));
    sb.append(
        String.format(
            Locale.ROOT,
            "CPU %s | JVM flags %s%n",
            r.cpu(),
            r.jvmFlags().isEmpty() ? "none" : String.join(" ", r.jvmFlags())));
    sb.append(
        String.format(
            Locale.ROOT,
            "%-9s %-6s %6s %12s %12s %12s %12s %9s %11s%n",
            "model",
            "mode",
            "batch",
            "median img/s",
            "min img/s",
            "max img/s",
            "img/CPU-s",
            "BN share",
            "bytes/step"));
    for (BenchResult.Row w : r.rows()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-9s %-6s %6d %12.0f %12.0f %12.0f %12s %9s %11s%n",
              w.model(),
              w.mode(),
              w.batch(),
              w.median(),
              w.min(),
              w.max(),
              Double.isNaN(w.cpuMedian()) ? "-" : String.format(Locale.ROOT, "%.0f", w.cpuMedian()),
              Double.isNaN(w.bnShare())
                  ? "-"
                  : String.format(Locale.ROOT, "%.1f%%", 100 * w.bnShare()),
              Double.isNaN(w.bytesPerStep())
                  ? "-"
                  : String.format(Locale.ROOT, "%.0f", w.bytesPerStep())));
    }
    StringBuilder jit = new StringBuilder();
    for (BenchResult.Row w : r.rows()) {
      if (w.jitShare() > JIT_NOTE) {
        jit.append(
            String.format(
                Locale.ROOT,
                "%s %s %s %d (%.0f%%)",
                jit.isEmpty() ? "" : ",",
                w.model(),
                w.mode(),
                w.batch(),
                100 * w.jitShare()));
      }
    }
    if (!jit.isEmpty()) {
      sb.append("JIT still compiling in the timed runs of (compile time / run time):")
          .append(jit)
          .append(String.format("%n"));
    }
    return sb.toString();
  }

  static String json(BenchResult r) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("jdk", r.jdk());
    root.put("kernels", r.kernels());
    root.put("vectorBits", r.vectorBits());
    root.put("threads", r.threads());
    root.put("cpus", r.cpus());
    number(root, "load", r.load());
    root.put("cpu", r.cpu());
    ArrayNode flags = root.putArray("jvmFlags");
    r.jvmFlags().forEach(flags::add);
    ArrayNode rows = root.putArray("rows");
    for (BenchResult.Row w : r.rows()) {
      ObjectNode o = rows.addObject();
      o.put("model", w.model());
      o.put("mode", w.mode());
      o.put("batch", w.batch());
      number(o, "median", w.median());
      number(o, "min", w.min());
      number(o, "max", w.max());
      number(o, "bnShare", w.bnShare());
      number(o, "bytesPerStep", w.bytesPerStep());
      o.put("steps", w.steps());
      o.put("warmups", w.warmups());
      number(o, "jitShare", w.jitShare());
      number(o, "cpuMedian", w.cpuMedian());
    }
    try {
      return mapper.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("bench: cannot write JSON", e);
    }
  }

  // JSON has no NaN: what was not measured (or is unknown, as a load of -1) is null.
  private static void number(ObjectNode o, String key, double v) {
    if (Double.isFinite(v) && v >= 0) {
      o.put(key, v);
    } else {
      o.putNull(key);
    }
  }
}
