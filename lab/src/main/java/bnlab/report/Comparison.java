package bnlab.report;

import bnlab.report.RunData.RunSummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The comparison between models: per-model statistics over seeds and findings computed from the
 * numbers, pairing each normalized model with its baseline as the run records name it (see {@link
 * #pairs()}) and matching runs by seed.
 */
final class Comparison {
  /** A metric of the comparison table: its summary.json name, and whether lower is better. */
  enum Metric {
    FINAL_TRAIN_LOSS("final train loss", true),
    TEST_ACCURACY("test accuracy", false);

    final String label;
    final boolean lowerIsBetter;

    Metric(String label, boolean lowerIsBetter) {
      this.label = label;
      this.lowerIsBetter = lowerIsBetter;
    }

    double of(RunSummary r) {
      return this == FINAL_TRAIN_LOSS ? r.finalTrainLoss() : r.testAccuracy();
    }

    String fmt(double v) {
      return this == TEST_ACCURACY ? Stats.pct(v) : Stats.fmt(v);
    }

    String fmtDiff(double v) {
      return this == TEST_ACCURACY ? Stats.pp(v) : Stats.fmt(v);
    }
  }

  private final List<RunSummary> runs;
  private final List<String> models;
  private final String source;
  private final Map<String, RunData.ModelInfo> zoo;

  private Comparison(
      List<RunSummary> runs,
      List<String> models,
      String source,
      Map<String, RunData.ModelInfo> zoo) {
    this.runs = runs;
    this.models = models;
    this.source = source;
    this.zoo = zoo;
  }

  /** From summary.json, or else from epochs.csv's last epoch per run; null when neither exists. */
  static Comparison of(RunData d, List<String> models) {
    if (d.summary() != null) {
      return new Comparison(d.summary(), present(models, d.summary()), "summary.json", d.zoo());
    }
    if (d.epochs() == null || d.epochs().rows().isEmpty()) {
      return null;
    }
    List<RunSummary> runs = new ArrayList<>();
    var byRun = Group.by(d.epochs().rows(), r -> r.s("model") + "\u0000" + r.l("seed"));
    for (List<Csv.Row> rows : byRun.values()) {
      Csv.Row last = rows.stream().max((a, b) -> a.i("epoch") - b.i("epoch")).orElseThrow();
      double wall = d.epochs().has("seconds") ? sum(Group.values(rows, "seconds")) : Double.NaN;
      runs.add(
          new RunSummary(
              last.s("model"),
              "?",
              last.l("seed"),
              last.i("epoch"),
              last.d("train_loss"),
              last.d("test_accuracy"),
              wall,
              Double.NaN,
              "ok",
              ""));
    }
    return new Comparison(
        runs,
        present(models, runs),
        "epochs.csv (no summary.json: final train loss is the last epoch's mean)",
        d.zoo());
  }

  private static double sum(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s;
  }

  private static List<String> present(List<String> models, List<RunSummary> runs) {
    return models.stream().filter(m -> runs.stream().anyMatch(r -> r.model().equals(m))).toList();
  }

  List<String> models() {
    return models;
  }

  List<RunSummary> runs() {
    return runs;
  }

  String source() {
    return source;
  }

  /** The runs of a model that finished normally. */
  List<RunSummary> ok(String model) {
    return runs.stream().filter(r -> r.model().equals(model) && r.ok()).toList();
  }

  static double[] values(List<RunSummary> rs, java.util.function.ToDoubleFunction<RunSummary> f) {
    return rs.stream().mapToDouble(f).toArray();
  }

  /** The model's normalization kind from summary.json or config.json's zoo, else "?". */
  String norm(String model) {
    String fromZoo = zoo.containsKey(model) ? zoo.get(model).norm() : "?";
    return runs.stream()
        .filter(r -> r.model().equals(model) && !r.norm().equals("?"))
        .map(RunSummary::norm)
        .findFirst()
        .orElse(fromZoo);
  }

  private boolean normalized(String model) {
    String norm = norm(model);
    boolean byNorm = !norm.equals("?") && !norm.equals("none");
    return byNorm || model.toLowerCase(Locale.ROOT).matches(".*(^|-)[a-z]*bn($|-).*");
  }

  /**
   * Pairs (baseline, other). When the run records name every model's baseline (summary.json's
   * {@code baseline}, config.json's {@code zoo}): each model against its baseline if that ran too.
   * Runs recorded before that fall back to names: each normalized model (by its norm, or a "bn" in
   * its name) against the plain model sharing the longest name prefix. Either way, with nothing to
   * pair, every model against the first.
   */
  List<String[]> pairs() {
    List<String[]> out = zoo.keySet().containsAll(models) ? recordedPairs() : pairsByName();
    if (out.isEmpty()) {
      for (int i = 1; i < models.size(); i++) {
        out.add(new String[] {models.get(0), models.get(i)});
      }
    }
    return out;
  }

  private List<String[]> recordedPairs() {
    List<String[]> out = new ArrayList<>();
    for (String m : models) {
      String baseline = zoo.get(m).baseline();
      if (baseline != null && models.contains(baseline)) {
        out.add(new String[] {baseline, m});
      }
    }
    return out;
  }

  private List<String[]> pairsByName() {
    List<String> plain = models.stream().filter(m -> !normalized(m)).toList();
    List<String> norm = models.stream().filter(this::normalized).toList();
    List<String[]> out = new ArrayList<>();
    if (plain.isEmpty() || norm.isEmpty()) {
      return out;
    }
    for (String n : norm) {
      String best = plain.get(0);
      for (String p : plain) {
        if (commonPrefix(p, n) > commonPrefix(best, n)) {
          best = p;
        }
      }
      out.add(new String[] {best, n});
    }
    return out;
  }

  private static int commonPrefix(String a, String b) {
    int i = 0;
    while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }

  /**
   * Whether some model has several runs with the same seed (a sweep over learning rates or batch
   * sizes): then runs are not replicates, and means over them would mix settings.
   */
  boolean repeatedSeeds() {
    return runs.stream().map(r -> r.model() + "\u0000" + r.seed()).distinct().count() < runs.size();
  }

  /** Findings for every pair and both metrics, plus notes on failed runs. */
  List<String> findings() {
    List<String> out = new ArrayList<>();
    if (repeatedSeeds()) {
      out.add(
          String.format(
              Locale.ROOT,
              "%s holds %d runs with repeated (model, seed) pairs, i.e. different settings such"
                  + " as a sweep's learning rates, so no model-against-model comparison is drawn"
                  + " from it.",
              source.split(" ")[0],
              runs.size()));
      return out;
    }
    if (pairs().isEmpty()) {
      models.forEach(m -> out.add(alone(m)));
    }
    for (String[] p : pairs()) {
      int ea = epochs(p[0]);
      int eb = epochs(p[1]);
      if (ea != eb && ea > 0 && eb > 0) {
        out.add(
            String.format(
                Locale.ROOT,
                "Caution: %s ran %d epochs and %s ran %d, so the comparison below is not at"
                    + " equal training length.",
                p[1],
                eb,
                p[0],
                ea));
      }
      for (Metric m : Metric.values()) {
        String f = compare(p[0], p[1], m);
        if (f != null) {
          out.add(f);
        }
      }
    }
    for (RunSummary r : runs) {
      if (!r.ok()) {
        out.add(
            String.format(
                Locale.ROOT,
                "%s seed %d ended with status '%s'%s; it is left out of the means.",
                r.model(),
                r.seed(),
                r.status(),
                r.message().isEmpty() ? "" : " (" + r.message() + ")"));
      }
    }
    return out;
  }

  /** A model without a partner to compare with: its own numbers. */
  private String alone(String model) {
    double[] loss = toArray(bySeed(model, Metric.FINAL_TRAIN_LOSS));
    double[] acc = toArray(bySeed(model, Metric.TEST_ACCURACY));
    return String.format(
        Locale.ROOT,
        "%s: final train loss %s, test accuracy %s; no other model in this run to compare with.",
        model,
        meanSd(Metric.FINAL_TRAIN_LOSS, Stats.mean(loss), Stats.sd(loss), loss.length),
        meanSd(Metric.TEST_ACCURACY, Stats.mean(acc), Stats.sd(acc), acc.length));
  }

  private int epochs(String model) {
    return runs.stream()
        .filter(r -> r.model().equals(model))
        .mapToInt(RunSummary::epochs)
        .max()
        .orElse(0);
  }

  /** The finding for one metric: who is ahead, by how much, and whether it beats the spread. */
  String compare(String base, String other, Metric m) {
    Map<Long, Double> a = bySeed(base, m);
    Map<Long, Double> b = bySeed(other, m);
    if (a.isEmpty() || b.isEmpty()) {
      return null;
    }
    double ma = Stats.mean(toArray(a));
    double mb = Stats.mean(toArray(b));
    double sa = Stats.sd(toArray(a));
    double sb = Stats.sd(toArray(b));
    double diff = mb - ma;
    String means =
        String.format(
            Locale.ROOT,
            "%s %s vs %s %s",
            other,
            meanSd(m, mb, sb, b.size()),
            base,
            meanSd(m, ma, sa, a.size()));
    if (diff == 0) {
      return String.format(
          Locale.ROOT, "%s and %s are level on %s: %s.", other, base, m.label, means);
    }
    boolean otherBetter = m.lowerIsBetter ? diff < 0 : diff > 0;
    String gap = gap(m, Math.abs(diff), ma);
    TreeSet<Long> common = new TreeSet<>(a.keySet());
    common.retainAll(b.keySet());
    String head =
        String.format(
            Locale.ROOT,
            "%s is %s %s on %s by %s: %s.",
            other,
            otherBetter ? "ahead of" : "behind",
            base,
            m.label,
            gap,
            means);
    if (a.size() == 1 && b.size() == 1) {
      return head
          + " This is a single run per model; with one seed there is no spread to judge the gap"
          + " against.";
    }
    if (common.size() >= 2) {
      return paired(head, other, base, m, a, b, common, Math.abs(diff), Math.max(nz(sa), nz(sb)));
    }
    boolean clear = Math.abs(diff) > nz(sa) + nz(sb);
    return clear
        ? head + " The gap is larger than the seed-to-seed spread of both models (unpaired)."
        : noClear(other, base, m, means, Math.abs(diff), "the seed-to-seed spread (unpaired)");
  }

  private String paired(
      String head,
      String other,
      String base,
      Metric m,
      Map<Long, Double> a,
      Map<Long, Double> b,
      TreeSet<Long> common,
      double absDiff,
      double spread) {
    int better = 0;
    double[] d = new double[common.size()];
    int i = 0;
    for (long s : common) {
      d[i] = b.get(s) - a.get(s);
      if (m.lowerIsBetter ? d[i] < 0 : d[i] > 0) {
        better++;
      }
      i++;
    }
    String pairing =
        String.format(
            Locale.ROOT,
            "Paired by seed, %s is better in %d of %d seeds (%s)",
            other,
            better,
            common.size(),
            Stats.min(d) == Stats.max(d)
                ? "difference " + m.fmtDiff(Stats.min(d)) + " in each"
                : "differences " + m.fmtDiff(Stats.min(d)) + " to " + m.fmtDiff(Stats.max(d)));
    boolean consistent = better == common.size() || better == 0;
    if (consistent && absDiff > spread) {
      return head
          + " "
          + pairing
          + String.format(
              Locale.ROOT,
              "; every seed agrees and the mean gap exceeds the seed-to-seed standard deviation"
                  + " (%s), so the difference is larger than the spread.",
              m.fmtDiff(spread));
    }
    String why =
        consistent
            ? "the seed-to-seed standard deviation (" + m.fmtDiff(spread) + ")"
            : "the seed-to-seed spread (not every seed agrees on the sign)";
    return noClear(other, base, m, "", absDiff, why) + " " + pairing + ".";
  }

  private static String noClear(
      String other, String base, Metric m, String means, double absDiff, String why) {
    return String.format(
        Locale.ROOT,
        "No clear difference between %s and %s on %s%s: the gap of %s is within %s.",
        other,
        base,
        m.label,
        means.isEmpty() ? "" : " (" + means + ")",
        m.fmtDiff(absDiff),
        why);
  }

  private static double nz(double v) {
    return Double.isNaN(v) ? 0 : v;
  }

  private static String gap(Metric m, double abs, double baseMean) {
    if (m == Metric.TEST_ACCURACY || baseMean == 0 || !Double.isFinite(baseMean)) {
      return m.fmtDiff(abs);
    }
    return String.format(
        Locale.ROOT, "%s (%.1f %%)", Stats.fmt(abs), 100 * abs / Math.abs(baseMean));
  }

  static String meanSd(Metric m, double mean, double sd, int n) {
    if (n < 2 || Double.isNaN(sd)) {
      return m.fmt(mean) + (n == 1 ? " (1 seed)" : "");
    }
    return m.fmt(mean) + " ± " + m.fmtDiff(sd) + " (" + n + " seeds)";
  }

  private Map<Long, Double> bySeed(String model, Metric m) {
    Map<Long, Double> out = new TreeMap<>();
    for (RunSummary r : ok(model)) {
      double v = m.of(r);
      if (Double.isFinite(v)) {
        out.put(r.seed(), v);
      }
    }
    return out;
  }

  private static double[] toArray(Map<Long, Double> m) {
    return m.values().stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The runs of each model (all statuses), in model order. */
  Map<String, List<RunSummary>> byModel() {
    Map<String, List<RunSummary>> out = new LinkedHashMap<>();
    for (String m : models) {
      out.put(m, runs.stream().filter(r -> r.model().equals(m)).toList());
    }
    return out;
  }
}
