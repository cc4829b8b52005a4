package bnlab.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import bnlab.nn.BatchNorm1d;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Linear;
import bnlab.nn.ReLU;
import bnlab.nn.Sequential;
import bnlab.optim.Optimizer;
import bnlab.optim.ParamGroups;
import bnlab.optim.SGD;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The optimizer and checkpoint example of the README, verbatim apart from the data. */
class ReadmeExampleTest {
  @TempDir Path dir;

  private static Sequential model() {
    Sequential model =
        new Sequential()
            .add("fc1", new Linear(784, 128))
            .add("bn1", new BatchNorm1d(128))
            .add("relu1", new ReLU())
            .add("fc2", new Linear(128, 10));
    model.resetParameters(new Rng(42));
    return model;
  }

  @Test
  void readmeExampleRuns() throws Exception {
    Tensor x = Tensor.zeros(16, 784);
    new Rng(1).fillUniform(x, 0f, 1f);
    int[] labels = new int[16];
    for (int i = 0; i < 16; i++) {
      labels[i] = i % 10;
    }
    Path file = dir.resolve("runs/last.safetensors");

    // --- README ---
    Sequential model = model();
    // Weight decay on the Linear weights only: none on biases, none on BN's gamma and beta.
    Optimizer opt = new SGD(ParamGroups.decayExceptNormAndBias(model, 5e-4), 0.1, 0.9, 0, 0, true);
    CrossEntropyLoss loss = new CrossEntropyLoss();

    opt.zeroGrad();
    float l = loss.forward(model.forward(x), labels);
    model.backward(loss.backward());
    opt.step();

    opt.paramGroups().forEach(g -> g.lr(g.lr() * 0.1)); // e.g. a step schedule

    Checkpoint.save(model, opt, Map.of("epoch", "1"), file);

    Sequential again = model();
    Optimizer opt2 = new SGD(ParamGroups.decayExceptNormAndBias(again, 5e-4), 0.1, 0.9, 0, 0, true);
    Map<String, String> meta = Checkpoint.load(again, opt2, file); // resumes bit for bit
    // --- end ---

    assertEquals("1", meta.get("epoch"));
    assertEquals(0.01, opt2.lr(), 1e-15);
    assertEquals(Math.log(10), l, 0.5);
    model.eval();
    again.eval();
    assertArrayEquals(model.forward(x).toArray(), again.forward(x).toArray(), 0f);
  }
}
