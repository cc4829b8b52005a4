package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bnlab study ioffe-fig1 and study depth from the command line, on tiny generated data. */
class StudyCommandsTest {
  @TempDir static Path tmp;
  static Path cifar;
  static Path mnist;

  @BeforeAll
  static void setUp() throws IOException {
    cifar = TinyCifar.write(tmp.resolve("cifar"), 20, 10);
    mnist = TinyMnist.write(tmp.resolve("mnist"), 120, 30);
  }

  @Test
  void ioffeFig1WritesItsFilesAndReport() throws IOException {
    Path out = tmp.resolve("ioffe");
    CliTest.Result r =
        CliTest.bnlab(
            "study",
            "ioffe-fig1",
            "--data",
            mnist.toString(),
            "--steps",
            "6",
            "--eval-every",
            "3",
            "--probe-images",
            "10",
            "--out",
            out.toString(),
            "--no-progress");
    assertEquals(0, r.code(), r.err() + r.out());
    assertTrue(r.out().contains("mlp-bn-sigmoid   seed 44     ok"), r.out());
    assertEquals(1 + 2 * 3, Files.readAllLines(out.resolve("probes/ioffe-accuracy.csv")).size());
    String page = Files.readString(out.resolve("report.html"));
    assertTrue(page.contains("Ioffe &amp; Szegedy 2015, Figure 1"), "the study's section");
    assertTrue(Files.isRegularFile(out.resolve("plots/ioffe-sigmoid-mlp-bn-sigmoid.png")));
    // the same options continue; other ones are refused, naming the option
    assertEquals(
        0,
        CliTest.bnlab(
                "study",
                "ioffe-fig1",
                "--data",
                mnist.toString(),
                "--steps",
                "6",
                "--eval-every",
                "3",
                "--probe-images",
                "10",
                "--out",
                out.toString(),
                "--resume",
                "--no-report")
            .code());
    CliTest.Result other =
        CliTest.bnlab(
            "study",
            "ioffe-fig1",
            "--data",
            mnist.toString(),
            "--steps",
            "6",
            "--eval-every",
            "2",
            "--probe-images",
            "10",
            "--out",
            out.toString(),
            "--resume");
    assertEquals(2, other.code());
    assertTrue(other.err().contains("eval_every was 3, now 2"), other.err());
  }

  @Test
  void depthRunsEveryVariantMarksDivergenceAndZeroGammaStartsWithoutInnerGradients()
      throws IOException {
    Path out = tmp.resolve("depth");
    CliTest.Result r =
        CliTest.bnlab(
            "study",
            "depth",
            "--data",
            cifar.toString(),
            "--depths",
            "20",
            "--samples",
            "16",
            "--batch-size",
            "4",
            "--subset",
            "20",
            "--test-subset",
            "10",
            "--probe-every",
            "2",
            "--log-every",
            "1",
            "--out",
            out.toString());
    assertEquals(0, r.code(), r.err() + r.out());
    List<String> rows = Files.readAllLines(out.resolve("depth.csv"));
    assertEquals(1 + 4, rows.size(), rows.toString());
    assertTrue(rows.get(1).startsWith("20,bn,resnet20,batch,0.1,44,4,"), rows.get(1));
    assertTrue(
        rows.get(3).startsWith("20,nobn-small-lr,resnet20-nobn,none,0.01,44,4,"), rows.get(3));
    assertTrue(rows.get(4).endsWith(",ok,runs/resnet20-zero-gamma-lr0.1-seed44"), rows.get(4));
    // Goyal et al.: with each block's last γ = 0, a block computes relu(x) at first, so the
    // gradient of every convolution inside a block is exactly 0 at step 1; conv1 and fc get one
    List<String> grads =
        Files.readAllLines(
            out.resolve("runs/resnet20-zero-gamma-lr0.1-seed44/probes/gradients.csv"));
    long inner = 0;
    for (String g : grads.subList(1, grads.size())) {
      String[] f = g.split(",");
      if (f[2].equals("1") && f[3].startsWith("layer")) {
        assertEquals(0.0, Double.parseDouble(f[4]), g);
        inner++;
      } else if (f[2].equals("1")) {
        assertTrue(Double.parseDouble(f[4]) > 0, g);
      }
    }
    assertEquals(18, inner, "2 convolutions in each of 9 blocks");
    assertTrue(Files.readString(out.resolve("report.html")).contains("BN and depth"));

    // a learning rate no network survives: marked diverged in depth.csv and the report
    Path wild = tmp.resolve("wild");
    CliTest.Result w =
        CliTest.bnlab(
            "study",
            "depth",
            "--data",
            cifar.toString(),
            "--depths",
            "20",
            "--variants",
            "nobn",
            "--lr",
            "1000",
            "--samples",
            "16",
            "--batch-size",
            "4",
            "--subset",
            "20",
            "--test-subset",
            "10",
            "--out",
            wild.toString());
    assertEquals(0, w.code(), w.err() + w.out());
    String row = Files.readAllLines(wild.resolve("depth.csv")).get(1);
    assertTrue(row.contains(",diverged,"), row);
    assertTrue(Files.readString(wild.resolve("report.html")).contains("Diverged, i.e."));
  }

  @Test
  void badOptionsAreOneLine() {
    CliTest.Result r =
        CliTest.bnlab("study", "depth", "--data", cifar.toString(), "--depths", "32");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--depths takes 20 and 56"), r.err());
    r = CliTest.bnlab("study", "depth", "--variants", "bn,dropout");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown variant 'dropout'"), r.err());
    r = CliTest.bnlab("study", "depth", "--full-schedule", "--augment");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--full-schedule sets"), r.err());
  }
}
