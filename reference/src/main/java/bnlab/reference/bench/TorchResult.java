package bnlab.reference.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of the libtorch benchmark: the environment (engine, threads, CPU, the ISA environment
 * variables libtorch read at start-up, the per-call overhead) and one row per configuration, as a
 * table or as JSON with {@code bnlab bench --json}'s keys.
 */
record TorchResult(
    String jdk,
    String engine,
    String features,
    int threads,
    int cpus,
    double load,
    String cpu,
    Map<String, String> isa,
    Map<String, String> threading,
    Map<String, String> memory,
    Overhead overhead,
    List<Row> rows) {

  /** Environment variables that limit the instruction set libtorch's libraries use. */
  static final List<String> ISA_VARIABLES =
      List.of(
          "DNNL_MAX_CPU_ISA",
          "ONEDNN_MAX_CPU_ISA",
          "ATEN_CPU_CAPABILITY",
          "MKL_ENABLE_INSTRUCTIONS");

  /**
   * Environment variables of libtorch's OpenMP runtime (libgomp). Its worker threads spin while
   * waiting by default, which costs a lot when other processes share the cores:
   * OMP_WAIT_POLICY=PASSIVE makes them sleep instead.
   */
  static final List<String> THREADING_VARIABLES =
      List.of("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS", "MKL_NUM_THREADS");

  /**
   * Environment variables that change how libtorch's tensors get their memory: glibc's malloc
   * settings (the reference scripts keep large blocks in the heap, see reference/README.md), a
   * preloaded allocator, libtorch's own huge-page switch.
   */
  static final List<String> MEMORY_VARIABLES =
      List.of("GLIBC_TUNABLES", "LD_PRELOAD", "THP_MEM_ALLOC_ENABLE");

  /**
   * One configuration.
   *
   * @param median median images per second of the timed runs
   * @param steps steps per timed run
   * @param warmups warm-up runs done
   * @param jitShare JIT compilation time in the timed runs over their wall time, or NaN
   * @param cpuMedian median images per second of the calling thread's CPU time (one intra-op thread
   *     only, else NaN)
   * @param callsPerStep calls into libtorch per step (see {@link TorchTrainer#callsPerStep})
   */
  record Row(
      String model,
      String mode,
      int batch,
      double median,
      double min,
      double max,
      int steps,
      int warmups,
      double jitShare,
      double cpuMedian,
      int callsPerStep) {

    /**
     * Upper bound of the share of a step spent in fixed per-call costs: calls × the tiny-op cost,
     * over the median step time.
     */
    double callShare(Overhead o) {
      return callsPerStep * o.tinyOpMicros() * 1e-6 / (batch / median);
    }
  }

  static TorchResult of(Engine engine, int threads, Overhead overhead, List<Row> rows) {
    return new TorchResult(
        System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
        "libtorch " + engine.getVersion() + " (DJL " + Engine.getDjlVersion() + ")",
        String.join(",", JniUtils.getFeatures()),
        threads,
        Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        cpuModel(),
        environment(ISA_VARIABLES),
        environment(THREADING_VARIABLES),
        environment(MEMORY_VARIABLES),
        overhead,
        List.copyOf(rows));
  }

  /** The variables of {@code names} that are set, with their values, in order. */
  static Map<String, String> environment(List<String> names) {
    Map<String, String> set = new LinkedHashMap<>();
    for (String v : names) {
      String value = System.getenv(v);
      if (value != null) {
        set.put(v, value);
      }
    }
    return set;
  }

  /** The "model name" line of /proc/cpuinfo, or the OS architecture. */
  static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: fall through
    }
    return System.getProperty("os.arch");
  }

  String table() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%s [%s] | %d intra-op threads, 1 inter-op%s | JDK %s%n",
            engine,
            features,
            threads,
            threading.isEmpty() ? "" : " " + threading,
            jdk));
    sb.append(
        String.format(
            Locale.ROOT,
            "CPU %s (%d CPUs) | load %.2f | ISA limits %s | memory %s%n",
            cpu,
            cpus,
            load,
            isa.isEmpty() ? "none (the CPU's best)" : isa,
            memory.isEmpty() ? "glibc malloc's defaults" : memory));
    sb.append(
        String.format(
            Locale.ROOT,
            "per call: empty JNI %.3f us, tiny op through DJL %.2f us%n",
            overhead.emptyJniMicros(),
            overhead.tinyOpMicros()));
    sb.append(
        String.format(
            Locale.ROOT,
            "%-9s %-6s %6s %12s %12s %12s %12s %6s %10s%n",
            "model",
            "mode",
            "batch",
            "median img/s",
            "min img/s",
            "max img/s",
            "img/CPU-s",
            "calls",
            "call cost"));
    for (Row w : rows) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-9s %-6s %6d %12.0f %12.0f %12.0f %12s %6d %9.1f%%%n",
              w.model(),
              w.mode(),
              w.batch(),
              w.median(),
              w.min(),
              w.max(),
              Double.isNaN(w.cpuMedian()) ? "-" : String.format(Locale.ROOT, "%.0f", w.cpuMedian()),
              w.callsPerStep(),
              100 * w.callShare(overhead)));
    }
    return sb.toString();
  }

  private static void number(ObjectNode o, String key, double v) {
    if (Double.isFinite(v)) {
      o.put(key, v);
    } else {
      o.putNull(key);
    }
  }

  String json() {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("jdk", jdk);
    root.put("kernels", engine);
    root.put("threads", threads);
    root.put("cpus", cpus);
    if (load >= 0) {
      root.put("load", load);
    } else {
      root.putNull("load");
    }
    root.put("cpu", cpu);
    root.put("engine", engine);
    root.put("features", features);
    ObjectNode isaNode = root.putObject("isa");
    isa.forEach(isaNode::put);
    ObjectNode threadingNode = root.putObject("threading");
    threading.forEach(threadingNode::put);
    ObjectNode memoryNode = root.putObject("memory");
    memory.forEach(memoryNode::put);
    root.put("emptyJniMicros", overhead.emptyJniMicros());
    root.put("tinyOpMicros", overhead.tinyOpMicros());
    ArrayNode out = root.putArray("rows");
    for (Row w : rows) {
      ObjectNode o = out.addObject();
      o.put("model", w.model());
      o.put("mode", w.mode());
      o.put("batch", w.batch());
      o.put("median", w.median());
      o.put("min", w.min());
      o.put("max", w.max());
      o.putNull("bnShare");
      o.putNull("bytesPerStep");
      o.put("steps", w.steps());
      o.put("warmups", w.warmups());
      number(o, "jitShare", w.jitShare());
      number(o, "cpuMedian", w.cpuMedian());
      o.put("callsPerStep", w.callsPerStep());
      o.put("callShare", w.callShare(overhead));
    }
    try {
      return mapper.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("libtorch bench: cannot write JSON", e);
    }
  }
}
