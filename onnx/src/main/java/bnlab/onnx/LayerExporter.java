package bnlab.onnx;

import bnlab.nn.Module;

/**
 * Writes one layer type as ONNX nodes. Register an exporter for a new module type with {@link
 * OnnxExport#register}; a container (such as a residual block) exports its children with {@link
 * OnnxGraph#export} and joins branches with {@link OnnxGraph#add}.
 *
 * <pre>{@code
 * OnnxExport.register(Residual.class, (block, path, x, g) -> {
 *   Value branch = g.export(block.body(), path + ".body", x);   // x is consumed twice
 *   return g.add(path, branch, x);
 * });
 * }</pre>
 *
 * @param <M> the module type
 */
@FunctionalInterface
public interface LayerExporter<M extends Module> {
  /**
   * Adds the nodes that compute {@code layer(input)} to {@code graph} and returns their output.
   *
   * @param layer the module, in eval mode
   * @param path its dotted name in the model ({@code "features.conv1"}), the prefix of its
   *     parameters' initializer names
   * @param input the value it reads, with its shape (dim 0 = -1 for the dynamic batch)
   * @param graph the graph being built
   * @throws OnnxExportException if the layer's settings or the input shape cannot be exported
   */
  Value export(M layer, String path, Value input, OnnxGraph graph);
}
