package bnlab.lab;

import bnlab.nn.Module;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Models by display name ({@code net}, {@code net-bn}, {@code vgg-bn}, ...). Each entry builds a
 * freshly initialised model from a seed for a given input shape and class count, and names its
 * normalization ({@code none}, {@code batch}, ...).
 */
public final class ModelZoo {
  /** Builds a model for inputs of shape (C,H,W) and {@code classes} outputs, seeded. */
  @FunctionalInterface
  public interface Factory {
    /** A new model initialised from {@code seed}. */
    Module build(int[] itemShape, int classes, long seed);
  }

  /** One zoo entry. */
  public record Entry(String name, String norm, String description, Factory factory) {}

  private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

  static {
    BuiltinModels.register();
  }

  private ModelZoo() {}

  /** Adds (or replaces) an entry; tests register tiny models this way. */
  public static synchronized void register(Entry e) {
    if (!e.name().matches("[a-z0-9+-]+")) {
      throw new IllegalArgumentException("model names use [a-z0-9+-]: " + e.name());
    }
    ENTRIES.put(e.name(), e);
  }

  /** The entry called {@code name}, or a user error listing the known names. */
  public static synchronized Entry get(String name) {
    Entry e = ENTRIES.get(name);
    if (e == null) {
      throw new UserError(
          "unknown model '" + name + "'; known models: " + String.join(", ", names()));
    }
    return e;
  }

  /** All known names, sorted. */
  public static synchronized TreeSet<String> names() {
    return new TreeSet<>(ENTRIES.keySet());
  }

  /** All entries in registration order. */
  public static synchronized Map<String, Entry> entries() {
    return new LinkedHashMap<>(ENTRIES);
  }
}
