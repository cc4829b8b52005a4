package bnlab.reference.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The layer-by-layer comparison: both sides agree on each layer's output, and the table. */
class LayerPairedBenchTest {
  @Test
  void convolutionAndNormRowsRunBothSides() {
    StringWriter out = new StringWriter();
    CommandLine cli = LayerPairedBench.command().setOut(new PrintWriter(out));
    int code =
        cli.execute(
            "--layers=r4,r2s,bn64",
            "--modes=train,infer",
            "--batch=3",
            "--warmup=1",
            "--pairs=1",
            "--run-seconds=0.02",
            "--threads=1");
    String table = out.toString();
    assertEquals(0, code, table);
    assertTrue(table.contains("batch 3"), table);
    for (String row : new String[] {"r4 ", "r2s ", "bn64 "}) {
      assertEquals(2, table.lines().filter(s -> s.startsWith(row)).count(), row + "\n" + table);
    }
    assertTrue(table.contains("64->64 @8 k3"), table);
    assertTrue(table.contains("16->32 @32 k3 s2"), table);
    assertTrue(table.contains("BN 64 @8"), table);
  }

  @Test
  void unknownLayerIsRefusedWithTheKnownOnes() {
    StringWriter err = new StringWriter();
    CommandLine cli = LayerPairedBench.command().setErr(new PrintWriter(err));
    assertEquals(2, cli.execute("--layers=r9"));
    assertTrue(err.toString().contains("unknown layer r9; known: net1,net2"), err.toString());
  }

  @Test
  void outputsThatDifferAreReportedWithTheIndex() {
    LayerPairedBench.Layer l = LayerPairedBench.LAYERS.get("r4");
    LayerPairedBench.agree(l, new float[] {1f, 2f}, new float[] {1f, 2.00001f});
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> LayerPairedBench.agree(l, new float[] {1f, 2f}, new float[] {1f, 2.1f}));
    assertTrue(
        e.getMessage().startsWith("r4: bnlab and libtorch differ at output 1"), e.getMessage());
  }

  @Test
  void planNamesItsStrategyAndDetails() {
    assertEquals(
        "DIRECT, weight gradient by outer products",
        LayerPairedBench.strategy(
            "ConvPlan[DIRECT on vector-256bit: x (16, 32, 32) -> y (16, 32, 32), kernel 3x3,"
                + " stride (1, 1), padding (1, 1); batch 128, training, input gradient, weight"
                + " gradient by outer products]"));
    assertEquals(
        "WINOGRAD",
        LayerPairedBench.strategy(
            "ConvPlan[WINOGRAD on scalar: x (1, 8, 8) -> y (1, 8, 8), kernel 3x3, stride (1, 1),"
                + " padding (1, 1); batch 1, inference, no input gradient]"));
  }
}
