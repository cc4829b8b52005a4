package bnlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The kernel switches' properties: trimmed, any case, the first choice when unset, else refused.
 */
class KernelSwitchTest {
  @Test
  void readsAChoiceAndRefusesOthersNamingThem() {
    assertEquals("gather", KernelSwitch.parse("bnlab.x", " Gather ", "auto", "gather"));
    assertEquals("auto", KernelSwitch.read("bnlab.kernelSwitchTest.unset", "auto", "first"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> KernelSwitch.parse("bnlab.race", "fast", "auto", "first", "second"));
    assertEquals("-Dbnlab.race must be auto, first or second, got 'fast'", e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> KernelSwitch.parse("bnlab.x", "", "auto", "dots"));
  }

  @Test
  void theKernelsReadTheirDefaults() {
    // No -D given in the test JVMs: every switch is at its first choice.
    assertEquals("auto", KernelRace.MODE);
    assertEquals("auto", DirectWeightGrad.MODE);
    assertEquals("auto", TapsGradient.MODE);
  }
}
