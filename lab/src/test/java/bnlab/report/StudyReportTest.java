package bnlab.report;

import static bnlab.report.ReportTest.assertPng;
import static bnlab.report.ReportTest.assertSelfContained;
import static bnlab.report.ReportTest.assertSvg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The study sections on synthetic run folders whose numbers are chosen by hand: each finding must
 * follow the numbers, in both directions.
 */
class StudyReportTest {
  @TempDir Path tmp;

  static final String IOFFE_ZOO =
      "\"zoo\":{\"mlp-sigmoid\":{\"norm\":\"none\",\"baseline\":null},"
          + "\"mlp-bn-sigmoid\":{\"norm\":\"batch\",\"baseline\":\"mlp-sigmoid\"}}";

  /**
   * An ioffe-fig1 folder over steps 0..1000 (every 100): accuracies and the medians of 3 units are
   * functions of the step; the 15th and 85th percentiles sit 1 below and above the median.
   */
  static Fixture ioffe(
      Path dir,
      LongToDoubleFunction plainAcc,
      LongToDoubleFunction bnAcc,
      LongToDoubleFunction plainMedian,
      LongToDoubleFunction bnMedian) {
    Fixture f = new Fixture(dir);
    f.write(
        "config.json",
        "{\"command\":\"study ioffe-fig1\",\"models\":[\"mlp-sigmoid\",\"mlp-bn-sigmoid\"],"
            + "\"steps\":1000,\"dataset\":\"fashion-mnist\",\"unit\":1,\"probe_images\":1000,"
            + IOFFE_ZOO
            + "}");
    StringBuilder acc = new StringBuilder("model,seed,step,test_loss,test_accuracy\n");
    StringBuilder sig = new StringBuilder("model,seed,step,layer,unit,p15,p50,p85\n");
    for (String m : List.of("mlp-sigmoid", "mlp-bn-sigmoid")) {
      boolean bn = m.contains("bn");
      for (long s = 0; s <= 1000; s += 100) {
        acc.append(
            String.format(
                Locale.ROOT, "%s,44,%d,1.0,%s%n", m, s, (bn ? bnAcc : plainAcc).applyAsDouble(s)));
        for (int u = 0; u < 3; u++) {
          double med = (bn ? bnMedian : plainMedian).applyAsDouble(s) + 0.1 * u;
          sig.append(
              String.format(
                  Locale.ROOT,
                  "%s,44,%d,%s,%d,%s,%s,%s%n",
                  m,
                  s,
                  bn ? "bn3" : "fc3",
                  u,
                  med - 1,
                  med,
                  med + 1));
        }
      }
    }
    f.write("probes/ioffe-accuracy.csv", acc.toString());
    return f.write("probes/ioffe-sigmoid.csv", sig.toString());
  }

  static List<String> findings(Path dir) {
    return StudySections.of(RunData.load(dir), dir.resolve("plots")).get(0).findings;
  }

  static void assertHas(List<String> findings, String... parts) {
    for (String f : findings) {
      if (List.of(parts).stream().allMatch(f::contains)) {
        return;
      }
    }
    fail("no finding contains " + List.of(parts) + ":\n  " + String.join("\n  ", findings));
  }

