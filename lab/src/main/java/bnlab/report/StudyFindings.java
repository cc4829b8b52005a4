package bnlab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Findings of the learning-rate sweep, the small-batch study and the probes. */
final class StudyFindings {
  private StudyFindings() {}

  /**
   * Per model and batch size: the learning rate of best mean test accuracy (over seeds that did not
   * diverge), the largest learning rate at which no seed diverged, and the smallest at which one
   * did.
   */
  static List<String> sweep(Csv sweep) {
    List<String> out = new ArrayList<>();
    for (var b : Group.sorted(sweep.rows(), r -> r.i("batch_size")).entrySet()) {
      List<String> stable = new ArrayList<>();
      for (var m :
          Group.by(b.getValue(), r -> r.s("model") + " (" + r.s("norm") + ")").entrySet()) {
        double bestLr = Double.NaN;
        double bestAcc = Double.NEGATIVE_INFINITY;
        double largestStable = Double.NaN;
        double firstDiverged = Double.NaN;
        int divergedRuns = 0;
        for (var e : Group.sorted(m.getValue(), r -> r.d("lr")).entrySet()) {
          List<Csv.Row> ok = e.getValue().stream().filter(r -> !r.b("diverged")).toList();
          int diverged = e.getValue().size() - ok.size();
          divergedRuns += diverged;
          double acc = Stats.mean(Group.values(ok, "test_accuracy"));
          if (Double.isFinite(acc) && acc > bestAcc) {
            bestAcc = acc;
            bestLr = e.getKey();
          }
          if (diverged == 0) {
            largestStable = e.getKey();
          } else if (Double.isNaN(firstDiverged)) {
            firstDiverged = e.getKey();
          }
        }
        String best =
            Double.isNaN(bestLr)
                ? "every run diverged"
                : String.format(
                    Locale.ROOT,
                    "best test accuracy %s at lr %s",
                    Stats.pct(bestAcc),
                    Stats.fmt(bestLr));
        String stab =
            Double.isNaN(largestStable)
                ? "no learning rate trained without divergence"
                : String.format(
                    Locale.ROOT, "largest lr without divergence %s", Stats.fmt(largestStable));
        String div =
            divergedRuns == 0
                ? "no run diverged"
                : String.format(
                    Locale.ROOT,
                    "%d run%s diverged, the first at lr %s",
                    divergedRuns,
                    divergedRuns == 1 ? "" : "s",
                    Stats.fmt(firstDiverged));
        out.add(
            String.format(
                Locale.ROOT,
                "Sweep, batch size %d, %s: %s; %s; %s.",
                b.getKey(),
                m.getKey(),
                best,
                stab,
                div));
        stable.add(
            m.getKey() + " " + (Double.isNaN(largestStable) ? "none" : Stats.fmt(largestStable)));
      }
      if (stable.size() > 1) {
        out.add(
            "Largest learning rate without divergence at batch size "
                + b.getKey()
                + ": "
                + String.join(", ", stable)
                + ".");
      }
    }
    return out;
  }

  /** Per model, norm and batching: accuracy at the smallest and the largest batch size. */
  static List<String> smallBatch(Csv csv) {
    List<String> out = new ArrayList<>();
    var groups =
        Group.by(
            csv.rows(),
            r ->
                r.s("model")
                    + " ("
                    + r.s("norm")
                    + (r.has("iid") && !r.b("iid") ? ", non-iid batches" : "")
                    + ")");
    for (var g : groups.entrySet()) {
      var byBatch = Group.sorted(g.getValue(), r -> r.i("batch_size"));
      int small = byBatch.firstKey();
      int large = byBatch.lastKey();
      double es = Stats.mean(Group.values(byBatch.get(small), "test_accuracy_eval"));
      double el = Stats.mean(Group.values(byBatch.get(large), "test_accuracy_eval"));
      double ts = Stats.mean(Group.values(byBatch.get(small), "test_accuracy_train_mode"));
      out.add(
          String.format(
              Locale.ROOT,
              "%s: eval-mode test accuracy %s at batch size %d and %s at batch size %d (%s);"
                  + " train-mode accuracy at batch size %d is %s.",
              g.getKey(),
              Stats.pct(es),
              small,
              Stats.pct(el),
              large,
              small == large ? "one batch size only" : "change " + Stats.pp(el - es),
              small,
              Stats.pct(ts)));
    }
    return out;
  }

  /**
   * Per model (first seed): how far each layer's median pre-activation moves over training, in
   * units of that layer's initial 15th-85th percentile spread, averaged over layers (the drift
   * Ioffe and Szegedy 2015 call internal covariate shift).
   */
  static String activationDrift(Csv csv) {
    List<String> parts = new ArrayList<>();
    for (var m : Group.by(csv.rows(), r -> r.s("model")).entrySet()) {
      long seed = m.getValue().stream().mapToLong(r -> r.l("seed")).min().orElseThrow();
      List<Csv.Row> rows = m.getValue().stream().filter(r -> r.l("seed") == seed).toList();
      List<Double> drift = new ArrayList<>();
      for (List<Csv.Row> layer : Group.by(rows, r -> r.s("layer")).values()) {
        var bySteps = Group.sorted(layer, r -> r.l("step"));
        Csv.Row first = bySteps.firstEntry().getValue().get(0);
        double spread = first.d("p85") - first.d("p15");
        double[] p50 = Group.values(layer, "p50");
        double d = (Stats.max(p50) - Stats.min(p50)) / spread;
        if (spread > 0 && Double.isFinite(d)) {
          drift.add(d);
        }
      }
      parts.add(m.getKey() + " " + Stats.fmt(Stats.mean(Charts.array(drift))));
    }
    return "Pre-activation drift over training (range of each layer's median, in units of its"
        + " initial 15th-85th percentile spread; mean over layers, first seed): "
        + String.join(", ", parts)
        + ".";
  }

  /** Mean over probed steps of the loss band width, gradient-band width and beta, per model. */
  static List<String> landscape(Csv csv) {
    List<String> loss = new ArrayList<>();
    List<String> grad = new ArrayList<>();
    List<String> beta = new ArrayList<>();
    for (var m : Group.by(csv.rows(), r -> r.s("model")).entrySet()) {
      var bySteps = Group.sorted(m.getValue(), r -> r.l("step"));
      double[] lw = new double[bySteps.size()];
      double[] gw = new double[bySteps.size()];
      double[] bt = new double[bySteps.size()];
      int i = 0;
      for (List<Csv.Row> at : bySteps.values()) {
        lw[i] = Landscape.width(at, "loss");
        gw[i] = Landscape.width(at, "grad_diff_norm");
        bt[i++] = Landscape.beta(at);
      }
      loss.add(m.getKey() + " " + Stats.fmt(Stats.mean(lw)));
      grad.add(m.getKey() + " " + Stats.fmt(Stats.mean(gw)));
      beta.add(m.getKey() + " " + Stats.fmt(Stats.mean(bt)));
    }
    return List.of(
        "Loss-landscape band, mean width (max - min over eta) over the probed steps: "
            + String.join(", ", loss)
            + ".",
        "Gradient-predictiveness band, mean width over the probed steps: "
            + String.join(", ", grad)
            + ".",
        "Effective beta-smoothness, mean over the probed steps: " + String.join(", ", beta) + ".");
  }
}
