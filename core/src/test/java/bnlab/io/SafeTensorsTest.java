package bnlab.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafeTensorsTest {
  /** A file assembled by hand: 8-byte little-endian length, header text, then data bytes. */
  static byte[] file(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long n = h.length;
    for (int i = 0; i < 8; i++) {
      out.write((int) (n >>> (8 * i)) & 0xFF);
    }
    out.writeBytes(h);
    out.writeBytes(data);
    return out.toByteArray();
  }

  /** Little-endian IEEE-754 bytes of the floats, spelled out byte by byte. */
  static byte[] f32(float... values) {
    byte[] b = new byte[values.length * 4];
    for (int i = 0; i < values.length; i++) {
      int bits = Float.floatToRawIntBits(values[i]);
      for (int k = 0; k < 4; k++) {
        b[4 * i + k] = (byte) (bits >>> (8 * k));
      }
    }
    return b;
  }

  static byte[] i64(long v) {
    byte[] b = new byte[8];
    for (int k = 0; k < 8; k++) {
      b[k] = (byte) (v >>> (8 * k));
    }
    return b;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static Map<String, StoredTensor> one(String name, StoredTensor t) {
    Map<String, StoredTensor> m = new LinkedHashMap<>();
    m.put(name, t);
    return m;
  }

  @Test
  void writerMatchesTheReferenceLayoutByteForByte() {
    // The reference implementation's own examples: a 64-byte header needs no padding, a 65-byte
    // header is padded with 7 spaces to 72; an empty file is "{}" plus 6 spaces.
    float[] v = {0, 1, 2, 3, 4, 5};
    StoredTensor a = StoredTensor.f32(Tensor.of(v, 1, 2, 3));
    String h1 = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}";
    assertEquals(64, h1.length());
    assertArrayEquals(file(h1, f32(v)), SafeTensors.serialize(one("attn.0", a), Map.of()));

    StoredTensor b = StoredTensor.f32(Tensor.of(v, 1, 1, 2, 3));
    String h2 = "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}";
    assertEquals(65, h2.length());
    assertArrayEquals(
        file(h2 + "       ", f32(v)), SafeTensors.serialize(one("attn0", b), Map.of()));

    assertArrayEquals(file("{}      ", new byte[0]), SafeTensors.serialize(Map.of(), Map.of()));
    assertArrayEquals(
        file("{\"__metadata__\":{\"framework\":\"pt\"}}     ", new byte[0]),
        SafeTensors.serialize(Map.of(), Map.of("framework", "pt")));
  }

  @Test
  void writerOrdersByDecreasingAlignmentThenName() throws Exception {
    Map<String, StoredTensor> m = new LinkedHashMap<>();
    m.put("b.weight", StoredTensor.f32(Tensor.of(new float[] {1.5f}, 1)));
    m.put("a.weight", StoredTensor.f32(Tensor.of(new float[] {2.5f, -1f}, 2)));
    m.put("z.count", StoredTensor.i64(7));
    String header =
        "{\"z.count\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
            + "\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
            + "\"b.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]}}";
    String padded = header + " ".repeat((8 - header.length() % 8) % 8);
    byte[] expected = file(padded, concat(i64(7), f32(2.5f, -1f), f32(1.5f)));
    assertArrayEquals(expected, SafeTensors.serialize(m, Map.of()));
    assertEquals(0, (8 + padded.length()) % 8, "data must start 8-byte aligned");
  }

  @Test
  void readsAFileWrittenByHand() throws Exception {
    // Pretty-printed, keys in any order, metadata last, data in a different order than the keys.
    String header =
        "{\n  \"fc.weight\": {\"shape\": [2, 2], \"dtype\": \"F32\", \"data_offsets\": [8, 24]},\n"
            + "  \"bn.num_batches_tracked\": {\"dtype\": \"I64\", \"shape\": [], \"data_offsets\": [0, 8]},\n"
            + "  \"__metadata__\": {\"format\": \"pt\", \"note\": \"caf\\u00e9 \\\"q\\\"\"}\n}   ";
    byte[] bytes = file(header, concat(i64(42), f32(1f, -2f, 0.5f, 3.25f)));
    SafeTensorsFile f = SafeTensors.parse(bytes, "hand-made");
    assertEquals(List.of("bn.num_batches_tracked", "fc.weight"), List.copyOf(f.tensors().keySet()));
    StoredTensor w = f.tensors().get("fc.weight");
    assertEquals(DType.F32, w.dtype());
    assertArrayEquals(new int[] {2, 2}, w.shape());
    assertArrayEquals(new float[] {1f, -2f, 0.5f, 3.25f}, w.toTensor().toArray());
    StoredTensor c = f.tensors().get("bn.num_batches_tracked");
    assertArrayEquals(new int[0], c.shape());
    assertEquals(42L, c.toLongs()[0]);
    assertEquals("café \"q\"", f.metadata().get("note"));
    assertEquals("pt", f.metadata().get("format"));
  }

  @Test
  void roundTripThroughTheWriter() throws Exception {
    Map<String, StoredTensor> m = new LinkedHashMap<>();
    m.put("x", StoredTensor.f32(Tensor.of(new float[] {Float.NaN, -0f, Float.MIN_VALUE}, 3)));
    m.put("n", StoredTensor.i64(Long.MIN_VALUE));
    m.put("empty", StoredTensor.f32(Tensor.zeros(0, 4)));
    SafeTensorsFile f =
        SafeTensors.parse(SafeTensors.serialize(m, Map.of("k", "v\n\u0001")), "mem");
    assertArrayEquals(m.get("x").bytes(), f.tensors().get("x").bytes());
    assertEquals(Long.MIN_VALUE, f.tensors().get("n").toLongs()[0]);
    assertArrayEquals(new int[] {0, 4}, f.tensors().get("empty").shape());
    assertEquals("v\n\u0001", f.metadata().get("k"));
  }

  private static void assertRejected(byte[] bytes, String... fragments) {
    SafeTensorsException e =
        assertThrows(SafeTensorsException.class, () -> SafeTensors.parse(bytes, "bad.safetensors"));
    assertTrue(e.getMessage().startsWith("bad.safetensors"), e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
    }
  }

  private static final String T =
      "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

  @Test
  void rejectsTruncatedAndOversizedFiles() {
    byte[] good = file(T, f32(1, 2));
    assertRejected(new byte[5], "8-byte");
    assertRejected(java.util.Arrays.copyOf(good, 20), "truncated");
    assertRejected(java.util.Arrays.copyOf(good, good.length - 1), "\"t\"", "truncated");
    assertRejected(concat(good, new byte[4]), "unindexed");
    byte[] huge = good.clone();
    huge[7] = 0x7f;
    assertRejected(huge, "exceeds");
    byte[] negative = good.clone();
    negative[7] = (byte) 0xff;
    assertRejected(negative, "exceeds");
  }

  @Test
  void rejectsCorruptHeaders() {
    assertRejected(file("{\"t\":{\"dtype\":\"F32\"", new byte[0]), "JSON");
    assertRejected(file(T + "x", f32(1, 2)), "JSON");
    assertRejected(file("[1,2]", new byte[0]), "not a JSON object");
    assertRejected(
        file(
            "{\"t\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
            f32(1, 2)),
        "duplicate key");
    assertRejected(file(T.replace("F32", "F33"), f32(1, 2)), "\"t\"", "F33");
    assertRejected(file(T.replace("[2]", "[2.0]"), f32(1, 2)), "\"t\"", "shape");
    assertRejected(file(T.replace("[2]", "[-2]"), f32(1, 2)), "\"t\"", "shape");
    assertRejected(file(T.replace("[0,8]", "[8,0]"), f32(1, 2)), "\"t\"", "data_offsets");
    assertRejected(file(T.replace("[0,8]", "[0,4]"), f32(1)), "\"t\"", "need 8");
    assertRejected(file(T.replace("}}", ",\"extra\":1}}"), f32(1, 2)), "unknown field");
    assertRejected(file("{\"__metadata__\":{\"a\":1}}", new byte[0]), "not a string");
    byte[] badUtf8 = file("{\"\u00e9\":1}", new byte[0]);
    badUtf8[10] = (byte) 0xC3;
    badUtf8[11] = (byte) 0x28;
    assertRejected(badUtf8, "UTF-8");
    assertRejected(file("[".repeat(200) + "]".repeat(200), new byte[0]), "nesting deeper");
  }

  @Test
  void rejectsGapsAndOverlaps() {
    String two =
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[%d,%d]}}";
    assertRejected(file(String.format(two, 4, 12), f32(1, 2, 3)), "\"b\"", "overlap");
    assertRejected(file(String.format(two, 12, 20), f32(1, 2, 3, 4, 5)), "\"b\"", "gap");
    assertRejected(file(String.format(two, 8, 16), f32(1, 2, 3)), "\"b\"", "truncated");
  }

  /** {@code n} copies of {@code item} ('#' replaced by the copy's number) between brackets. */
  private static String repeated(String open, String item, int n, String close) {
    StringBuilder sb = new StringBuilder(open);
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append(item.replace("#", Integer.toString(i, 36)));
    }
    return sb.append(close).toString();
  }

  @Test
  void headerOfTinyJsonValuesAllocatesAtMost32TimesItsLength() {
    // Small JSON values cost tens of bytes each as Java objects: the worst headers per byte.
    String[] headers = {
      repeated("{\"__metadata__\":[", "{}", 200_000, "]}"),
      repeated("{\"__metadata__\":[", "[[[[[[[[]]]]]]]]", 50_000, "]}"),
      repeated("{\"__metadata__\":[", "1.5", 200_000, "]}"),
      repeated("{\"__metadata__\":[", "\"\"", 200_000, "]}"),
      repeated("{\"__metadata__\":{", "\"#\":\"\"", 200_000, "}}"),
      repeated("{", "\"#\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}", 20_000, "}"),
    };
    for (String h : headers) {
      byte[] text = h.getBytes(StandardCharsets.UTF_8);
      byte[] file =
          java.nio.ByteBuffer.allocate(8 + text.length)
              .order(java.nio.ByteOrder.LITTLE_ENDIAN)
              .putLong(text.length)
              .put(text)
              .array();
      long before = Allocation.total();
      try {
        SafeTensors.parse(file, "hostile");
      } catch (SafeTensorsException refused) {
        // refusing is fine; the question is what it cost
      }
      long used = Allocation.total() - before;
      assertTrue(
          used <= 32L * file.length,
          h.substring(0, 30)
              + "...: "
              + used
              + " bytes for "
              + file.length
              + " ("
              + used / file.length
              + "x)");
    }
  }
}
