package bnlab.onnx;

import bnlab.io.AtomicFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * An exported model: the ONNX file's bytes and what it contains.
 *
 * @param bytes the serialized ModelProto
 * @param input the graph input, e.g. {@code input (N, 3, 32, 32)}
 * @param output the graph output, e.g. {@code output (N, 10)}
 * @param operators the op_type of every node, in graph order
 * @param initializers the initializer names: the state-dict names of the exported parameters and
 *     buffers, then the constants the export added ({@code "/bn1/scale"})
 */
public record OnnxModel(
    byte[] bytes, Value input, Value output, List<String> operators, List<String> initializers) {
  /** Writes the model to {@code file} atomically (temporary file, fsync, rename). */
  public void write(Path file) throws IOException {
    AtomicFile.write(file, bytes);
  }

  @Override
  public String toString() {
    return "ONNX opset "
        + OnnxExport.OPSET
        + ", input '"
        + input.name()
        + "' "
        + input.shapeString()
        + " -> output '"
        + output.name()
        + "' "
        + output.shapeString()
        + ", "
        + operators.size()
        + " nodes, "
        + initializers.size()
        + " initializers, "
        + bytes.length
        + " bytes";
  }
}
