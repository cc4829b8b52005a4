package bnlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProbesTest {
  @Test
  void quantilesInterpolateLinearlyAsNumpy() {
    float[] v = {1, 2, 3, 4};
    // numpy.quantile([1,2,3,4], [0.15, 0.5, 0.85]) = 1.45, 2.5, 3.55
    assertEquals(1.45, Probes.quantile(v, 0.15), 1e-6);
    assertEquals(2.5, Probes.quantile(v, 0.50), 1e-6);
    assertEquals(3.55, Probes.quantile(v, 0.85), 1e-6);
    assertEquals(7.0, Probes.quantile(new float[] {7}, 0.85), 0);
  }
}
