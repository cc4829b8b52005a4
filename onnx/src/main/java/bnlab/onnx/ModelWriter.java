package bnlab.onnx;

import java.util.Map;

/** Serializes a finished graph as an ONNX ModelProto (field numbers from onnx/onnx.proto). */
final class ModelWriter {
  /** IR version 8, the one ONNX 1.12 pairs with opset 17. */
  static final int IR_VERSION = 8;

  private static final int TENSOR_FLOAT = 1;

  private ModelWriter() {}

  static byte[] write(
      OnnxGraph g, Value input, Value output, Map<String, String> metadata, String doc) {
    // GraphProto: node = 1, name = 2, initializer = 5, doc_string = 10, input = 11, output = 12.
    ProtoWriter graph = new ProtoWriter();
    g.nodes().forEach(n -> graph.message(1, n.proto()));
    graph.string(2, "bnlab");
    g.initializers().values().forEach(i -> graph.message(5, i.proto()));
    graph.string(10, doc).message(11, valueInfo(input)).message(12, valueInfo(output));
    // ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, doc_string = 6,
    // graph = 7, opset_import = 8 (OperatorSetIdProto: domain = 1, "" = ai.onnx; version = 2),
    // metadata_props = 14 (StringStringEntryProto: key = 1, value = 2).
    ProtoWriter model = new ProtoWriter().varint(1, IR_VERSION).string(2, "bnlab");
    String version = ModelWriter.class.getPackage().getImplementationVersion();
    if (version != null) {
      model.string(3, version);
    }
    model.string(6, doc).message(7, graph);
    model.message(8, new ProtoWriter().string(1, "").varint(2, OnnxExport.OPSET));
    metadata.forEach((k, v) -> model.message(14, new ProtoWriter().string(1, k).string(2, v)));
    return model.toByteArray();
  }

  // ValueInfoProto: name = 1, type = 2; TypeProto.tensor_type = 1 (elem_type = 1, shape = 2);
  // TensorShapeProto.dim = 1 (dim_value = 1, dim_param = 2).
  private static ProtoWriter valueInfo(Value v) {
    ProtoWriter shape = new ProtoWriter();
    for (int d : v.shape()) {
      shape.message(1, d < 0 ? new ProtoWriter().string(2, "N") : new ProtoWriter().varint(1, d));
    }
    ProtoWriter tensor = new ProtoWriter().varint(1, TENSOR_FLOAT).message(2, shape);
    return new ProtoWriter().string(1, v.name()).message(2, new ProtoWriter().message(1, tensor));
  }
}
