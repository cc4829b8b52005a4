package bnlab.io;

/**
 * The element types of the safetensors format, under its names and in its order of increasing
 * alignment (the reference writer stores tensors by decreasing alignment, then by name). bnlab
 * stores F32 (parameters, buffers, optimizer state) and I64 ({@code num_batches_tracked}, step
 * counts); the others can be inspected as raw bytes.
 */
public enum DType {
  BOOL(1),
  U8(1),
  I8(1),
  F8_E5M2(1),
  F8_E4M3(1),
  I16(2),
  U16(2),
  F16(2),
  BF16(2),
  I32(4),
  U32(4),
  F32(4),
  F64(8),
  I64(8),
  U64(8);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int byteSize() {
    return bytes;
  }

  /** The dtype named {@code name} in a header, or null if the name is unknown. */
  static DType byName(String name) {
    for (DType d : values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }
}
