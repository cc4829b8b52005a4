package bnlab.onnx;

import bnlab.nn.Module;
import bnlab.nn.Parameter;
import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ONNX graph under construction, handed to every {@link LayerExporter}. It names things the way
 * PyTorch's exporter does: a layer's parameters and buffers become initializers under their
 * state-dict names ({@code "conv1.weight"}, {@code "bn1.running_var"}), nodes are called {@code
 * "/conv1/Conv"} and their outputs {@code "/conv1/Conv_output_0"}, and constants the export adds
 * itself live under {@code "/bn1/..."}, which no state-dict name can clash with.
 */
public final class OnnxGraph {
  private final Value input;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, Initializer> initializers = new LinkedHashMap<>();
  private final Map<String, Object> initializerSources = new HashMap<>();
  private final Map<String, Integer> nodeNames = new HashMap<>();

  OnnxGraph(Value input) {
    this.input = input;
  }

  /** The graph's input value, (N, C, H, W) or whatever shape the export was given. */
  public Value input() {
    return input;
  }

  /**
   * Exports {@code layer} (a child of the caller, at {@code path}) applied to {@code x} through the
   * exporter registered for its class.
   *
   * @throws OnnxExportException if no exporter is registered for the layer's class
   */
  public Value export(Module layer, String path, Value x) {
    return Exporters.find(layer, path).export(layer, path, x, this);
  }

  /**
   * The initializer holding {@code layer}'s own parameter or buffer {@code local} ({@code
   * "weight"}, {@code "running_mean"}), added under {@code path + "." + local}; returns its name.
   * Adding the same tensor twice (shared weights) adds it once.
   */
  public String parameter(Module layer, String path, String local) {
    Tensor t = ownTensor(layer, local);
    if (t == null) {
      throw new OnnxExportException(
          where(path) + " has no parameter or buffer '" + local + "' to export");
    }
    String name = path.isEmpty() ? local : path + "." + local;
    Object seen = initializerSources.get(name);
    if (seen == t) {
      return name;
    }
    if (seen != null || initializers.containsKey(name)) {
      throw new OnnxExportException("two different tensors are both named '" + name + "'");
    }
    int[] shape = t.shape();
    initializers.put(name, Initializer.floats(name, t.data(), 0, t.size(), toLongs(shape)));
    initializerSources.put(name, t);
    return name;
  }

  /** Whether {@code layer} has its own parameter or buffer called {@code local}. */
  public static boolean has(Module layer, String local) {
    return ownTensor(layer, local) != null;
  }

  private static Tensor ownTensor(Module layer, String local) {
    Parameter p = layer.namedParameters().get(local);
    return p != null ? p.data() : layer.namedBuffers().get(local);
  }

  /** A float constant of shape {@code dims} added by the export, named {@code /path/name}. */
  public String constant(String path, String name, float[] values, int... dims) {
    long[] d = toLongs(dims);
    long n = 1;
    for (long x : d) {
      n *= x;
    }
    if (n != values.length) {
      throw new IllegalArgumentException(
          name + ": " + values.length + " values for dims " + Arrays.toString(dims));
    }
    return addConstant(Initializer.floats(scope(path) + "/" + name, values, 0, values.length, d));
  }

  /** A float constant of shape (n) holding {@code value} n times, named {@code /path/name}. */
  public String filled(String path, String name, int n, float value) {
    float[] v = new float[n];
    Arrays.fill(v, value);
    return constant(path, name, v, n);
  }

  /** A 1-d INT64 constant (a shape or axes input), named {@code /path/name}. */
  public String longs(String path, String name, long... values) {
    return addConstant(Initializer.longs(scope(path) + "/" + name, values.clone()));
  }

  private String addConstant(Initializer c) {
    if (initializers.putIfAbsent(c.name(), c) != null) {
      throw new IllegalArgumentException("constant " + c.name() + " added twice");
    }
    return c.name();
  }

  /**
   * Adds a node with one output, named after the layer and operator ({@code "/conv1/Conv"}, then
   * {@code "/conv1/Conv_1"}); returns the output's name. An empty input name stands for an omitted
   * optional input.
   */
  public String node(String path, String opType, List<String> inputs, Attribute... attributes) {
    String base = scope(path) + "/" + opType;
    int k = nodeNames.merge(base, 1, Integer::sum) - 1;
    String name = k == 0 ? base : base + "_" + k;
    String out = name + "_output_0";
    nodes.add(new Node(opType, name, List.copyOf(inputs), List.of(out), List.of(attributes)));
    return out;
  }

  /**
   * Element-wise {@code a + b} of two values of the same shape, as a residual connection needs;
   * either may also feed other nodes.
   */
  public Value add(String path, Value a, Value b) {
    if (!Arrays.equals(a.shape(), b.shape())) {
      throw new OnnxExportException(
          where(path)
              + ": cannot add "
              + a.shapeString()
              + " and "
              + b.shapeString()
              + "; the branches must have the same shape");
    }
    return new Value(node(path, "Add", List.of(a.name(), b.name())), a.shape());
  }

  /** "layer 'conv1'", or "the model" for the root. */
  static String where(String path) {
    return path.isEmpty() ? "the model" : "layer '" + path + "'";
  }

  private static String scope(String path) {
    return path.isEmpty() ? "" : "/" + path.replace('.', '/');
  }

  private static long[] toLongs(int[] dims) {
    long[] d = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      d[i] = dims[i];
    }
    return d;
  }

  List<Node> nodes() {
    return nodes;
  }

  Map<String, Initializer> initializers() {
    return initializers;
  }

  /** Gives the value {@code from} the name {@code to} everywhere (the graph output's name). */
  void rename(String from, String to) {
    nodes.replaceAll(
        n ->
            new Node(
                n.opType(),
                n.name(),
                n.inputs().stream().map(s -> s.equals(from) ? to : s).toList(),
                n.outputs().stream().map(s -> s.equals(from) ? to : s).toList(),
                n.attributes()));
  }
}
