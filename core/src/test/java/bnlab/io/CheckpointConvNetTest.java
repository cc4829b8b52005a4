package bnlab.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import bnlab.nn.BatchNorm2d;
import bnlab.nn.Conv2d;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Flatten;
import bnlab.nn.Linear;
import bnlab.nn.MaxPool2d;
import bnlab.nn.ReLU;
import bnlab.nn.Sequential;
import bnlab.optim.AdamW;
import bnlab.optim.Optimizer;
import bnlab.optim.ParamGroups;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints of a real conv + BatchNorm2d network, trained with cross-entropy and AdamW. */
class CheckpointConvNetTest {
  @TempDir Path dir;

  private static Sequential net(long seed) {
    Sequential m =
        new Sequential()
            .add("conv1", new Conv2d(3, 4, 3, 1, 1, false))
            .add("bn1", new BatchNorm2d(4))
            .add("relu1", new ReLU())
            .add("pool1", new MaxPool2d(2))
            .add("flatten", new Flatten())
            .add("fc1", new Linear(4 * 4 * 4, 3));
    m.resetParameters(new Rng(seed));
    return m;
  }

  private static final int[] LABELS = {0, 1, 2, 1, 0, 2};

  private static float step(Sequential m, Optimizer opt, Tensor x, CrossEntropyLoss loss) {
    opt.zeroGrad();
    float l = loss.forward(m.forward(x), LABELS);
    m.backward(loss.backward());
    opt.step();
    return l;
  }

  @Test
  void resumedTrainingIsBitIdenticalAndEvalOutputsMatch() throws IOException {
    Tensor x = Tensor.zeros(6, 3, 8, 8);
    new Rng(3).fillUniform(x, -1f, 1f);
    CrossEntropyLoss loss = new CrossEntropyLoss();

    Sequential a = net(1);
    Optimizer oa =
        new AdamW(ParamGroups.decayExceptNormAndBias(a, 0.05), 0.01, 0.9, 0.999, 1e-8, 0, false);
    for (int i = 0; i < 3; i++) {
      step(a, oa, x, loss);
    }
    Path f = dir.resolve("convnet.safetensors");
    Checkpoint.save(a, oa, Map.of("epoch", "1"), f);
    SafeTensorsFile file = Checkpoint.read(f);
    assertEquals(3L, file.tensors().get("bn1.num_batches_tracked").toLongs()[0]);
    assertArrayEquals(new int[] {4}, file.tensors().get("bn1.running_var").shape());
    assertArrayEquals(new int[] {4, 3, 3, 3}, file.tensors().get("conv1.weight").shape());

    Sequential b = net(2);
    Optimizer ob =
        new AdamW(ParamGroups.decayExceptNormAndBias(b, 0.05), 0.01, 0.9, 0.999, 1e-8, 0, false);
    Checkpoint.load(b, ob, f);

    a.eval();
    b.eval();
    assertArrayEquals(a.forward(x).toArray(), b.forward(x).toArray(), 0f, "eval outputs");
    a.train();
    b.train();
    float la = 0;
    float lb = 0;
    for (int i = 0; i < 3; i++) {
      la = step(a, oa, x, loss);
      lb = step(b, ob, x, loss);
    }
    assertEquals(Float.floatToRawIntBits(la), Float.floatToRawIntBits(lb), la + " vs " + lb);
    a.namedParameters()
        .forEach(
            (k, p) ->
                assertArrayEquals(
                    p.data().toArray(), b.namedParameters().get(k).data().toArray(), 0f, k));
    a.namedBuffers()
        .forEach(
            (k, t) -> assertArrayEquals(t.toArray(), b.namedBuffers().get(k).toArray(), 0f, k));
    assertEquals(6L, b.namedCounters().get("bn1.num_batches_tracked").get());
    assertNotEquals(0f, la);
  }
}