  @Test
  void ioffeAsThePaper() throws Exception {
    Path dir = tmp.resolve("paper");
    // BN: 0.1 → 0.85, passing the plain net's final 0.8 at step 200; plain: linear to 0.8.
    // Plain medians drift +2 over the run (+1 in the second half); BN's stay put.
    ioffe(
        dir,
        s -> 0.1 + 0.7 * s / 1000,
        s -> s == 0 ? 0.1 : s < 200 ? 0.5 : 0.8 + 0.05 * s / 1000,
        s -> 2.0 * s / 1000,
        s -> 0.0);
    List<String> f = findings(dir);
    assertHas(
        f,
        "with BN classifies 85.00 %",
        "without 80.00 %",
        "at step 200",
        "at step 1,000",
        "(5.0× fewer steps)",
        "here so does this run");
    assertHas(f, "moves by 1 without BN and by 0 with BN", "As in the paper");
    String page = Files.readString(Report.render(dir));
    assertTrue(page.contains("Ioffe &amp; Szegedy 2015, Figure 1"), "the section");
    assertTrue(page.contains("<td>yes</td>"), "verdict column");
    assertSelfContained(page);
    for (String p :
        List.of("ioffe-accuracy", "ioffe-sigmoid-mlp-sigmoid", "ioffe-sigmoid-mlp-bn-sigmoid")) {
      assertPng(dir.resolve("plots/" + p + ".png"));
      assertSvg(dir.resolve("plots/" + p + ".svg"));
    }
    assertTrue(page.contains("Input to sigmoid 1 of the last hidden layer"), "the --unit chosen");
    assertTrue(page.contains("How to read it:"), "a sentence under every plot");
  }

  @Test
  void ioffeAgainstThePaper() {
    Path dir = tmp.resolve("against");
    // Now BN ends lower, never reaches the plain net's 0.9 and its medians drift 4× as far.
    ioffe(
        dir,
        s -> 0.1 + 0.8 * s / 1000,
        s -> 0.1 + 0.6 * s / 1000,
        s -> 0.5 * s / 1000,
        s -> 2.0 * s / 1000);
    List<String> f = findings(dir);
    assertHas(f, "mlp-bn-sigmoid never reaches mlp-sigmoid's final 90.00 %", "here it does not");
    assertHas(
        f,
        "moves by 0.25 without BN and by 1 with BN",
        "Unlike the paper, the BN network's sigmoid inputs move more here.");
    Path alike = tmp.resolve("alike");
    ioffe(alike, s -> 0.5, s -> 0.5, s -> 1.0 * s / 1000, s -> 1.2 * s / 1000);
    assertHas(findings(alike), "differ by less than 1.5× here");
  }

  @Test
  void ioffeVerdictFollowsTheSecondHalfNotTheStart() {
    Path dir = tmp.resolve("jump");
    // Plain jumps by 3 in the first step and is flat afterwards: a whole-run drift, but stable in
    // the second half, like BN; the finding judges the second half.
    ioffe(dir, s -> 0.5, s -> 0.5, s -> s == 0 ? 0 : 3.0, s -> 0.0);
    assertHas(findings(dir), "moves by 0 without BN and by 0 with BN", "differ by less than");
    assertEquals(2, findings(dir).size());
  }

