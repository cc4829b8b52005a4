package bnlab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The checks of an {@code --as-published} run, computed from metrics.csv (and epochs.csv): whether
 * the "BN" run's first epochs are identical to the plain run's, how many more epochs it ran, and
 * how much of its lower final loss appears only in those extra epochs.
 */
final class Published {
  private Published() {}

  static List<String> findings(RunData d, List<String> models) {
    List<String> out = new ArrayList<>();
    if (d.metrics() == null || d.metrics().rows().isEmpty()) {
      out.add(
          "This is an as-published run, but metrics.csv is missing or empty, so its first epochs"
              + " cannot be compared.");
      return out;
    }
    var byModel = Group.by(d.metrics().rows(), r -> r.s("model"));
    if (byModel.size() != 2) {
      out.add(
          "This is an as-published run, but metrics.csv holds "
              + byModel.size()
              + " models "
              + byModel.keySet()
              + " instead of the two (plain and \"BN\") expected; no epoch comparison.");
      return out;
    }
    List<String> names = new ArrayList<>(byModel.keySet());
    names.sort((a, b) -> Integer.compare(maxEpoch(byModel.get(a)), maxEpoch(byModel.get(b))));
    if (maxEpoch(byModel.get(names.get(0))) == maxEpoch(byModel.get(names.get(1)))) {
      // Equal length: the "BN" model is the one whose recorded baseline is the other; runs
      // recorded before baselines were: the one whose name says so.
      names.sort((a, b) -> Boolean.compare(isBn(d, a, b), isBn(d, b, a)));
    }
    String plain = names.get(0);
    String bn = names.get(1);
    int shortEpochs = maxEpoch(byModel.get(plain));
    int longEpochs = maxEpoch(byModel.get(bn));
    out.add(identity(byModel.get(plain), byModel.get(bn), plain, bn, shortEpochs));
    if (d.epochs() != null) {
      String e = epochIdentity(d.epochs(), plain, bn, shortEpochs);
      if (e != null) {
        out.add(e);
      }
    }
    out.add(length(plain, bn, shortEpochs, longEpochs));
    out.add(extraEpochs(byModel.get(plain), byModel.get(bn), plain, bn, shortEpochs, longEpochs));
    return out;
  }

  private static boolean isBn(RunData d, String model, String other) {
    RunData.ModelInfo info = d.zoo().get(model);
    return info != null ? other.equals(info.baseline()) : model.contains("bn");
  }

  private static int maxEpoch(List<Csv.Row> rows) {
    return rows.stream().mapToInt(r -> r.i("epoch")).max().orElse(0);
  }

  /** (seed, step) -> train_loss for the rows within the first {@code epochs} epochs. */
  private static Map<String, Double> losses(List<Csv.Row> rows, int epochs) {
    Map<String, Double> out = new TreeMap<>();
    for (Csv.Row r : rows) {
      if (r.i("epoch") <= epochs) {
        out.put(
            String.format(Locale.ROOT, "%d/%012d", r.l("seed"), r.l("step")), r.d("train_loss"));
      }
    }
    return out;
  }

  static String identity(
      List<Csv.Row> plainRows, List<Csv.Row> bnRows, String plain, String bn, int epochs) {
    Map<String, Double> a = losses(plainRows, epochs);
    Map<String, Double> b = losses(bnRows, epochs);
    TreeSet<String> common = new TreeSet<>(a.keySet());
    common.retainAll(b.keySet());
    if (common.isEmpty()) {
      return String.format(
          Locale.ROOT,
          "The logged steps of %s and %s within the first %d epochs share no (seed, step), so"
              + " they cannot be compared row by row.",
          bn,
          plain,
          epochs);
    }
    int same = 0;
    double maxDiff = 0;
    String first = null;
    for (String k : common) {
      double x = a.get(k);
      double y = b.get(k);
      if (Double.compare(x, y) == 0) {
        same++;
      } else {
        maxDiff = Math.max(maxDiff, Math.abs(x - y));
        if (first == null) {
          first = k;
        }
      }
    }
    int onlyOne = a.size() + b.size() - 2 * common.size();
    String rows = String.format(Locale.ROOT, "%d logged training-loss rows", common.size());
    if (same == common.size() && onlyOne == 0) {
      return String.format(
          Locale.ROOT,
          "Identical first %d epochs: all %s of the \"BN\" run %s in its first %d epochs are"
              + " exactly equal to those of the plain run %s (same seed, same steps). Its"
              + " BatchNorm layers therefore changed nothing during those epochs.",
          epochs,
          rows,
          bn,
          epochs,
          plain);
    }
    String where =
        first == null
            ? String.format(
                Locale.ROOT, "; %d logged steps appear in only one of the two runs", onlyOne)
            : String.format(
                Locale.ROOT,
                "; the first difference is at seed %s, step %d, and the largest is %s",
                first.substring(0, first.indexOf('/')),
                Long.parseLong(first.substring(first.indexOf('/') + 1)),
                Stats.fmt(maxDiff));
    return String.format(
        Locale.ROOT,
        "Not identical: within the first %d epochs, %d of %s of the \"BN\" run %s equal the"
            + " plain run %s's%s. The two runs do differ before the extra epochs.",
        epochs,
        same,
        rows,
        bn,
        plain,
        where);
  }

