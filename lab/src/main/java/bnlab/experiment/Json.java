package bnlab.experiment;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON mapping of the run records: record components in snake_case (batchSize →
 * batch_size), indented output, unknown keys ignored on reading (files written by older or newer
 * versions still load; identity checks compare keys explicitly, see {@link ConfigDiff}).
 */
final class Json {
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private Json() {}

  /**
   * {@code value} as the tree its file would hold: written and parsed again, so numbers have the
   * node types a file read gives (44 is an int node whether it came from a long or an int).
   */
  static JsonNode tree(Object value) {
    try {
      return MAPPER.readTree(MAPPER.writeValueAsBytes(value));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialise " + value, e);
    }
  }
}
