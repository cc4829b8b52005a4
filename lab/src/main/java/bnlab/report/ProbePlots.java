package bnlab.report;

import bnlab.report.Charts.Plot;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;

/**
 * Plots of the probes: pre-activation percentiles per layer (Ioffe and Szegedy 2015, Fig. 1),
 * gradient norms per layer, and Santurkar et al. 2018's loss-landscape measures along training.
 */
final class ProbePlots {
  private final RunData data;
  private final List<String> models;
  private final Path plots;

  ProbePlots(RunData data, List<String> models, Path plots) {
    this.data = data;
    this.models = models;
    this.plots = plots;
  }

  private Color colour(String model) {
    return Charts.colour(Math.max(0, models.indexOf(model)));
  }

  List<Plot> all() {
    List<Plot> out = new ArrayList<>();
    if (data.activations() != null) {
      out.addAll(activations());
    }
    if (data.gradients() != null) {
      out.addAll(gradients());
    }
    if (data.landscape() != null && !data.landscape().rows().isEmpty()) {
      out.add(landscapeBand("loss", "loss-landscape", "Loss landscape", "L(W - eta g)"));
      out.add(
          landscapeBand(
              "grad_diff_norm",
              "gradient-predictiveness",
              "Gradient predictiveness",
              "||grad L(W) - grad L(W - eta g)||"));
      out.add(beta());
    }
    out.removeIf(java.util.Objects::isNull);
    return out;
  }

  /** The rows of each model's first (lowest) seed, so that one trajectory is shown per model. */
  private static Map<String, List<Csv.Row>> firstSeed(Csv csv) {
    Map<String, List<Csv.Row>> out = new LinkedHashMap<>();
    for (var e : Group.by(csv.rows(), r -> r.s("model")).entrySet()) {
      long seed = e.getValue().stream().mapToLong(r -> r.l("seed")).min().orElseThrow();
      out.put(e.getKey(), e.getValue().stream().filter(r -> r.l("seed") == seed).toList());
    }
    return out;
  }

  /** One chart per layer position (the k-th probed layer of every model), as in I&S Fig. 1. */
  private List<Plot> activations() {
    Map<String, List<Csv.Row>> byModel = firstSeed(data.activations());
    int depth = 0;
    List<Map<String, List<Csv.Row>>> layersOf = new ArrayList<>();
    for (List<Csv.Row> rows : byModel.values()) {
      Map<String, List<Csv.Row>> layers = Group.by(rows, r -> r.s("layer"));
      layersOf.add(layers);
      depth = Math.max(depth, layers.size());
    }
    List<String> names = new ArrayList<>(byModel.keySet());
    List<Plot> out = new ArrayList<>();
    for (int k = 0; k < depth; k++) {
      XYChart c =
          Charts.chart(
              "Pre-activations of probed layer " + (k + 1) + ": 15th, 50th, 85th percentile",
              "mini-batches",
              "pre-activation value");
      for (int m = 0; m < names.size(); m++) {
        List<Map.Entry<String, List<Csv.Row>>> layers = new ArrayList<>(layersOf.get(m).entrySet());
        if (k < layers.size()) {
          percentiles(c, names.get(m), layers.get(k).getKey(), layers.get(k).getValue());
        }
      }
      out.add(
          Charts.save(
              c,
              plots,
              "activations-layer" + (k + 1),
              "How to read it: a median line that keeps moving, or a band that widens or"
                  + " narrows, means the layer's input distribution shifts while the network"
                  + " learns. Distribution of the inputs to the nonlinearity of probed layer "
                  + (k + 1)
                  + " on a fixed probe batch over training (probes/activations.csv, first"
                  + " seed): the line is the median, the band spans the 15th to 85th"
                  + " percentile, as in Ioffe and Szegedy 2015, Figure 1."));
    }
    return out;
  }

  private void percentiles(XYChart c, String model, String layer, List<Csv.Row> rows) {
    var byStep = Group.sorted(rows, r -> (double) r.l("step"));
    double[] x = byStep.keySet().stream().mapToDouble(Double::doubleValue).toArray();
    double[][] p = new double[3][x.length];
    String[] cols = {"p15", "p50", "p85"};
    int i = 0;
    for (List<Csv.Row> at : byStep.values()) {
      for (int q = 0; q < 3; q++) {
        p[q][i] = Stats.mean(Group.values(at, cols[q]));
      }
      i++;
    }
    String label = model + ": " + layer;
    Charts.band(c, label + " p15-p85", x, p[0], p[2], colour(model), false);
    Charts.line(c, label + " median", x, p[1], colour(model));
  }

