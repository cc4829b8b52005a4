package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The provider hands out one implementation per concern, scalar or vector, and checks switches. */
class KernelProviderTest {
  private static final ConvGeometry NET_CONV1 = new ConvGeometry(3, 32, 32, 6, 5, 5, 1, 1, 0, 0);

  @Test
  void scalarProviderHandsOutTheScalarTwins() {
    KernelProvider p = KernelProvider.choose("scalar");
    assertEquals("scalar", p.name());
    assertTrue(p.gemm() instanceof ScalarGemm);
    assertTrue(p.poolActivation() instanceof ScalarPoolActivation);
    assertTrue(p.optim() instanceof ScalarOptim);
    assertEquals(ConvStrategy.IM2COL_GEMM, p.conv().strategy(NET_CONV1));
    assertTrue(p.conv().plan(NET_CONV1, 2, true, true, null).toString().contains("on scalar"));
  }

  @Test
  void vectorProviderHandsOutTheVectorKernels() {
    // The tests run with --add-modules jdk.incubator.vector.
    KernelProvider p = KernelProvider.choose(" Vector ");
    assertEquals(
        "vector-"
            + VectorGemm.S.vectorBitSize()
            + "bit, "
            + VectorWidth.REGISTERS
            + " registers, tile "
            + VectorWidth.TILE_ROWS
            + "x2, packed "
            + VectorWidth.PACKED_ROWS
            + "x2, direct "
            + (VectorWidth.REGISTERS >= 32 ? 8 : 4)
            + "x2",
        p.name());
    assertEquals(VectorGemm.S.vectorBitSize(), bnlab.runtime.Compute.vectorBits());
    assertTrue(p.gemm() instanceof VectorGemm);
    assertTrue(p.poolActivation() instanceof VectorPoolActivation);
    assertTrue(p.optim() instanceof VectorOptim);
    assertEquals(ConvStrategy.DIRECT, p.conv().strategy(NET_CONV1));
  }

  @Test
  void unknownSwitchValuesAreRejectedWithTheAllowedOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> KernelProvider.choose("fast"));
    assertTrue(e.getMessage().contains("auto, vector or scalar"), e::getMessage);
    String before = System.getProperty("bnlab.conv");
    try {
      System.setProperty("bnlab.conv", "im2col");
      assertEquals(ConvStrategy.IM2COL_GEMM, VectorSupport.create().conv().strategy(NET_CONV1));
      System.setProperty("bnlab.conv", "direct");
      e = assertThrows(IllegalArgumentException.class, VectorSupport::create);
      assertTrue(
          e.getMessage().contains("auto, im2col, winograd, winograd4 or no-winograd"),
          e::getMessage);
    } finally {
      if (before == null) {
        System.clearProperty("bnlab.conv");
      } else {
        System.setProperty("bnlab.conv", before);
      }
    }
  }

  @Test
  void aVectorWidthTheCpuLacksIsRefusedNamingTheMaximum() {
    assertEquals(256, VectorSupport.bits("", 256));
    assertEquals(128, VectorSupport.bits(" 128 ", 256));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> VectorSupport.bits("512", 256));
    assertEquals(
        "-Dbnlab.vectorBits=512 is wider than this CPU's (and JVM flags') maximum of 256 bits",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> VectorSupport.bits("64", 512));
    assertTrue(e.getMessage().contains("128, 256 or 512"), e::getMessage);
  }

  @Test
  void theTileFitsTheRegisters() {
    assertEquals(8, VectorWidth.tileRows(32));
    assertEquals(6, VectorWidth.tileRows(16));
    assertEquals(6, VectorWidth.tileRows(18));
    assertEquals(8, VectorWidth.tileRows(19));
    // The packed tile also keeps its MR broadcasts in registers.
    assertEquals(8, VectorWidth.packedRows(32));
    assertEquals(4, VectorWidth.packedRows(16));
    assertEquals(4, VectorWidth.packedRows(25));
    assertEquals(8, VectorWidth.packedRows(26));
    assertEquals(16, VectorSupport.registers(" 16"));
    assertThrows(IllegalArgumentException.class, () -> VectorSupport.registers("many"));
    // Accumulators, two B vectors and a broadcast must fit.
    assertTrue(2 * VectorWidth.TILE_ROWS + 2 + 1 <= VectorWidth.REGISTERS);
    assertTrue(2 * VectorWidth.PACKED_ROWS + 2 + VectorWidth.PACKED_ROWS <= VectorWidth.REGISTERS);
    assertEquals(2 * VectorGemm.L, VectorWidth.TILE_COLS);
  }
}
