package bnlab.io;

import bnlab.nn.Counter;
import bnlab.nn.Module;
import bnlab.nn.Parameter;
import bnlab.optim.Optimizer;
import bnlab.optim.OptimizerState;
import bnlab.optim.ParamGroup;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saves and loads a model's state (and optionally its optimizer's) as a safetensors file.
 *
 * <p>The model part is PyTorch's {@code state_dict}: every parameter and float buffer as F32 under
 * its dotted name ({@code "conv1.weight"}, {@code "bn1.running_var"}) and every counter as an I64
 * scalar of shape [] ({@code "bn1.num_batches_tracked"}). A file saved without optimizer is read by
 * {@code model.load_state_dict(safetensors.torch.load_file(path))} in PyTorch, and a PyTorch state
 * dict saved with {@code safetensors.torch.save_file} loads here when the names match; like
 * PyTorch's {@code load_state_dict}, it may lack BatchNorm's {@code num_batches_tracked}, which
 * then keeps the model's value (0 in a new model).
 *
 * <p>With an optimizer, its state is added under {@code "optimizer."}: buffers as F32 ({@code
 * optimizer.state.3.exp_avg}), step counts as I64 ({@code optimizer.state.3.step}), and in the
 * metadata its type, learning rates, settings and the model names of its parameters. PyTorch
 * loaders then need {@code strict=False} or a filter on that prefix.
 *
 * <p>Loading validates everything first: file format, finite values (NaN or infinity in any F32
 * tensor is refused, naming the tensor), names (missing and unexpected), shapes, dtypes and the
 * optimizer's state. Only then is anything copied, so a rejected file leaves model and optimizer
 * unchanged. Saving is atomic ({@link AtomicFile}).
 *
 * <pre>{@code
 * Checkpoint.save(model, optimizer, Map.of("epoch", "12"), Path.of("run/last.safetensors"));
 * Map<String, String> meta = Checkpoint.load(model, optimizer, Path.of("run/last.safetensors"));
 * }</pre>
 */
public final class Checkpoint {
  private static final String OPT = "optimizer.";
  private static final String TYPE = OPT + "type";
  private static final String PARAM_NAMES = OPT + "param_names";
  private static final String FORMAT = "format";
  private static final int MAX_LISTED = 12;
  private static final String BATCH_COUNTER = "num_batches_tracked";

  private Checkpoint() {}

  /** Saves the model's parameters, buffers and counters to {@code file}. */
  public static void save(Module model, Path file) throws IOException {
    save(model, null, Map.of(), file);
  }

