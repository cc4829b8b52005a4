package bnlab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
  @TempDir Path dir;

  @Test
  void skipsOnlyAnInterruptedLastLine() throws Exception {
    Path p = dir.resolve("m.csv");
    Files.writeString(p, "model,seed,train_loss\nnet,1,1.5\nnet,2,NaN\nnet,3");
    Csv c = Csv.read(p, List.of("model", "train_loss"));
    assertEquals(2, c.rows().size());
    assertTrue(Double.isNaN(c.rows().get(1).d("train_loss")));
  }

  @Test
  void malformedLinesAndMissingColumnsNameTheFileAndLine() throws Exception {
    Path p = dir.resolve("m.csv");
    Files.writeString(p, "model,seed,train_loss\nnet,1\nnet,2,1.0\n");
    var e = assertThrows(IllegalArgumentException.class, () -> Csv.read(p, List.of("model")));
    assertTrue(e.getMessage().contains("line 2 has 2 fields"), e.getMessage());
    Files.writeString(p, "model,seed\nnet,1\n");
    e = assertThrows(IllegalArgumentException.class, () -> Csv.read(p, List.of("train_loss")));
    assertTrue(e.getMessage().contains("lacks column 'train_loss'"), e.getMessage());
    Files.writeString(p, "model,seed\nnet,x1\n");
    Csv c = Csv.read(p, List.of("seed"));
    e = assertThrows(IllegalArgumentException.class, () -> c.rows().get(0).l("seed"));
    assertTrue(e.getMessage().contains("line 2: column 'seed' is 'x1'"), e.getMessage());
  }

  @Test
  void statisticsMatchHandCalculation() {
    // mean 2, squared deviations 1+0+1 over n-1 = 2 -> sd 1.
    assertEquals(2.0, Stats.mean(new double[] {1, 2, 3, Double.NaN}), 0);
    assertEquals(1.0, Stats.sd(new double[] {1, 2, 3}), 1e-15);
    assertTrue(Double.isNaN(Stats.sd(new double[] {4})));
    assertEquals("0.1933", Stats.fmt(0.19333333));
    assertEquals("1.5", Stats.fmt(1.5));
    assertEquals("0.0001", Stats.fmt(1e-4));
    assertEquals("2.5e-5", Stats.fmt(2.5e-5));
    assertEquals("-1.235e7", Stats.fmt(-12345678));
    assertEquals("48", Charts.tick(48.000000000000001));
    assertEquals("0.001", Charts.tick(0.001));
    assertEquals("16", TrainingPlots.powerOfTwo(4.0));
    assertEquals("", TrainingPlots.powerOfTwo(4.5));
    assertEquals("&lt;a href=&quot;x&quot;&gt;&amp;&#39;", Html.esc("<a href=\"x\">&'"));
  }
}
