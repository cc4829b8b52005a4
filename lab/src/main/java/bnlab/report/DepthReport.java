package bnlab.report;

import bnlab.report.Charts.Plot;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report section of {@code bnlab study depth} from depth.csv and each run's folder
 * (runs/&lt;id&gt;/metrics.csv, probes/gradients.csv): training loss, gradient norms per layer at
 * initialization and during training, test accuracy against depth, divergence, and the distance of
 * these short runs from He et al. 2016's full training (8.75 % and 6.97 % test error for ResNet-20
 * and ResNet-56 with BN).
 */
final class DepthReport {
  static final String TABLE = "depth.csv";

  /** He et al. 2016, Table 6: CIFAR-10 test error (%) of ResNet-20 and ResNet-56. */
  static final Map<Integer, Double> PAPER_ERROR = Map.of(20, 8.75, 56, 6.97);

  /** He et al.'s training: 64k steps of 128 images. */
  static final long PAPER_SAMPLES = 64_000L * 128;

  private static final List<String> ORDER = List.of("bn", "nobn", "nobn-small-lr", "zero-gamma");

  private final RunData data;
  private final Path plots;
  private final List<Run> runs = new ArrayList<>();

  /** One row of depth.csv with its run's files. */
  private record Run(Csv.Row row, Csv metrics, Csv gradients) {
    int depth() {
      return row.i("depth");
    }

    String variant() {
      return row.s("variant");
    }

    boolean diverged() {
      return row.s("status").equals("diverged");
    }
  }

  private DepthReport(RunData data, Csv table, Path plots) {
    this.data = data;
    this.plots = plots;
    for (Csv.Row r : table.rows()) {
      Path dir = data.dir().resolve(r.s("folder"));
      runs.add(
          new Run(
              r,
              optional(dir.resolve("metrics.csv"), "step", "train_loss"),
              optional(dir.resolve("probes/gradients.csv"), "step", "layer", "grad_norm")));
    }
  }

  private static Csv optional(Path file, String... columns) {
    return Files.isRegularFile(file) ? Csv.read(file, List.of(columns)) : null;
  }

  /** The section, or null when the folder has no depth.csv. */
  static Section of(RunData data, Path plots) {
    Path f = data.dir().resolve(TABLE);
    if (!Files.isRegularFile(f)) {
      return null;
    }
    Csv t =
        Csv.read(
            f,
            List.of(
                "depth",
                "variant",
                "model",
                "lr",
                "seed",
                "steps",
                "test_accuracy",
                "status",
                "folder"));
    return t.rows().isEmpty() ? null : new DepthReport(data, t, plots).section();
  }

  private Section section() {
    Section s = new Section("depth", "BN and depth (ResNet-20, ResNet-56)");
    s.para(
        "Deeper networks are harder to train: the signal and its gradient pass through more"
            + " layers, and without normalization they can grow or shrink from layer to layer."
            + " Each ResNet trains here with BN (bn), without BN at the same learning rate (nobn),"
            + " without BN at a smaller learning rate (nobn-small-lr, the usual fix) and with BN"
            + " whose last γ in each residual block starts at 0 (zero-gamma, Goyal et al. 2017),"
            + " on the same images, seeds and number of samples.");
    reference(s);
    table(s);
    divergence(s);
    comparisons(s);
    gradientFinding(s);
    for (int d : depths()) {
      s.figure(lossPlot(d));
    }
    s.figure(accuracyPlot());
    for (int d : depths()) {
      s.figure(gradientPlot(d, true));
      s.figure(gradientPlot(d, false));
    }
    return s;
  }

  private List<Integer> depths() {
    return new ArrayList<>(Group.sorted(rows(), r -> r.i("depth")).keySet());
  }

  private List<Csv.Row> rows() {
    return runs.stream().map(Run::row).toList();
  }

  /** Mean test accuracy over the seeds of {@code variant} at {@code depth} that did not diverge. */
  private double accuracy(int depth, String variant) {
    double[] v =
        runs.stream()
            .filter(r -> r.depth() == depth && r.variant().equals(variant) && !r.diverged())
            .mapToDouble(r -> r.row().d("test_accuracy"))
            .toArray();
    return Stats.mean(v);
  }