  /**
   * Saves the model and, if {@code optimizer} is not null, its state, with {@code metadata} (string
   * pairs such as the epoch; keys "format" and "optimizer.*" are reserved).
   */
  public static void save(
      Module model, Optimizer optimizer, Map<String, String> metadata, Path file)
      throws IOException {
    Map<String, StoredTensor> tensors = modelTensors(model);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(FORMAT, "pt");
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      if (e.getKey().equals(FORMAT) || e.getKey().startsWith(OPT)) {
        throw new IllegalArgumentException(
            "metadata key '" + e.getKey() + "' is reserved by bnlab; choose another name");
      }
      meta.put(e.getKey(), e.getValue());
    }
    if (optimizer != null) {
      for (String name : tensors.keySet()) {
        if (name.startsWith(OPT)) {
          throw new IllegalArgumentException(
              "model tensor '"
                  + name
                  + "' clashes with the optimizer's names; rename the"
                  + " sub-module or save the optimizer state to a file of its own");
        }
      }
      OptimizerState s = optimizer.state();
      s.tensors().forEach((k, t) -> tensors.put(OPT + k, StoredTensor.f32(t)));
      s.counters().forEach((k, v) -> tensors.put(OPT + k, StoredTensor.i64(v)));
      meta.put(TYPE, s.type());
      s.hyperParameters().forEach((k, v) -> meta.put(OPT + k, Double.toString(v)));
      meta.put(PARAM_NAMES, String.join(",", paramNames(model, optimizer)));
    }
    SafeTensors.write(file, tensors, meta);
  }

  /**
   * Loads the model's state from {@code file}; optimizer entries in the file are ignored. Returns
   * the file's metadata.
   *
   * @throws CheckpointException if names, shapes or dtypes do not match; the model is unchanged
   * @throws SafeTensorsException if the file is not valid safetensors; the model is unchanged
   */
  public static Map<String, String> load(Module model, Path file) throws IOException {
    return load(model, null, file);
  }

  /**
   * Loads the model's state and, if {@code optimizer} is not null, the optimizer's from {@code
   * file}, all or nothing. Returns the file's metadata.
   *
   * @throws CheckpointException if anything does not match; model and optimizer are unchanged
   * @throws SafeTensorsException if the file is not valid safetensors; nothing is changed
   */
  public static Map<String, String> load(Module model, Optimizer optimizer, Path file)
      throws IOException {
    SafeTensorsFile f = SafeTensors.read(file);
    refuseNonFinite(file, f.tensors());
    boolean hasOptimizer = f.metadata().containsKey(TYPE);
    Map<String, StoredTensor> modelPart = new LinkedHashMap<>();
    Map<String, StoredTensor> optimizerPart = new LinkedHashMap<>();
    f.tensors()
        .forEach(
            (k, t) -> (hasOptimizer && k.startsWith(OPT) ? optimizerPart : modelPart).put(k, t));
    keepMissingBatchCounters(model, modelPart);
    List<String> problems = checkModel(model, modelPart);
    if (!problems.isEmpty()) {
      throw mismatch(
          file,
          "the model",
          problems,
          "Build the model with the same layers, sizes and"
              + " options as the saved one; Checkpoint.read(path).tensors() lists what the file holds.");
    }
    if (optimizer != null) {
      if (!hasOptimizer) {
        throw new CheckpointException(
            file
                + " holds no optimizer state: save it with Checkpoint.save(model, optimizer,"
                + " metadata, path), or load the model alone with Checkpoint.load(model, path)");
      }
      loadOptimizer(file, f.metadata(), optimizerPart, model, optimizer);
    }
    copyModel(model, modelPart);
    return f.metadata();
  }

  /**
   * Refuses a file with NaN or infinity in any F32 tensor, naming each one: such weights make every
   * output NaN (or a constant class), so eval would report chance accuracy and train would go on
   * from a diverged state.
   */
  private static void refuseNonFinite(Path file, Map<String, StoredTensor> tensors)
      throws CheckpointException {
    List<String> problems = new ArrayList<>();
    tensors.forEach(
        (name, t) -> {
          if (t.dtype() != DType.F32) {
            return;
          }
          float[] v = t.toTensor().data();
          int count = 0;
          int first = -1;
          for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
              count++;
              first = first < 0 ? i : first;
            }
          }
          if (count > 0) {
            problems.add(
                String.format(
                    "tensor '%s': %d non-finite value%s, the first %s at [%d]",
                    name, count, count == 1 ? "" : "s", v[first], first));
          }
        });
    if (!problems.isEmpty()) {
      StringBuilder sb = new StringBuilder();
      sb.append(file).append(" holds NaN or infinity in ").append(problems.size());
      sb.append(problems.size() == 1 ? " tensor" : " tensors").append("; nothing was loaded:");
      for (String p : problems.subList(0, Math.min(problems.size(), MAX_LISTED))) {
        sb.append("\n  ").append(p);
      }
      if (problems.size() > MAX_LISTED) {
        sb.append("\n  ... and ").append(problems.size() - MAX_LISTED).append(" more");
      }
      throw new CheckpointException(
          sb.append("\nThe run that saved it diverged: load an earlier checkpoint, or train again")
              .append(" (a smaller learning rate, BatchNorm).")
              .toString());
    }
  }

  /** The tensors and metadata of {@code file}, for inspection. */
  public static SafeTensorsFile read(Path file) throws IOException {
    return SafeTensors.read(file);
  }

  private static Map<String, StoredTensor> modelTensors(Module model) {
    Map<String, StoredTensor> out = new LinkedHashMap<>();
    model.namedParameters().forEach((k, p) -> out.put(k, StoredTensor.f32(p.data())));
    model.namedBuffers().forEach((k, t) -> out.put(k, StoredTensor.f32(t)));
    model.namedCounters().forEach((k, c) -> out.put(k, StoredTensor.i64(c.get())));
    return out;
  }

  /**
   * PyTorch's rule for state dicts without BatchNorm's {@code num_batches_tracked} (saved before
   * the counter existed, or filtered out): for a dict of version &lt; 2 or without a version (as
   * {@code safetensors.torch.load_file} returns), {@code _NormBase._load_from_state_dict} puts the
   * module's own counter into the dict before loading, so the load succeeds and the counter keeps
   * its value, which is 0 in a newly built model (older PyTorch releases put 0 there). The same is
   * done here for every counter named {@code num_batches_tracked}; every other tensor is still
   * required.
   */
  private static void keepMissingBatchCounters(Module model, Map<String, StoredTensor> file) {
    model
        .namedCounters()
        .forEach(
            (name, counter) -> {
              if (name.equals(BATCH_COUNTER) || name.endsWith("." + BATCH_COUNTER)) {
                file.putIfAbsent(name, StoredTensor.i64(counter.get()));
              }
            });
  }

  private static List<String> checkModel(Module model, Map<String, StoredTensor> file) {
    List<String> problems = new ArrayList<>();
    Map<String, int[]> floats = new LinkedHashMap<>();
    model.namedParameters().forEach((k, p) -> floats.put(k, p.data().shape()));
    model.namedBuffers().forEach((k, t) -> floats.put(k, t.shape()));
    floats.forEach((k, shape) -> checkTensor(k, file.get(k), DType.F32, shape, problems));
    model
        .namedCounters()
        .keySet()
        .forEach(k -> checkTensor(k, file.get(k), DType.I64, new int[0], problems));
    for (String k : file.keySet()) {
      if (!floats.containsKey(k) && !model.namedCounters().containsKey(k)) {
        problems.add("unexpected tensor '" + k + "': in the file, not in the model");
      }
    }
    return problems;
  }

  private static void checkTensor(
      String name, StoredTensor t, DType dtype, int[] shape, List<String> problems) {
    if (t == null) {
      problems.add("missing tensor '" + name + "': in the model, not in the file");
    } else if (t.dtype() != dtype) {
      problems.add(
          "tensor '" + name + "': dtype " + t.dtype() + " in the file, " + dtype + " expected");
    } else if (!Arrays.equals(t.shape(), shape)) {
      problems.add(
          "tensor '"
              + name
              + "': shape "
              + str(t.shape())
              + " in the file, "
              + str(shape)
              + " in the model");
    }
  }

  private static String str(int[] shape) {
    return shape.length == 0 ? "[] (scalar)" : Shape.str(shape);
  }

  private static void copyModel(Module model, Map<String, StoredTensor> file) {
    for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
      copyFloats(file.get(e.getKey()), e.getValue().data());
    }
    for (Map.Entry<String, Tensor> e : model.namedBuffers().entrySet()) {
      copyFloats(file.get(e.getKey()), e.getValue());
    }
    for (Map.Entry<String, Counter> e : model.namedCounters().entrySet()) {
      e.getValue().set(file.get(e.getKey()).toLongs()[0]);
    }
  }

  private static void copyFloats(StoredTensor src, Tensor dst) {
    System.arraycopy(src.toTensor().data(), 0, dst.data(), 0, dst.size());
  }

  private static void loadOptimizer(
      Path file,
      Map<String, String> meta,
      Map<String, StoredTensor> part,
      Module model,
      Optimizer optimizer)
      throws CheckpointException {
    List<String> problems = new ArrayList<>();
    String saved = meta.getOrDefault(PARAM_NAMES, "");
    String here = String.join(",", paramNames(model, optimizer));
    if (!saved.equals(here)) {
      problems.add(
          "the optimizer's parameters are, in order, ["
              + saved
              + "] in the file but ["
              + here
              + "] here");
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Map<String, Long> counters = new LinkedHashMap<>();
    part.forEach(
        (k, t) -> {
          String key = k.substring(OPT.length());
          if (t.dtype() == DType.I64 && t.shape().length == 0) {
            counters.put(key, t.toLongs()[0]);
          } else if (t.dtype() == DType.F32) {
            tensors.put(key, t.toTensor());
          } else {
            problems.add(
                "tensor '"
                    + k
                    + "': dtype "
                    + t.dtype()
                    + " "
                    + str(t.shape())
                    + ", expected F32 buffers or I64 scalar step counts");
          }
        });
    Map<String, Double> hyper = new LinkedHashMap<>();
    meta.forEach(
        (k, v) -> {
          if (k.startsWith(OPT) && !k.equals(TYPE) && !k.equals(PARAM_NAMES)) {
            try {
              hyper.put(k.substring(OPT.length()), Double.parseDouble(v));
            } catch (NumberFormatException e) {
              problems.add("metadata '" + k + "': '" + v + "' is not a number");
            }
          }
        });
    if (!problems.isEmpty()) {
      throw mismatch(
          file,
          "the optimizer",
          problems,
          "Build the optimizer over the same model's"
              + " parameters, in the same groups and order, as the saved one.");
    }
    refuseBadSettings(file, hyper);
    try {
      optimizer.loadState(new OptimizerState(meta.get(TYPE), tensors, counters, hyper));
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      throw new CheckpointException(
          file + ": " + m + (m.endsWith(".") ? "" : ".") + " Nothing was loaded.");
    }
  }

  /**
   * Refuses optimizer settings no optimizer could have saved, in one line naming the first: a
   * non-finite value ({@code "optimizer.param_groups.0.lr": "NaN"}), a value that float32, in which
   * the optimizers compute, cannot hold, or one outside what PyTorch's constructors accept (a
   * negative learning rate, weight decay, momentum or eps; a beta outside [0, 1); a flag other than
   * 0 or 1; a fractional parameter count). Such a file was damaged or edited: loading it would
   * train on with NaN or absurd steps.
   */
  private static void refuseBadSettings(Path file, Map<String, Double> settings)
      throws CheckpointException {
    for (Map.Entry<String, Double> e : settings.entrySet()) {
      String key = e.getKey();
      String name = key.substring(key.lastIndexOf('.') + 1);
      double v = e.getValue();
      String expected;
      if (key.startsWith("betas.")) {
        expected = v >= 0 && v < 1 ? null : "a beta in [0, 1)";
      } else if (name.equals("nesterov") || name.equals("amsgrad")) {
        expected = v == 0 || v == 1 ? null : "0 or 1";
      } else if (name.equals("num_params")) {
        expected = v >= 0 && v == Math.rint(v) ? null : "a whole number >= 0";
      } else if (List.of("lr", "weight_decay", "momentum", "eps").contains(name)) {
        expected = v >= 0 && v <= Float.MAX_VALUE ? null : "a number >= 0 that float32 can hold";
      } else {
        expected = Math.abs(v) <= Float.MAX_VALUE ? null : "a number that float32 can hold";
      }
      if (expected != null) {
        throw new CheckpointException(
            file
                + ": optimizer setting '"
                + OPT
                + key
                + "' is "
                + v
                + ", expected "
                + expected
                + "; the file is damaged or was edited, and nothing was loaded");
      }
    }
  }

  /** The model names of the optimizer's parameters, in state numbering ("?" if not the model's). */
  private static List<String> paramNames(Module model, Optimizer optimizer) {
    Map<Parameter, String> names = new IdentityHashMap<>();
    model.namedParameters().forEach((k, p) -> names.put(p, k));
    List<String> out = new ArrayList<>();
    for (ParamGroup g : optimizer.paramGroups()) {
      for (Parameter p : g.params()) {
        out.add(names.getOrDefault(p, "?"));
      }
    }
    return out;
  }

  private static CheckpointException mismatch(
      Path file, String what, List<String> problems, String fix) {
    int n = problems.size();
    StringBuilder sb = new StringBuilder();
    sb.append(file)
        .append(" does not match ")
        .append(what)
        .append(" (")
        .append(n)
        .append(n == 1 ? " problem" : " problems")
        .append("); nothing was loaded:");
    for (String p : problems.subList(0, Math.min(n, MAX_LISTED))) {
      sb.append("\n  ").append(p);
    }
    if (n > MAX_LISTED) {
      sb.append("\n  ... and ").append(n - MAX_LISTED).append(" more");
    }
    return new CheckpointException(sb.append('\n').append(fix).toString());
  }
}
