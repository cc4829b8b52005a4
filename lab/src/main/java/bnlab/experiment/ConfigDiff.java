package bnlab.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --resume} identity check: a configuration as it was written (config.json, or the
 * configuration saved in a checkpoint) against the configuration of this session, key by key.
 * Values must be equal, except those marked {@link MayGrow} (they may increase) and {@link
 * SessionOnly} (not compared); keys the engine adds to config.json ({@code data_source}, {@code
 * environment}) are not part of the configuration.
 */
final class ConfigDiff {
  private static final Set<String> ADDED_BY_ENGINE = Set.of("data_source", "environment");
  private static final PropertyNamingStrategies.NamingBase SNAKE =
      (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

  private enum Rule {
    GROW,
    SESSION
  }

  private ConfigDiff() {}

  /**
   * What differs between {@code written} and {@code now} (a configuration record; its annotations
   * give the rules), one phrase per key ("lr was 1.0E-4, now 0.001"); empty when the runs are the
   * same.
   */
  static List<String> between(JsonNode written, Object now) {
    Map<String, Rule> rules = new LinkedHashMap<>();
    collect(now, "", rules);
    List<String> out = new ArrayList<>();
    compare("", written, Json.tree(now), rules, out);
    return out;
  }

  private static void compare(
      String prefix, JsonNode was, JsonNode now, Map<String, Rule> rules, List<String> out) {
    Set<String> keys = new LinkedHashSet<>();
    was.fieldNames().forEachRemaining(keys::add);
    now.fieldNames().forEachRemaining(keys::add);
    for (String k : keys) {
      String key = prefix + k;
      if ((prefix.isEmpty() && ADDED_BY_ENGINE.contains(k)) || rules.get(key) == Rule.SESSION) {
        continue;
      }
      JsonNode a = was.path(k);
      JsonNode b = now.path(k);
      if (a.isObject() && b.isObject()) {
        compare(key + ".", a, b, rules, out);
      } else if (rules.get(key) == Rule.GROW && a.isNumber() && b.isNumber()) {
        if (b.asDouble() < a.asDouble()) {
          out.add(
              key + " was " + show(a) + ", now " + show(b) + " (a run can be extended, not cut)");
        }
      } else if (!a.equals(b)) {
        out.add(key + " was " + show(a) + ", now " + show(b));
      }
    }
  }

  private static String show(JsonNode v) {
    return v.isMissingNode() ? "absent" : v.isTextual() ? v.asText() : v.toString();
  }

  /** The rules of {@code value}'s keys, from the annotations of its accessors. */
  private static void collect(Object value, String prefix, Map<String, Rule> out) {
    if (!(value instanceof Record r)) {
      return;
    }
    Set<Method> accessors = new LinkedHashSet<>();
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      Method m = c.getAccessor();
      accessors.add(m);
      Object v = invoke(m, r);
      if (m.isAnnotationPresent(JsonUnwrapped.class)) {
        collect(v, prefix, out);
      } else {
        String key = prefix + name(m);
        rule(m, key, out);
        collect(v, key + ".", out);
      }
    }
    for (Method m : r.getClass().getMethods()) {
      if (!accessors.contains(m) && m.isAnnotationPresent(JsonProperty.class)) {
        rule(m, prefix + name(m), out);
      }
    }
  }

  private static void rule(Method m, String key, Map<String, Rule> out) {
    if (m.isAnnotationPresent(MayGrow.class)) {
      out.put(key, Rule.GROW);
    } else if (m.isAnnotationPresent(SessionOnly.class)) {
      out.put(key, Rule.SESSION);
    }
  }

  private static String name(Method m) {
    JsonProperty p = m.getAnnotation(JsonProperty.class);
    return p != null && !p.value().isEmpty() ? p.value() : SNAKE.translate(m.getName());
  }

  private static Object invoke(Method m, Object target) {
    try {
      return m.invoke(target);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read " + m, e);
    }
  }
}
