package bnlab.report;

import static bnlab.report.ReportTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plain-language findings must follow the numbers, whichever way they go. */
class FindingsTest {
  @TempDir Path dir;

  private List<String> findings(
      double[] plainLoss, double[] bnLoss, double[] plainAcc, double[] bnAcc) {
    Fixture f = new Fixture(dir);
    for (int s = 0; s < plainLoss.length; s++) {
      f.run("net", "none", s + 1, plainLoss[s], plainAcc[s]);
    }
    for (int s = 0; s < bnLoss.length; s++) {
      f.run("net-bn", "batch", s + 1, bnLoss[s], bnAcc[s]);
    }
    RunData d = RunData.load(dir);
    return Report.findings(d, Group.models(d), Comparison.of(d, Group.models(d)));
  }

  @Test
  void bnAheadBeyondTheSpread() {
    List<String> f =
        findings(
            new double[] {1.50, 1.52, 1.48},
            new double[] {1.30, 1.33, 1.29},
            new double[] {0.50, 0.51, 0.49},
            new double[] {0.56, 0.57, 0.55});
    assertContains(
        f,
        "net-bn is ahead of net on final train loss by 0.1933 (12.9 %): net-bn 1.307 ± 0.02082"
            + " (3 seeds) vs net 1.5 ± 0.02 (3 seeds). Paired by seed, net-bn is better in 3 of 3"
            + " seeds (differences -0.2 to -0.19); every seed agrees and the mean gap exceeds the"
            + " seed-to-seed standard deviation (0.02082), so the difference is larger than the"
            + " spread.");
    assertTrue(f.get(1).startsWith("net-bn is ahead of net on test accuracy by 6.00 pp"), f.get(1));
  }

  @Test
  void bnBehindIsSaidPlainly() {
    List<String> f =
        findings(
            new double[] {1.30, 1.33, 1.29},
            new double[] {1.50, 1.52, 1.48},
            new double[] {0.56, 0.57, 0.55},
            new double[] {0.50, 0.51, 0.49});
    assertTrue(
        f.get(0).startsWith("net-bn is behind net on final train loss by 0.1933 (14.8 %)"),
        f.get(0));
    assertTrue(f.get(0).contains("net-bn is better in 0 of 3 seeds"), f.get(0));
    assertTrue(f.get(0).endsWith("so the difference is larger than the spread."), f.get(0));
    assertTrue(f.get(1).startsWith("net-bn is behind net on test accuracy by 6.00 pp"), f.get(1));
  }

  @Test
  void seedsDisagreeingMeansNoClearWinner() {
    List<String> f =
        findings(
            new double[] {1.50, 1.40, 1.60},
            new double[] {1.45, 1.48, 1.55},
            new double[] {0.50, 0.50, 0.50},
            new double[] {0.50, 0.50, 0.50});
    assertContains(
        f,
        "No clear difference between net-bn and net on final train loss: the gap of 0.006667 is"
            + " within the seed-to-seed spread (not every seed agrees on the sign). Paired by seed,"
            + " net-bn is better in 2 of 3 seeds (differences -0.05 to 0.08).");
    assertTrue(f.get(1).startsWith("net-bn and net are level on test accuracy"), f.get(1));
  }

  @Test
  void consistentButSmallerThanTheSpreadIsNoise() {
    List<String> f =
        findings(
            new double[] {1.0, 1.5, 2.0},
            new double[] {0.99, 1.49, 1.99},
            new double[] {0.3, 0.5, 0.7},
            new double[] {0.31, 0.51, 0.71});
    assertTrue(
        f.get(0)
            .startsWith(
                "No clear difference between net-bn and net on final train loss: the gap of 0.01 is within the seed-to-seed standard deviation (0.5)"),
        f.get(0));
    assertTrue(
        f.get(1).startsWith("No clear difference between net-bn and net on test accuracy"),
        f.get(1));
  }

  @Test
  void singleSeedSaysThereIsNoSpread() {
    List<String> f =
        findings(new double[] {1.44}, new double[] {1.40}, new double[] {0.5}, new double[] {0.52});
    assertEquals(
        "net-bn is ahead of net on final train loss by 0.04 (2.8 %): net-bn 1.4 (1 seed) vs net"
            + " 1.44 (1 seed). This is a single run per model; with one seed there is no spread to"
            + " judge the gap against.",
        f.get(0));
  }

