package bnlab.reference.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import bnlab.lab.bench.Paired;
import bnlab.lab.bench.TrainBenchmark;
import bnlab.runtime.Compute;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * bnlab and libtorch in one process, run by run in turns ({@link Paired}): for each model, mode and
 * batch, both sides' steps are those of {@code bnlab bench} ({@link TrainBenchmark#trainStep},
 * {@link TrainBenchmark#inferStep}) and of {@link TorchBench} (the same models, synthetic data,
 * loop and optimizer), warmed up together, then timed in pairs whose ratio bnlab / libtorch is
 * taken within a second or two. Both sides use {@code --threads} threads.
 *
 * <p>Run with {@code reference/paired.sh}.
 */
@Command(
    name = "reference/paired.sh",
    mixinStandardHelpOptions = true,
    description =
        "bnlab against libtorch (DJL's PyTorch engine) in one process, timed run by run in turns:"
            + " per row the median images/s of each side and the median and range of the pairs'"
            + " ratios bnlab / libtorch.")
public final class PairedBench implements Callable<Integer> {
  @Option(
      names = "--models",
      split = ",",
      defaultValue = "net,net-bn,vgg-bn,resnet20",
      description = "Models in both zoos (default: ${DEFAULT-VALUE}).")
  List<String> models;

  @Option(
      names = "--batch-sizes",
      split = ",",
      defaultValue = "10,128",
      description = "Training batch sizes (default: ${DEFAULT-VALUE}).")
  List<Integer> trainBatches;

  @Option(
      names = "--infer-batches",
      split = ",",
      defaultValue = "256",
      description = "Inference batch sizes (default: ${DEFAULT-VALUE}).")
  List<Integer> inferBatches;

  @Option(
      names = "--warmup",
      defaultValue = "3",
      description = "Warm-up rounds, one run per side each (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--pairs",
      defaultValue = "9",
      description = "Timed pairs, one run per side each (default: ${DEFAULT-VALUE}).")
  int pairs;

  @Option(
      names = "--run-seconds",
      defaultValue = "0.5",
      description = "Target length of a run (default: ${DEFAULT-VALUE}).")
  double runSeconds;

