package bnlab.optim;

import bnlab.nn.Parameter;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plumbing every optimizer shares: groups, the flat parameter list, per-parameter step counts
 * and named per-parameter buffers ("slots"), and their snapshot and validated restore.
 */
abstract class BaseOptimizer implements Optimizer {
  private static final int MAX_LISTED = 10;

  private final String type;
  private final List<ParamGroup> groups;

  /** All parameters over all groups, in PyTorch's state_dict numbering. */
  final Parameter[] params;

  /** The group index of each parameter. */
  final int[] groupOf;

  /** Steps taken per parameter. */
  final long[] steps;

  private final String[] slotNames;

  /** slots[s][i]: buffer {@code slotNames[s]} of parameter i, allocated once. */
  final float[][][] slots;

  BaseOptimizer(
      String type,
      List<ParamGroup> userGroups,
      double lr,
      double weightDecay,
      String... slotNames) {
    this.type = type;
    ParamGroup.check("lr", lr);
    ParamGroup.check("weight_decay", weightDecay);
    List<ParamGroup> own = new ArrayList<>();
    List<Parameter> all = new ArrayList<>();
    List<Integer> owner = new ArrayList<>();
    Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (ParamGroup g : userGroups) {
      own.add(g.resolved(lr, weightDecay));
      for (Parameter p : g.params()) {
        if (!seen.add(p)) {
          throw new IllegalArgumentException(
              type
                  + ": a parameter appears more than once in the parameter groups; list each once");
        }
        all.add(p);
        owner.add(own.size() - 1);
      }
    }
    if (all.isEmpty()) {
      throw new IllegalArgumentException(type + ": got an empty parameter list");
    }
    this.groups = Collections.unmodifiableList(own);
    this.params = all.toArray(new Parameter[0]);
    this.groupOf = owner.stream().mapToInt(Integer::intValue).toArray();
    this.steps = new long[params.length];
    this.slotNames = slotNames.clone();
    this.slots = new float[slotNames.length][params.length][];
    for (float[][] slot : slots) {
      for (int i = 0; i < params.length; i++) {
        slot[i] = new float[params[i].size()];
      }
    }
  }

  static List<ParamGroup> single(Collection<Parameter> params) {
    return List.of(new ParamGroup(params));
  }

  /** Optimizer-wide settings for the snapshot, compared exactly on restore. */
  abstract Map<String, Double> settings();

  @Override
  public final List<ParamGroup> paramGroups() {
    return groups;
  }

  @Override
  public final void zeroGrad() {
    for (Parameter p : params) {
      p.zeroGrad();
    }
  }

  @Override
  public final OptimizerState state() {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Map<String, Long> counters = new LinkedHashMap<>();
    for (int i = 0; i < params.length; i++) {
      counters.put(stepKey(i), steps[i]);
      for (int s = 0; s < slots.length; s++) {
        tensors.put(slotKey(i, s), Tensor.of(slots[s][i], params[i].data().shape()));
      }
    }
    return new OptimizerState(type, tensors, counters, hyperParameters());
  }

  private Map<String, Double> hyperParameters() {
    Map<String, Double> h = new LinkedHashMap<>(settings());
    for (int g = 0; g < groups.size(); g++) {
      h.put(groupKey(g, "lr"), groups.get(g).lr());
      h.put(groupKey(g, "weight_decay"), groups.get(g).weightDecay());
      h.put(groupKey(g, "num_params"), (double) groups.get(g).params().size());
    }
    return h;
  }

  @Override
  public final void loadState(OptimizerState state) {
    List<String> problems = new ArrayList<>();
    if (!type.equals(state.type())) {
      throw new IllegalArgumentException(
          "optimizer state was saved by "
              + state.type()
              + ", this optimizer is "
              + type
              + ": build a "
              + state.type()
              + " object with the saved settings to resume it.");
    }
    checkHyperParameters(state.hyperParameters(), problems);
    checkCounters(state.counters(), problems);
    checkTensors(state.tensors(), problems);
    if (!problems.isEmpty()) {
      int n = problems.size();
      List<String> shown = problems.subList(0, Math.min(n, MAX_LISTED));
      throw new IllegalArgumentException(
          type
              + " state does not match this optimizer ("
              + n
              + " problem"
              + (n == 1 ? "" : "s")
              + "):\n  "
              + String.join("\n  ", shown)
              + (n > MAX_LISTED ? "\n  ..." : "")
              + "\nBuild the optimizer with the same settings and parameter groups (same model) as"
              + " the one that was saved.");
    }
    apply(state);
  }

