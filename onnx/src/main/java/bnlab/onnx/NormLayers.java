package bnlab.onnx;

import static bnlab.onnx.Attribute.ints;
import static bnlab.onnx.Attribute.of;

import bnlab.nn.BatchNorm1d;
import bnlab.nn.BatchNorm2d;
import bnlab.nn.BatchNorm3d;
import bnlab.nn.BatchRenorm;
import bnlab.nn.GhostBatchNorm;
import bnlab.nn.GroupNorm;
import bnlab.nn.InstanceNorm1d;
import bnlab.nn.InstanceNorm2d;
import bnlab.nn.LayerNorm;
import bnlab.nn.Module;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Exporters of the normalization layers, in eval mode.
 *
 * <ul>
 *   <li>BatchNorm1d/2d/3d with running statistics, GhostBatchNorm and BatchRenorm (whose eval mode
 *       is BatchNorm's), and InstanceNorm with running statistics: one {@code BatchNormalization}
 *       node, y = (x − running_mean)/√(running_var + epsilon)·scale + B, with the state-dict
 *       tensors as inputs. Its {@code momentum} attribute is ONNX's (and Keras's) convention, the
 *       weight of the <em>old</em> value: PyTorch momentum m is written as 1 − m (0.1 → 0.9), and
 *       momentum = null (cumulative average) as 1.0, as PyTorch's own exporter does. It matters
 *       only to a runtime that trains the graph.
 *   <li>BatchNorm without running statistics (trackRunningStats = false normalizes with the batch
 *       in eval mode too): ReduceMean over all dims but the channel gives the batch mean and the
 *       biased variance, which feed a BatchNormalization node.
 *   <li>LayerNorm → LayerNormalization (opset 17) over the trailing normalizedShape dims.
 *   <li>InstanceNorm1d/2d without running statistics → InstanceNormalization.
 *   <li>GroupNorm: opset 17 has no GroupNormalization (opset 18's normalizes each group with a
 *       per-group scale, unlike PyTorch's per-channel γ, and was redefined in opset 21), so it is
 *       written as PyTorch's exporter writes it: Reshape to (N, G, −1), InstanceNormalization with
 *       scale 1 and bias 0 (statistics per sample and group), Reshape back, then Mul by γ and Add β
 *       reshaped to (C, 1, ...). Exact, not an approximation.
 * </ul>
 *
 * Without an affine transform the scale is a constant of ones and the bias one of zeros.
 */
final class NormLayers {
  private NormLayers() {}

  static void register() {
    Exporters.register(
        BatchNorm1d.class,
        (l, p, x, g) -> {
          Shapes.check(p, l, x, "(N, " + l.numFeatures() + ") or (N, C, L)", l.numFeatures(), 2, 3);
          return batchNorm(l, p, x, g, l.numFeatures(), l.eps(), l.momentum());
        });
    Exporters.register(
        BatchNorm2d.class,
        (l, p, x, g) -> {
          Shapes.check(p, l, x, "(N, " + l.numFeatures() + ", H, W)", l.numFeatures(), 4);
          return batchNorm(l, p, x, g, l.numFeatures(), l.eps(), l.momentum());
        });
    Exporters.register(
        BatchNorm3d.class,
        (l, p, x, g) -> {
          Shapes.check(p, l, x, "(N, " + l.numFeatures() + ", D, H, W)", l.numFeatures(), 5);
          return batchNorm(l, p, x, g, l.numFeatures(), l.eps(), l.momentum());
        });
    Exporters.register(
        GhostBatchNorm.class,
        (l, p, x, g) -> {
          Shapes.check(p, l, x, "(N, " + l.numFeatures() + ", *)", l.numFeatures(), 2, 3, 4, 5);
          return runningStats(l, p, x, g, l.numFeatures(), l.eps(), l.momentum());
        });
    Exporters.register(
        BatchRenorm.class,
        (l, p, x, g) -> {
          Shapes.check(p, l, x, "(N, " + l.numFeatures() + ", *)", l.numFeatures(), 2, 3, 4, 5);
          return runningStats(l, p, x, g, l.numFeatures(), l.eps(), l.momentum());
        });
    Exporters.register(
        InstanceNorm1d.class,
        (l, p, x, g) -> instanceNorm(l, p, x, g, l.eps(), l.momentum(), "(N, C, L)", 3));
    Exporters.register(
        InstanceNorm2d.class,
        (l, p, x, g) -> instanceNorm(l, p, x, g, l.eps(), l.momentum(), "(N, C, H, W)", 4));
    Exporters.register(LayerNorm.class, NormLayers::layerNorm);
    Exporters.register(GroupNorm.class, NormLayers::groupNorm);
  }

  private static Value batchNorm(
      Module bn, String path, Value x, OnnxGraph g, int c, double eps, Double momentum) {
    return OnnxGraph.has(bn, "running_mean")
        ? runningStats(bn, path, x, g, c, eps, momentum)
        : batchStats(bn, path, x, g, c, eps);
  }

  /** ONNX's momentum for PyTorch's m: the weight of the old running value. */
  static float onnxMomentum(Double pytorchMomentum) {
    return (float) (1.0 - (pytorchMomentum == null ? 0.0 : pytorchMomentum));
  }

  private static Value runningStats(
      Module bn, String path, Value x, OnnxGraph g, int c, double eps, Double momentum) {
    List<String> in = new ArrayList<>(affine(bn, path, g, c));
    in.add(0, x.name());
    in.add(g.parameter(bn, path, "running_mean"));
    in.add(g.parameter(bn, path, "running_var"));
    String y =
        g.node(
            path,
            "BatchNormalization",
            in,
            of("epsilon", (float) eps),
            of("momentum", onnxMomentum(momentum)));
    return new Value(y, x.shape());
  }

  // Batch statistics per channel over (N, *): mean and biased variance, as BN's training mode.
  private static Value batchStats(Module bn, String path, Value x, OnnxGraph g, int c, double eps) {
    long[] axes = new long[x.rank() - 1];
    for (int i = 1; i < axes.length; i++) {
      axes[i] = i + 1;
    }
    String meanKept = g.node(path, "ReduceMean", List.of(x.name()), ints("axes", axes));
    String d = g.node(path, "Sub", List.of(x.name(), meanKept));
    String sq = g.node(path, "Mul", List.of(d, d));
    Attribute drop = of("keepdims", 0L);
    String var = g.node(path, "ReduceMean", List.of(sq), ints("axes", axes), drop);
    String mean = g.node(path, "ReduceMean", List.of(x.name()), ints("axes", axes), drop);
    List<String> in = new ArrayList<>(affine(bn, path, g, c));
    in.add(0, x.name());
    in.add(mean);
    in.add(var);
    String y = g.node(path, "BatchNormalization", in, of("epsilon", (float) eps));
    return new Value(y, x.shape());
  }

  /** [scale, bias]: the layer's weight and bias, or constants 1 and 0 without affine. */
  private static List<String> affine(Module layer, String path, OnnxGraph g, int c) {
    return OnnxGraph.has(layer, "weight")
        ? List.of(g.parameter(layer, path, "weight"), g.parameter(layer, path, "bias"))
        : List.of(g.filled(path, "scale", c, 1f), g.filled(path, "bias", c, 0f));
  }

  private static Value instanceNorm(
      Module in,
      String path,
      Value x,
      OnnxGraph g,
      double eps,
      Double momentum,
      String expected,
      int rank) {
    Shapes.check(path, in, x, expected, 0, rank);
    int c = x.dim(1);
    if (OnnxGraph.has(in, "running_mean")) {
      return runningStats(in, path, x, g, c, eps, momentum);
    }
    List<String> inputs = new ArrayList<>(affine(in, path, g, c));
    inputs.add(0, x.name());
    String y = g.node(path, "InstanceNormalization", inputs, of("epsilon", (float) eps));
    return new Value(y, x.shape());
  }

  private static Value layerNorm(LayerNorm ln, String path, Value x, OnnxGraph g) {
    int[] ns = ln.normalizedShape();
    int[] s = x.shape();
    int lead = s.length - ns.length;
    if (lead < 1 || !Arrays.equals(Arrays.copyOfRange(s, lead, s.length), ns)) {
      throw new OnnxExportException(
          OnnxGraph.where(path)
              + " ("
              + ln
              + ") normalizes the trailing dims "
              + Arrays.toString(ns)
              + " but gets "
              + x.shapeString());
    }
    List<String> in = new ArrayList<>();
    in.add(x.name());
    if (OnnxGraph.has(ln, "weight")) {
      in.add(g.parameter(ln, path, "weight"));
      in.add(g.parameter(ln, path, "bias"));
    } else {
      int n = 1;
      for (int d : ns) {
        n *= d;
      }
      float[] ones = new float[n];
      Arrays.fill(ones, 1f);
      in.add(g.constant(path, "scale", ones, ns));
    }
    String y =
        g.node(
            path,
            "LayerNormalization",
            in,
            of("axis", (long) -ns.length),
            of("epsilon", (float) ln.eps()));
    return new Value(y, s);
  }

  // x (N, C, *) -> (N, G, C/G·S) -> normalized per (n, g) -> (N, C, *) -> ·γ_c + β_c
  private static Value groupNorm(GroupNorm gn, String path, Value x, OnnxGraph g) {
    int c = gn.numChannels();
    int groups = gn.numGroups();
    Shapes.check(path, gn, x, "(N, " + c + ", *)", c, 2, 3, 4, 5);
    String grouped =
        g.node(path, "Reshape", List.of(x.name(), g.longs(path, "grouped_shape", 0, groups, -1)));
    String normed =
        g.node(
            path,
            "InstanceNormalization",
            List.of(
                grouped, g.filled(path, "ones", groups, 1f), g.filled(path, "zeros", groups, 0f)),
            of("epsilon", (float) gn.eps()));
    long[] back = new long[x.rank()];
    long[] perChannel = new long[x.rank() - 1];
    Arrays.fill(perChannel, 1);
    perChannel[0] = c;
    for (int i = 1; i < back.length; i++) {
      back[i] = x.dim(i);
    }
    String y = g.node(path, "Reshape", List.of(normed, g.longs(path, "shape", back)));
    if (OnnxGraph.has(gn, "weight")) {
      String shape = g.longs(path, "channel_shape", perChannel);
      String w = g.node(path, "Reshape", List.of(g.parameter(gn, path, "weight"), shape));
      String b = g.node(path, "Reshape", List.of(g.parameter(gn, path, "bias"), shape));
      y = g.node(path, "Add", List.of(g.node(path, "Mul", List.of(y, w)), b));
    }
    return new Value(y, x.shape());
  }
}