  private void reference(Section s) {
    JsonNode c = data.config();
    long samples = c == null ? 0 : c.path("samples").asLong(0);
    long steps = c == null ? 0 : c.path("steps").asLong(0);
    int subset = c == null ? 0 : c.path("subset").asInt(0);
    int testSubset = c == null ? 0 : c.path("test_subset").asInt(0);
    List<String> parts = new ArrayList<>();
    for (int d : depths()) {
      double acc = accuracy(d, "bn");
      Double paper = PAPER_ERROR.get(d);
      if (Double.isFinite(acc) && paper != null) {
        double err = 100 * (1 - acc);
        parts.add(
            String.format(
                Locale.ROOT,
                "ResNet-%d with BN %.2f %% test error (the paper %.2f %%, %.1f points lower)",
                d,
                err,
                paper,
                err - paper));
      }
    }
    String text =
        String.format(
            Locale.ROOT,
            "Reference: He et al. 2016 report 8.75 %% test error for ResNet-20 and 6.97 %% for"
                + " ResNet-56 with BN after 64,000 steps of 128 images (8.2 million samples, about"
                + " 164 epochs, with random crops and flips). Each run here saw %,d samples in %,d"
                + " steps, %.2f %% of that, %s, tested on %s. %s%s",
            samples,
            steps,
            100.0 * samples / PAPER_SAMPLES,
            subset > 0
                ? "from " + String.format(Locale.ROOT, "%,d", subset) + " training images"
                : "from the whole training set",
            testSubset > 0
                ? String.format(Locale.ROOT, "%,d test images", testSubset)
                : "the whole test set",
            parts.isEmpty() ? "" : String.join("; ", parts) + ". ",
            samples >= PAPER_SAMPLES
                ? "This is the paper's full budget."
                : "These runs show the start of training, not where it ends: their errors are"
                    + " far from the paper's by construction, and only the differences between"
                    + " the variants are the result.");
    s.para(text)
        .finding(
            String.format(
                Locale.ROOT,
                "Distance from full training: each run saw %.2f %% of the samples of He et al.'s"
                    + " schedule (8.75 %% and 6.97 %% test error for ResNet-20 and ResNet-56 with"
                    + " BN). %s",
                100.0 * samples / PAPER_SAMPLES,
                parts.isEmpty() ? "" : String.join("; ", parts) + "."));
  }

  private void table(Section s) {
    List<List<String>> rows = new ArrayList<>();
    List<Boolean> bad = new ArrayList<>();
    List<Run> sorted = new ArrayList<>(runs);
    sorted.sort(
        java.util.Comparator.comparingInt(Run::depth)
            .thenComparingInt(r -> ORDER.indexOf(r.variant()))
            .thenComparingLong(r -> r.row().l("seed")));
    for (Run r : sorted) {
      double acc = r.row().d("test_accuracy");
      rows.add(
          List.of(
              Integer.toString(r.depth()),
              r.variant(),
              r.row().s("model"),
              Stats.fmt(r.row().d("lr")),
              r.row().s("seed"),
              String.format(Locale.ROOT, "%,d", r.row().l("steps")),
              r.row().s("status"),
              Stats.fmt(lastLoss(r)),
              r.diverged() ? "n/a" : Stats.pct(acc)));
      bad.add(!r.row().s("status").equals("ok"));
    }
    s.para("Every run (depth.csv); a diverged run stopped at the step shown.")
        .table(
            List.of(
                "depth",
                "variant",
                "model",
                "lr",
                "seed",
                "steps",
                "status",
                "train loss at the end",
                "test accuracy"),
            rows,
            bad);
  }

  /** The mean of the last tenth (at least one) of the run's logged losses. */
  private static double lastLoss(Run r) {
    if (r.metrics() == null || r.metrics().rows().isEmpty()) {
      return r.row().has("final_train_loss") ? r.row().d("final_train_loss") : Double.NaN;
    }
    List<Csv.Row> m = r.metrics().rows();
    int k = Math.max(1, m.size() / 10);
    return Stats.mean(Group.values(m.subList(m.size() - k, m.size()), "train_loss"));
  }

