package bnlab.kernel;

import bnlab.tensor.Rng;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Per-layer convolution times of the article's Net's, vgg's and resnet20's stride-1 geometries, one
 * thread, CPU time of the calling thread (so other processes on a shared machine do not count): for
 * each layer, batch and strategy (IM2COL_GEMM, WINOGRAD, DIRECT) the median over rounds of a
 * training forward, a training backward (with dX except for a network's first layer) and an
 * inference forward. The strategies alternate within each round.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -Dbnlab.threads=1 \
 *     -cp bench/target/classes:core/target/classes:tensor/target/classes \
 *     bnlab.kernel.ConvLayerBench [batches=32,128] [rounds=5] [layers=vgg2,r2,...] [dx=false]
 * </pre>
 *
 * <p>{@code dx=false} leaves the input gradient out of every backward, so that its share of a
 * layer's backward can be read off against a run with it.
 */
public final class ConvLayerBench {
  private ConvLayerBench() {}

  private record Layer(String name, ConvGeometry g, boolean first) {}

  private static Layer layer(String name, int c, int hw, int k, boolean first) {
    return new Layer(name, new ConvGeometry(c, hw, hw, k, 3, 3, 1, 1, 1, 1), first);
  }

  private static final List<Layer> LAYERS =
      List.of(
          new Layer("net1", new ConvGeometry(3, 32, 32, 6, 5, 5, 1, 1, 0, 0), true),
          new Layer("net2", new ConvGeometry(6, 14, 14, 16, 5, 5, 1, 1, 0, 0), false),
          layer("vgg1", 3, 32, 32, true),
          layer("vgg2", 32, 32, 32, false),
          layer("vgg3", 32, 16, 64, false),
          layer("vgg4", 64, 16, 64, false),
          layer("vgg5", 64, 8, 128, false),
          layer("vgg6", 128, 8, 128, false),
          layer("r1", 3, 32, 16, true),
          layer("r2", 16, 32, 16, false),
          layer("r3", 32, 16, 32, false),
          layer("r4", 64, 8, 64, false));

  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  /** Runs the table; see the class comment for the arguments. */
  public static void main(String[] args) {
    int[] batches = {32, 128};
    int rounds = 5;
    List<String> only = null;
    boolean dx = true;
    for (String a : args) {
      String[] kv = a.split("=", 2);
      switch (kv[0]) {
        case "batches" ->
            batches = Arrays.stream(kv[1].split(",")).mapToInt(Integer::parseInt).toArray();
        case "rounds" -> rounds = Integer.parseInt(kv[1]);
        case "layers" -> only = List.of(kv[1].split(","));
        case "dx" -> dx = Boolean.parseBoolean(kv[1]);
        default -> throw new IllegalArgumentException(a);
      }
    }
    System.out.println("# " + KernelProvider.get().name() + ", threads " + Parallel.threads());
    System.out.println(
        "layer | geometry | batch | strategy | fwd ms | bwd ms | infer fwd ms (median of "
            + rounds
            + " rounds, CPU time)");
    for (Layer l : LAYERS) {
      if (only != null && !only.contains(l.name)) {
        continue;
      }
      for (int batch : batches) {
        run(l, batch, rounds, dx);
      }
    }
  }

  private static void run(Layer l, int batch, int rounds, boolean withDx) {
    ConvGeometry g = l.g;
    List<String> names =
        Winograd.applies(g)
            ? List.of("IM2COL_GEMM", "WINOGRAD", "WINOGRAD4", "DIRECT")
            : List.of("IM2COL_GEMM", "DIRECT");
    Rng rng = new Rng(3);
    float[] x = fill(rng, batch * g.inSize());
    float[] w = fill(rng, g.weightSize());
    float[] b = fill(rng, g.outChannels());
    float[] y = new float[batch * g.outSize()];
    float[] dy = fill(rng, y.length);
    float[] dw = new float[w.length];
    boolean grad = withDx && !l.first;
    float[] dx = grad ? new float[x.length] : null;
    List<double[][]> times = new ArrayList<>();
    List<ConvPlan[]> plans = new ArrayList<>();
    for (String s : names) {
      ConvPlan train = plan(s, g, batch, true, grad);
      ConvPlan infer = plan(s, g, batch, false, false);
      plans.add(new ConvPlan[] {train, infer});
      times.add(new double[3][rounds]);
      // Warm-up: compile and size the scratch.
      for (int i = 0; i < 6; i++) {
        train.forward(x, w, b, y);
        train.backward(dy, x, w, dw, dx);
        infer.forward(x, w, b, y);
      }
    }
    for (int r = 0; r < rounds; r++) {
      for (int s = 0; s < names.size(); s++) {
        ConvPlan[] p = plans.get(s);
        double[][] t = times.get(s);
        long t0 = CPU.getCurrentThreadCpuTime();
        p[0].forward(x, w, b, y);
        long t1 = CPU.getCurrentThreadCpuTime();
        p[0].backward(dy, x, w, dw, dx);
        long t2 = CPU.getCurrentThreadCpuTime();
        p[1].forward(x, w, b, y);
        long t3 = CPU.getCurrentThreadCpuTime();
        t[0][r] = (t1 - t0) / 1e6;
        t[1][r] = (t2 - t1) / 1e6;
        t[2][r] = (t3 - t2) / 1e6;
      }
    }
    for (int s = 0; s < names.size(); s++) {
      double[][] t = times.get(s);
      System.out.printf(
          Locale.ROOT,
          "%s | %d->%d @%d | %d | %s | %.2f | %.2f | %.2f%n",
          l.name,
          g.channels(),
          g.outChannels(),
          g.height(),
          batch,
          names.get(s),
          median(t[0]),
          median(t[1]),
          median(t[2]));
    }
  }

  private static ConvPlan plan(String s, ConvGeometry g, int batch, boolean train, boolean grad) {
    String k = KernelProvider.get().name();
    return switch (s) {
      case "IM2COL_GEMM" -> new Im2colGemmPlan(k, g, batch, train, grad, null);
      case "WINOGRAD" -> new WinogradPlan(k, g, batch, train, grad, null);
      case "WINOGRAD4" -> new WinogradPlan(k, g, batch, train, grad, null, 4);
      default -> new DirectConvPlan(k, g, batch, train, grad, null);
    };
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static float[] fill(Rng rng, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = rng.nextFloat() * 2 - 1;
    }
    return a;
  }
}
