package bnlab.bench.gemm;

import bnlab.kernel.GemmKernels;
import bnlab.kernel.KernelProvider;
import bnlab.runtime.Compute;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * bnlab's SGEMM at the convolution GEMM shapes of vgg and ResNet-20 and at 512³ and 4096³, in
 * GFLOP/s (2·m·n·k per product), timed as {@code bench/sgemm-vs-openblas.py} times numpy's {@code
 * a @ b} (OpenBLAS): per shape, warm-up calls for {@code --warmup-seconds}, then {@code --repeats}
 * timed repeats of as many calls as fill {@code --min-seconds} (at least one); the median repeat is
 * reported with the slowest and fastest. {@code --cpu-time} (one thread only) measures the calling
 * thread's CPU time instead of wall-clock time, so that other processes on a shared machine do not
 * count. C is preallocated and overwritten (beta 0), as numpy's {@code matmul(a, b, out=c)} does.
 *
 * <p>Usage ({@code bench/target/benchmarks.jar} on the class path, with {@code --add-modules
 * jdk.incubator.vector}): {@code bnlab.bench.gemm.SgemmTable [--list] [--layers] [--threads N]
 * [--batch B] [--no-squares] [--shapes MxNxK,...] [--repeats R] [--min-seconds S] [--cpu-time]}.
 * {@code --list} prints the shapes as JSON lines and measures nothing; {@code --layers} prints
 * every convolution with its GEMM shape and the kernels' convolution strategy for it (DIRECT,
 * IM2COL_GEMM or TAP_GEMM).
 */
public final class SgemmTable {
  /** CPU time of the calling thread: {@code --cpu-time}, for a loaded machine. */
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private SgemmTable() {}

