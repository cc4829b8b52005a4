/**
 * ONNX export of bnlab models: {@link bnlab.onnx.OnnxExport} writes a model in eval mode as an ONNX
 * file (opset 17, dynamic batch dimension, PyTorch's parameter names as initializer names) for ONNX
 * Runtime and other serving runtimes. Each layer type has a {@link bnlab.onnx.LayerExporter}; new
 * module types plug in with {@link bnlab.onnx.OnnxExport#register}. JDK only: the file is written
 * by a small Protocol Buffers writer.
 */
package bnlab.onnx;
