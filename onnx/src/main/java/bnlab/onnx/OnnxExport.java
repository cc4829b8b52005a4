package bnlab.onnx;

import bnlab.nn.Fold;
import bnlab.nn.Module;
import bnlab.nn.Sequential;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exports a model in eval mode as an ONNX file (opset {@value #OPSET}, IR version 8) that ONNX
 * Runtime and other serving runtimes run.
 *
 * <pre>{@code
 * model.eval();
 * OnnxExport.export(model, new int[] {3, 32, 32}, OnnxExport.Options.defaults())
 *     .write(Path.of("net-bn.onnx"));   // input "input" (N, 3, 32, 32) -> output "output" (N, 10)
 * }</pre>
 *
 * <p>The graph has one input of shape (N, item shape...) with a dynamic batch dimension {@code N}
 * and one output, named by {@link Options} ("input" and "output" by default). Parameters and
 * buffers become initializers under their PyTorch state-dict names ({@code conv1.weight}, {@code
 * bn1.running_var}), so the file can be checked against the safetensors checkpoint name by name.
 * BatchNorm becomes a {@code BatchNormalization} node whose {@code momentum} attribute follows
 * ONNX's convention (the weight of the old value): PyTorch's 0.1 is written 0.9. With {@link
 * Options#foldBatchNorm} the graph is exported after {@link Fold#convBn}, so each
 * Conv2d+BatchNorm2d and Linear+BatchNorm1d pair is one Conv or Gemm with a bias.
 *
 * <p>Supported layers: Sequential, Conv1d, Conv2d, Linear, MaxPool2d, AvgPool2d, ReLU, Sigmoid,
 * Tanh, Flatten, Dropout (identity), BatchNorm1d/2d/3d, GhostBatchNorm and BatchRenorm (their eval
 * mode is BatchNorm's), InstanceNorm1d/2d, LayerNorm and GroupNorm; {@link #register} adds others
 * (see {@link LayerExporter}). A model with an unsupported layer, or with any module still in
 * training mode, is refused with an {@link OnnxExportException} naming the layer.
 *
 * <p>The file is written by a small Protocol Buffers writer in this package rather than by classes
 * generated from onnx.proto with protobuf-java: the export needs nine messages, write-only, and
 * generating them would add protoc (native code) to the build and protobuf-java to every user's
 * class path. The field numbers are onnx.proto's; the tests check every model of the zoo by running
 * the file in ONNX Runtime, which parses it with the real protobuf library.
 */
public final class OnnxExport {
  /** The ONNX operator set the graphs use. */
  public static final int OPSET = 17;

  private OnnxExport() {}

  /**
   * Export options.
   *
   * @param inputName the graph input's name ("input")
   * @param outputName the graph output's name ("output")
   * @param foldBatchNorm whether to fold BatchNorm into the preceding Conv2d/Linear first (false)
   * @param metadata string pairs stored in the model's metadata_props (e.g. class names)
   */
  public record Options(
      String inputName, String outputName, boolean foldBatchNorm, Map<String, String> metadata) {
    /** Options with the metadata copied; names must be non-empty and different. */
    public Options {
      if (inputName == null || inputName.isEmpty() || outputName == null || outputName.isEmpty()) {
        throw new IllegalArgumentException("the ONNX input and output names must not be empty");
      }
      if (inputName.equals(outputName)) {
        throw new IllegalArgumentException(
            "the ONNX input and output need different names, both are '" + inputName + "'");
      }
      metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** "input", "output", no folding, no metadata. */
    public static Options defaults() {
      return new Options("input", "output", false, Map.of());
    }

    /** These options with folding on or off. */
    public Options withFoldBatchNorm(boolean fold) {
      return new Options(inputName, outputName, fold, metadata);
    }

    /** These options with other input and output names. */
    public Options withNames(String input, String output) {
      return new Options(input, output, foldBatchNorm, metadata);
    }

    /** These options with {@code metadata} as the model's metadata_props. */
    public Options withMetadata(Map<String, String> metadata) {
      return new Options(inputName, outputName, foldBatchNorm, metadata);
    }
  }

  /**
   * Registers the exporter of a module class (replacing any earlier one); subclasses without an
   * exporter of their own use it too.
   */
  public static <M extends Module> void register(Class<M> type, LayerExporter<M> exporter) {
    Exporters.register(type, exporter);
  }

  /**
   * Builds the ONNX model of {@code model} for inputs of shape (N, {@code itemShape}...).
   *
   * @param model the model, in eval mode (the model is not changed)
   * @param itemShape the shape of one input without the batch dimension, e.g. {3, 32, 32}
   * @throws OnnxExportException if a module is in training mode, a layer is not supported, or the
   *     shapes do not fit; the message names the layer
   */
  public static OnnxModel export(Module model, int[] itemShape, Options options) {
    requireEval(model);
    Module m = options.foldBatchNorm() ? fold(model) : model;
    int[] shape = new int[itemShape.length + 1];
    shape[0] = -1;
    for (int i = 0; i < itemShape.length; i++) {
      if (itemShape[i] < 1) {
        throw new IllegalArgumentException(
            "the item shape must be positive, got " + java.util.Arrays.toString(itemShape));
      }
      shape[i + 1] = itemShape[i];
    }
    OnnxGraph g = new OnnxGraph(new Value(options.inputName(), shape));
    Value out = g.export(m, "", g.input());
    if (out.name().equals(options.inputName())) {
      out = new Value(g.node("", "Identity", List.of(out.name())), out.shape());
    }
    g.rename(out.name(), options.outputName());
    Value output = new Value(options.outputName(), out.shape());
    byte[] bytes =
        ModelWriter.write(g, g.input(), output, options.metadata(), describe(m, options));
    return new OnnxModel(
        bytes,
        g.input(),
        output,
        g.nodes().stream().map(Node::opType).toList(),
        List.copyOf(g.initializers().keySet()));
  }

  /** Exports {@code model} with default options and writes it to {@code file}. */
  public static OnnxModel write(Module model, int[] itemShape, Path file) throws IOException {
    OnnxModel onnx = export(model, itemShape, Options.defaults());
    onnx.write(file);
    return onnx;
  }

  private static void requireEval(Module model) {
    String first = null;
    for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
      Module m = e.getValue();
      if (m.isTraining() && (first == null || m.children().isEmpty())) {
        first = e.getKey();
        if (m.children().isEmpty()) {
          break;
        }
      }
    }
    if (first != null) {
      throw new OnnxExportException(
          OnnxGraph.where(first)
              + " is in training mode; the ONNX export writes the eval-mode graph (running"
              + " statistics, no dropout): call model.eval() first");
    }
  }

  private static Module fold(Module model) {
    if (!(model instanceof Sequential s)) {
      throw new OnnxExportException(
          "folding BatchNorm (Fold.convBn) works on Sequential models; the model is a "
              + model.getClass().getName()
              + ": export it without folding");
    }
    return Fold.convBn(s);
  }

  private static String describe(Module m, Options o) {
    return "Exported by bnlab in eval mode"
        + (o.foldBatchNorm() ? ", BatchNorm folded into the preceding layers" : "")
        + ". BatchNormalization momentum follows ONNX's convention (1 - PyTorch momentum).";
  }
}
