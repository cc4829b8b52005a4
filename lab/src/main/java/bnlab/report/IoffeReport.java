package bnlab.report;

import bnlab.report.Charts.Plot;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;

/**
 * The report section of {@code bnlab study ioffe-fig1} (Ioffe &amp; Szegedy 2015, Figure 1) from
 * probes/ioffe-accuracy.csv and probes/ioffe-sigmoid.csv: the two plots and a table that sets what
 * the paper found beside what this run measured, with a verdict computed from the numbers.
 *
 * <p>The paper's findings are its qualitative statements (the BN network reaches a higher test
 * accuracy sooner; the plain network's sigmoid inputs change in mean and spread over training while
 * the BN network's stay stable); its figure gives no table of numbers to set against.
 */
final class IoffeReport {
  static final String ACCURACY = "probes/ioffe-accuracy.csv";
  static final String SIGMOID = "probes/ioffe-sigmoid.csv";

  /** A drift counts as "more stable" when it is smaller by at least this factor. */
  static final double STABLE_FACTOR = 1.5;

  private final RunData data;
  private final Csv accuracy;
  private final Csv sigmoid;
  private final Path plots;
  private final String plain;
  private final String bn;

  private IoffeReport(RunData data, Csv accuracy, Csv sigmoid, Path plots) {
    this.data = data;
    this.accuracy = accuracy;
    this.sigmoid = sigmoid;
    this.plots = plots;
    List<String> models = new ArrayList<>(Group.by(accuracy.rows(), r -> r.s("model")).keySet());
    String b = null;
    String p = null;
    for (String m : models) {
      RunData.ModelInfo info = data.zoo().get(m);
      if (info != null && info.baseline() != null && models.contains(info.baseline())) {
        b = m;
        p = info.baseline();
        break;
      }
    }
    this.bn = b != null ? b : models.size() > 1 ? models.get(1) : null;
    this.plain = p != null ? p : models.get(0);
  }

  /** The section, or null when the folder has no ioffe-fig1 probes. */
  static Section of(RunData data, Path plots) {
    Path acc = data.dir().resolve(ACCURACY);
    Path sig = data.dir().resolve(SIGMOID);
    if (!Files.isRegularFile(acc) || !Files.isRegularFile(sig)) {
      return null;
    }
    Csv a = Csv.read(acc, List.of("model", "seed", "step", "test_accuracy"));
    Csv s = Csv.read(sig, List.of("model", "seed", "step", "layer", "unit", "p15", "p50", "p85"));
    if (a.rows().isEmpty() || s.rows().isEmpty()) {
      return null;
    }
    return new IoffeReport(data, a, s, plots).section();
  }

  private Section section() {
    Section s = new Section("ioffe-fig1", "Ioffe & Szegedy 2015, Figure 1");
    s.para(
        "The paper's first experiment: a network of three fully connected layers of 100 sigmoid"
            + " units, trained with and without Batch Normalization in mini-batches of 60. It"
            + " asks two things: does BN make the network learn faster, and does it keep the"
            + " inputs of the sigmoids from drifting as the weights before them change (what the"
            + " paper calls internal covariate shift)?");
    List<List<String>> rows = new ArrayList<>();
    List<Boolean> bad = new ArrayList<>();
    String what = setting();
    accuracyRows(rows, bad, s);
    driftRows(rows, bad, s);
    s.table(
        List.of(
            "", "Ioffe & Szegedy 2015 (MNIST, 50,000 steps)", "This run (" + what + ")", "Same?"),
        rows,
        bad);
    s.figure(accuracyPlot());
    int unit = unit();
    for (String m : List.of(plain, bn)) {
      if (m != null) {
        s.figure(sigmoidPlot(m, unit));
      }
    }
    return s;
  }

  private String setting() {
    JsonNode c = data.config();
    String dataset = c == null ? "?" : c.path("dataset").asText("?");
    long steps = lastStep();
    int seeds = Group.by(accuracy.rows(), r -> r.l("seed")).size();
    return String.format(
        Locale.ROOT, "%s, %,d steps, %d seed%s", dataset, steps, seeds, seeds == 1 ? "" : "s");
  }

  private long lastStep() {
    return accuracy.rows().stream().mapToLong(r -> r.l("step")).max().orElse(0);
  }

