package bnlab.optim;

import static bnlab.optim.OptimTestSupport.assertBitwiseEqual;
import static bnlab.optim.OptimTestSupport.assertClose;
import static bnlab.optim.OptimTestSupport.param;
import static bnlab.optim.OptimTestSupport.setGrad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.nn.Parameter;
import bnlab.nn.Sequential;
import bnlab.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class OptimizerContractTest {
  @Test
  void zeroGradClearsEveryGradientAndStepLeavesThemAlone() {
    Parameter a = param(1.0, 2.0);
    Parameter b = param(3.0).requiresGrad(false);
    Optimizer opt = new Adam(List.of(a, b));
    setGrad(a, 0.5, -0.5);
    setGrad(b, 7.0);
    opt.step();
    assertEquals(0.5f, a.grad().data()[0], "step must not clear gradients");
    opt.zeroGrad();
    assertEquals(0f, a.grad().data()[0]);
    assertEquals(0f, a.grad().data()[1]);
    assertEquals(0f, b.grad().data()[0]);
  }

  @Test
  void gradientsAccumulateUntilZeroGrad() {
    Sequential model = Nets.mlp(1);
    model.eval(); // TinyNorm's running mean moves in training mode
    Tensor x = Nets.input(5, 2);
    Parameter w = model.parameters().get(0);
    model.forward(x);
    model.backward(Tensor.zeros(5, 3).fill(1f));
    float once = w.grad().data()[0];
    model.forward(x);
    model.backward(Tensor.zeros(5, 3).fill(1f));
    assertEquals(2 * once, w.grad().data()[0], Math.abs(once) * 1e-5);
  }

  @Test
  void frozenParametersAreSkippedByEveryOptimizer() {
    List<Function<List<Parameter>, Optimizer>> makers =
        List.of(
            ps -> new SGD(ps, 0.1, 0.9, 0, 0.1, false),
            ps -> new Adam(ps, 0.1, 0.9, 0.999, 1e-8, 0.1, false),
            ps -> new AdamW(ps, 0.1));
    for (Function<List<Parameter>, Optimizer> make : makers) {
      Parameter live = param(1.0);
      Parameter frozen = param(1.0).requiresGrad(false);
      Optimizer opt = make.apply(List.of(live, frozen));
      setGrad(live, 1.0);
      setGrad(frozen, 1.0);
      opt.step();
      assertEquals(1.0f, frozen.data().data()[0], opt.getClass().getSimpleName());
      assertTrue(live.data().data()[0] < 1.0f);
      assertEquals(0L, opt.state().counters().get("state.1.step"));
    }
  }

  @Test
  void noDecayOnNormAndBiasInOneLine() {
    Sequential model = Nets.mlp(3);
    List<ParamGroup> groups = ParamGroups.decayExceptNormAndBias(model, 0.5);
    assertEquals(2, groups.size());
    for (Parameter p : groups.get(0).params()) {
      assertEquals(Parameter.Role.WEIGHT, p.role());
    }
    assertEquals(
        model.parameters().size(), groups.get(0).params().size() + groups.get(1).params().size());
    Parameter fcWeight = model.namedParameters().get("fc1.weight");
    Parameter fcBias = model.namedParameters().get("fc1.bias");
    Parameter gamma = model.namedParameters().get("bn1.weight");
    float w0 = fcWeight.data().data()[0];
    float b0 = fcBias.data().data()[0];
    float g0 = gamma.data().data()[0];
    SGD opt = new SGD(groups, 0.1, 0, 0, 0, false);
    opt.zeroGrad();
    opt.step();
    assertEquals(w0 * (1 - 0.05f), fcWeight.data().data()[0], 1e-7);
    assertEquals(b0, fcBias.data().data()[0]);
    assertEquals(g0, gamma.data().data()[0]);
  }

  @Test
  void groupLearningRatesOverrideAndCanChangeBetweenSteps() {
    Parameter a = param(1.0);
    Parameter b = param(1.0);
    SGD opt =
        new SGD(
            List.of(new ParamGroup(List.of(a)), new ParamGroup(List.of(b)).lr(0.5)),
            0.1,
            0,
            0,
            0,
            false);
    assertEquals(0.1, opt.paramGroups().get(0).lr());
    assertEquals(0.5, opt.paramGroups().get(1).lr());
    setGrad(a, 1.0);
    setGrad(b, 1.0);
    opt.step();
    assertClose("a", new double[] {0.9}, a, 1e-7);
    assertClose("b", new double[] {0.5}, b, 1e-7);
    opt.paramGroups().get(1).lr(0.25);
    opt.step();
    assertClose("b after lr change", new double[] {0.25}, b, 1e-7);
    opt.setLr(0.0);
    opt.step();
    assertClose("a after setLr(0)", new double[] {0.8}, a, 1e-7);
    assertThrows(IllegalArgumentException.class, () -> opt.setLr(Double.NaN));
  }

  @Test
  void userGroupObjectsAreCopiedNotShared() {
    Parameter a = param(1.0);
    ParamGroup spec = new ParamGroup(List.of(a));
    SGD opt = new SGD(List.of(spec), 0.1, 0, 0, 0, false);
    spec.lr(9.0);
    assertEquals(0.1, opt.lr());
  }

  @Test
  void stateRoundTripResumesBitForBit() {
    List<Function<List<Parameter>, Optimizer>> makers =
        List.of(
            ps -> new SGD(ps, 0.05, 0.9, 0.1, 1e-3, false),
            ps -> new SGD(ps, 0.05, 0.9, 0, 1e-3, true),
            ps -> new Adam(ps, 0.01, 0.9, 0.999, 1e-8, 1e-3, true),
            ps -> new AdamW(ps, 0.01));
    Tensor x = Nets.input(8, 5);
    for (Function<List<Parameter>, Optimizer> make : makers) {
      Sequential straight = Nets.mlp(4);
      Optimizer o1 = make.apply(straight.parameters());
      for (int i = 0; i < 3; i++) {
        Nets.trainStep(straight, o1, x);
      }
      OptimizerState saved = o1.state();
      Sequential resumed = Nets.mlp(4);
      for (var e : straight.namedParameters().entrySet()) {
        resumed.namedParameters().get(e.getKey()).data().copyFrom(e.getValue().data());
      }
      for (var e : straight.namedBuffers().entrySet()) {
        resumed.namedBuffers().get(e.getKey()).copyFrom(e.getValue());
      }
      Optimizer o2 = make.apply(resumed.parameters());
      o2.loadState(saved);
      for (int i = 0; i < 4; i++) {
        Nets.trainStep(straight, o1, x);
        Nets.trainStep(resumed, o2, x);
      }
      String name = o1.getClass().getSimpleName();
      for (var e : straight.namedParameters().entrySet()) {
        assertBitwiseEqual(
            name + " " + e.getKey(),
            e.getValue().data().toArray(),
            resumed.namedParameters().get(e.getKey()).data().toArray());
      }
    }
  }

  @Test
  void mismatchedStateIsRefusedAndLeavesTheOptimizerUnchanged() {
    Parameter a = param(1.0, 2.0);
    SGD source = new SGD(List.of(a), 0.1, 0.9);
    setGrad(a, 1.0, 1.0);
    source.step();
    OptimizerState saved = source.state();

    Parameter b = param(1.0, 2.0);
    SGD otherMomentum = new SGD(List.of(b), 0.1, 0.8);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> otherMomentum.loadState(saved));
    assertTrue(e.getMessage().contains("momentum"), e.getMessage());
    assertEquals(0L, otherMomentum.state().counters().get("state.0.step"));

    SGD wrongShape = new SGD(List.of(param(1.0, 2.0, 3.0)), 0.1, 0.9);
    e = assertThrows(IllegalArgumentException.class, () -> wrongShape.loadState(saved));
    assertTrue(e.getMessage().contains("state.0.momentum_buffer"), e.getMessage());
    assertTrue(e.getMessage().contains("(3,)"), e.getMessage());

    Adam adam = new Adam(List.of(param(1.0, 2.0)));
    e = assertThrows(IllegalArgumentException.class, () -> adam.loadState(saved));
    assertTrue(e.getMessage().contains("saved by SGD, this optimizer is Adam"), e.getMessage());

    SGD twoParams = new SGD(List.of(param(1.0, 2.0), param(3.0)), 0.3, 0.9);
    e = assertThrows(IllegalArgumentException.class, () -> twoParams.loadState(saved));
    assertTrue(e.getMessage().contains("missing buffer state.1.momentum_buffer"), e.getMessage());
    assertEquals(0.3, twoParams.lr());
  }
}
