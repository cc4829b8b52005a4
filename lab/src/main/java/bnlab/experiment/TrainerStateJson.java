package bnlab.experiment;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Typed, checked access to the fields of a trainer state's JSON object, for {@link TrainerState}.
 * Every accessor names the field in its {@link Invalid} message: absent, of the wrong type ({@code
 * "step":"abc"}, {@code "step":1.5}) or out of range. Numbers are JSON numbers; the non-finite
 * values Jackson writes as the strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}
 * are read back only where a field may hold them.
 */
final class TrainerStateJson {
  // Numbers longer than this are no step count or loss; nesting deeper than this is no state.
  private static final ObjectMapper STRICT =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNumberLength(64)
                          .maxNestingDepth(64)
                          .build())
                  .build())
          .build();

  /** A trainer state that is not well formed; the message names the field and the problem. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }
  }

  private final JsonNode root;

  private TrainerStateJson(JsonNode root) {
    this.root = root;
  }

  /** The object {@code json} holds. */
  static TrainerStateJson of(String json) throws Invalid {
    JsonNode root;
    try {
      root = STRICT.readTree(json);
    } catch (JsonProcessingException e) {
      throw new Invalid("it is not JSON (" + e.getOriginalMessage().replace('\n', ' ') + ")");
    }
    if (root == null || !root.isObject()) {
      throw new Invalid("it is not a JSON object");
    }
    return new TrainerStateJson(root);
  }

  /** An integer field in [min, max]. */
  int integer(String name, int min, int max) throws Invalid {
    return (int) whole(name, min, max);
  }

  /** A whole-number field in [min, max]. */
  long whole(String name, long min, long max) throws Invalid {
    JsonNode v = required(name);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw wrong(name, v, "a whole number");
    }
    long x = v.asLong();
    if (x < min || x > max) {
      throw wrong(name, v, "a whole number in [" + min + ", " + max + "]");
    }
    return x;
  }

  /** A finite number. */
  double finite(String name) throws Invalid {
    double x = number(name, required(name));
    if (!Double.isFinite(x)) {
      throw wrong(name, root.get(name), "a finite number");
    }
    return x;
  }

  /** A finite number &ge; 0. */
  double nonNegative(String name) throws Invalid {
    double x = finite(name);
    if (x < 0) {
      throw wrong(name, root.get(name), "a number >= 0");
    }
    return x;
  }

  /** An accuracy in [0, 1], or null when the field is null or absent (not tested yet). */
  Double accuracy(String name) throws Invalid {
    JsonNode v = root.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    double x = number(name, v);
    if (!(x >= 0 && x <= 1)) {
      throw wrong(name, v, "an accuracy in [0, 1] or null");
    }
    return x;
  }

  /** An array of finite numbers. */
  double[] finiteNumbers(String name) throws Invalid {
    JsonNode v = required(name);
    if (!v.isArray()) {
      throw wrong(name, v, "an array of numbers");
    }
    double[] out = new double[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = number(name + "[" + i + "]", v.get(i));
      if (!Double.isFinite(out[i])) {
        throw wrong(name + "[" + i + "]", v.get(i), "a finite number");
      }
    }
    return out;
  }

  /** metrics.csv's open window: [sum, count], a finite sum and a whole count &ge; 0. */
  double[] metricsWindow(String name) throws Invalid {
    double[] w = finiteNumbers(name);
    if (w.length != 2 || w[1] < 0 || w[1] != Math.rint(w[1]) || w[1] > Integer.MAX_VALUE) {
      throw wrong(name, root.get(name), "[sum, count] with a whole count >= 0");
    }
    return w;
  }

  /** Named numbers (any value, NaN included); empty when the field is null or absent. */
  Map<String, Double> measurements(String name) throws Invalid {
    JsonNode v = root.get(name);
    Map<String, Double> out = new LinkedHashMap<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isObject()) {
      throw wrong(name, v, "an object of named numbers");
    }
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      out.put(e.getKey(), number(name + "." + e.getKey(), e.getValue()));
    }
    return out;
  }

  /** An object, or null when the field is null or absent. */
  JsonNode optionalObject(String name) throws Invalid {
    JsonNode v = root.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw wrong(name, v, "an object");
    }
    return v;
  }

  private JsonNode required(String name) throws Invalid {
    JsonNode v = root.get(name);
    if (v == null) {
      throw new Invalid("'" + name + "' is missing");
    }
    return v;
  }

  private static double number(String name, JsonNode v) throws Invalid {
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isTextual()) {
      switch (v.asText()) {
        case "NaN" -> {
          return Double.NaN;
        }
        case "Infinity" -> {
          return Double.POSITIVE_INFINITY;
        }
        case "-Infinity" -> {
          return Double.NEGATIVE_INFINITY;
        }
        default -> {
          // not a number: reported below
        }
      }
    }
    throw wrong(name, v, "a number");
  }

  private static Invalid wrong(String name, JsonNode v, String expected) {
    String shown = v.toString();
    if (shown.length() > 40) {
      shown = shown.substring(0, 37) + "...";
    }
    return new Invalid("'" + name + "' is " + shown + ", expected " + expected);
  }
}
