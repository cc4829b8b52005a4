package bnlab.nn;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;

/**
 * PyTorch's default initialisations and the process-wide default generator.
 *
 * <p>Layers built without an explicit {@link Rng} draw from a generator split off {@link
 * #manualSeed}'s seed, as {@code torch.manual_seed} does for PyTorch modules; code that must be
 * reproducible under concurrency calls {@link Module#resetParameters(Rng)} with its own generator
 * instead.
 */
public final class Init {
  private static Rng defaultRng = new Rng(0);

  private Init() {}

  /** Reseeds the default generator (PyTorch's {@code torch.manual_seed}). */
  public static synchronized void manualSeed(long seed) {
    defaultRng = new Rng(seed);
  }

  /** A generator split off the default one. */
  public static synchronized Rng splitDefault() {
    return defaultRng.split();
  }

  /**
   * Kaiming-uniform with a = sqrt(5), PyTorch's default for Conv and Linear weights: U(-b, b) with
   * b = gain·sqrt(3/fan_in), gain = sqrt(2/(1+a²)), which is b = 1/sqrt(fan_in).
   */
  public static void kaimingUniformSqrt5(Tensor w, int fanIn, Rng rng) {
    float bound = (float) (1.0 / Math.sqrt(fanIn));
    rng.fillUniform(w, -bound, bound);
  }

  /** PyTorch's default bias initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
  public static void biasUniform(Tensor b, int fanIn, Rng rng) {
    float bound = fanIn > 0 ? (float) (1.0 / Math.sqrt(fanIn)) : 0f;
    rng.fillUniform(b, -bound, bound);
  }
}
