package bnlab.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors format (https://github.com/huggingface/safetensors).
 *
 * <pre>
 * 8 bytes    N, the header length, unsigned little-endian
 * N bytes    UTF-8 JSON: {"__metadata__": {string: string}, "name": {"dtype": "F32",
 *            "shape": [2, 3], "data_offsets": [begin, end]}, ...}, padded with spaces
 * rest       the tensors' little-endian bytes; offsets are relative to the start of this part
 * </pre>
 *
 * <p>The writer follows the reference implementation byte for byte: tensors sorted by decreasing
 * dtype alignment then by name, packed without gaps, compact JSON with {@code __metadata__} first,
 * header padded with spaces to a multiple of 8 so every tensor starts aligned. The reader is strict
 * like the reference: the tensors must cover the data part exactly, without gaps or overlaps; every
 * header number is checked before use; any problem is a {@link SafeTensorsException} naming the
 * file, the tensor and what is wrong.
 */
public final class SafeTensors {
  /** The reference implementation's limit on the header length. */
  static final long MAX_HEADER = 100_000_000L;

  private static final String METADATA = "__metadata__";

  private SafeTensors() {}

  /** Reads and validates {@code file}. */
  public static SafeTensorsFile read(Path file) throws IOException {
    long size = Files.size(file);
    if (size > Integer.MAX_VALUE - 16) {
      throw new SafeTensorsException(
          file + ": " + size + " bytes is more than bnlab reads (2 GiB)");
    }
    return parse(Files.readAllBytes(file), file.toString());
  }

  /** Parses and validates the bytes of a safetensors file; {@code source} names it in errors. */
  public static SafeTensorsFile parse(byte[] file, String source) throws SafeTensorsException {
    try {
      return parseOrThrow(file);
    } catch (IllegalArgumentException e) {
      throw new SafeTensorsException(source + ": not a valid safetensors file: " + e.getMessage());
    }
  }

  private static SafeTensorsFile parseOrThrow(byte[] file) {
    if (file.length < 8) {
      throw new IllegalArgumentException(
          "only " + file.length + " bytes, less than the 8-byte header length (truncated?)");
    }
    long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (n < 0 || n > MAX_HEADER) {
      throw new IllegalArgumentException(
          "header length " + Long.toUnsignedString(n) + " exceeds the limit of " + MAX_HEADER);
    }
    if (8 + n > file.length) {
      throw new IllegalArgumentException(
          "header length "
              + n
              + " runs past the end of the file ("
              + file.length
              + " bytes): the file is truncated");
    }
    Object root;
    try {
      root = Json.parse(utf8(file, 8, (int) n));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("header is not valid JSON: " + e.getMessage());
    }
    if (!(root instanceof Map<?, ?> header)) {
      throw new IllegalArgumentException("header is not a JSON object");
    }
    Map<String, String> metadata = Map.of();
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<?, ?> e : header.entrySet()) {
      String name = (String) e.getKey();
      if (name.equals(METADATA)) {
        metadata = metadata(e.getValue());
      } else {
        entries.add(entry(name, e.getValue()));
      }
    }
    int dataStart = 8 + (int) n;
    return new SafeTensorsFile(tensors(entries, file, dataStart), metadata);
  }

  private record Entry(String name, DType dtype, int[] shape, long begin, long end) {}

  private static String utf8(byte[] b, int off, int len) {
    String text = new String(b, off, len, StandardCharsets.UTF_8);
    if (text.indexOf('\uFFFD') < 0) {
      return text; // nothing was replaced: the bytes were valid UTF-8
    }
    try { // U+FFFD may be written on purpose: let a strict decoder decide
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b, off, len));
      return text;
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("header is not valid UTF-8");
    }
  }

  private static Map<String, String> metadata(Object v) {
    if (!(v instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(METADATA + " is not an object");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getValue() instanceof String s)) {
        throw new IllegalArgumentException(
            METADATA + " value of " + Json.quote((String) e.getKey()) + " is not a string");
      }
      out.put((String) e.getKey(), s);
    }
    return Collections.unmodifiableMap(out);
  }

  private static Entry entry(String name, Object v) {
    String who = "tensor " + Json.quote(name);
    if (!(v instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(who + " is not an object");
    }
    for (Object k : m.keySet()) {
      if (!List.of("dtype", "shape", "data_offsets").contains(k)) {
        throw new IllegalArgumentException(who + " has an unknown field " + Json.quote((String) k));
      }
    }
    if (!(m.get("dtype") instanceof String dtypeName)) {
      throw new IllegalArgumentException(who + " has no string \"dtype\"");
    }
    DType dtype = DType.byName(dtypeName);
    if (dtype == null) {
      throw new IllegalArgumentException(who + " has unknown dtype " + Json.quote(dtypeName));
    }
    long[] dims = naturals(who, "shape", m.get("shape"), Integer.MAX_VALUE);
    long[] offsets = naturals(who, "data_offsets", m.get("data_offsets"), Long.MAX_VALUE);
    if (offsets.length != 2 || offsets[0] > offsets[1]) {
      throw new IllegalArgumentException(
          who + " has data_offsets " + Arrays.toString(offsets) + ", expected [begin, end]");
    }
    int[] shape = new int[dims.length];
    long bytes = dtype.byteSize();
    for (int i = 0; i < dims.length; i++) {
      shape[i] = (int) dims[i];
      bytes = dims[i] == 0 ? 0 : bytes;
      if (bytes != 0 && bytes > Integer.MAX_VALUE / dims[i]) {
        throw new IllegalArgumentException(
            who + " has too many elements: shape " + Arrays.toString(dims));
      }
      bytes *= dims[i];
    }
    if (offsets[1] - offsets[0] != bytes) {
      throw new IllegalArgumentException(
          who
              + " spans "
              + (offsets[1] - offsets[0])
              + " bytes "
              + Arrays.toString(offsets)
              + " but dtype "
              + dtype
              + " and shape "
              + Arrays.toString(dims)
              + " need "
              + bytes);
    }
    return new Entry(name, dtype, shape, offsets[0], offsets[1]);
  }

  private static long[] naturals(String who, String field, Object v, long max) {
    if (!(v instanceof List<?> list)) {
      throw new IllegalArgumentException(who + " has no array \"" + field + "\"");
    }
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(list.get(i) instanceof Long x) || x < 0 || x > max) {
        throw new IllegalArgumentException(
            who
                + " has "
                + field
                + " element "
                + list.get(i)
                + ", expected an integer in [0, "
                + max
                + "]");
      }
      out[i] = x;
    }
    return out;
  }

  private static Map<String, StoredTensor> tensors(
      List<Entry> entries, byte[] file, int dataStart) {
    List<Entry> byOffset = new ArrayList<>(entries);
    byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long dataLength = file.length - (long) dataStart;
    long at = 0;
    for (Entry e : byOffset) {
      if (e.begin() != at) {
        throw new IllegalArgumentException(
            "tensor "
                + Json.quote(e.name())
                + " starts at data byte "
                + e.begin()
                + ", expected "
                + at
                + ": tensors "
                + (e.begin() < at ? "overlap" : "leave a gap"));
      }
      if (e.end() > dataLength) {
        throw new IllegalArgumentException(
            "tensor "
                + Json.quote(e.name())
                + " ends at data byte "
                + e.end()
                + " but the data part"
                + " has only "
                + dataLength
                + " bytes: the file is truncated");
      }
      at = e.end();
    }
    if (at != dataLength) {
      throw new IllegalArgumentException(
          "the tensors cover "
              + at
              + " data bytes but the data part has "
              + dataLength
              + ": unindexed bytes at the end of the file");
    }
    Map<String, StoredTensor> out = new LinkedHashMap<>();
    for (Entry e : byOffset) {
      int from = dataStart + (int) e.begin();
      byte[] bytes = Arrays.copyOfRange(file, from, dataStart + (int) e.end());
      out.put(e.name(), new StoredTensor(e.dtype(), e.shape(), bytes));
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * The bytes of a safetensors file holding {@code tensors} and {@code metadata} (may be empty),
   * laid out as the reference implementation does.
   */
  public static byte[] serialize(Map<String, StoredTensor> tensors, Map<String, String> metadata) {
    if (tensors.containsKey(METADATA)) {
      throw new IllegalArgumentException(METADATA + " is reserved and cannot name a tensor");
    }
    List<String> names = new ArrayList<>(tensors.keySet());
    names.sort(
        Comparator.comparing((String k) -> tensors.get(k).dtype())
            .reversed()
            .thenComparing((a, b) -> Arrays.compareUnsigned(utf8(a), utf8(b))));
    StringBuilder h = new StringBuilder("{");
    if (!metadata.isEmpty()) {
      h.append(Json.quote(METADATA)).append(":{");
      String sep = "";
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        h.append(sep).append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
        sep = ",";
      }
      h.append('}').append(names.isEmpty() ? "" : ",");
    }
    long offset = 0;
    for (int i = 0; i < names.size(); i++) {
      StoredTensor t = tensors.get(names.get(i));
      h.append(i == 0 ? "" : ",").append(Json.quote(names.get(i))).append(":{\"dtype\":");
      h.append(Json.quote(t.dtype().name())).append(",\"shape\":[");
      int[] shape = t.shape();
      for (int d = 0; d < shape.length; d++) {
        h.append(d == 0 ? "" : ",").append(shape[d]);
      }
      h.append("],\"data_offsets\":[").append(offset).append(',');
      offset += t.byteLength();
      h.append(offset).append("]}");
    }
    h.append('}');
    byte[] header = utf8(h.toString());
    int padded = (header.length + 7) / 8 * 8;
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) (8 + padded + offset));
    out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
    out.writeBytes(header);
    for (int i = header.length; i < padded; i++) {
      out.write(' ');
    }
    for (String name : names) {
      out.writeBytes(tensors.get(name).rawBytes());
    }
    return out.toByteArray();
  }

  /**
   * Writes {@code tensors} and {@code metadata} to {@code file} atomically (see {@link
   * AtomicFile}).
   */
  public static void write(
      Path file, Map<String, StoredTensor> tensors, Map<String, String> metadata)
      throws IOException {
    AtomicFile.write(file, serialize(tensors, metadata));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
