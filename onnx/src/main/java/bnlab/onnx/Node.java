package bnlab.onnx;

import java.util.List;

/** One NodeProto of the graph: operator, unique name, input and output value names, attributes. */
record Node(
    String opType,
    String name,
    List<String> inputs,
    List<String> outputs,
    List<Attribute> attributes) {
  // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
  ProtoWriter proto() {
    ProtoWriter p = new ProtoWriter();
    inputs.forEach(i -> p.string(1, i));
    outputs.forEach(o -> p.string(2, o));
    p.string(3, name).string(4, opType);
    attributes.forEach(a -> p.message(5, a.proto()));
    return p;
  }
}