  private int unit() {
    int u = data.config() == null ? 0 : data.config().path("unit").asInt(0);
    int units = (int) sigmoid.rows().stream().mapToLong(r -> r.l("unit")).max().orElse(0) + 1;
    return u < units ? u : 0;
  }

  /** Mean test accuracy over seeds per step of {@code model}. */
  private TreeMap<Long, Double> curve(String model) {
    TreeMap<Long, Double> out = new TreeMap<>();
    List<Csv.Row> rows = accuracy.rows().stream().filter(r -> r.s("model").equals(model)).toList();
    Group.sorted(rows, r -> r.l("step"))
        .forEach((step, at) -> out.put(step, Stats.mean(Group.values(at, "test_accuracy"))));
    return out;
  }

  private void accuracyRows(List<List<String>> rows, List<Boolean> bad, Section s) {
    if (bn == null) {
      return;
    }
    TreeMap<Long, Double> p = curve(plain);
    TreeMap<Long, Double> b = curve(bn);
    double pEnd = p.lastEntry().getValue();
    double bEnd = b.lastEntry().getValue();
    boolean higher = bEnd > pEnd;
    rows.add(
        List.of(
            "Test accuracy at the end",
            "higher with BN",
            String.format(
                Locale.ROOT,
                "%s %s, %s %s (%s)",
                plain,
                Stats.pct(pEnd),
                bn,
                Stats.pct(bEnd),
                signedPp(bEnd - pEnd)),
            higher ? "yes" : "no"));
    bad.add(!higher);
    Long reach = firstReaching(b, pEnd);
    Long plainReach = firstReaching(p, pEnd);
    String reachText =
        reach == null
            ? bn + " never reaches " + plain + "'s final " + Stats.pct(pEnd)
            : String.format(
                Locale.ROOT,
                "%s reaches %s's final %s at step %,d, %s at step %,d (%.1f× fewer steps)",
                bn,
                plain,
                Stats.pct(pEnd),
                reach,
                plain,
                plainReach,
                reach == 0 ? Double.POSITIVE_INFINITY : (double) plainReach / reach);
    boolean sooner = reach != null && reach < plainReach;
    rows.add(
        List.of(
            "Steps to the plain network's final accuracy",
            "fewer with BN",
            reachText,
            sooner ? "yes" : "no"));
    bad.add(!sooner);
    s.finding(
        String.format(
            Locale.ROOT,
            "Figure 1a, learning speed: after %,d steps the network with BN classifies %s of the"
                + " test images correctly and the one without %s. In steps: %s. The paper found BN ahead"
                + " on both counts; here %s.",
            lastStep(),
            Stats.pct(bEnd),
            Stats.pct(pEnd),
            reachText,
            higher && sooner
                ? "so does this run"
                : higher
                    ? "BN ends higher but does not get there sooner"
                    : sooner ? "BN gets there sooner but does not end higher" : "it does not"));
  }

  private static Long firstReaching(TreeMap<Long, Double> curve, double target) {
    for (Map.Entry<Long, Double> e : curve.entrySet()) {
      if (e.getValue() >= target) {
        return e.getKey();
      }
    }
    return null;
  }

  /**
   * Per model: the median over units (and mean over seeds) of how far the median input moves over
   * the whole run and over its second half, and of the spread at the end over the spread at the
   * middle.
   */
  private record Drift(
      double whole, double late, double spreadWhole, double spreadLate, int units) {}

