package bnlab.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The golden-file reader: values, shapes, attributes, and loud failures on bad files. */
class GoldenReaderTest {

  @Test
  void readsAttributesShapesAndExactFloats() {
    Golden g =
        Golden.parse(
            "t",
            "# a comment\nattr stride 2\ntensor x float32 2 2\n0.100000001 2\n3 4\n"
                + "tensor s float64\n0.10000000000000001\ntensor t int64 3\n4 0 2\n");
    assertEquals(2, g.intAttr("stride"));
    assertArrayEquals(new int[] {2, 2}, g.shape("x"));
    // %.9g text of a float reads back as that float, not as the nearest double.
    assertEquals((double) 0.1f, g.doubles("x")[0]);
    assertEquals(0.1, g.doubles("s")[0]);
    assertArrayEquals(new int[0], g.shape("s"));
    assertArrayEquals(new int[] {4, 0, 2}, g.ints("t"));
    assertEquals("a comment", g.comments().get(0));
  }

  @Test
  void badFilesFailLoudly() {
    assertThrows(AssertionError.class, () -> Golden.parse("t", "tensor x float32 3\n1 2\n"));
    assertThrows(AssertionError.class, () -> Golden.parse("t", "tensor x float32 2\n1 2 3\n"));
    assertThrows(AssertionError.class, () -> Golden.parse("t", "tensor x float16 1\n1\n"));
    assertThrows(AssertionError.class, () -> Golden.parse("t", "what is this\n"));
    AssertionError missing = assertThrows(AssertionError.class, () -> Golden.load("no_such"));
    assertTrue(missing.getMessage().contains("reference/generate.sh"), missing.getMessage());
    Golden g = Golden.parse("t", "tensor x float32 1\n1\n");
    assertThrows(AssertionError.class, () -> g.floats("y"));
    assertThrows(AssertionError.class, () -> g.attr("stride"));
  }

  @Test
  void assertCloseReportsTheFirstDifferences() {
    Golden g = Golden.parse("t", "tensor x float32 2 2\n1 2 3 4\n");
    g.assertClose("x", new float[] {1, 2, 3, 4.000001f}, 1e-6);
    AssertionError e =
        assertThrows(
            AssertionError.class, () -> g.assertClose("x", new float[] {1, 2, 3.1f, 4}, 1e-6));
    assertTrue(e.getMessage().contains("[1,0]"), e.getMessage());
    assertThrows(
        AssertionError.class, () -> g.assertClose("x", new float[] {1, 2, Float.NaN, 4}, 1e-6));
  }
}
