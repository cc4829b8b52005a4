package bnlab.lab.bench;

import bnlab.models.ArticleNet;
import bnlab.nn.BatchNorm1d;
import bnlab.nn.BatchNorm2d;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Module;
import bnlab.nn.Sequential;
import bnlab.optim.Adam;
import bnlab.runtime.Compute;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * End-to-end throughput of the article's network: training images/s (forward, cross-entropy,
 * backward, Adam with lr 1e-4) for Net and Net+BN at each batch size, and eval-mode inference
 * images/s, on synthetic CIFAR-10-shaped data (3×32×32, 10 classes) so no disk is involved.
 *
 * <p>Each configuration runs untimed warm-up runs, then timed runs of a fixed number of images; the
 * median of the timed runs is reported with the slowest and fastest. For Net+BN training the share
 * of the step spent in BatchNorm layers is the median of as many separate runs with a layer timer
 * (which itself costs a little, so it is kept out of the throughput runs).
 */
public final class TrainBenchmark {
  private static final int CLASSES = 10;
  private static final int DATA_BATCHES = 4;

  private TrainBenchmark() {}

  /** Runs every configuration of {@code o}; prints nothing. */
  public static BenchResult run(BenchOptions o) {
    if (o.threads() > 0) {
      Compute.setThreads(o.threads());
    }
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    List<BenchResult.Row> rows = new ArrayList<>();
    for (boolean bn : new boolean[] {false, true}) {
      for (int batch : o.trainBatches()) {
        rows.add(train(o, bn, batch));
      }
    }
    for (boolean bn : new boolean[] {false, true}) {
      rows.add(infer(o, bn));
    }
    String jdk =
        System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")";
    return new BenchResult(
        jdk,
        Compute.kernels(),
        Compute.threads(),
        Runtime.getRuntime().availableProcessors(),
        load,
        rows);
  }

  private static Sequential model(boolean bn, long seed) {
    Sequential m = bn ? ArticleNet.withBatchNorm() : ArticleNet.plain();
    m.resetParameters(new Rng(seed));
    return m;
  }

  private static BenchResult.Row train(BenchOptions o, boolean bn, int batch) {
    Sequential model = model(bn, o.seed());
    model.train();
    // As the Trainer does: nobody reads the gradient of the images.
    model.requiresInputGrad(false);
    Adam adam = new Adam(model.parameters(), 1e-4);
    CrossEntropyLoss loss = new CrossEntropyLoss();
    Data data = new Data(batch, o.seed());
    int steps = Math.max(1, o.trainImagesPerRun() / batch);
    int[] step = {0};
    Runnable oneStep =
        () -> {
          int d = step[0]++ % DATA_BATCHES;
          adam.zeroGrad();
          Tensor y = model.forward(data.x[d]);
          float l = loss.forward(y, data.y[d]);
          if (!Float.isFinite(l)) {
            throw new IllegalStateException("bench: non-finite loss " + l);
          }
          model.backward(loss.backward());
          adam.step();
        };
    double[] alloc = new double[o.runs()];
    double[] ips = measure(o, steps, batch, oneStep, alloc);
    double share = bn ? bnShare(model, o.runs(), steps, oneStep) : Double.NaN;
    return row(bn, "train", batch, ips, share, alloc);
  }

  private static BenchResult.Row infer(BenchOptions o, boolean bn) {
    Sequential model = model(bn, o.seed());
    if (bn) {
      // Non-trivial running statistics, as after training.
      model.train();
      Data warm = new Data(Math.min(o.inferBatch(), 128), o.seed() + 1);
      for (int i = 0; i < 3; i++) {
        model.forward(warm.x[i % DATA_BATCHES]);
      }
    }
    model.eval();
    Data data = new Data(o.inferBatch(), o.seed());
    int steps = Math.max(1, o.inferImagesPerRun() / o.inferBatch());
    int[] step = {0};
    float[] sink = {0f};
    double[] alloc = new double[o.runs()];
    double[] ips =
        measure(
            o,
            steps,
            o.inferBatch(),
            () -> sink[0] += model.forward(data.x[step[0]++ % DATA_BATCHES]).data()[0],
            alloc);
    if (!Float.isFinite(sink[0])) {
      throw new IllegalStateException("bench: non-finite inference output");
    }
    return row(bn, "infer", o.inferBatch(), ips, Double.NaN, alloc);
  }

  private static BenchResult.Row row(
      boolean bn, String mode, int batch, double[] ips, double s, double[] alloc) {
    double[] sorted = ips.clone();
    Arrays.sort(sorted);
    double[] bytes = alloc.clone();
    Arrays.sort(bytes);
    return new BenchResult.Row(
        bn ? "Net+BN" : "Net",
        mode,
        batch,
        median(sorted),
        sorted[0],
        sorted[sorted.length - 1],
        s,
        median(bytes));
  }

  static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /**
   * Images per second of each timed run; {@code alloc} gets each run's heap allocation per step,
   * summed over all threads (NaN if the JVM does not count it).
   */
  private static double[] measure(
      BenchOptions o, int steps, int batch, Runnable step, double[] alloc) {
    for (int w = 0; w < o.warmupRuns(); w++) {
      for (int s = 0; s < steps; s++) {
        step.run();
      }
    }
    double[] ips = new double[o.runs()];
    for (int r = 0; r < o.runs(); r++) {
      // Another thread's count lags by what sits in its allocation buffer (TLAB) until a GC
      // retires it, so each count follows a collection, outside the timed window.
      System.gc();
      long a0 = allocatedBytes();
      long t0 = System.nanoTime();
      for (int s = 0; s < steps; s++) {
        step.run();
      }
      ips[r] = (double) steps * batch / ((System.nanoTime() - t0) * 1e-9);
      System.gc();
      long a1 = allocatedBytes();
      alloc[r] = a0 < 0 || a1 < 0 ? Double.NaN : (double) (a1 - a0) / steps;
    }
    return ips;
  }