  private void divergence(Section s) {
    List<String> out = new ArrayList<>();
    for (Run r : runs) {
      if (r.diverged()) {
        out.add(
            String.format(
                Locale.ROOT,
                "ResNet-%d %s (lr %s, seed %s) at step %,d",
                r.depth(),
                r.variant(),
                Stats.fmt(r.row().d("lr")),
                r.row().s("seed"),
                r.row().l("steps")));
      }
    }
    s.finding(
        out.isEmpty()
            ? "No run diverged (a run diverges when its loss becomes NaN/∞ or exceeds the"
                + " configured multiple of its first loss)."
            : "Diverged, i.e. the loss became NaN/∞ or exceeded the configured multiple of its"
                + " first loss, and training stopped: "
                + String.join("; ", out)
                + ".");
  }

  private void comparisons(Section s) {
    for (int d : depths()) {
      List<String> parts = new ArrayList<>();
      for (String v : ORDER) {
        List<Run> rs = runs.stream().filter(r -> r.depth() == d && r.variant().equals(v)).toList();
        if (rs.isEmpty()) {
          continue;
        }
        long diverged = rs.stream().filter(Run::diverged).count();
        double acc = accuracy(d, v);
        double loss =
            Stats.mean(
                rs.stream()
                    .filter(r -> !r.diverged())
                    .mapToDouble(DepthReport::lastLoss)
                    .toArray());
        parts.add(
            diverged == rs.size()
                ? v + " diverged"
                : String.format(
                    Locale.ROOT,
                    "%s %s (train loss %s)%s",
                    v,
                    Stats.pct(acc),
                    Stats.fmt(loss),
                    diverged > 0 ? ", " + diverged + " of " + rs.size() + " seeds diverged" : ""));
      }
      String verdict = verdict(d);
      s.finding(
          String.format(
              Locale.ROOT,
              "ResNet-%d test accuracy at the end: %s.%s",
              d,
              String.join("; ", parts),
              verdict));
    }
    if (depths().size() > 1) {
      List<String> change = new ArrayList<>();
      int lo = depths().get(0);
      int hi = depths().get(depths().size() - 1);
      for (String v : ORDER) {
        double a = accuracy(lo, v);
        double b = accuracy(hi, v);
        if (Double.isFinite(a) && Double.isFinite(b)) {
          change.add(v + " " + (b >= a ? "+" : "") + Stats.pp(b - a));
        }
      }
      if (!change.isEmpty()) {
        s.finding(
            String.format(
                Locale.ROOT,
                "Going from %d to %d layers changes the test accuracy by: %s. In He et al.'s"
                    + " full training the deeper network is the better one (6.97 %% vs 8.75 %%"
                    + " error); a negative change here means the extra depth has not paid off"
                    + " yet in this short run, or that it makes that variant harder to train.",
                lo,
                hi,
                String.join(", ", change)));
      }
    }
  }

  private String verdict(int d) {
    double bn = accuracy(d, "bn");
    double nobn = accuracy(d, "nobn");
    double small = accuracy(d, "nobn-small-lr");
    double zero = accuracy(d, "zero-gamma");
    StringBuilder b = new StringBuilder();
    if (Double.isFinite(bn)) {
      double best =
          Math.max(Double.isFinite(nobn) ? nobn : -1, Double.isFinite(small) ? small : -1);
      if (best >= 0) {
        b.append(
            String.format(
                Locale.ROOT,
                " BN is %s the best network without BN by %s.",
                bn >= best ? "ahead of" : "behind",
                Stats.pp(Math.abs(bn - best))));
      } else if (hasVariant(d, "nobn") || hasVariant(d, "nobn-small-lr")) {
        b.append(" Without BN, every run diverged.");
      }
      if (Double.isFinite(zero)) {
        b.append(
            String.format(
                Locale.ROOT,
                " Starting each block's last γ at 0 %s the accuracy by %s.",
                zero >= bn ? "raises" : "lowers",
                Stats.pp(Math.abs(zero - bn))));
      }
    }
    return b.toString();
  }

  private boolean hasVariant(int d, String v) {
    return runs.stream().anyMatch(r -> r.depth() == d && r.variant().equals(v));
  }

