package bnlab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
  @TempDir Path dir;

  static final List<String> MODELS = List.of("net", "net-bn");
  static final List<Long> SEEDS = List.of(1L, 2L, 3L);

  /** A compare run with probes, three seeds per model, BN converging to a lower loss. */
  private Fixture fullCompare() {
    Fixture f = new Fixture(dir).config("compare", MODELS, SEEDS, false);
    for (long seed : SEEDS) {
      f.metrics("net", seed, 5, s -> Fixture.curve(1.4, seed, (long) s));
      f.metrics("net-bn", seed, 5, s -> Fixture.curve(1.2, seed, (long) s));
      for (int e = 1; e <= 5; e++) {
        f.epoch("net", seed, e, 2.0 - 0.1 * e, 0.40 + 0.02 * e + 0.005 * seed);
        f.epoch("net-bn", seed, e, 1.9 - 0.12 * e, 0.45 + 0.025 * e + 0.005 * seed);
      }
    }
    f.run("net", "none", 1, 1.50, 0.50).run("net", "none", 2, 1.52, 0.51);
    f.run("net", "none", 3, 1.48, 0.49);
    f.run("net-bn", "batch", 1, 1.30, 0.56).run("net-bn", "batch", 2, 1.33, 0.57);
    f.run("net-bn", "batch", 3, 1.29, 0.55);
    return f.probes(MODELS, SEEDS);
  }

  @Test
  void rendersEveryPlotAsPngAndSvgAndASelfContainedPage() throws Exception {
    fullCompare();
    Path html = Report.render(dir);
    List<String> expected =
        List.of(
            "loss",
            "accuracy",
            "activations-layer1",
            "activations-layer3",
            "gradients-net",
            "gradients-net-bn",
            "loss-landscape",
            "gradient-predictiveness",
            "beta-smoothness");
    for (String name : expected) {
      assertPng(dir.resolve("plots/" + name + ".png"));
      assertSvg(dir.resolve("plots/" + name + ".svg"));
    }
    String page = Files.readString(html);
    assertSelfContained(page);
    assertEquals(countFiles(dir.resolve("plots"), ".png"), count(page, "data:image/png;base64,"));
    // The table shows per-seed values and mean ± sd.
    for (String v : List.of("1.52", "1.33", "56.00 %", "61.5", "812.3", "1.5 ± 0.02 (3 seeds)")) {
      assertTrue(page.contains(v), () -> "report lacks table value " + v);
    }
    // Configuration values are shown, and escaped.
    assertTrue(page.contains("environment.kernels"), "config key missing");
    assertTrue(page.contains("&lt;b&gt;not bold&lt;/b&gt; &amp; co"), "config value not escaped");
    assertFalse(page.contains("<b>not bold"), "raw HTML from config leaked into the page");
    assertTrue(
        page.contains("net-bn is ahead of net on final train loss by 0.1933 (12.9 %)"),
        "missing the computed loss finding");
    assertTrue(page.contains("net-bn is ahead of net on test accuracy by 6.00 pp"), page);
    assertTrue(page.contains("the difference is larger than the spread"));
  }

  @Test
  void probeFindingsFollowTheProbeNumbers() {
    new Fixture(dir).probes(MODELS, List.of(7L));
    RunData d = RunData.load(dir);
    List<String> f = Report.findings(d, Group.models(d), null);
    // Loss band width = width * max(eta) = 1.0 * 0.2 vs 0.1 * 0.2; beta = 1.5 * width.
    assertContains(
        f,
        "Loss-landscape band, mean width (max - min over eta) over the probed steps:"
            + " net 0.2, net-bn 0.02.");
    assertContains(
        f, "Effective beta-smoothness, mean over the probed steps: net 1.5, net-bn 0.15.");
    // Plain medians move by 2.5 (l + 1) for layers l = 0..2 against an initial spread of 2:
    // 1.25, 2.5, 3.75, mean 2.5; BN medians do not move.
    assertContains(
        f,
        "Pre-activation drift over training (range of each layer's median, in units of its"
            + " initial 15th-85th percentile spread; mean over layers, first seed): net 2.5,"
            + " net-bn 0.");
  }

  @Test
  void missingOptionalFilesStillRender() throws Exception {
    Fixture f = new Fixture(dir);
    f.metrics("net", 44, 2, s -> Fixture.curve(1.4, 44, (long) s));
    Path html = Report.render(dir);
    String page = Files.readString(html);
    assertPng(dir.resolve("plots/loss.png"));
    assertFalse(Files.exists(dir.resolve("plots/accuracy.png")));
    assertTrue(page.contains("No config.json in this folder."));
    assertTrue(page.contains("No summary.json or epochs.csv in this folder."));
    assertSelfContained(page);
  }

  @Test
  void comparisonFallsBackToEpochsCsvWithoutSummary() throws Exception {
    Fixture f = new Fixture(dir);
    for (long seed : SEEDS) {
      f.epoch("net", seed, 1, 1.6 + 0.01 * seed, 0.40);
      f.epoch("net-bn", seed, 1, 1.4 + 0.01 * seed, 0.45);
    }
    String page = Files.readString(Report.render(dir));
    assertTrue(page.contains("from epochs.csv"), "source of the table not stated");
    assertTrue(page.contains("net-bn is ahead of net on final train loss by 0.2"), page);
  }

  @Test
  void sweepMarksDivergenceAndReportsStableLearningRates() throws Exception {
    StringBuilder s =
        new StringBuilder(
            "model,norm,lr,batch_size,seed,epochs,final_train_loss,test_accuracy,diverged\n");
    double[] lrs = {1e-4, 1e-3, 1e-2, 1e-1};
    double[] plainAcc = {0.40, 0.45, 0.30, Double.NaN};
    double[] bnAcc = {0.42, 0.50, 0.55, 0.52};
    for (int seed = 1; seed <= 2; seed++) {
      for (int i = 0; i < lrs.length; i++) {
        boolean diverged = Double.isNaN(plainAcc[i]) || (i == 2 && seed == 2);
        s.append(row("net", "none", lrs[i], seed, diverged ? Double.NaN : plainAcc[i], diverged));
        s.append(row("net-bn", "batch", lrs[i], seed, bnAcc[i], false));
      }
    }
    Fixture f = new Fixture(dir).write("sweep.csv", s.toString());
    // A sweep's summary.json repeats (model, seed) across learning rates: no comparison from it.
    f.run("net", "none", 1, 1.2, 0.4).run("net", "none", 1, 1.1, 0.45);
    f.run("net-bn", "batch", 1, 1.0, 0.5).run("net-bn", "batch", 1, 0.9, 0.55);
    String page = Files.readString(Report.render(dir));
    assertTrue(
        page.contains(
            "summary.json holds 4 runs with repeated (model, seed) pairs, i.e. different"
                + " settings such as a sweep&#39;s learning rates, so no model-against-model"
                + " comparison is drawn from it."),
        page);
    assertFalse(page.contains("is ahead of"), "a comparison was drawn across sweep settings");
    assertTrue(page.contains("Per run of the sweep (from sweep.csv):"));
    assertTrue(page.contains("<td class=\"n\">0.01</td>"), "sweep table lacks the lr column");
    assertPng(dir.resolve("plots/sweep-bs10.png"));
    assertSvg(dir.resolve("plots/sweep-bs10.svg"));
    assertTrue(
        page.contains(
            "Sweep, batch size 10, net (none): best test accuracy 45.00 % at lr 0.001; largest lr"
                + " without divergence 0.001; 3 runs diverged, the first at lr 0.01."),
        page);
    assertTrue(
        page.contains(
            "Sweep, batch size 10, net-bn (batch): best test accuracy 55.00 % at lr 0.01; largest"
                + " lr without divergence 0.1; no run diverged."));
    assertTrue(
        page.contains(
            "Largest learning rate without divergence at batch size 10: net (none) 0.001, net-bn"
                + " (batch) 0.1."));
  }

  private static String row(String m, String norm, double lr, int seed, double acc, boolean div) {
    return m
        + ","
        + norm
        + ","
        + lr
        + ",10,"
        + seed
        + ",1,"
        + (div ? "NaN" : "1.2")
        + ","
        + (Double.isNaN(acc) ? "NaN" : Double.toString(acc))
        + ","
        + div
        + "\n";
  }

  @Test
  void smallBatchStudyIsPlottedWithEvalAndTrainMode() throws Exception {
    StringBuilder s =
        new StringBuilder(
            "model,norm,batch_size,seed,iid,test_accuracy_eval,test_accuracy_train_mode\n");
    for (int b : new int[] {2, 4, 8, 16}) {
      s.append("net-bn,batch,").append(b).append(",1,true,").append(0.30 + 0.05 * Math.log(b));
      s.append(",").append(0.25 + 0.05 * Math.log(b)).append("\n");
      s.append("net-gn,group,").append(b).append(",1,true,0.5,0.5\n");
      s.append("net-bn,batch,").append(b).append(",1,false,0.2,0.1\n");
    }
    new Fixture(dir).write("smallbatch.csv", s.toString());
    String page = Files.readString(Report.render(dir));
    assertPng(dir.resolve("plots/smallbatch.png"));
    // class-clustered batches get their own chart, so the two families are not confused
    assertPng(dir.resolve("plots/smallbatch-noniid.png"));
    assertTrue(
        page.contains(
            "net-gn (group): eval-mode test accuracy 50.00 % at batch size 2 and 50.00 % at"
                + " batch size 16 (change 0.00 pp)"),
        page);
    assertTrue(page.contains("net-bn (batch): eval-mode test accuracy 33.47 % at batch size 2"));
  }

  @Test
  void divergedRunIsShownAndLeftOutOfTheMeans() throws Exception {
    Fixture f = new Fixture(dir);
    f.run("net", "none", 1, 1.5, 0.5).run("net", "none", 2, 1.6, 0.48);
    f.run("net-bn", "batch", 1, 1.3, 0.55);
    f.run("net-bn", "batch", 2, 5, Double.NaN, Double.NaN, "diverged", "loss <NaN> at step 7");
    String page = Files.readString(Report.render(dir));
    assertTrue(page.contains("<tr class=\"bad\">"), "diverged run not marked");
    assertTrue(page.contains("loss &lt;NaN&gt; at step 7"), "message not escaped");
    assertTrue(page.contains("1 of 2"), "ok-run count missing");
    assertTrue(
        page.contains(
            "net-bn seed 2 ended with status &#39;diverged&#39; (loss &lt;NaN&gt; at step 7); it"
                + " is left out of the means."),
        page);
  }

  @Test
  void divergingCurveIsCutAndAnAllNanModelIsSkipped() throws Exception {
    Fixture f = new Fixture(dir);
    f.metrics("net", 1, 2, s -> Fixture.curve(1.4, 1, (long) s));
    f.metrics(
        "net-bn", 1, 2, s -> s < 6000 ? 2.3 : s < 9000 ? Math.pow(10, s / 1000.0) : Double.NaN);
    f.metrics("vgg", 1, 1, s -> Double.NaN);
    String page = Files.readString(Report.render(dir));
    assertPng(dir.resolve("plots/loss.png"));
    assertTrue(
        page.contains(
            "The y axis is cut at 6.9 (three times the largest first logged loss); higher values,"
                + " up to 3.162e8, are off the chart."),
        page);
    assertFalse(page.contains("data:image/png;base64,\"\""));
  }

  @Test
  void nothingFiniteToPlotGivesNoPlot() throws Exception {
    new Fixture(dir).metrics("net", 1, 1, s -> Double.NaN);
    String page = Files.readString(Report.render(dir));
    assertFalse(Files.exists(dir.resolve("plots/loss.png")));
    assertTrue(page.contains("No plottable files"), page);
  }

  @Test
  void refusesAFolderWithoutRunFiles() throws Exception {
    Files.writeString(dir.resolve("unrelated.txt"), "x");
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> Report.render(dir));
    assertTrue(e.getMessage().contains("holds no run files"), e.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> Report.render(dir.resolve("missing")));
  }

  static void assertContains(List<String> findings, String expected) {
    if (!findings.contains(expected)) {
      fail("expected finding:\n  " + expected + "\nbut got:\n  " + String.join("\n  ", findings));
    }
  }

  static void assertPng(Path p) throws IOException {
    assertTrue(Files.isRegularFile(p), () -> p + " missing");
    BufferedImage img = ImageIO.read(p.toFile());
    if (img == null) {
      fail(p + " does not decode as an image");
    }
    assertEquals(Charts.WIDTH, img.getWidth(), p + " width");
    assertEquals(Charts.HEIGHT, img.getHeight(), p + " height");
  }

  static void assertSvg(Path p) throws Exception {
    assertTrue(Files.isRegularFile(p), () -> p + " missing");
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    var doc = f.newDocumentBuilder().parse(p.toFile());
    assertEquals("svg", doc.getDocumentElement().getLocalName(), p + " root element");
  }

  /** No external references: strip embedded images, then look for any http(s) URL or src. */
  static void assertSelfContained(String page) {
    String text = page.replaceAll("data:image/png;base64,[A-Za-z0-9+/=]+", "");
    Matcher m =
        Pattern.compile("(?i)https?:|//[a-z0-9]|<script|<link|@import|url\\(").matcher(text);
    if (m.find()) {
      int from = Math.max(0, m.start() - 60);
      fail(
          "external reference in report.html: "
              + text.substring(from, Math.min(text.length(), m.end() + 60)));
    }
  }

  static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  static long countFiles(Path d, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.filter(p -> p.toString().endsWith(suffix)).count();
    }
  }
}
