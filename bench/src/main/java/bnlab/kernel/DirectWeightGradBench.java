package bnlab.kernel;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * The direct convolution's weight-gradient kernels alone, one chunk of images on the calling
 * thread, in GFLOP per CPU-second: the dot products ({@link DirectConv#weightGradImages}, with dY's
 * copy into wide rows) and, where a layer has a multiple of 16 output channels, the outer products
 * ({@link DirectWeightGrad}, with dY's transposition), on resnet20's 16→16 and first layers and the
 * article's two convolutions. Prints the group size and a checksum of the result's bits, so that
 * two builds can be compared for speed and for bits (the inputs are the same for a given image
 * count and vector width).
 *
 * <p>The timed loop is a method of its own: timed inside {@code main}, C2's on-stack-replacement
 * compile of {@code main} sometimes left the kernel's vectors boxed (2 GFLOP/s in about one launch
 * of four).
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector [-XX:UseAVX=2] \
 *     -cp bench/target/classes:core/target/classes:tensor/target/classes \
 *     bnlab.kernel.DirectWeightGradBench [images=16] [rounds=5]
 * </pre>
 */
public final class DirectWeightGradBench {
  private DirectWeightGradBench() {}

  private static final String[] NAMES = {
    "resnet20 16->16 @32", "resnet20 3->16 @32", "article 3->6 k5 @32", "article 6->16 k5 @14"
  };

  private static final ConvGeometry[] LAYERS = {
    new ConvGeometry(16, 32, 32, 16, 3, 3, 1, 1, 1, 1),
    new ConvGeometry(3, 32, 32, 16, 3, 3, 1, 1, 1, 1),
    new ConvGeometry(3, 32, 32, 6, 5, 5, 1, 1, 0, 0),
    new ConvGeometry(6, 14, 14, 16, 5, 5, 1, 1, 0, 0),
  };

  /** Warm-up rounds before the timed ones, so that C2 has compiled the kernel. */
  private static final int WARMUP = 4;

  public static void main(String[] args) {
    int images = 16;
    int rounds = 5;
    for (String a : args) {
      String[] kv = a.split("=", 2);
      switch (kv[0]) {
        case "images" -> images = Integer.parseInt(kv[1]);
        case "rounds" -> rounds = Integer.parseInt(kv[1]);
        default -> throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    System.out.printf(
        "# %s, %d images, median of %d rounds%n", KernelProvider.get().name(), images, rounds);
    for (int l = 0; l < LAYERS.length; l++) {
      ConvGeometry g = LAYERS[l];
      DirectConv.Layout pl = new DirectConv.Layout(DirectConv.unpadded(g));
      int stride = pl.g.inSize();
      Random rnd = new Random(1);
      float[] dy = new float[images * g.outSize()];
      for (int i = 0; i < dy.length; i++) {
        dy[i] = rnd.nextFloat() - 0.5f;
      }
      float[] x = new float[images * stride + pl.reach];
      for (int i = 0; i < x.length; i++) {
        x[i] = rnd.nextFloat() - 0.5f;
      }
      Chunk c = new Chunk(pl, images, x, stride, dy, g.weightSize());
      double flop = 2.0 * images * g.outChannels() * g.crs() * g.pq();
      report(NAMES[l] + "  dots  ", "group " + c.group, c::run, c.part, flop, rounds, threads);
      if (g.outChannels() % 16 == 0) {
        OuterChunk o = new OuterChunk(pl, images, x, stride, dy, g.weightSize());
        report(NAMES[l] + "  outer ", "        ", o::run, o.part, flop, rounds, threads);
      }
    }
  }

  private static void report(
      String name,
      String group,
      Runnable chunk,
      float[] part,
      double flop,
      int rounds,
      ThreadMXBean threads) {
    int reps = (int) Math.max(1, 1e9 / flop);
    double[] rates = new double[rounds];
    for (int r = -WARMUP; r < rounds; r++) {
      long t0 = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < reps; i++) {
        chunk.run();
      }
      long t1 = threads.getCurrentThreadCpuTime();
      if (r >= 0) {
        rates[r] = flop * reps / (t1 - t0);
      }
    }
    Arrays.sort(rates);
    System.out.printf(
        Locale.ROOT,
        "%-30s %s  %6.1f GFLOP/s  checksum %016x%n",
        name,
        group,
        rates[rounds / 2],
        Arrays.hashCode(part) * 0x9E3779B97F4A7C15L);
  }

  /** One chunk's weight gradient by {@link DirectWeightGrad}, as {@link DirectConvPlan} runs it. */
  private static final class OuterChunk {
    final DirectConv.Layout pl;
    final int images;
    final float[] x;
    final int stride;
    final float[] dy;
    final int[] off;
    final float[] dyT;
    final float[] tile;
    final double[] sum;
    final float[] part;
    final boolean compact;
    final float[] shifted;

    OuterChunk(DirectConv.Layout pl, int images, float[] x, int stride, float[] dy, int weights) {
      this.pl = pl;
      this.images = images;
      this.x = x;
      this.stride = stride;
      this.dy = dy;
      compact = DirectWeightGrad.compact(pl);
      off = compact ? DirectWeightGrad.compactOffsets(pl) : DirectWeightGrad.offsets(pl);
      shifted = new float[compact ? DirectWeightGrad.shiftedSize(pl) : 0];
      dyT = new float[DirectWeightGrad.transposedSize(pl)];
      tile = new float[DirectWeightGrad.tileSize(pl)];
      sum = new double[weights];
      part = new float[weights];
    }

    void run() {
      for (int t = 0; t < images; t++) {
        float[] src = x;
        int so = t * stride;
        if (compact) {
          DirectWeightGrad.shift(pl, x, so, shifted);
          src = shifted;
          so = 0;
        }
        DirectWeightGrad.transpose(pl, dy, t * pl.g.outSize(), dyT, compact);
        DirectWeightGrad.image(pl, off, src, so, dyT, tile, compact);
        DirectWeightGrad.add(pl, tile, sum, t == 0);
      }
      DirectWeightGrad.finish(pl, sum, part, 0);
    }
  }

  /** One chunk's weight gradient as {@link DirectConvPlan} runs it, with its scratch. */
  private static final class Chunk {
    final DirectConv.Layout pl;
    final int images;
    final float[] x;
    final int stride;
    final float[] dy;
    final int group;
    final float[] dyWide;
    final float[] acc;
    final float[][] srcs;
    final int[] offs;
    final float[] part;

    Chunk(DirectConv.Layout pl, int images, float[] x, int stride, float[] dy, int weights) {
      this.pl = pl;
      this.images = images;
      this.x = x;
      this.stride = stride;
      this.dy = dy;
      group = pl.groupImages(images);
      dyWide = new float[group * pl.dyWideSize()];
      acc = new float[pl.accSize()];
      srcs = new float[group][];
      offs = new int[group];
      part = new float[weights];
    }

    void run() {
      DirectConv.weightGradBegin(pl, dyWide, Math.min(group, images));
      for (int t = 0; t < images; t += group) {
        int n = Math.min(group, images - t);
        for (int i = 0; i < n; i++) {
          srcs[i] = x;
          offs[i] = (t + i) * stride;
          DirectConv.wideGradient(pl, dy, (t + i) * pl.g.outSize(), dyWide, i);
        }
        float[] last = t + n == images ? part : null;
        DirectConv.weightGradImages(pl, n, srcs, offs, dyWide, acc, t == 0, last, 0);
      }
    }
  }
}
