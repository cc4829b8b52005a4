package bnlab.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a checkpoint's metadata says about its model, so that {@code bnlab eval}, {@code export} and
 * {@code predict} can rebuild it from the file alone. Three string entries, each optional:
 *
 * <pre>
 * "model"        zoo name, e.g. "net-bn"
 * "input_shape"  one input without the batch dimension as a JSON array, e.g. "[3,32,32]"
 * "classes"      class names in label order as a JSON array, e.g. "[\"airplane\",...]"
 * </pre>
 *
 * Training runs write all three; a library user can add them to {@code Checkpoint.save}'s metadata.
 * Absent entries are null here.
 *
 * @param model the zoo name, or null
 * @param inputShape (C, H, W) of one input, or null
 * @param classes the class names, or null
 */
public record ModelInfo(String model, int[] inputShape, List<String> classes) {
  /** Metadata key of the model name. */
  public static final String MODEL = "model";

  /** Metadata key of the input shape. */
  public static final String INPUT_SHAPE = "input_shape";

  /** Metadata key of the class names. */
  public static final String CLASSES = "classes";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Copies the shape and the class list. */
  public ModelInfo {
    inputShape = inputShape == null ? null : inputShape.clone();
    classes = classes == null ? null : List.copyOf(classes);
  }

  @Override
  public int[] inputShape() {
    return inputShape == null ? null : inputShape.clone();
  }

  /** The metadata entries of the non-null fields. */
  public Map<String, String> metadata() {
    Map<String, String> m = new LinkedHashMap<>();
    try {
      if (model != null) {
        m.put(MODEL, model);
      }
      if (inputShape != null) {
        m.put(INPUT_SHAPE, JSON.writeValueAsString(inputShape));
      }
      if (classes != null) {
        m.put(CLASSES, JSON.writeValueAsString(classes));
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return m;
  }

  /**
   * The entries found in {@code metadata}.
   *
   * @throws IllegalArgumentException if an entry is there but malformed, naming it
   */
  public static ModelInfo read(Map<String, String> metadata) {
    int[] shape = null;
    List<String> classes = null;
    try {
      if (metadata.containsKey(INPUT_SHAPE)) {
        shape = JSON.readValue(metadata.get(INPUT_SHAPE), int[].class);
        if (shape.length == 0 || Arrays.stream(shape).anyMatch(d -> d < 1)) {
          throw new IllegalArgumentException("not positive sizes");
        }
      }
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "metadata '"
              + INPUT_SHAPE
              + "' is '"
              + metadata.get(INPUT_SHAPE)
              + "', expected e.g."
              + " [3,32,32]");
    }
    try {
      if (metadata.containsKey(CLASSES)) {
        classes = JSON.readValue(metadata.get(CLASSES), new TypeReference<List<String>>() {});
      }
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "metadata '" + CLASSES + "' is not a JSON array of class names");
    }
    return new ModelInfo(metadata.get(MODEL), shape, classes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelInfo i
        && java.util.Objects.equals(i.model, model)
        && Arrays.equals(i.inputShape, inputShape)
        && java.util.Objects.equals(i.classes, classes);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(model, Arrays.hashCode(inputShape), classes);
  }

  @Override
  public String toString() {
    return "ModelInfo[model="
        + model
        + ", inputShape="
        + Arrays.toString(inputShape)
        + ", classes="
        + classes
        + "]";
  }
}