  private void checkHyperParameters(Map<String, Double> saved, List<String> problems) {
    Map<String, Double> mine = hyperParameters();
    reportKeys("setting", mine.keySet(), saved.keySet(), problems);
    settings()
        .forEach(
            (k, v) -> {
              Double s = saved.get(k);
              if (s != null && Double.compare(s, v) != 0) {
                problems.add(k + ": saved " + s + ", this optimizer has " + v);
              }
            });
    for (int g = 0; g < groups.size(); g++) {
      Double n = saved.get(groupKey(g, "num_params"));
      double want = groups.get(g).params().size();
      if (n != null && Double.compare(n, want) != 0) {
        problems.add(
            "param group " + g + ": saved with " + n + " parameters, this one has " + want);
      }
      for (String k : new String[] {"lr", "weight_decay"}) {
        Double v = saved.get(groupKey(g, k));
        if (v != null && (!(v >= 0) || v.isInfinite())) {
          problems.add(groupKey(g, k) + ": invalid saved value " + v);
        }
      }
    }
  }

  private void checkCounters(Map<String, Long> saved, List<String> problems) {
    Set<String> want = new LinkedHashSet<>();
    for (int i = 0; i < params.length; i++) {
      want.add(stepKey(i));
    }
    reportKeys("step count", want, saved.keySet(), problems);
    saved.forEach(
        (k, v) -> {
          if (v == null || v < 0) {
            problems.add(k + ": invalid step count " + v);
          }
        });
  }

  private void checkTensors(Map<String, Tensor> saved, List<String> problems) {
    Set<String> want = new LinkedHashSet<>();
    for (int i = 0; i < params.length; i++) {
      for (int s = 0; s < slots.length; s++) {
        String k = slotKey(i, s);
        want.add(k);
        Tensor t = saved.get(k);
        int[] shape = params[i].data().shape();
        if (t != null && !t.hasShape(shape)) {
          problems.add(
              k
                  + ": saved shape "
                  + Shape.str(t.shape())
                  + ", parameter "
                  + i
                  + " has shape "
                  + Shape.str(shape));
        }
      }
    }
    reportKeys("buffer", want, saved.keySet(), problems);
  }

  private static void reportKeys(
      String what, Set<String> want, Set<String> saved, List<String> problems) {
    for (String k : want) {
      if (!saved.contains(k)) {
        problems.add("missing " + what + " " + k);
      }
    }
    for (String k : saved) {
      if (!want.contains(k)) {
        problems.add("unexpected " + what + " " + k);
      }
    }
  }

  private void apply(OptimizerState state) {
    for (int g = 0; g < groups.size(); g++) {
      groups.get(g).lr(state.hyperParameters().get(groupKey(g, "lr")));
      groups.get(g).weightDecay(state.hyperParameters().get(groupKey(g, "weight_decay")));
    }
    for (int i = 0; i < params.length; i++) {
      steps[i] = state.counters().get(stepKey(i));
      for (int s = 0; s < slots.length; s++) {
        Tensor t = state.tensors().get(slotKey(i, s));
        System.arraycopy(t.data(), 0, slots[s][i], 0, slots[s][i].length);
      }
    }
  }

  private static String stepKey(int i) {
    return "state." + i + ".step";
  }

  private String slotKey(int i, int s) {
    return "state." + i + "." + slotNames[s];
  }

  private static String groupKey(int g, String name) {
    return "param_groups." + g + "." + name;
  }

  static double bool(boolean b) {
    return b ? 1.0 : 0.0;
  }
}