  /** One chart per model, one line per weight tensor, on a shared logarithmic y range. */
  private List<Plot> gradients() {
    Map<String, List<Csv.Row>> byModel = firstSeed(data.gradients());
    double lo = Double.POSITIVE_INFINITY;
    double hi = 0;
    for (Csv.Row r : data.gradients().rows()) {
      double g = r.d("grad_norm");
      if (g > 0 && Double.isFinite(g)) {
        lo = Math.min(lo, g);
        hi = Math.max(hi, g);
      }
    }
    List<Plot> out = new ArrayList<>();
    if (hi == 0) {
      return out;
    }
    if (hi / lo < 10) {
      // A log axis needs room; widen a narrow range to one decade around it.
      double mid = Math.sqrt(hi * lo);
      lo = mid / Math.sqrt(10);
      hi = mid * Math.sqrt(10);
    }
    for (var e : byModel.entrySet()) {
      XYChart c =
          Charts.chart(
              "Gradient norm per layer: " + e.getKey(), "mini-batches", "||dL/dW|| (log scale)");
      Charts.logY(c, true);
      c.getStyler().setYAxisMin(lo);
      c.getStyler().setYAxisMax(hi);
      int k = 0;
      for (var layer : Group.by(e.getValue(), r -> r.s("layer")).entrySet()) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (var s : Group.sorted(layer.getValue(), r -> (double) r.l("step")).entrySet()) {
          double g = Stats.mean(Group.values(s.getValue(), "grad_norm"));
          if (g > 0 && Double.isFinite(g)) {
            x.add(s.getKey());
            y.add(g);
          }
        }
        if (!x.isEmpty()) {
          Charts.line(c, layer.getKey(), Charts.array(x), Charts.array(y), Charts.colour(k));
        }
        k++;
      }
      if (!c.getSeriesMap().isEmpty()) {
        out.add(
            Charts.save(
                c,
                plots,
                "gradients-" + Charts.slug(e.getKey()),
                "How to read it: lines far apart mean some layers get much larger gradients"
                    + " than others (log scale: one grid line is a factor of 10), and a line that"
                    + " shoots up marks an unstable step. L2 norm of the loss gradient of each"
                    + " weight tensor of "
                    + e.getKey()
                    + " over training (probes/gradients.csv, first seed); all models share"
                    + " the same y range so their charts compare directly. Zero gradients (e.g."
                    + " behind dead ReLUs) cannot be drawn on a log axis and leave gaps."));
      }
    }
    return out;
  }

  private Plot landscapeBand(String column, String name, String title, String yTitle) {
    XYChart c = Charts.chart(title + " (min-max over eta)", "mini-batches", yTitle);
    for (var e : Group.by(data.landscape().rows(), r -> r.s("model")).entrySet()) {
      List<Double> x = new ArrayList<>();
      List<Double> lo = new ArrayList<>();
      List<Double> hi = new ArrayList<>();
      for (var s : Group.sorted(e.getValue(), r -> (double) r.l("step")).entrySet()) {
        double[] v = Group.values(s.getValue(), column);
        if (Stats.finite(v).length > 0) {
          x.add(s.getKey());
          lo.add(Stats.min(v));
          hi.add(Stats.max(v));
        }
      }
      if (!x.isEmpty()) {
        Color col = colour(e.getKey());
        double[] xs = Charts.array(x);
        Charts.band(c, e.getKey(), xs, Charts.array(lo), Charts.array(hi), col, true);
      }
    }
    return Charts.save(
        c,
        plots,
        name,
        "How to read it: a narrow band means what a step leads to hardly depends on its size"
            + " (a smooth, predictable landscape), a wide band that it depends a lot. "
            + title
            + " along the training trajectory (Santurkar et al. 2018), from"
            + " probes/landscape.csv: at each probed step the band spans the minimum to the"
            + " maximum over the step sizes eta (and seeds) of "
            + yTitle
            + ", with g the gradient at W. A narrower band means a smoother, more predictable"
            + " landscape.");
  }

  private Plot beta() {
    XYChart c =
        Charts.chart(
            "Effective beta-smoothness", "mini-batches", "max over eta of gradient change / step");
    double lo = Double.POSITIVE_INFINITY;
    double hi = 0;
    for (var e : Group.by(data.landscape().rows(), r -> r.s("model")).entrySet()) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (var s : Group.sorted(e.getValue(), r -> (double) r.l("step")).entrySet()) {
        double b = Landscape.beta(s.getValue());
        if (Double.isFinite(b)) {
          x.add(s.getKey());
          y.add(b);
          lo = Math.min(lo, b);
          hi = Math.max(hi, b);
        }
      }
      if (!x.isEmpty()) {
        Charts.line(c, e.getKey(), Charts.array(x), Charts.array(y), colour(e.getKey()));
      }
    }
    // Models can differ by orders of magnitude here; a log axis keeps both readable.
    boolean log = lo > 0 && hi / lo > 20;
    Charts.logY(c, log);
    if (!log) {
      c.getStyler().setYAxisMin(0.0);
    }
    return Charts.save(
        c,
        plots,
        "beta-smoothness",
        "How to read it: the lower the line, the less the gradient changes per unit of distance"
            + " moved, so the larger the steps training can take. Effective beta-smoothness"
            + " (Santurkar et al. 2018): at each probed step the largest"
            + " ||grad L(W) - grad L(W - eta g)|| / ||eta g|| over the step sizes eta, mean over"
            + " seeds. Lower means the gradient changes less per unit of distance moved.");
  }
}