  private static String epochIdentity(Csv epochs, String plain, String bn, int n) {
    String[] cols = {"train_loss", "test_loss", "test_accuracy"};
    Map<String, Csv.Row> a = new TreeMap<>();
    Map<String, Csv.Row> b = new TreeMap<>();
    for (Csv.Row r : epochs.rows()) {
      String key = r.l("seed") + "/" + r.i("epoch");
      if (r.i("epoch") <= n && r.s("model").equals(plain)) {
        a.put(key, r);
      } else if (r.i("epoch") <= n && r.s("model").equals(bn)) {
        b.put(key, r);
      }
    }
    a.keySet().retainAll(b.keySet());
    if (a.isEmpty()) {
      return null;
    }
    int differing = 0;
    for (var e : a.entrySet()) {
      for (String c : cols) {
        if (epochs.has(c) && Double.compare(e.getValue().d(c), b.get(e.getKey()).d(c)) != 0) {
          differing++;
          break;
        }
      }
    }
    return differing == 0
        ? String.format(
            Locale.ROOT,
            "epochs.csv agrees: the per-epoch train loss, test loss and test accuracy of the"
                + " first %d epochs are identical in all %d (seed, epoch) pairs.",
            n,
            a.size())
        : String.format(
            Locale.ROOT,
            "epochs.csv: %d of %d (seed, epoch) pairs within the first %d epochs differ in"
                + " train loss, test loss or test accuracy.",
            differing,
            a.size(),
            n);
  }

  private static String length(String plain, String bn, int shortEpochs, int longEpochs) {
    if (longEpochs == shortEpochs) {
      return String.format(
          Locale.ROOT, "Both runs trained %d epochs: no extra epochs in this run.", shortEpochs);
    }
    double ratio = (double) longEpochs / shortEpochs;
    String times = ratio == 2 ? "twice" : String.format(Locale.ROOT, "%s times", Stats.fmt(ratio));
    return String.format(
        Locale.ROOT,
        "The \"BN\" run %s trained %d epochs, %s the plain run %s's %d.",
        bn,
        longEpochs,
        times,
        plain,
        shortEpochs);
  }

  /** Mean over seeds of the last logged loss within the first {@code epochs} epochs. */
  private static double lossAt(List<Csv.Row> rows, int epochs) {
    var bySeed = Group.by(rows, r -> r.l("seed"));
    double[] v = new double[bySeed.size()];
    int i = 0;
    for (List<Csv.Row> rs : bySeed.values()) {
      v[i++] =
          rs.stream()
              .filter(r -> r.i("epoch") <= epochs)
              .max((x, y) -> Long.compare(x.l("step"), y.l("step")))
              .map(r -> r.d("train_loss"))
              .orElse(Double.NaN);
    }
    return Stats.mean(v);
  }

  private static String extraEpochs(
      List<Csv.Row> plainRows,
      List<Csv.Row> bnRows,
      String plain,
      String bn,
      int shortEpochs,
      int longEpochs) {
    double plainFinal = lossAt(plainRows, shortEpochs);
    double bnAtShort = lossAt(bnRows, shortEpochs);
    double bnFinal = lossAt(bnRows, longEpochs);
    double equalGap = plainFinal - bnAtShort;
    double finalGap = plainFinal - bnFinal;
    String atEqual =
        equalGap == 0
            ? String.format(
                Locale.ROOT,
                "After %d epochs both runs log the same training loss, %s",
                shortEpochs,
                Stats.fmt(plainFinal))
            : String.format(
                Locale.ROOT,
                "After %d epochs %s logs %s against %s's %s (%s by %s)",
                shortEpochs,
                bn,
                Stats.fmt(bnAtShort),
                plain,
                Stats.fmt(plainFinal),
                equalGap > 0 ? "lower" : "higher",
                Stats.fmt(Math.abs(equalGap)));
    if (longEpochs == shortEpochs) {
      return atEqual + ".";
    }
    if (!(finalGap > 0)) {
      return String.format(
          Locale.ROOT,
          "%s. After its %d epochs %s logs %s, which is not lower than %s's final %s.",
          atEqual,
          longEpochs,
          bn,
          Stats.fmt(bnFinal),
          plain,
          Stats.fmt(plainFinal));
    }
    double share = 100 * (finalGap - Math.max(0, equalGap)) / finalGap;
    return String.format(
        Locale.ROOT,
        "%s. After %d epochs %s logs %s, lower than %s's final %s by %s; %.0f %% of that gap"
            + " appears only in epochs %d to %d, so %s.",
        atEqual,
        longEpochs,
        bn,
        Stats.fmt(bnFinal),
        plain,
        Stats.fmt(plainFinal),
        Stats.fmt(finalGap),
        share,
        shortEpochs + 1,
        longEpochs,
        share >= 99.95
            ? "its lower final loss comes from the extra epochs, not from BatchNorm"
            : share >= 50
                ? "most of its lower final loss comes from the extra epochs"
                : "most of its lower final loss is already present at equal epochs");
  }
}
