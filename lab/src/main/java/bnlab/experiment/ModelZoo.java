package bnlab.experiment;

import bnlab.models.Norm;
import bnlab.nn.Module;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Models by name ({@code net}, {@code net-bn}, {@code vgg-bn}, ...). Each entry builds a freshly
 * initialised model from a seed for a given input shape and class count, names its normalization
 * kind and its baseline: the same network without that normalization, which the report compares it
 * with ({@code net-bn} → {@code net}, {@code vgg-bn-sigmoid} → {@code vgg-sigmoid}). Both are
 * written into the run records (summary.json's {@code norm} and {@code baseline}, config.json's
 * {@code zoo}), so reports pair models from data, not from their names.
 */
public final class ModelZoo {
  /** Builds a model for inputs of shape (C,H,W) and {@code classes} outputs, seeded. */
  @FunctionalInterface
  public interface Factory {
    /** A new model initialised from {@code seed}. */
    Module build(int[] itemShape, int classes, long seed);
  }

  /**
   * One zoo entry.
   *
   * @param name the name runs and files use, {@code [a-z0-9+-]+}
   * @param norm the normalization layers the model holds (summary.json's {@code norm}); {@link
   *     Norm#NONE} for a model without any in its forward pass
   * @param baseline the zoo name of the same network without normalization, or null for a model
   *     that is itself a baseline
   * @param description one line for {@code bnlab models}
   * @param factory builds the model
   */
  public record Entry(
      String name, Norm norm, String baseline, String description, Factory factory) {
    /** Checks the names. */
    public Entry {
      checkName(name);
      if (norm == null || factory == null) {
        throw new IllegalArgumentException("zoo entry " + name + " needs a norm and a factory");
      }
      if (baseline != null) {
        checkName(baseline);
        if (baseline.equals(name)) {
          throw new IllegalArgumentException(name + " cannot be its own baseline");
        }
      }
    }
  }

  /** What config.json's {@code zoo} records about a model. */
  public record Info(String norm, String baseline) {}

  private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

  static {
    BuiltinModels.register();
  }

  private ModelZoo() {}

  private static void checkName(String name) {
    if (name == null || !name.matches("[a-z0-9+-]+")) {
      throw new IllegalArgumentException("model names use [a-z0-9+-]: " + name);
    }
  }

  /** Adds (or replaces) an entry; tests register tiny models this way. */
  public static synchronized void register(Entry e) {
    ENTRIES.put(e.name(), e);
  }

  /** The suffix of a BatchNorm model trained with SyncBatchNorm across data-parallel workers. */
  public static final String SYNC = "+sync";

  /** Whether {@code name} is spelled {@code <model>+sync}. */
  public static boolean isSync(String name) {
    return name.endsWith(SYNC);
  }

  /** {@code name} without its {@code +sync} suffix. */
  public static String unsync(String name) {
    return isSync(name) ? name.substring(0, name.length() - SYNC.length()) : name;
  }

  /**
   * The entry called {@code name}, or a user error listing the known names. {@code <model>+sync} is
   * {@code <model>} (a BatchNorm model) under another name, so that one comparison can hold both;
   * data-parallel training gives it {@link bnlab.nn.SyncBatchNorm} (see {@code bnlab compare
   * --spark}), and in one process the two are the same model.
   */
  public static synchronized Entry get(String name) {
    if (isSync(name) && !ENTRIES.containsKey(name)) {
      Entry base = get(unsync(name));
      if (base.norm() != Norm.BATCH) {
        throw new UserError(
            name
                + ": "
                + base.name()
                + " has no BatchNorm layers to synchronize (norm "
                + base.norm().id()
                + "); +sync applies to BatchNorm models such as net-bn");
      }
      return new Entry(
          name,
          base.norm(),
          base.baseline(),
          base.description() + " (SyncBatchNorm across data-parallel workers)",
          base.factory());
    }
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

  /** Norm and baseline of each of {@code models}, in their order (config.json's {@code zoo}). */
  static Map<String, Info> info(Iterable<String> models) {
    Map<String, Info> out = new LinkedHashMap<>();
    for (String m : models) {
      Entry e = get(m);
      out.put(m, new Info(e.norm().id(), e.baseline()));
    }
    return out;
  }
}