  /** Gradient norms of the first seed's run: layer → step → norm, in the file's layer order. */
  private static Map<String, TreeMap<Long, Double>> gradients(Run r) {
    Map<String, TreeMap<Long, Double>> out = new LinkedHashMap<>();
    if (r.gradients() == null) {
      return out;
    }
    for (Csv.Row g : r.gradients().rows()) {
      out.computeIfAbsent(g.s("layer"), k -> new TreeMap<>()).put(g.l("step"), g.d("grad_norm"));
    }
    return out;
  }

  /** Per layer: the norm at step 1, or the median over the later probes. */
  private static double[] perLayer(Map<String, TreeMap<Long, Double>> g, boolean init) {
    double[] out = new double[g.size()];
    int i = 0;
    for (TreeMap<Long, Double> steps : g.values()) {
      if (init) {
        Double v = steps.get(1L);
        out[i++] = v == null ? Double.NaN : v;
      } else {
        double[] later = steps.tailMap(1L, false).values().stream().mapToDouble(x -> x).toArray();
        out[i++] = median(later);
      }
    }
    return out;
  }

  private static double median(double[] v) {
    double[] a = Stats.finite(v);
    if (a.length == 0) {
      return Double.NaN;
    }
    java.util.Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  private Run firstSeed(int depth, String variant) {
    return runs.stream()
        .filter(r -> r.depth() == depth && r.variant().equals(variant))
        .min(java.util.Comparator.comparingLong(r -> r.row().l("seed")))
        .orElse(null);
  }

  private void gradientFinding(Section s) {
    List<String> parts = new ArrayList<>();
    for (int d : depths()) {
      for (String v : ORDER) {
        Run r = firstSeed(d, v);
        if (r == null) {
          continue;
        }
        double[] g = perLayer(gradients(r), true);
        double[] pos =
            java.util.Arrays.stream(g).filter(x -> x > 0 && Double.isFinite(x)).toArray();
        if (pos.length < 2) {
          continue;
        }
        long zero = java.util.Arrays.stream(g).filter(x -> x == 0).count();
        parts.add(
            String.format(
                Locale.ROOT,
                "ResNet-%d %s %s× (first layer %s, last %s%s)",
                d,
                v,
                Stats.fmt(Stats.max(pos) / Stats.min(pos)),
                Stats.fmt(g[0]),
                Stats.fmt(g[g.length - 1]),
                zero == 0
                    ? ""
                    : String.format(
                        Locale.ROOT, "; %d of %d layers exactly 0, left out", zero, g.length)));
      }
    }
    if (!parts.isEmpty()) {
      s.finding(
          "Gradients at initialization: how far apart the layers' gradient norms are (largest ÷"
              + " smallest over the weight layers, first seed): "
              + String.join("; ", parts)
              + ". A large spread means some layers get much bigger updates than others from"
              + " the same learning rate, so no single rate suits them all. With zero-gamma the"
              + " convolutions inside each block get no gradient at the first step: the block's"
              + " output is multiplied by γ = 0 until γ itself has moved.");
    }
  }

  private Color colour(String variant) {
    return Charts.colour(Math.max(0, ORDER.indexOf(variant)));
  }

  private Plot lossPlot(int depth) {
    XYChart c = Charts.chart("Training loss, ResNet-" + depth, "training steps", "train loss");
    double firstMax = 0;
    double maxLoss = 0;
    List<Run> diverged = new ArrayList<>();
    for (String v : ORDER) {
      Run r = firstSeed(depth, v);
      if (r != null && r.diverged()) {
        diverged.add(r);
      }
      if (r == null || r.metrics() == null || r.metrics().rows().isEmpty()) {
        continue;
      }
      List<Csv.Row> m = r.metrics().rows();
      double[] x = m.stream().mapToDouble(q -> q.l("step")).toArray();
      double[] y = Group.values(m, "train_loss");
      String label = v + " (lr " + Stats.fmt(r.row().d("lr")) + ")";
      Charts.dashIfOdd(Charts.line(c, label, x, y, colour(v)), ORDER.indexOf(v));
      firstMax = Math.max(firstMax, Double.isFinite(y[0]) ? y[0] : 0);
      maxLoss = Math.max(maxLoss, Stats.max(y));
    }
    double top = firstMax > 0 ? Math.min(maxLoss, 3 * firstMax) : 3;
    for (Run r : diverged) {
      // At the last logged loss, or at the top of the chart when the run stopped before its
      // first row.
      double y = r.metrics() == null || r.metrics().rows().isEmpty() ? top : lastLogged(r, top);
      XYSeries s =
          c.addSeries(
              r.variant() + " diverged at step " + r.row().l("steps"),
              new double[] {r.row().l("steps")},
              new double[] {y});
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      s.setMarker(SeriesMarkers.CROSS);
      s.setMarkerColor(colour(r.variant()));
    }
    if (firstMax > 0 && maxLoss > 3 * firstMax) {
      c.getStyler().setYAxisMax(3 * firstMax);
    }
    return Charts.save(
        c,
        plots,
        "depth-loss-resnet" + depth,
        "How to read it: a line that falls faster and lower is a network that learns faster;"
            + " a cross marks where a run diverged and was stopped. Training loss (mean of each"
            + " logged window of steps) of ResNet-"
            + depth
            + " per variant, first seed; the y axis is cut at three times the largest first"
            + " loss.");
  }

  private static double lastLogged(Run r, double top) {
    List<Csv.Row> m = r.metrics().rows();
    double y = m.get(m.size() - 1).d("train_loss");
    return Double.isFinite(y) ? Math.min(y, top) : top;
  }

  private Plot accuracyPlot() {
    List<Integer> depths = depths();
    if (depths.isEmpty()) {
      return null;
    }
    XYChart c = Charts.chart("Test accuracy against depth", "depth (layers)", "test accuracy (%)");
    for (String v : ORDER) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int d : depths) {
        double a = accuracy(d, v);
        if (Double.isFinite(a)) {
          x.add((double) d);
          y.add(100 * a);
        }
      }
      if (!x.isEmpty()) {
        Charts.points(c, v, Charts.array(x), Charts.array(y), colour(v));
      }
    }
    c.getStyler().setXAxisDecimalPattern("0");
    return Charts.save(
        c,
        plots,
        "depth-accuracy",
        "How to read it: each line follows one variant from the shallower to the deeper"
            + " network; a line going up means the extra layers helped within this budget, and a"
            + " missing point means every run of that variant diverged. Test accuracy in eval"
            + " mode after the last step, mean over the seeds that did not diverge.");
  }

  private Plot gradientPlot(int depth, boolean init) {
    XYChart c =
        Charts.chart(
            "Gradient norm per layer "
                + (init ? "at initialization (step 1)" : "during training (median over probes)")
                + ", ResNet-"
                + depth,
            "weight layer (input → output)",
            "||dL/dW|| (log scale)");
    Charts.logY(c, true);
    for (String v : ORDER) {
      Run r = firstSeed(depth, v);
      if (r == null) {
        continue;
      }
      double[] g = perLayer(gradients(r), init);
      double[] x = new double[g.length];
      double[] y = new double[g.length];
      boolean any = false;
      for (int i = 0; i < g.length; i++) {
        x[i] = i + 1;
        // NaN leaves a gap: a zero gradient has no place on a log axis.
        y[i] = g[i] > 0 && Double.isFinite(g[i]) ? g[i] : Double.NaN;
        any |= !Double.isNaN(y[i]);
      }
      if (any) {
        Charts.dashIfOdd(Charts.points(c, v, x, y, colour(v)), ORDER.indexOf(v));
      }
    }
    c.getStyler().setXAxisDecimalPattern("0");
    return Charts.save(
        c,
        plots,
        "depth-gradients-" + (init ? "init" : "training") + "-resnet" + depth,
        "How to read it: each point is one weight layer, from the first convolution (left) to"
            + " the classifier (right); a flat line means every layer gets gradients of similar"
            + " size, a slope or a wide spread means some layers learn much faster than others"
            + " (log scale: one grid line is a factor of 10); a gap is a layer whose gradient is"
            + " exactly 0. "
            + (init
                ? "Gradients of the first training step, at the initial weights"
                : "The median over the probes after step 1 of each layer's gradient norm")
            + " (probes/gradients.csv of each run, first seed)."
            + (init
                ? " Variants of one model and seed share their first gradient, whatever their"
                    + " learning rate (nobn hides behind nobn-small-lr)."
                : ""));
  }
}
