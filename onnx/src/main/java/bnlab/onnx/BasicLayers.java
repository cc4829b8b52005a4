package bnlab.onnx;

import static bnlab.onnx.Attribute.ints;
import static bnlab.onnx.Attribute.of;

import bnlab.nn.AvgPool2d;
import bnlab.nn.Conv1d;
import bnlab.nn.Conv2d;
import bnlab.nn.Dropout;
import bnlab.nn.Flatten;
import bnlab.nn.Linear;
import bnlab.nn.MaxPool2d;
import bnlab.nn.Module;
import bnlab.nn.ReLU;
import bnlab.nn.Sequential;
import bnlab.nn.Sigmoid;
import bnlab.nn.Tanh;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Exporters of the layers that map one to one onto an ONNX operator: Conv1d/Conv2d → Conv, Linear →
 * Gemm (transB = 1, as PyTorch's exporter), MaxPool2d → MaxPool, AvgPool2d → AveragePool,
 * ReLU/Sigmoid/Tanh, Flatten → Flatten(axis 1), Dropout → nothing (identity in eval mode), and
 * Sequential → its layers in order.
 */
final class BasicLayers {
  private BasicLayers() {}

  static void register() {
    Exporters.register(Sequential.class, BasicLayers::sequential);
    Exporters.register(Conv2d.class, BasicLayers::conv2d);
    Exporters.register(Conv1d.class, BasicLayers::conv1d);
    Exporters.register(Linear.class, BasicLayers::linear);
    Exporters.register(MaxPool2d.class, BasicLayers::maxPool);
    Exporters.register(AvgPool2d.class, BasicLayers::avgPool);
    Exporters.register(ReLU.class, (l, p, x, g) -> unary(p, "Relu", x, g));
    Exporters.register(Sigmoid.class, (l, p, x, g) -> unary(p, "Sigmoid", x, g));
    Exporters.register(Tanh.class, (l, p, x, g) -> unary(p, "Tanh", x, g));
    Exporters.register(Flatten.class, BasicLayers::flatten);
    Exporters.register(Dropout.class, (l, p, x, g) -> x);
  }

  static String join(String path, String child) {
    return path.isEmpty() ? child : path + "." + child;
  }

  private static Value sequential(Sequential s, String path, Value x, OnnxGraph g) {
    Value h = x;
    for (Map.Entry<String, Module> e : s.children().entrySet()) {
      h = g.export(e.getValue(), join(path, e.getKey()), h);
    }
    return h;
  }

  // x (N,C,H,W), weight (K,C,R,R) -> y (N,K,P,Q)
  private static Value conv2d(Conv2d c, String path, Value x, OnnxGraph g) {
    Shapes.check(path, c, x, "(N, " + c.inChannels() + ", H, W)", c.inChannels(), 4);
    int k = c.kernelSize();
    int s = c.stride();
    int pad = c.padding();
    int p = Shapes.window(path, c, x.dim(2), k, s, pad);
    int q = Shapes.window(path, c, x.dim(3), k, s, pad);
    String y =
        g.node(
            path,
            "Conv",
            weightAndBias(c, path, x, g),
            ints("dilations", 1, 1),
            of("group", 1L),
            ints("kernel_shape", k, k),
            ints("pads", pad, pad, pad, pad),
            ints("strides", s, s));
    return new Value(y, Shapes.batch(c.outChannels(), p, q));
  }

  // x (N,C,L), weight (K,C,R) -> y (N,K,L')
  private static Value conv1d(Conv1d c, String path, Value x, OnnxGraph g) {
    Shapes.check(path, c, x, "(N, " + c.inChannels() + ", L)", c.inChannels(), 3);
    int len = Shapes.window(path, c, x.dim(2), c.kernelSize(), c.stride(), c.padding());
    String y =
        g.node(
            path,
            "Conv",
            weightAndBias(c, path, x, g),
            ints("dilations", 1),
            of("group", 1L),
            ints("kernel_shape", c.kernelSize()),
            ints("pads", c.padding(), c.padding()),
            ints("strides", c.stride()));
    return new Value(y, Shapes.batch(c.outChannels(), len));
  }

  private static List<String> weightAndBias(Module layer, String path, Value x, OnnxGraph g) {
    List<String> in = new ArrayList<>(List.of(x.name(), g.parameter(layer, path, "weight")));
    if (OnnxGraph.has(layer, "bias")) {
      in.add(g.parameter(layer, path, "bias"));
    }
    return in;
  }

  // x (N,in), weight (out,in) -> y = x·weightᵀ + bias (N,out)
  private static Value linear(Linear l, String path, Value x, OnnxGraph g) {
    Shapes.check(path, l, x, "(N, " + l.inFeatures() + ")", l.inFeatures(), 2);
    String y = g.node(path, "Gemm", weightAndBias(l, path, x, g), of("transB", 1L));
    return new Value(y, Shapes.batch(l.outFeatures()));
  }

  private static Value maxPool(MaxPool2d m, String path, Value x, OnnxGraph g) {
    return pool(m, path, x, g, "MaxPool", m.kernelSize(), m.stride(), m.padding(), null);
  }

  private static Value avgPool(AvgPool2d a, String path, Value x, OnnxGraph g) {
    Attribute count = of("count_include_pad", a.countIncludePad() ? 1L : 0L);
    return pool(a, path, x, g, "AveragePool", a.kernelSize(), a.stride(), a.padding(), count);
  }

  // x (N,C,H,W) -> y (N,C,P,Q); ONNX pads MaxPool with -inf and AveragePool with zeros, as PyTorch.
  private static Value pool(
      Module layer,
      String path,
      Value x,
      OnnxGraph g,
      String op,
      int k,
      int s,
      int pad,
      Attribute extra) {
    Shapes.check(path, layer, x, "(N, C, H, W)", 0, 4);
    int p = Shapes.window(path, layer, x.dim(2), k, s, pad);
    int q = Shapes.window(path, layer, x.dim(3), k, s, pad);
    List<Attribute> attrs = new ArrayList<>();
    attrs.add(ints("kernel_shape", k, k));
    attrs.add(ints("pads", pad, pad, pad, pad));
    attrs.add(ints("strides", s, s));
    if (extra != null) {
      attrs.add(extra);
    }
    String y = g.node(path, op, List.of(x.name()), attrs.toArray(new Attribute[0]));
    return new Value(y, Shapes.batch(x.dim(1), p, q));
  }

  private static Value unary(String path, String op, Value x, OnnxGraph g) {
    return new Value(g.node(path, op, List.of(x.name())), x.shape());
  }

  private static Value flatten(Flatten f, String path, Value x, OnnxGraph g) {
    return new Value(
        g.node(path, "Flatten", List.of(x.name()), of("axis", 1L)), Shapes.batch(x.itemSize()));
  }
}