  /**
   * A depth folder: ResNet-20 and -56, four variants; nobn at lr 0.1 of ResNet-56 diverged at step
   * 7. Losses fall from 2.3 towards {@code 2.3 - drop}; gradients per layer are given.
   */
  static Path depth(Path dir, double bnAcc20, double bnAcc56, double nobnAcc20) {
    Fixture f = new Fixture(dir);
    f.write(
        "config.json",
        "{\"command\":\"study depth\",\"samples\":6400,\"steps\":100,\"subset\":5000,"
            + "\"test_subset\":1000}");
    StringBuilder t =
        new StringBuilder(
            "depth,variant,model,norm,lr,seed,steps,final_train_loss,test_accuracy,status,folder\n");
    for (int d : new int[] {20, 56}) {
      for (String v : List.of("bn", "nobn", "nobn-small-lr", "zero-gamma")) {
        String model =
            "resnet" + d + (v.startsWith("nobn") ? "-nobn" : v.equals("bn") ? "" : "-zero-gamma");
        double lr = v.equals("nobn-small-lr") ? 0.01 : 0.1;
        boolean diverged = d == 56 && v.equals("nobn");
        double acc =
            switch (v) {
              case "bn" -> d == 20 ? bnAcc20 : bnAcc56;
              case "nobn" -> nobnAcc20;
              case "nobn-small-lr" -> 0.2;
              default -> (d == 20 ? bnAcc20 : bnAcc56) + 0.01;
            };
        String folder = "runs/" + model + "-lr" + lr + "-seed44";
        t.append(
            String.format(
                Locale.ROOT,
                "%d,%s,%s,%s,%s,44,%d,1.5,%s,%s,%s%n",
                d,
                v,
                model,
                v.startsWith("nobn") ? "none" : "batch",
                lr,
                diverged ? 7 : 100,
                diverged ? "NaN" : Double.toString(acc),
                diverged ? "diverged" : "ok",
                folder));
        StringBuilder m = new StringBuilder("model,seed,epoch,step,train_loss,lr\n");
        for (int s = 2; s <= (diverged ? 6 : 100); s += 2) {
          double loss = diverged ? 2.3 * s : 2.3 - (v.equals("bn") ? 0.8 : 0.3) * s / 100;
          m.append(String.format(Locale.ROOT, "%s,44,1,%d,%s,%s%n", model, s, loss, lr));
        }
        f.write(folder + "/metrics.csv", m.toString());
        StringBuilder g =
            new StringBuilder("model,seed,step,layer,grad_norm,weight_norm,update_ratio\n");
        for (long step : new long[] {1, 10, 20}) {
          for (int layer = 0; layer < 4; layer++) {
            // bn: flat 1; without BN the first layer's gradient is 1000x smaller than the last's;
            // zero-gamma: the two middle layers have none at step 1
            double norm =
                v.equals("bn")
                    ? 1
                    : v.equals("zero-gamma")
                        ? (step == 1 && (layer == 1 || layer == 2) ? 0 : 1)
                        : Math.pow(10, layer - 3);
            g.append(
                String.format(
                    Locale.ROOT, "%s,44,%d,layer%d.weight,%s,1,0.01%n", model, step, layer, norm));
          }
        }
        f.write(folder + "/probes/gradients.csv", g.toString());
      }
    }
    f.write("depth.csv", t.toString());
    return dir;
  }

  @Test
  void depthFindingsFollowTheNumbers() throws Exception {
    Path dir = depth(tmp.resolve("depth"), 0.40, 0.35, 0.30);
    List<String> f = findings(dir);
    // 6400 / (64000 * 128) = 0.078 %
    assertHas(
        f,
        "each run saw 0.08 % of the samples",
        "ResNet-20 with BN 60.00 % test error",
        "(the paper 8.75 %, 51.3 points lower)");
    assertHas(f, "ResNet-56 nobn (lr 0.1, seed 44) at step 7");
    assertHas(
        f,
        "ResNet-20 test accuracy at the end: bn 40.00 %",
        "nobn 30.00 %",
        "BN is ahead of the best network without BN by 10.00 pp",
        "Starting each block's last γ at 0 raises the accuracy by 1.00 pp");
    assertHas(f, "ResNet-56 test accuracy at the end: bn 35.00 %", "nobn diverged");
    assertHas(f, "Going from 20 to 56 layers", "bn -5.00 pp", "nobn-small-lr +0.00 pp");
    assertHas(
        f,
        "ResNet-20 bn 1× (first layer 1, last 1)",
        "ResNet-20 nobn 1000×",
        "ResNet-20 zero-gamma 1× (first layer 1, last 1; 2 of 4 layers exactly 0, left out)");
    String page = Files.readString(Report.render(dir));
    assertTrue(page.contains("BN and depth (ResNet-20, ResNet-56)"));
    assertTrue(page.contains("<tr class=\"bad\"><td class=\"n\">56</td><td>nobn</td>"), page);
    for (String p :
        List.of(
            "depth-loss-resnet20",
            "depth-loss-resnet56",
            "depth-accuracy",
            "depth-gradients-init-resnet20",
            "depth-gradients-training-resnet56")) {
      assertPng(dir.resolve("plots/" + p + ".png"));
    }
    assertSelfContained(page);

    Path behind = depth(tmp.resolve("behind"), 0.20, 0.35, 0.30);
    assertHas(findings(behind), "BN is behind the best network without BN by 10.00 pp");
  }
}
