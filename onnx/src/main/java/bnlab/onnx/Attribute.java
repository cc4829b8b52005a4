package bnlab.onnx;

/**
 * An ONNX node attribute (AttributeProto): a name and an int, a float, a string or a list of ints.
 *
 * <pre>{@code
 * Attribute.ints("kernel_shape", 5, 5)   Attribute.of("epsilon", 1e-5f)   Attribute.of("axis", 1)
 * }</pre>
 */
public final class Attribute {
  /** The ONNX attribute types used here, with their AttributeProto.AttributeType numbers. */
  enum Type {
    FLOAT(1),
    INT(2),
    STRING(3),
    INTS(7);

    final int code;

    Type(int code) {
      this.code = code;
    }
  }

  private final String name;
  private final Type type;
  private final long i;
  private final float f;
  private final String s;
  private final long[] ints;

  private Attribute(String name, Type type, long i, float f, String s, long[] ints) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("an ONNX attribute needs a name");
    }
    this.name = name;
    this.type = type;
    this.i = i;
    this.f = f;
    this.s = s;
    this.ints = ints;
  }

  /** An INT attribute. */
  public static Attribute of(String name, long value) {
    return new Attribute(name, Type.INT, value, 0f, null, null);
  }

  /** A FLOAT attribute. */
  public static Attribute of(String name, float value) {
    return new Attribute(name, Type.FLOAT, 0, value, null, null);
  }

  /** A STRING attribute. */
  public static Attribute of(String name, String value) {
    return new Attribute(name, Type.STRING, 0, 0f, value, null);
  }

  /** An INTS attribute. */
  public static Attribute ints(String name, long... values) {
    return new Attribute(name, Type.INTS, 0, 0f, null, values.clone());
  }

  /** The attribute's name. */
  public String name() {
    return name;
  }

  // AttributeProto: name = 1, f = 2, i = 3, s = 4, ints = 8, type = 20.
  ProtoWriter proto() {
    ProtoWriter p = new ProtoWriter().string(1, name);
    switch (type) {
      case FLOAT -> p.float32(2, f);
      case INT -> p.varint(3, i);
      case STRING -> p.string(4, s);
      case INTS -> {
        for (long v : ints) {
          p.varint(8, v);
        }
      }
    }
    return p.varint(20, type.code);
  }

  @Override
  public String toString() {
    return switch (type) {
      case FLOAT -> name + "=" + f;
      case INT -> name + "=" + i;
      case STRING -> name + "='" + s + "'";
      case INTS -> name + "=" + java.util.Arrays.toString(ints);
    };
  }
}
