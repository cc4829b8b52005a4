package bnlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.models.ArticleNets;
import bnlab.models.Norm;
import bnlab.nn.Sequential;
import bnlab.optim.Adam;
import bnlab.tensor.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trainer on a tiny in-memory data set: hooks fire in order and the model learns. */
class TrainerTest {
  /** 20 random images with fixed random labels: memorisable. */
  static final class Memory implements Dataset {
    final float[][] x = new float[20][3 * 32 * 32];
    final int[] y = new int[20];

    Memory() {
      Rng rng = new Rng(5);
      for (int i = 0; i < x.length; i++) {
        for (int j = 0; j < x[i].length; j++) {
          x[i][j] = rng.nextFloat();
        }
        y[i] = rng.nextInt(10);
      }
    }

    @Override
    public int size() {
      return x.length;
    }

    @Override
    public int[] itemShape() {
      return new int[] {3, 32, 32};
    }

    @Override
    public int numClasses() {
      return 10;
    }

    @Override
    public void copyItem(int index, float[] dst, int offset) {
      System.arraycopy(x[index], 0, dst, offset, x[index].length);
    }

    @Override
    public int label(int index) {
      return y[index];
    }
  }

  @Test
  void readmeExampleTrainsAndCallsTheHooks() {
    Memory data = new Memory();
    BatchLoader trainLoader = new BatchLoader(data, 5, true, 44);
    BatchLoader testLoader = new BatchLoader(data, 20, false, 44);
    Sequential model = ArticleNets.withNorm(3, 32, 10, Norm.BATCH);
    model.resetParameters(new Rng(44));
    List<String> events = new ArrayList<>();
    List<Double> epochLoss = new ArrayList<>();
    TrainListener myListener =
        new TrainListener() {
          @Override
          public void onBatch(Step s) {
            events.add("b" + s.epoch() + "." + s.batchInEpoch() + "@" + s.step());
          }

          @Override
          public void onEpoch(EpochResult r) {
            events.add("e" + r.epoch());
            epochLoss.add(r.trainLoss());
          }
        };
    Trainer t = new Trainer(model, new Adam(model.parameters(), 1e-3), trainLoader, testLoader);
    t.listen(new DivergenceGuard("net-bn", 44, 0)).listen(myListener);
    t.fit(1, 20);
    assertEquals(List.of("b1.1@1", "b1.2@2", "b1.3@3", "b1.4@4", "e1"), events.subList(0, 5));
    assertEquals(20 * 5, events.size());
    assertEquals(80, t.step());
    assertTrue(
        epochLoss.get(19) < 0.5 * epochLoss.get(0),
        "memorising 20 images: first " + epochLoss.get(0) + ", last " + epochLoss.get(19));
    Trainer.Evaluation ev = Trainer.evaluate(model, testLoader);
    assertTrue(ev.accuracy() >= 0 && ev.accuracy() <= 1);
    assertTrue(model.isTraining(), "evaluate restores train mode");
  }
}
