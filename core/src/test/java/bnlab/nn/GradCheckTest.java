package bnlab.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The test utilities must catch what they claim to catch. */
class GradCheckTest {
  /** y = w·x elementwise with a one-element weight; backward can be broken on purpose. */
  private static final class Scale extends Module {
    final Parameter w = registerParameter("w", new Parameter(Tensor.zeros(1).fill(3f), null));
    final Tensor runs = registerBuffer("runs", Tensor.zeros(1));
    final boolean wrongDx;
    final boolean overwriteGrad;
    Tensor x;
    Tensor out;
    Tensor dX;

    Scale(boolean wrongDx, boolean overwriteGrad) {
      this.wrongDx = wrongDx;
      this.overwriteGrad = overwriteGrad;
    }

    @Override
    public Tensor forward(Tensor x) {
      this.x = x;
      runs.data()[0] += 1; // a side effect GradCheck must undo
      out = Tensor.ensure(out, x.shape());
      for (int i = 0; i < x.size(); i++) {
        out.data()[i] = w.data().data()[0] * x.data()[i];
      }
      return out;
    }

    @Override
    public Tensor backward(Tensor dY) {
      dX = Tensor.ensure(dX, dY.shape());
      double g = 0;
      for (int i = 0; i < dY.size(); i++) {
        dX.data()[i] = (wrongDx ? 1f : w.data().data()[0]) * dY.data()[i];
        g += dY.data()[i] * x.data()[i];
      }
      if (overwriteGrad) {
        w.grad().data()[0] = (float) g;
      } else {
        w.grad().data()[0] += (float) g;
      }
      return dX;
    }
  }

  private static Tensor randn(long seed, int... shape) {
    Tensor t = Tensor.zeros(shape);
    new Rng(seed).fillUniform(t, -1f, 1f);
    return t;
  }

  @Test
  void correctModulePassesAndStateIsRestored() {
    Scale s = new Scale(false, false);
    GradCheck.Report r = GradCheck.of(s, randn(1, 3, 4)).check();
    assertEquals(13, r.checked());
    assertEquals(0f, s.runs.data()[0], "buffers restored after the check");
    assertEquals(0f, s.w.grad().data()[0], "grads left at zero");
  }

  @Test
  void wrongInputGradientFails() {
    AssertionError e =
        assertThrows(
            AssertionError.class, () -> GradCheck.of(new Scale(true, false), randn(1, 5)).check());
    assertTrue(e.getMessage().contains("input(0,)"), e.getMessage());
    assertTrue(e.getMessage().contains("analytic"), e.getMessage());
  }

  @Test
  void overwritingInsteadOfAddingGradFails() {
    AssertionError e =
        assertThrows(
            AssertionError.class, () -> GradCheck.of(new Scale(false, true), randn(1, 5)).check());
    assertTrue(e.getMessage().contains("must add"), e.getMessage());
  }

  @Test
  void reluPassesInTrainAndEvalWithKinksHandled() {
    Tensor x = randn(3, 4, 5, 6);
    GradCheck.of(new ReLU(), x).check();
    GradCheck.of(new ReLU().eval(), x).check();
  }

  @Test
  void reluContract() {
    LayerContract.of(ReLU::new, randn(2, 2, 3, 4, 4)).outputShape(2, 3, 4, 4).check();
  }

  @Test
  void contractCatchesWrongNames() {
    AssertionError e =
        assertThrows(
            AssertionError.class,
            () -> LayerContract.of(ReLU::new, randn(2, 3)).parameters("weight").check());
    assertTrue(e.getMessage().contains("expected [weight]"), e.getMessage());
  }

  @Test
  void indexFormatting() {
    assertEquals("(1, 2, 3)", GradCheck.index(new int[] {2, 3, 4}, 1 * 12 + 2 * 4 + 3));
  }

  @Test
  void kinksAreRecognisedAndCounted() {
    // two inputs within eps of ReLU's kink: the central difference is wrong there, not backward
    Tensor x = Tensor.of(new float[] {4e-4f, -3e-4f, 0.2f, 0.5f, -0.5f, 0.7f, -0.2f, 0.9f}, 8);
    GradCheck.Report r = GradCheck.of(new ReLU(), x).check();
    assertEquals(2, r.kinks());
    // but too many kinks fail the check
    AssertionError e =
        assertThrows(
            AssertionError.class,
            () -> GradCheck.of(new ReLU(), Tensor.zeros(4).fill(3e-4f)).check());
    assertTrue(e.getMessage().contains("4 kinks"), e.getMessage());
  }
}
