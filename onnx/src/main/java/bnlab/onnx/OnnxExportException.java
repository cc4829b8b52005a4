package bnlab.onnx;

/**
 * A model the ONNX export cannot write: a layer type without an exporter, a model in training mode,
 * or shapes that do not fit. The message is one line naming the layer and the fix.
 */
public final class OnnxExportException extends RuntimeException {
  /** An exception with a one-line message naming the layer. */
  public OnnxExportException(String message) {
    super(message);
  }
}
