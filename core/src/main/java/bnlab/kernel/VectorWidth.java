package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector variant of this process, fixed at class initialization so the JIT sees constants: the
 * float species every vector kernel uses ({@code -Dbnlab.vectorBits}, default the CPU's preferred
 * width, see {@link VectorSupport#bits}) and the register tile of the broadcast GEMM and of the
 * direct convolution, derived from the lanes and the vector register count ({@link
 * VectorSupport#registers}).
 *
 * <p>A tile of MR rows × NV vectors of C needs MR·NV accumulators, NV vectors of B and one
 * broadcast element of A in registers. NV is 2 at every width: B's panel (KC rows × NV vectors, KC
 * fixed so that C does not depend on the width) then takes 32 KB at 512 bits and stays in L1, where
 * 3 vectors (48 KB) do not. MR is the largest implemented row count that fits: 8 (19 registers)
 * with 32 registers, 6 (15, BLIS's Haswell shape) with 16. Measured at 512³ and the vgg/ResNet-20
 * conv shapes, one thread, CPU time (Xeon family 6 model 207, JDK 25): at 512 bits 8×2 gave 108–129
 * GFLOP/s, 6×2 88–125, the former 4×3 75–88; at 256 bits with 32 registers 8×2 52–62, 6×2 49–57,
 * 4×3 46–51; at 128 bits 6×2 and 4×3 were within noise (23–29).
 *
 * <p>The tile changes which C elements are computed together, never the order of the fused
 * multiply-adds that make one element, so C is bit-identical at every width and tile.
 */
final class VectorWidth {
  private VectorWidth() {}

  /**
   * The float species of every vector kernel, and the only one the process uses. The JDK's vector
   * methods (FloatVector.add, intoArray, ...) are shared by all species, and their call sites
   * profile the vector classes they see. Once a second float species runs (a 128-bit helper beside
   * 256-bit kernels), those sites are bimorphic. C2 then merges the two species where it cannot
   * prove a vector's class (a value it inlines late, one live into an OSR loop), the species stops
   * being a constant, the intrinsic is refused ("missing constant: vclass" under
   * -XX:+PrintIntrinsics) and the kernel boxes every vector for as long as that code lives. Whether
   * it happens depended on which kernels C2 compiled before the other species had run: measured in
   * 9 of 46 launches of one AVX2 sitting, 0 of 24 since. {@code OneFloatSpeciesTest} keeps this the
   * only species.
   */
  static final VectorSpecies<Float> S =
      FloatVector.SPECIES_PREFERRED.vectorBitSize() == VectorSupport.bits()
          ? FloatVector.SPECIES_PREFERRED
          : VectorSpecies.of(float.class, VectorShape.forBitSize(VectorSupport.bits()));

  /** Floats per vector. */
  static final int L = S.length();

  /** Vector registers the tile may use. */
  static final int REGISTERS = VectorSupport.registers();

  /** Vectors of C per tile row (NV). */
  static final int TILE_VECTORS = 2;

  /** Rows of C per tile (MR). */
  static final int TILE_ROWS = tileRows(REGISTERS);

  /** Rows of C per tile of the packed GEMM ({@link PackedGemm}), see {@link #packedRows}. */
  static final int PACKED_ROWS = packedRows(REGISTERS);

  /** Columns of C per tile: NV·L. */
  static final int TILE_COLS = TILE_VECTORS * L;

  /**
   * MR of the largest implemented two-vector tile whose 2·MR accumulators, 2 B vectors and one
   * broadcast fit in the registers: 8 (19 registers) or 6 (15).
   */
  static int tileRows(int registers) {
    return 8 * 2 + 2 + 1 <= registers ? 8 : 6;
  }

  /**
   * MR of the packed GEMM's tile: 8 with 32 registers, 4 with 16. On packed panels every load is at
   * a constant offset, and C2 then issues the k step's MR broadcasts of A before their
   * multiply-adds, so the tile needs 2·MR accumulators, 2 B vectors and MR broadcasts at once: 26
   * registers for 8×2, 14 for 4×2, but 20 for 6×2, which spills one accumulator to the stack and
   * chains every k step through a store and a reload (seen in the disassembly; the strided {@link
   * Tile2} loop, with its range checks and multiplications, spills too but is limited by those
   * instructions anyway). Measured in cache, one thread, 256-bit vectors with 16 registers (Xeon
   * family 6 model 207 under -XX:UseAVX=2, JDK 25): 6×2 56 GFLOP/s, 4×2 73, against 85 for FMAs
   * alone.
   */
  static int packedRows(int registers) {
    return 8 * 2 + 2 + 8 <= registers ? 8 : 4;
  }

  /**
   * Rows of the direct convolution's main register tile ({@link DirectConv#panelRows}): 8 with 32
   * registers, else 4 on weights packed in panels.
   */
  static final int DIRECT_ROWS = TILE_ROWS == 8 ? 8 : 4;

  /** E.g. {@code "vector-256bit, 16 registers, tile 6x2, packed 4x2, direct 4x2"}. */
  static String name() {
    return "vector-"
        + S.vectorBitSize()
        + "bit, "
        + REGISTERS
        + " registers, tile "
        + TILE_ROWS
        + "x"
        + TILE_VECTORS
        + ", packed "
        + PACKED_ROWS
        + "x"
        + TILE_VECTORS
        + ", direct "
        + DIRECT_ROWS
        + "x"
        + TILE_VECTORS;
  }
}
