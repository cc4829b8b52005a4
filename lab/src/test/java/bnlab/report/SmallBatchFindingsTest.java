package bnlab.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Wu &amp; He comparison follows the numbers of smallbatch.csv. */
class SmallBatchFindingsTest {
  @TempDir Path tmp;

  private List<String> findings(String... rows) throws IOException {
    Path f = tmp.resolve("smallbatch.csv");
    Files.writeString(
        f,
        "model,norm,batch_size,seed,iid,test_accuracy_eval,test_accuracy_train_mode\n"
            + String.join("\n", rows)
            + "\n");
    return SmallBatchFindings.findings(Csv.read(f, List.of()));
  }

  @Test
  void paperPatternWhenBnDegradesAndGroupNormHolds() throws IOException {
    List<String> out =
        findings(
            "net-bn,batch,2,1,true,0.40,0.30",
            "net-bn,batch,32,1,true,0.60,0.61",
            "net-gn,group,2,1,true,0.57,0.57",
            "net-gn,group,32,1,true,0.58,0.58");
    String text = String.join(" ", out);
    assertTrue(text.contains("The pattern is the paper's"), text);
    assertTrue(text.contains("batch 40.0 % → 60.0 % (+20.0 pp)"), text);
    assertTrue(text.contains("2: -10.0, 32: +1.0"), text);
    assertTrue(!text.contains("Caveat"), text);
  }

  @Test
  void undertrainedGroupNormIsNotCompared() throws IOException {
    String text =
        String.join(
            " ",
            findings(
                "net-bn,batch,2,1,true,0.50,0.50",
                "net-bn,batch,32,1,true,0.51,0.51",
                "net-gn,group,2,1,true,0.20,0.20",
                "net-gn,group,32,1,true,0.20,0.20",
                "net-bn,batch,32,1,false,0.41,0.41"));
    assertTrue(text.contains("GroupNorm cannot be set against it here"), text);
    assertTrue(text.contains("Caveat: at batch size 32 these stay far below BN's 51.0 %"), text);
    assertTrue(text.contains("batch -10.0 pp"), text);
    assertTrue(!text.contains("change beyond it"), text);
  }

  @Test
  void alikeWhenBothChangeTheSame() throws IOException {
    String text =
        String.join(
            " ",
            findings(
                "net-bn,batch,2,1,true,0.50,0.50",
                "net-bn,batch,32,1,true,0.55,0.55",
                "net-gn,group,2,1,true,0.49,0.49",
                "net-gn,group,32,1,true,0.53,0.53",
                "net-bn,batch,32,1,false,0.45,0.45",
                "net-gn,group,32,1,false,0.50,0.50"));
    assertTrue(text.contains("BN and GroupNorm change alike here (5.0 vs 4.0 pp"), text);
    assertTrue(text.contains("(GroupNorm, none) change by -3.0 pp on average"), text);
    assertTrue(text.contains("BN's change beyond it, -7.0 pp"), text);
  }

  @Test
  void recalibrationIsReportedPerBatchSizeWhereItWasMeasured() throws IOException {
    Path f = tmp.resolve("smallbatch.csv");
    Files.writeString(
        f,
        "model,norm,batch_size,seed,iid,test_accuracy_eval,test_accuracy_train_mode,"
            + "test_accuracy_recalibrated\n"
            + "net-bn,batch,2,1,true,0.30,0.25,0.31\n"
            + "net-bn,batch,32,1,true,0.40,0.45,0.47\n"
            + "net-gn,group,2,1,true,0.35,0.35,NaN\n");
    String text = String.join(" ", SmallBatchFindings.findings(Csv.read(f, List.of())));
    assertTrue(text.contains("by batch size: 2: 30.0 % → 31.0 %, 32: 40.0 % → 47.0 %."), text);
    assertTrue(text.contains("helps most at batch size 32 (+7.0 pp)"), text);
    assertTrue(
        !String.join(" ", findings("net-bn,batch,2,1,true,0.30,0.25")).contains("Precise BN"),
        "no column, no sentence");
  }
}
