package bnlab.bench.gemm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One C = A·B of the sgemm table, row-major, A (m, k), B (k, n), no transposes: the forward product
 * of a convolution after im2col, or a square.
 *
 * @param m rows of A and C
 * @param n columns of B and C
 * @param k columns of A, rows of B
 * @param layers the layers with this shape, e.g. {@code vgg conv2} or {@code resnet20
 *     layer1.0.conv1 x128} (128 images side by side); {@code square} for the squares
 */
record GemmShape(int m, int n, int k, List<String> layers) {
  GemmShape {
    layers = List.copyOf(layers);
  }

  /** 2·m·n·k. */
  double flops() {
    return 2.0 * m * n * k;
  }

  String label() {
    return m + "x" + n + "x" + k;
  }

  /** The first layer with this shape and how many more there are. */
  String where() {
    return layers.get(0) + (layers.size() > 1 ? " (+" + (layers.size() - 1) + ")" : "");
  }

  /**
   * The table's shapes: 512³ and 4096³ (unless {@code squares} is false), then every distinct
   * forward GEMM of the layers, per image (N = P·Q) and, if {@code batch} > 1, for that many images
   * side by side (N = batch·P·Q), each listed once with the layers that have it.
   */
  static List<GemmShape> of(List<ConvLayer> layers, int batch, boolean squares) {
    Map<String, GemmShape> shapes = new LinkedHashMap<>();
    if (squares) {
      for (int s : new int[] {512, 4096}) {
        GemmShape q = new GemmShape(s, s, s, List.of("square"));
        shapes.put(q.label(), q);
      }
    }
    for (int images : batch > 1 ? new int[] {1, batch} : new int[] {1}) {
      for (ConvLayer l : layers) {
        String name = l.model() + " " + l.name() + (images == 1 ? "" : " x" + images);
        GemmShape s = new GemmShape(l.m(), l.n(images), l.k(), List.of(name));
        shapes.merge(s.label(), s, GemmShape::join);
      }
    }
    return new ArrayList<>(shapes.values());
  }

  private static GemmShape join(GemmShape a, GemmShape b) {
    List<String> all = new ArrayList<>(a.layers);
    all.addAll(b.layers);
    return new GemmShape(a.m, a.n, a.k, all);
  }
}
