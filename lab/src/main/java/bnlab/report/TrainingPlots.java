package bnlab.report;

import bnlab.report.Charts.Plot;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Plots of training results: loss curves, accuracy per epoch, the sweep and the batch study. */
final class TrainingPlots {
  private final RunData data;
  private final List<String> models;
  private final Path plots;

  TrainingPlots(RunData data, List<String> models, Path plots) {
    this.data = data;
    this.models = models;
    this.plots = plots;
  }

  private Color colour(String model) {
    return Charts.colour(Math.max(0, models.indexOf(model)));
  }

  List<Plot> all() {
    List<Plot> out = new ArrayList<>();
    if (data.metrics() != null && !data.metrics().rows().isEmpty()) {
      out.add(loss());
    }
    if (data.epochs() != null && !data.epochs().rows().isEmpty()) {
      out.add(accuracy());
    }
    if (data.sweep() != null) {
      out.addAll(sweep());
    }
    if (data.smallBatch() != null && !data.smallBatch().rows().isEmpty()) {
      // i.i.d. and class-clustered batches get a chart each: on one chart a model's two
      // families of lines share a colour and cannot be told apart.
      for (boolean iid : new boolean[] {true, false}) {
        Plot p = smallBatch(iid);
        if (p != null) {
          out.add(p);
        }
      }
    }
    out.removeIf(java.util.Objects::isNull);
    return out;
  }

  /** Mean over seeds per x, with the min-max band across seeds when there are several. */
  private void meanWithBand(
      XYChart c, String model, Map<Double, List<Csv.Row>> byX, String column, double scale) {
    List<Double> xs = new ArrayList<>();
    List<Double> mean = new ArrayList<>();
    List<Double> lo = new ArrayList<>();
    List<Double> hi = new ArrayList<>();
    int seeds = 1;
    for (var e : byX.entrySet()) {
      double[] v = Group.values(e.getValue(), column);
      double m = Stats.mean(v);
      if (Double.isFinite(m)) {
        xs.add(e.getKey());
        mean.add(scale * m);
        lo.add(scale * Stats.min(v));
        hi.add(scale * Stats.max(v));
        seeds = Math.max(seeds, Stats.finite(v).length);
      }
    }
    if (xs.isEmpty()) {
      return;
    }
    double[] x = Charts.array(xs);
    if (seeds > 1) {
      Charts.band(
          c, model + " min-max", x, Charts.array(lo), Charts.array(hi), colour(model), false);
    }
    String label = seeds > 1 ? model + " (mean of " + seeds + " seeds)" : model;
    XYSeries line =
        x.length <= 30
            ? Charts.points(c, label, x, Charts.array(mean), colour(model))
            : Charts.line(c, label, x, Charts.array(mean), colour(model));
    Charts.dashIfOdd(line, models.indexOf(model));
  }

  private Plot loss() {
    XYChart c = Charts.chart("Training loss", "mini-batches", "train loss (mean since last row)");
    Map<String, List<Csv.Row>> byModel = Group.by(data.metrics().rows(), r -> r.s("model"));
    double firstLoss = 0;
    double maxLoss = 0;
    for (var e : byModel.entrySet()) {
      var bySteps = Group.sorted(e.getValue(), r -> (double) r.l("step"));
      meanWithBand(c, e.getKey(), bySteps, "train_loss", 1);
      double first = Stats.mean(Group.values(bySteps.firstEntry().getValue(), "train_loss"));
      double max = Stats.max(Group.values(e.getValue(), "train_loss"));
      // NaN-safe: a model whose every value is NaN must not hide the others' numbers.
      firstLoss = first > firstLoss ? first : firstLoss;
      maxLoss = max > maxLoss ? max : maxLoss;
    }
    String cut = "";
    if (firstLoss > 0 && maxLoss > 3 * firstLoss) {
      // A diverging run would squash every other curve into a flat line at the bottom.
      c.getStyler().setYAxisMax(3 * firstLoss);
      cut =
          " The y axis is cut at "
              + Stats.fmt(3 * firstLoss)
              + " (three times the largest first logged loss); higher values, up to "
              + Stats.fmt(maxLoss)
              + ", are off the chart.";
    }
    return Charts.save(
        c,
        plots,
        "loss",
        "How to read it: a line that falls faster and lower belongs to a model that learns"
            + " faster, and a wide band means the seeds disagree. Training loss against"
            + " mini-batches, from metrics.csv: the line is the mean over seeds, the shaded band"
            + " the range (min to max) across seeds."
            + cut);
  }

  private Plot accuracy() {
    Map<String, List<Csv.Row>> byModel = Group.by(data.epochs().rows(), r -> r.s("model"));
    long tested =
        data.epochs().rows().stream()
            .filter(r -> Double.isFinite(r.d("test_accuracy")))
            .map(r -> r.i("epoch"))
            .distinct()
            .count();
    if (tested < 2) {
      return null; // tested once at the end (the studies): a single point is no curve
    }
    XYChart c = Charts.chart("Test accuracy per epoch", "epoch", "test accuracy (%)");
    for (var e : byModel.entrySet()) {
      meanWithBand(
          c,
          e.getKey(),
          Group.sorted(e.getValue(), r -> (double) r.i("epoch")),
          "test_accuracy",
          100);
    }
    c.getStyler().setXAxisDecimalPattern("0");
    return Charts.save(
        c,
        plots,
        "accuracy",
        "How to read it: the higher the line, the more test images the model classifies"
            + " correctly, and a line still rising at the right edge had not finished learning."
            + " Test-set accuracy (eval mode) after each epoch, from epochs.csv: mean over seeds"
            + " and min-max band.");
  }