  @Test
  void aSingleModelIsDescribedAlone() {
    Fixture f = new Fixture(dir);
    f.run("vgg-bn", "batch", 1, 0.9, 0.7).run("vgg-bn", "batch", 2, 1.1, 0.6);
    RunData d = RunData.load(dir);
    assertEquals(
        List.of(
            "vgg-bn: final train loss 1 ± 0.1414 (2 seeds), test accuracy 65.00 % ± 7.07 pp (2"
                + " seeds); no other model in this run to compare with."),
        Comparison.of(d, Group.models(d)).findings());
  }

  @Test
  void unequalEpochsAreFlagged() {
    Fixture f = new Fixture(dir);
    f.run("net", "none", 44, 5, 1.44, 0.5, "ok", "");
    f.run("net-published-bn", "none", 44, 10, 1.40, 0.52, "ok", "");
    RunData d = RunData.load(dir);
    List<String> out = Comparison.of(d, Group.models(d)).findings();
    assertEquals(
        "Caution: net-published-bn ran 10 epochs and net ran 5, so the comparison below is not at"
            + " equal training length.",
        out.get(0));
  }

  /** As published: the "BN" run repeats the plain run for 5 epochs, then trains 5 more. */
  private Fixture published(double perturbation) {
    Fixture f =
        new Fixture(dir).config("compare", List.of("net", "net-published-bn"), List.of(44L), true);
    f.metrics("net", 44, 5, s -> Fixture.curve(1.4, 44, (long) s));
    f.metrics(
        "net-published-bn",
        44,
        10,
        s -> Fixture.curve(1.4, 44, (long) s) + (s == 7500 ? perturbation : 0));
    for (int e = 1; e <= 10; e++) {
      if (e <= 5) {
        f.epoch("net", 44, e, 2.0 - 0.1 * e, 0.4 + 0.01 * e);
      }
      f.epoch("net-published-bn", 44, e, 2.0 - 0.1 * e, 0.4 + 0.01 * e);
    }
    return f;
  }

  @Test
  void asPublishedIdenticalFirstEpochsAreDetected() throws Exception {
    published(0);
    RunData d = RunData.load(dir);
    List<String> f = Published.findings(d, Group.models(d));
    assertContains(
        f,
        "Identical first 5 epochs: all 50 logged training-loss rows of the \"BN\" run"
            + " net-published-bn in its first 5 epochs are exactly equal to those of the plain"
            + " run net (same seed, same steps). Its BatchNorm layers therefore changed nothing"
            + " during those epochs.");
    assertContains(
        f,
        "epochs.csv agrees: the per-epoch train loss, test loss and test accuracy of the first 5"
            + " epochs are identical in all 5 (seed, epoch) pairs.");
    assertContains(
        f, "The \"BN\" run net-published-bn trained 10 epochs, twice the plain run net's 5.");
    double at5 = Fixture.curve(1.4, 44, 25000);
    double at10 = Fixture.curve(1.4, 44, 50000);
    String last = f.get(f.size() - 1);
    assertTrue(
        last.startsWith("After 5 epochs both runs log the same training loss, " + Stats.fmt(at5)),
        last);
    assertTrue(last.contains("After 10 epochs net-published-bn logs " + Stats.fmt(at10)), last);
    assertTrue(
        last.endsWith(
            "100 % of that gap appears only in epochs 6 to 10, so its lower final loss comes from"
                + " the extra epochs, not from BatchNorm."),
        last);
    String page = Files.readString(Report.render(dir));
    assertTrue(
        page.contains(
            "Identical first 5 epochs: all 50 logged training-loss rows of the &quot;BN&quot; run"));
    assertTrue(page.contains("as published"));
  }

  @Test
  void asPublishedDifferencesAreReportedAsSuch() {
    published(1e-3);
    RunData d = RunData.load(dir);
    List<String> f = Published.findings(d, Group.models(d));
    assertContains(
        f,
        "Not identical: within the first 5 epochs, 49 of 50 logged training-loss rows of the"
            + " \"BN\" run net-published-bn equal the plain run net's; the first difference is at"
            + " seed 44, step 7500, and the largest is 0.001. The two runs do differ before the"
            + " extra epochs.");
  }
}