  private Drift drift(String model) {
    List<Csv.Row> rows = sigmoid.rows().stream().filter(r -> r.s("model").equals(model)).toList();
    long half = lastStep() / 2;
    List<Double> whole = new ArrayList<>();
    List<Double> late = new ArrayList<>();
    List<Double> spread = new ArrayList<>();
    List<Double> spreadWhole = new ArrayList<>();
    int units = 0;
    for (var seed : Group.by(rows, r -> r.l("seed")).values()) {
      List<Double> w = new ArrayList<>();
      List<Double> l = new ArrayList<>();
      List<Double> sp = new ArrayList<>();
      List<Double> spw = new ArrayList<>();
      var byUnit = Group.by(seed, r -> r.l("unit"));
      units = byUnit.size();
      for (List<Csv.Row> u : byUnit.values()) {
        var bySteps = Group.sorted(u, r -> r.l("step"));
        double[] p50 = Group.values(u, "p50");
        w.add(Stats.max(p50) - Stats.min(p50));
        var second = bySteps.tailMap(half, true);
        double[] p50late =
            second.values().stream().flatMap(List::stream).mapToDouble(r -> r.d("p50")).toArray();
        l.add(Stats.max(p50late) - Stats.min(p50late));
        Csv.Row mid = second.firstEntry().getValue().get(0);
        Csv.Row end = bySteps.lastEntry().getValue().get(0);
        Csv.Row start = bySteps.firstEntry().getValue().get(0);
        sp.add(spread(end) / spread(mid));
        spw.add(spread(end) / spread(start));
      }
      whole.add(median(w));
      late.add(median(l));
      spread.add(median(sp));
      spreadWhole.add(median(spw));
    }
    return new Drift(
        Stats.mean(Charts.array(whole)),
        Stats.mean(Charts.array(late)),
        Stats.mean(Charts.array(spreadWhole)),
        Stats.mean(Charts.array(spread)),
        units);
  }

  private static double spread(Csv.Row r) {
    return r.d("p85") - r.d("p15");
  }

  private void driftRows(List<List<String>> rows, List<Boolean> bad, Section s) {
    if (bn == null) {
      return;
    }
    Drift p = drift(plain);
    Drift b = drift(bn);
    String verdict = verdict(p.late(), b.late());
    rows.add(
        List.of(
            "Movement of the median sigmoid input in the second half of training",
            "large without BN, small with BN",
            String.format(
                Locale.ROOT,
                "%s %s, %s %s (median over the %d units of the last hidden layer)",
                plain,
                Stats.fmt(p.late()),
                bn,
                Stats.fmt(b.late()),
                p.units()),
            verdict.equals("more stable") ? "yes" : "no"));
    bad.add(!verdict.equals("more stable"));
    rows.add(
        List.of(
            "Movement of the median over the whole run",
            "large without BN, small with BN",
            String.format(
                Locale.ROOT, "%s %s, %s %s", plain, Stats.fmt(p.whole()), bn, Stats.fmt(b.whole())),
            verdict(p.whole(), b.whole()).equals("more stable") ? "yes" : "no"));
    bad.add(!verdict(p.whole(), b.whole()).equals("more stable"));
    boolean steadier = Math.abs(Math.log(b.spreadWhole())) < Math.abs(Math.log(p.spreadWhole()));
    rows.add(
        List.of(
            "Spread (85th − 15th percentile) at the end ÷ at the start (÷ at mid-training)",
            "changes without BN, stable with BN",
            String.format(
                Locale.ROOT,
                "%s ×%s (×%s), %s ×%s (×%s)",
                plain,
                Stats.fmt(p.spreadWhole()),
                Stats.fmt(p.spreadLate()),
                bn,
                Stats.fmt(b.spreadWhole()),
                Stats.fmt(b.spreadLate())),
            steadier ? "yes" : "no"));
    bad.add(!steadier);
    s.finding(
        String.format(
            Locale.ROOT,
            "Figure 1b-c, drift of the sigmoid inputs: in the second half of training the typical"
                + " median input of a last-layer sigmoid moves by %s without BN and by %s with BN"
                + " (in the sigmoid's input units, where ±4 is nearly saturated). %s",
            Stats.fmt(p.late()),
            Stats.fmt(b.late()),
            switch (verdict) {
              case "more stable" ->
                  "As in the paper, the inputs of the BN network's sigmoids are the steadier ones.";
              case "less stable" ->
                  "Unlike the paper, the BN network's sigmoid inputs move more here.";
              default ->
                  String.format(
                      Locale.ROOT,
                      "Unlike the paper's clear contrast, the two differ by less than %.1f× here.",
                      STABLE_FACTOR);
            }));
  }

  private static String verdict(double plainDrift, double bnDrift) {
    if (bnDrift * STABLE_FACTOR < plainDrift) {
      return "more stable";
    }
    if (plainDrift * STABLE_FACTOR < bnDrift) {
      return "less stable";
    }
    return "alike";
  }