  private List<Plot> sweep() {
    List<Plot> out = new ArrayList<>();
    var byBatch = Group.sorted(data.sweep().rows(), r -> r.i("batch_size"));
    for (var b : byBatch.entrySet()) {
      XYChart c =
          Charts.chart(
              "Learning-rate sweep, batch size " + b.getKey(),
              "learning rate (log scale)",
              "test accuracy (%)");
      c.getStyler().setXAxisLogarithmic(true);
      c.getStyler().setYAxisMin(0.0);
      var byModel = Group.by(b.getValue(), r -> r.s("model") + " (" + r.s("norm") + ")");
      for (var m : byModel.entrySet()) {
        sweepSeries(c, m.getKey(), m.getValue());
      }
      out.add(
          Charts.save(
              c,
              plots,
              "sweep-bs" + b.getKey(),
              "How to read it: the wider the range of learning rates over which a model's line"
                  + " stays high, the less careful one has to be in choosing it. Test accuracy"
                  + " against learning rate from sweep.csv (batch size "
                  + b.getKey()
                  + "): mean over the seeds that did not diverge; a cross at 0 % marks a"
                  + " learning rate at which every seed diverged."));
    }
    return out;
  }

  private void sweepSeries(XYChart c, String label, List<Csv.Row> rows) {
    Color colour = colour(rows.get(0).s("model"));
    List<Double> lr = new ArrayList<>();
    List<Double> acc = new ArrayList<>();
    List<Double> divergedLr = new ArrayList<>();
    for (var e : Group.sorted(rows, r -> r.d("lr")).entrySet()) {
      if (!(e.getKey() > 0)) {
        continue;
      }
      List<Csv.Row> ok = e.getValue().stream().filter(r -> !r.b("diverged")).toList();
      double m = Stats.mean(Group.values(ok, "test_accuracy"));
      if (ok.isEmpty() || !Double.isFinite(m)) {
        divergedLr.add(e.getKey());
      } else {
        lr.add(e.getKey());
        acc.add(100 * m);
      }
    }
    if (!lr.isEmpty()) {
      Charts.points(c, label, Charts.array(lr), Charts.array(acc), colour);
    }
    if (!divergedLr.isEmpty()) {
      XYSeries s =
          c.addSeries(label + " diverged", Charts.array(divergedLr), new double[divergedLr.size()]);
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      s.setMarker(SeriesMarkers.CROSS);
      s.setMarkerColor(colour);
    }
  }

  /** The label of log2 position {@code v}: the batch size at whole positions, else nothing. */
  static String powerOfTwo(Double v) {
    double r = Math.rint(v);
    return Math.abs(v - r) < 1e-9 ? Long.toString(Math.round(Math.pow(2, r))) : "";
  }

  private Plot smallBatch(boolean iid) {
    var rows =
        data.smallBatch().rows().stream()
            .filter(r -> (!r.has("iid") || r.b("iid")) == iid)
            .toList();
    if (rows.isEmpty()) {
      return null;
    }
    XYChart c =
        Charts.chart(
            iid
                ? "Accuracy against batch size (i.i.d. batches)"
                : "Accuracy against batch size (class-clustered, non-i.i.d. batches)",
            "batch size (log2 scale)",
            "test accuracy (%)");
    // XChart's log axis labels decades only; batch sizes are powers of two, so plot log2 of
    // the batch size on a linear axis and label the whole positions.
    c.getStyler().setxAxisTickLabelsFormattingFunction(TrainingPlots::powerOfTwo);
    var groups = Group.by(rows, r -> r.s("model") + " (" + r.s("norm") + ")");
    for (var g : groups.entrySet()) {
      Color colour = colour(g.getValue().get(0).s("model"));
      var byBatch = Group.sorted(g.getValue(), r -> (double) r.i("batch_size"));
      for (String mode : List.of("eval", "train_mode", "recalibrated")) {
        if (!data.smallBatch().has("test_accuracy_" + mode)) {
          continue; // folders written before recalibration existed
        }
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (var e : byBatch.entrySet()) {
          double m = Stats.mean(Group.values(e.getValue(), "test_accuracy_" + mode));
          if (Double.isFinite(m) && e.getKey() > 0) {
            x.add(Math.log(e.getKey()) / Math.log(2));
            y.add(100 * m);
          }
        }
        if (!x.isEmpty()) {
          String label =
              g.getKey()
                  + switch (mode) {
                    case "eval" -> " eval";
                    case "train_mode" -> " train-mode";
                    default -> " recalibrated (precise BN)";
                  };
          XYSeries s = Charts.points(c, label, Charts.array(x), Charts.array(y), colour);
          if (mode.equals("train_mode")) {
            s.setLineStyle(Charts.DASHED);
            s.setMarker(SeriesMarkers.DIAMOND);
          } else if (mode.equals("recalibrated")) {
            s.setLineStyle(Charts.DOTTED);
            s.setMarker(SeriesMarkers.TRIANGLE_UP);
          }
        }
      }
    }
    return Charts.save(
        c,
        plots,
        iid ? "smallbatch" : "smallbatch-noniid",
        "Test accuracy against the training batch size from smallbatch.csv"
            + (iid ? " (i.i.d. batches)" : " (each training batch holds few classes)")
            + ", mean over seeds:"
            + " solid lines evaluate with the running statistics (eval mode), dashed lines with"
            + " the test batch's own statistics (train mode), dotted lines with running statistics"
            + " recomputed after training over many training batches (precise BN); the higher a"
            + " point, the better that way of normalizing at test time works after training at"
            + " that batch size.");
  }
}
