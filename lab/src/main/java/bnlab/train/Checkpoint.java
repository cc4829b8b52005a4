package bnlab.train;

import bnlab.nn.Counter;
import bnlab.nn.Module;
import bnlab.tensor.Tensor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training checkpoint in the safetensors format (8-byte little-endian header length, JSON header,
 * little-endian data): the model's parameters and float buffers (F32) under their state-dict names,
 * its counters (I64, e.g. "bn1.num_batches_tracked"), the optimizer state under "optim.", and the
 * trainer state (epoch, step, loss windows) as JSON in "__metadata__"."trainer".
 *
 * <p>Files are written to a temporary name and renamed, so an interrupted save never leaves a
 * half-written checkpoint. Loading checks every name and shape before changing anything: a
 * mismatched file is refused with a message naming the tensor, and the model is left unchanged.
 */
public final class Checkpoint {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OPTIM = "optim.";

  private Checkpoint() {}

  /** Writes model, optimizer and trainer state to {@code file} atomically. */
  public static void save(Path file, Module model, Optim optim, Map<String, Object> trainer) {
    Map<String, Tensor> floats = floats(model);
    Map<String, Long> counters = new LinkedHashMap<>();
    model.namedCounters().forEach((k, c) -> counters.put(k, c.get()));
    if (optim != null) {
      optim.tensors().forEach((k, t) -> floats.put(OPTIM + k, t));
      optim.counters().forEach((k, c) -> counters.put(OPTIM + k, c));
    }
    ObjectNode header = JSON.createObjectNode();
    long offset = 0;
    for (var e : floats.entrySet()) {
      offset = entry(header, e.getKey(), "F32", e.getValue().shape(), offset, 4L);
    }
    for (var e : counters.entrySet()) {
      offset = entry(header, e.getKey(), "I64", new int[0], offset, 8L);
    }
    try {
      header.putObject("__metadata__").put("trainer", JSON.writeValueAsString(trainer));
      byte[] h = JSON.writeValueAsBytes(header);
      int pad = (8 - h.length % 8) % 8;
      byte[] hp = Arrays.copyOf(h, h.length + pad);
      Arrays.fill(hp, h.length, hp.length, (byte) ' ');
      ByteBuffer buf = ByteBuffer.allocate(8 + hp.length + (int) offset);
      buf.order(ByteOrder.LITTLE_ENDIAN).putLong(hp.length).put(hp);
      for (Tensor t : floats.values()) {
        float[] d = t.data();
        for (int i = 0, n = t.size(); i < n; i++) {
          buf.putFloat(d[i]);
        }
      }
      for (long c : counters.values()) {
        buf.putLong(c);
      }
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, buf.array());
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  private static long entry(
      ObjectNode header, String name, String dtype, int[] shape, long offset, long width) {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    ObjectNode o = header.putObject(name);
    o.put("dtype", dtype);
    var s = o.putArray("shape");
    for (int d : shape) {
      s.add(d);
    }
    o.putArray("data_offsets").add(offset).add(offset + n * width);
    return offset + n * width;
  }

  private static Map<String, Tensor> floats(Module model) {
    Map<String, Tensor> all = new LinkedHashMap<>();
    model.namedParameters().forEach((k, p) -> all.put(k, p.data()));
    all.putAll(model.namedBuffers());
    return all;
  }

  /** Reads only the trainer state of {@code file}. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> readTrainerState(Path file) {
    try (var in = Files.newInputStream(file)) {
      byte[] len = in.readNBytes(8);
      if (len.length < 8) {
        throw new IllegalArgumentException(file + " is not a checkpoint: too short");
      }
      long hlen = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
      if (hlen < 2 || hlen > Files.size(file) - 8) {
        throw new IllegalArgumentException(file + " is not a checkpoint: bad header length");
      }
      var header = JSON.readTree(in.readNBytes((int) hlen));
      var meta = header.get("__metadata__");
      String trainer =
          meta == null || meta.get("trainer") == null ? "{}" : meta.get("trainer").asText();
      return JSON.readValue(trainer, Map.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Restores model and optimizer (when non-null) from {@code file}; returns the trainer state.
   * Every tensor is checked before anything is copied.
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> load(Path file, Module model, Optim optim) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      if (bytes.length < 8) {
        throw new IllegalArgumentException(file + " is not a checkpoint: too short");
      }
      long hlen = buf.getLong(0);
      if (hlen < 2 || 8 + hlen > bytes.length) {
        throw new IllegalArgumentException(file + " is not a checkpoint: bad header length");
      }
      var header = JSON.readTree(new String(bytes, 8, (int) hlen, StandardCharsets.UTF_8));
      int base = 8 + (int) hlen;
      Map<String, Tensor> floats = floats(model);
      Map<String, Counter> counters = model.namedCounters();
      Map<String, float[]> newFloats = new LinkedHashMap<>();
      for (var e : floats.entrySet()) {
        var o = header.get(e.getKey());
        if (o == null) {
          throw new IllegalArgumentException(
              file + " lacks tensor '" + e.getKey() + "': it was saved from a different model");
        }
        int[] shape = JSON.convertValue(o.get("shape"), int[].class);
        if (!"F32".equals(o.get("dtype").asText()) || !e.getValue().hasShape(shape)) {
          throw new IllegalArgumentException(
              "checkpoint tensor '"
                  + e.getKey()
                  + "' has "
                  + o.get("dtype").asText()
                  + Arrays.toString(shape)
                  + ", the model expects F32"
                  + Arrays.toString(e.getValue().shape()));
        }
        long begin = o.get("data_offsets").get(0).asLong();
        float[] v = new float[e.getValue().size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = buf.getFloat(base + (int) begin + 4 * i);
        }
        newFloats.put(e.getKey(), v);
      }
      Map<String, Long> newCounts = new LinkedHashMap<>();
      for (String name : counters.keySet()) {
        var o = header.get(name);
        if (o == null || !"I64".equals(o.get("dtype").asText())) {
          throw new IllegalArgumentException(file + " lacks counter '" + name + "'");
        }
        newCounts.put(name, buf.getLong(base + (int) o.get("data_offsets").get(0).asLong()));
      }
      Map<String, Tensor> optimTensors = new LinkedHashMap<>();
      Map<String, Long> optimCounts = new LinkedHashMap<>();
      for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        var o = header.get(name);
        if (name.startsWith(OPTIM)) {
          long begin = base + o.get("data_offsets").get(0).asLong();
          String key = name.substring(OPTIM.length());
          if ("I64".equals(o.get("dtype").asText())) {
            optimCounts.put(key, buf.getLong((int) begin));
          } else {
            Tensor t = Tensor.zeros(JSON.convertValue(o.get("shape"), int[].class));
            for (int i = 0; i < t.size(); i++) {
              t.data()[i] = buf.getFloat((int) begin + 4 * i);
            }
            optimTensors.put(key, t);
          }
        } else if (!"__metadata__".equals(name)
            && !floats.containsKey(name)
            && !counters.containsKey(name)) {
          throw new IllegalArgumentException(
              file + " holds tensor '" + name + "' that the model does not have");
        }
      }
      if (optim != null) {
        optim.load(optimTensors, optimCounts);
      }
      newFloats.forEach((k, v) -> System.arraycopy(v, 0, floats.get(k).data(), 0, v.length));
      newCounts.forEach((k, v) -> counters.get(k).set(v));
      var meta = header.get("__metadata__");
      String trainer =
          meta == null || meta.get("trainer") == null ? "{}" : meta.get("trainer").asText();
      return JSON.readValue(trainer, Map.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
    }
  }
}
