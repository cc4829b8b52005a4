package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import bnlab.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * {@link ReluMask}'s branch-free forms against the selects they replace, bit for bit, on every
 * class of float bits: ±0, subnormals, the largest finite values, ±∞, NaNs with either sign and
 * several payloads, and random values.
 */
class ReluMaskTest {
  private static final int[] SPECIAL = {
    0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007FFFFF, 0x00800000, 0x3F800000, 0xBF800000,
    0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000, 0xFF800000, 0x7F800001, 0x7FC00000, 0x7FFFFFFF, 0xFFC00000,
    0xFFC00123, 0xFF800001
  };

  @Test
  void passIsTheSelectOnTheOutputsSign() {
    Rng rng = new Rng(3);
    for (int out : SPECIAL) {
      for (int dy : SPECIAL) {
        checkPass(out, dy);
      }
      checkPass(out, Float.floatToRawIntBits(rng.uniform(-5f, 5f)));
    }
    for (int i = 0; i < 100_000; i++) {
      checkPass(
          rng.nextInt(Integer.MAX_VALUE) * (rng.nextInt(2) == 0 ? 1 : -1), (int) rng.nextLong());
    }
  }

  @Test
  void reluIsTheRuleOfTheReluPass() {
    Rng rng = new Rng(4);
    for (int z : SPECIAL) {
      checkRelu(z);
    }
    for (int i = 0; i < 100_000; i++) {
      checkRelu((int) rng.nextLong());
    }
  }

  private static void checkPass(int outBits, int dyBits) {
    float out = Float.intBitsToFloat(outBits);
    float dy = Float.intBitsToFloat(dyBits);
    float expected = out > 0f ? dy : 0f;
    float actual = ReluMask.pass(out, dy);
    if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(actual)) {
      fail(
          "pass(out 0x"
              + Integer.toHexString(outBits)
              + ", dy 0x"
              + Integer.toHexString(dyBits)
              + "): expected 0x"
              + Integer.toHexString(Float.floatToRawIntBits(expected))
              + ", got 0x"
              + Integer.toHexString(Float.floatToRawIntBits(actual)));
    }
  }

  private static void checkRelu(int zBits) {
    float z = Float.intBitsToFloat(zBits);
    float expected = z <= 0f ? 0f : z;
    float actual = ReluMask.relu(z);
    // Math.max may hand back a NaN argument's payload as its quiet form; any NaN is the rule's NaN.
    boolean nan = Float.isNaN(expected) && Float.isNaN(actual);
    if (!nan && Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(actual)) {
      fail(
          "relu(0x"
              + Integer.toHexString(zBits)
              + "): expected 0x"
              + Integer.toHexString(Float.floatToRawIntBits(expected))
              + ", got 0x"
              + Integer.toHexString(Float.floatToRawIntBits(actual)));
    }
  }
}
