package bnlab.onnx;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A generic Protocol Buffers decoder for the tests: fields by number, varints as Long, fixed32 as
 * Integer (raw bits), length-delimited fields as byte[] (decode nested messages again).
 */
final class ProtoReader {
  private final Map<Integer, List<Object>> fields = new LinkedHashMap<>();

  ProtoReader(byte[] b) {
    int[] at = {0};
    while (at[0] < b.length) {
      long key = varint(b, at);
      int field = (int) (key >>> 3);
      Object v =
          switch ((int) (key & 7)) {
            case 0 -> varint(b, at);
            case 1 -> {
              long x = 0;
              for (int i = 0; i < 8; i++) {
                x |= (b[at[0]++] & 0xFFL) << (8 * i);
              }
              yield x;
            }
            case 2 -> {
              int n = (int) varint(b, at);
              byte[] s = java.util.Arrays.copyOfRange(b, at[0], at[0] + n);
              at[0] += n;
              yield s;
            }
            case 5 -> {
              int x = 0;
              for (int i = 0; i < 4; i++) {
                x |= (b[at[0]++] & 0xFF) << (8 * i);
              }
              yield x;
            }
            default -> throw new IllegalArgumentException("wire type " + (key & 7));
          };
      fields.computeIfAbsent(field, k -> new ArrayList<>()).add(v);
    }
  }

  private static long varint(byte[] b, int[] at) {
    long v = 0;
    for (int shift = 0; ; shift += 7) {
      byte x = b[at[0]++];
      v |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        return v;
      }
    }
  }

  List<Object> all(int field) {
    return fields.getOrDefault(field, List.of());
  }

  long num(int field) {
    return (Long) all(field).get(0);
  }

  String str(int field) {
    return all(field).isEmpty()
        ? null
        : new String((byte[]) all(field).get(0), StandardCharsets.UTF_8);
  }

  List<String> strs(int field) {
    return all(field).stream().map(o -> new String((byte[]) o, StandardCharsets.UTF_8)).toList();
  }

  ProtoReader msg(int field) {
    return new ProtoReader((byte[]) all(field).get(0));
  }

  List<ProtoReader> msgs(int field) {
    return all(field).stream().map(o -> new ProtoReader((byte[]) o)).toList();
  }
}