  private Plot accuracyPlot() {
    XYChart c =
        Charts.chart("Test accuracy against training steps", "training steps", "test accuracy (%)");
    int i = 0;
    for (var m : Group.by(accuracy.rows(), r -> r.s("model")).entrySet()) {
      var bySteps = Group.sorted(m.getValue(), r -> (double) r.l("step"));
      double[] x = bySteps.keySet().stream().mapToDouble(Double::doubleValue).toArray();
      double[] mean = new double[x.length];
      double[] lo = new double[x.length];
      double[] hi = new double[x.length];
      int k = 0;
      int seeds = 1;
      for (List<Csv.Row> at : bySteps.values()) {
        double[] v = Group.values(at, "test_accuracy");
        mean[k] = 100 * Stats.mean(v);
        lo[k] = 100 * Stats.min(v);
        hi[k++] = 100 * Stats.max(v);
        seeds = Math.max(seeds, v.length);
      }
      if (seeds > 1) {
        Charts.band(c, m.getKey() + " min-max", x, lo, hi, Charts.colour(i), false);
      }
      Charts.dashIfOdd(Charts.line(c, label(m.getKey()), x, mean, Charts.colour(i)), i);
      i++;
    }
    return Charts.save(
        c,
        plots,
        "ioffe-accuracy",
        "How to read it: the higher a line and the sooner it rises, the faster that network"
            + " learns; in the paper the BN line rises earlier and ends above the other. Test"
            + " accuracy on the whole test set in eval mode against training steps"
            + " (probes/ioffe-accuracy.csv; mean over seeds, min-max band with several).");
  }

  private String label(String model) {
    RunData.ModelInfo info = data.zoo().get(model);
    return info == null
        ? model
        : model + " (" + ("none".equals(info.norm()) ? "no BN" : "BN") + ")";
  }

  private Plot sigmoidPlot(String model, int unit) {
    List<Csv.Row> all = sigmoid.rows().stream().filter(r -> r.l("unit") == unit).toList();
    double lo = Stats.min(Group.values(all, "p15"));
    double hi = Stats.max(Group.values(all, "p85"));
    List<Csv.Row> rows = all.stream().filter(r -> r.s("model").equals(model)).toList();
    if (rows.isEmpty()) {
      return null;
    }
    long seed = rows.stream().mapToLong(r -> r.l("seed")).min().orElseThrow();
    rows = rows.stream().filter(r -> r.l("seed") == seed).toList();
    String layer = rows.get(0).s("layer");
    XYChart c =
        Charts.chart(
            "Input to sigmoid " + unit + " of the last hidden layer: " + label(model),
            "training steps",
            "input to the sigmoid (" + layer + " output)");
    var bySteps = Group.sorted(rows, r -> (double) r.l("step"));
    double[] x = bySteps.keySet().stream().mapToDouble(Double::doubleValue).toArray();
    String[] cols = {"p85", "p50", "p15"};
    String[] names = {"85th percentile", "median (50th)", "15th percentile"};
    for (int q = 0; q < 3; q++) {
      double[] y = new double[x.length];
      int k = 0;
      for (List<Csv.Row> at : bySteps.values()) {
        y[k++] = at.get(0).d(cols[q]);
      }
      var line = Charts.line(c, names[q], x, y, Charts.colour(q == 1 ? 0 : 1));
      if (q != 1) {
        line.setLineStyle(Charts.DASHED);
      }
    }
    double pad = 0.05 * (hi - lo);
    if (hi > lo) {
      c.getStyler().setYAxisMin(lo - pad);
      c.getStyler().setYAxisMax(hi + pad);
    }
    return Charts.save(
        c,
        plots,
        "ioffe-sigmoid-" + Charts.slug(model),
        "How to read it: the three lines are the 15th, 50th and 85th percentiles of what this"
            + " one sigmoid receives over "
            + "the probe images; lines that keep moving up or down mean its input distribution"
            + " shifts while the network learns, and a gap that widens or narrows means its spread"
            + " changes (both charts share one y axis). Unit "
            + unit
            + " of the last hidden layer, training mode, seed "
            + seed
            + "; every unit is in probes/ioffe-sigmoid.csv.");
  }

  private static double median(List<Double> v) {
    double[] a = Stats.finite(Charts.array(v));
    if (a.length == 0) {
      return Double.NaN;
    }
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  private static String signedPp(double v) {
    return (v >= 0 ? "+" : "") + Stats.pp(v);
  }
}
