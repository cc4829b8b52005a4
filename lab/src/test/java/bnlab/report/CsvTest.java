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
  void malformedRowsAreLeftOutAndNamedMissingColumnsRefused() throws Exception {
    Path p = dir.resolve("m.csv");
    // a row torn by a full disk, a non-numeric required value, a non-numeric other value
    Files.writeString(
        p, "model,seed,train_loss,lr\nnet,1\nnet,2,1.0,x\nnet,abc,2.0,1\nnet,3,oops,1\n");
    Csv read = Csv.read(p, List.of("model", "seed", "train_loss"));
    assertEquals(1, read.rows().size(), "only the well-formed row stays");
    assertEquals(2, read.rows().get(0).l("seed"));
    assertEquals(
        List.of(
            "m.csv line 2 ('net,1': 2 fields, the header has 4)",
            "m.csv line 4 ('net,abc,2.0,1': seed is 'abc')",
            "m.csv line 5 ('net,3,oops,1': train_loss is 'oops')"),
        read.skipped());
    Files.writeString(p, "model,seed\nnet,1\n");
    var e = assertThrows(IllegalArgumentException.class, () -> Csv.read(p, List.of("train_loss")));
    assertTrue(e.getMessage().contains("lacks column 'train_loss'"), e.getMessage());
    // a column that is not required is read when used, and a bad value then names its line
    Files.writeString(p, "model,seed\nnet,x1\n");
    Csv c = Csv.read(p, List.of("model"));
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
