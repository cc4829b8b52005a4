package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bnlab study small-batch end to end on a tiny generated CIFAR-10. */
class SmallBatchStudyTest {
  @TempDir Path tmp;

  @Test
  void writesOneRowPerConfigurationAndThePlot() throws IOException {
    Path data = TinyCifar.write(tmp.resolve("cifar"), 40, 20);
    Path out = tmp.resolve("study");
    CliTest.Result r =
        CliTest.bnlab(
            "study",
            "small-batch",
            "--data",
            data.toString(),
            "--subset",
            "40",
            "--test-subset",
            "20",
            "--samples",
            "16",
            "--batch-sizes",
            "2,4",
            "--models",
            "net-bn,net-gn,net-brn,net",
            "--out",
            out.toString());
    assertEquals(0, r.code(), r.err() + r.out());
    List<String> rows = Files.readAllLines(out.resolve("smallbatch.csv"));
    assertEquals(SmallBatchCommand.HEADER, rows.get(0));
    assertEquals(1 + 2 * 2 * 4, rows.size(), String.join("\n", rows));
    for (String row : rows.subList(1, rows.size())) {
      String[] f = row.split(",");
      double eval = Double.parseDouble(f[5]);
      double trainMode = Double.parseDouble(f[6]);
      assertTrue(eval >= 0 && eval <= 1 && trainMode >= 0 && trainMode <= 1, row);
      // GroupNorm and no normalization do not depend on the batch: both modes agree exactly
      if (f[1].equals("group") || f[1].equals("none")) {
        assertEquals(eval, trainMode, row);
      }
      // precise BN for the model with BatchNorm only
      double recalibrated = Double.parseDouble(f[7]);
      if (f[1].equals("batch")) {
        assertTrue(recalibrated >= 0 && recalibrated <= 1, row);
      } else {
        assertTrue(Double.isNaN(recalibrated), row);
      }
    }
    assertTrue(rows.stream().anyMatch(l -> l.startsWith("net-brn,renorm,4,44,false,")));
    assertTrue(Files.exists(out.resolve("plots/smallbatch.png")));
    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("Wu &amp; He 2018") || html.contains("Wu & He 2018"), "findings");
  }

  @Test
  void refusesBatchSizeOne() {
    CliTest.Result r = CliTest.bnlab("study", "small-batch", "--batch-sizes", "1,2");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--batch-sizes must be at least 2"), r.err());
  }

  @Test
  void aFinishedStudyResumesToTheSameTableAndAnotherOneIsRefused() throws IOException {
    Path data = TinyCifar.write(tmp.resolve("cifar"), 40, 20);
    Path out = tmp.resolve("study");
    String[] study = {
      "study",
      "small-batch",
      "--data",
      data.toString(),
      "--subset",
      "40",
      "--test-subset",
      "20",
      "--samples",
      "40",
      "--batch-sizes",
      "4",
      "--models",
      "net-bn",
      "--no-report",
      "--out",
      out.toString()
    };
    assertEquals(0, CliTest.bnlab(study).code());
    List<String> rows = Files.readAllLines(out.resolve("smallbatch.csv"));
    assertEquals(3, rows.size(), String.join("\n", rows));
    assertTrue(Files.exists(out.resolve("runs/net-bn-bs4-2class-seed44/checkpoints")));

    List<String> resumed = new java.util.ArrayList<>(List.of(study));
    resumed.add("--resume");
    CliTest.Result r = CliTest.bnlab(resumed.toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    assertEquals(rows, Files.readAllLines(out.resolve("smallbatch.csv")));

    resumed.addAll(List.of("--lr", "0.05"));
    CliTest.Result other = CliTest.bnlab(resumed.toArray(String[]::new));
    assertEquals(2, other.code());
    assertEquals(1, other.err().strip().lines().count(), other.err());
    assertTrue(other.err().contains("lr_at_batch_32 was 0.02, now 0.05"), other.err());
  }
}