  /** Options, parsed from {@code --key value} pairs; unknown keys are errors. */
  record Options(
      boolean list,
      boolean layers,
      int threads,
      int batch,
      boolean squares,
      List<String> only,
      int repeats,
      double minSeconds,
      double warmupSeconds,
      boolean cpuTime) {

    static Options parse(String[] args) {
      boolean list = false;
      boolean layers = false;
      boolean squares = true;
      boolean cpuTime = false;
      int threads = 1;
      int batch = 128;
      int repeats = 5;
      double min = 0.2;
      double warm = 0.5;
      List<String> only = List.of();
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--list" -> list = true;
          case "--layers" -> layers = true;
          case "--no-squares" -> squares = false;
          case "--cpu-time" -> cpuTime = true;
          case "--threads" -> threads = Integer.parseInt(value(args, ++i));
          case "--batch" -> batch = Integer.parseInt(value(args, ++i));
          case "--repeats" -> repeats = Integer.parseInt(value(args, ++i));
          case "--min-seconds" -> min = Double.parseDouble(value(args, ++i));
          case "--warmup-seconds" -> warm = Double.parseDouble(value(args, ++i));
          case "--shapes" -> only = Arrays.asList(value(args, ++i).split(","));
          default ->
              throw new IllegalArgumentException(
                  "sgemm table: unknown option '"
                      + args[i]
                      + "'; known: --list --layers --threads --batch --no-squares --shapes"
                      + " --repeats --min-seconds --warmup-seconds --cpu-time");
        }
      }
      if (threads < 1 || batch < 1 || repeats < 1 || !(min > 0) || warm < 0) {
        throw new IllegalArgumentException(
            "sgemm table: need --threads, --batch, --repeats >= 1, --min-seconds > 0");
      }
      if (cpuTime && threads != 1) {
        throw new IllegalArgumentException(
            "sgemm table: --cpu-time times the calling thread, so it needs --threads 1");
      }
      return new Options(list, layers, threads, batch, squares, only, repeats, min, warm, cpuTime);
    }

    private static String value(String[] args, int i) {
      if (i >= args.length) {
        throw new IllegalArgumentException("sgemm table: " + args[i - 1] + " needs a value");
      }
      return args[i];
    }
  }

  /** One measured shape: GFLOP/s of the median, slowest and fastest repeat. */
  record Measured(GemmShape shape, double median, double min, double max) {}

  /** The shapes the options select. */
  static List<GemmShape> shapes(Options o) {
    List<GemmShape> all = GemmShape.of(ConvLayers.all(), o.batch(), o.squares());
    if (o.only().isEmpty()) {
      return all;
    }
    List<GemmShape> out = new ArrayList<>();
    for (String s : o.only()) {
      GemmShape found =
          all.stream().filter(g -> g.label().equals(s)).findFirst().orElseGet(() -> parse(s));
      out.add(found);
    }
    return out;
  }

  private static GemmShape parse(String s) {
    String[] d = s.split("x");
    if (d.length != 3) {
      throw new IllegalArgumentException("sgemm table: a shape is MxNxK, got '" + s + "'");
    }
    return new GemmShape(
        Integer.parseInt(d[0]), Integer.parseInt(d[1]), Integer.parseInt(d[2]), List.of("given"));
  }

  /** Times {@code shape} with the process's kernels as described in the class comment. */
  static Measured measure(GemmKernels kernels, GemmShape shape, Options o) {
    SplittableRandom rng = new SplittableRandom(shape.label().hashCode());
    float[] a = random(rng, shape.m() * shape.k());
    float[] b = random(rng, shape.k() * shape.n());
    float[] c = new float[shape.m() * shape.n()];
    Runnable call =
        () ->
            kernels.sgemm(
                false, false, shape.m(), shape.n(), shape.k(), a, 0, shape.k(), b, 0, shape.n(), 0f,
                c, 0, shape.n());
    LongSupplier clock = o.cpuTime() ? CPU::getCurrentThreadCpuTime : System::nanoTime;
    long warmEnd = clock.getAsLong() + (long) (o.warmupSeconds() * 1e9);
    int calls = 0;
    long t0 = clock.getAsLong();
    do {
      call.run();
      calls++;
    } while (clock.getAsLong() < warmEnd);
    double perCall = (clock.getAsLong() - t0) * 1e-9 / calls;
    int n = (int) Math.max(1, Math.ceil(o.minSeconds() / perCall));
    double[] gflops = new double[o.repeats()];
    for (int r = 0; r < o.repeats(); r++) {
      long s = clock.getAsLong();
      for (int i = 0; i < n; i++) {
        call.run();
      }
      gflops[r] = shape.flops() * n / ((clock.getAsLong() - s) * 1e-9) * 1e-9;
    }
    if (!Float.isFinite(c[c.length - 1])) {
      throw new IllegalStateException("sgemm table: non-finite result at " + shape.label());
    }
    Arrays.sort(gflops);
    return new Measured(shape, gflops[gflops.length / 2], gflops[0], gflops[gflops.length - 1]);
  }

  /** c = a·b for row-major a (m, k), b (k, n), c (m, n): the call the table times. */
  static void product(GemmKernels kernels, GemmShape s, float[] a, float[] b, float[] c) {
    kernels.sgemm(false, false, s.m(), s.n(), s.k(), a, 0, s.k(), b, 0, s.n(), 0f, c, 0, s.n());
  }

  static float[] random(SplittableRandom rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (2 * rng.nextDouble() - 1);
    }
    return v;
  }

  /** The shape as one JSON object (no strings needing escapes but the layer names). */
  static String json(GemmShape s, Measured m) {
    StringBuilder sb =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "{\"shape\":\"%s\",\"m\":%d,\"n\":%d,\"k\":%d,\"where\":\"%s\"",
                s.label(),
                s.m(),
                s.n(),
                s.k(),
                s.where()));
    if (m != null) {
      sb.append(
          String.format(
              Locale.ROOT,
              ",\"gflops\":%.3f,\"min\":%.3f,\"max\":%.3f",
              m.median(),
              m.min(),
              m.max()));
    }
    return sb.append('}').toString();
  }

  /** Each convolution, its forward GEMM shape and the kernels' strategy for it. */
  static String layerTable(KernelProvider kernels, int batch) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%-9s %-37s %-16s %-18s %s%n",
            "model",
            "convolution",
            "GEMM per image",
            "GEMM x" + batch,
            "strategy (" + kernels.name() + ")"));
    for (ConvLayer l : ConvLayers.all()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-9s %-37s %-16s %-18s %s%n",
              l.model(),
              l.describe(),
              l.m() + "x" + l.n(1) + "x" + l.k(),
              l.m() + "x" + l.n(batch) + "x" + l.k(),
              kernels.conv().strategy(l.g()).toString()));
    }
    return sb.toString();
  }

  /** See the class comment. */
  public static void main(String[] args) {
    Options o = Options.parse(args);
    KernelProvider provider = KernelProvider.get();
    GemmKernels kernels = provider.gemm();
    if (o.layers()) {
      System.out.print(layerTable(provider, o.batch()));
      return;
    }
    List<GemmShape> shapes = shapes(o);
    if (o.list()) {
      shapes.forEach(s -> System.out.println(json(s, null)));
      return;
    }
    Compute.setThreads(o.threads());
    System.out.printf(
        Locale.ROOT,
        "{\"kernels\":\"%s\",\"vectorBits\":%d,\"threads\":%d,\"jdk\":\"%s\"}%n",
        KernelProvider.get().name(),
        Compute.vectorBits(),
        Compute.threads(),
        System.getProperty("java.version"));
    for (GemmShape s : shapes) {
      System.out.println(json(s, measure(kernels, s, o)));
    }
  }
}