  @Option(
      names = "--gap-ms",
      defaultValue = "0",
      description =
          "Sleep before each run, for the other side's threads to fall idle (default:"
              + " ${DEFAULT-VALUE}; see the README: an idle gap slowed both sides here).")
  double gapMs;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "Threads of each side (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", description = "Print JSON instead of the table.")
  boolean json;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** One measured row. */
  record Row(String model, String mode, int batch, Paired.Result result) {}

  /** Parses the arguments, measures, prints; exit code 2 for bad arguments. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new PairedBench()).execute(args));
  }

  @Override
  public Integer call() {
    Paired.Options o = checked();
    Engine engine = bothSides(threads);
    List<Row> rows = new ArrayList<>();
    try (NDManager base = NDManager.newBaseManager(Device.cpu(), engine.getEngineName())) {
      for (String m : models) {
        for (int b : trainBatches) {
          rows.add(measure(base, m, "train", b, o));
        }
      }
      for (String m : models) {
        for (int b : inferBatches) {
          rows.add(measure(base, m, "infer", b, o));
        }
      }
    }
    String header = header(engine);
    System.out.print(json ? json(header, o, rows) + "\n" : table(header, o, rows));
    return 0;
  }

  private Paired.Options checked() {
    String invalid = TorchModels.invalid(models, trainBatches, inferBatches, threads);
    if (invalid != null) {
      throw usage(invalid);
    }
    try {
      return new Paired.Options(warmup, pairs, runSeconds, gapMs / 1000);
    } catch (IllegalArgumentException e) {
      // Paired's message already says where it comes from.
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), "paired bench: " + message);
  }

  private Row measure(NDManager base, String model, String mode, int batch, Paired.Options o) {
    System.err.printf(Locale.ROOT, "paired: %s %s batch %d ...%n", model, mode, batch);
    boolean train = mode.equals("train");
    Runnable bnlab =
        train
            ? TrainBenchmark.trainStep(model, batch, seed)
            : TrainBenchmark.inferStep(model, batch, seed);
    try (TorchBench.Step torch = TorchBench.Step.of(base, model, mode, batch, seed)) {
      Paired.Result r =
          Paired.measure(
              new Paired.Side("bnlab", batch, bnlab),
              new Paired.Side("libtorch", batch, torch.step()),
              o,
              Paired.Clock.SYSTEM);
      return new Row(model, mode, batch, r);
    }
  }

  private String header(Engine engine) {
    return header(engine, threads);
  }

  /**
   * Both sides on {@code threads} threads (bnlab's kernels; libtorch's intra-op pool, one inter-op
   * thread); returns libtorch's engine.
   */
  static Engine bothSides(int threads) {
    Compute.setThreads(threads);
    Engine engine = Engine.getEngine("PyTorch");
    JniUtils.setNumInteropThreads(1);
    JniUtils.setNumThreads(threads);
    return engine;
  }

  /**
   * The JDK, CPU, both sides' kernels and versions, the threads and the memory settings libtorch
   * runs with ({@link TorchResult#MEMORY_VARIABLES}: it allocates its tensors with malloc every
   * step), for a table's first line.
   */
  static String header(Engine engine, int threads) {
    Map<String, String> memory = TorchResult.environment(TorchResult.MEMORY_VARIABLES);
    return String.format(
        Locale.ROOT,
        "JDK %s | CPU %s | bnlab kernels %s (%d-bit vectors) | libtorch %s | %d threads each | %s",
        System.getProperty("java.version"),
        TrainBenchmark.cpuModel(),
        Compute.kernels(),
        Compute.vectorBits(),
        engine.getVersion(),
        threads,
        memory.isEmpty() ? "glibc malloc's defaults" : memory);
  }

  static String table(String header, Paired.Options o, List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append(header).append('\n');
    sb.append(
        String.format(
            Locale.ROOT,
            "%d pairs of runs of about %.2f s after %d+ warm-up rounds, %.0f ms gap before each run%n",
            o.pairs(),
            o.runSeconds(),
            o.warmups(),
            o.gapSeconds() * 1000));
    sb.append(
        String.format(
            Locale.ROOT,
            "%-9s %-5s %5s %12s %12s %8s %17s%n",
            "model",
            "mode",
            "batch",
            "bnlab img/s",
            "torch img/s",
            "ratio",
            "ratio min..max"));
    for (Row r : rows) {
      Paired.Result p = r.result();
      sb.append(
          String.format(
              Locale.ROOT,
              "%-9s %-5s %5d %12.0f %12.0f %7.2fx %8.2f..%-8.2f%n",
              r.model(),
              r.mode(),
              r.batch(),
              p.medianA(),
              p.medianB(),
              p.medianRatio(),
              p.minRatio(),
              p.maxRatio()));
    }
    return sb.toString();
  }

  static String json(String header, Paired.Options o, List<Row> rows) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("header", header);
    root.put("pairs", o.pairs());
    root.put("runSeconds", o.runSeconds());
    root.put("gapSeconds", o.gapSeconds());
    ArrayNode out = root.putArray("rows");
    for (Row r : rows) {
      Paired.Result p = r.result();
      ObjectNode n = out.addObject();
      n.put("model", r.model());
      n.put("mode", r.mode());
      n.put("batch", r.batch());
      n.put("bnlab", p.medianA());
      n.put("libtorch", p.medianB());
      n.put("ratio", p.medianRatio());
      n.put("ratioMin", p.minRatio());
      n.put("ratioMax", p.maxRatio());
      n.put("warmups", p.warmups());
      ArrayNode a = n.putArray("bnlabRuns");
      ArrayNode b = n.putArray("libtorchRuns");
      ArrayNode q = n.putArray("ratios");
      for (int i = 0; i < p.ratios().length; i++) {
        a.add(p.a()[i]);
        b.add(p.b()[i]);
        q.add(p.ratios()[i]);
      }
    }
    return root.toString();
  }
}