  // Looked up once: the lookup itself allocates.
  private static final java.lang.management.ThreadMXBean THREADS =
      ManagementFactory.getThreadMXBean();

  /** Heap bytes allocated so far by all live threads, or −1 if the JVM does not say. */
  static long allocatedBytes() {
    if (THREADS instanceof com.sun.management.ThreadMXBean t
        && t.isThreadAllocatedMemorySupported()
        && t.isThreadAllocatedMemoryEnabled()) {
      return t.getTotalThreadAllocatedBytes();
    }
    return -1;
  }

  /**
   * Fraction of the step spent inside BatchNorm layers, from a listener that times every layer: the
   * median over {@code runs} runs of {@code steps} steps, as for the throughput.
   */
  private static double bnShare(Sequential model, int runs, int steps, Runnable step) {
    LayerTimer timer = new LayerTimer();
    model.setListener(timer);
    try {
      double[] shares = new double[runs];
      for (int r = 0; r < runs; r++) {
        timer.bnNanos = 0;
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
          timer.start();
          step.run();
          timer.finish();
        }
        shares[r] = (double) timer.bnNanos / (System.nanoTime() - t0);
      }
      Arrays.sort(shares);
      return median(shares);
    } finally {
      model.setListener(null);
    }
  }

  /**
   * Attributes the time between consecutive listener calls to the layer that ran in between: in
   * forward the layer whose output arrives, in backward the layer that last received its gradient.
   */
  private static final class LayerTimer implements Sequential.Listener {
    long bnNanos;
    private long last;
    private Module backwardLayer;

    void start() {
      last = System.nanoTime();
      backwardLayer = null;
    }

    void finish() {
      // Time from the first layer's backward call to the end of the step (incl. the optimizer) is
      // not attributed to a BN layer unless the first layer is one; the net starts with a conv.
      backwardLayer = null;
    }

    @Override
    public void onForward(String name, Module layer, Tensor output) {
      long now = System.nanoTime();
      if (isBn(layer)) {
        bnNanos += now - last;
      }
      last = now;
    }

    @Override
    public void onBackward(String name, Module layer, Tensor dOutput) {
      long now = System.nanoTime();
      if (backwardLayer != null && isBn(backwardLayer)) {
        bnNanos += now - last;
      }
      backwardLayer = layer;
      last = now;
    }

    private static boolean isBn(Module m) {
      return m instanceof BatchNorm2d || m instanceof BatchNorm1d;
    }
  }

  /** A few synthetic batches, generated once and cycled. */
  private static final class Data {
    final Tensor[] x = new Tensor[DATA_BATCHES];
    final int[][] y = new int[DATA_BATCHES][];

    Data(int batch, long seed) {
      Rng rng = new Rng(seed ^ 0x5DEECE66DL);
      for (int d = 0; d < DATA_BATCHES; d++) {
        x[d] = Tensor.zeros(batch, 3, 32, 32);
        rng.fillUniform(x[d], -1f, 1f);
        y[d] = new int[batch];
        for (int i = 0; i < batch; i++) {
          y[d][i] = rng.nextInt(CLASSES);
        }
      }
    }
  }

  /** A plain-text table with the environment in its header. */
  public static String table(BenchResult r) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "JDK %s | kernels %s | threads %d of %d CPUs | load %.2f%n",
            r.jdk(),
            r.kernels(),
            r.threads(),
            r.cpus(),
            r.load()));
    sb.append(
        String.format(
            Locale.ROOT,
            "%-7s %-6s %6s %12s %12s %12s %9s %11s%n",
            "model",
            "mode",
            "batch",
            "median img/s",
            "min img/s",
            "max img/s",
            "BN share",
            "bytes/step"));
    for (BenchResult.Row w : r.rows()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-7s %-6s %6d %12.0f %12.0f %12.0f %9s %11s%n",
              w.model(),
              w.mode(),
              w.batch(),
              w.median(),
              w.min(),
              w.max(),
              Double.isNaN(w.bnShare())
                  ? "-"
                  : String.format(Locale.ROOT, "%.1f%%", 100 * w.bnShare()),
              Double.isNaN(w.bytesPerStep())
                  ? "-"
                  : String.format(Locale.ROOT, "%.0f", w.bytesPerStep())));
    }
    return sb.toString();
  }

  /**
   * The same as JSON (one object; numbers in images per second; a share or byte count that was not
   * measured is null).
   */
  public static String json(BenchResult r) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("jdk", r.jdk());
    root.put("kernels", r.kernels());
    root.put("threads", r.threads());
    root.put("cpus", r.cpus());
    number(root, "load", r.load());
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

  /**
   * Runs with the defaults and prints the table: {@code java ... bnlab.lab.bench.TrainBenchmark}.
   */
  public static void main(String[] args) {
    BenchOptions d = BenchOptions.defaults();
    // "--quick": 1 warm-up and 5 timed runs of fewer images, for a loaded machine.
    BenchOptions o =
        Arrays.asList(args).contains("--quick")
            ? new BenchOptions(d.trainBatches(), d.inferBatch(), 1, 5, 2_560, 10_000, 0, d.seed())
            : d;
    BenchResult r = run(o);
    System.out.print(Arrays.asList(args).contains("--json") ? json(r) + "\n" : table(r));
  }
}
