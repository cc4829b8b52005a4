package bnlab.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.data.DataLoader;
import bnlab.data.ImageSet;
import bnlab.data.ToTensor;
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
  static ImageSet memory() {
    Rng rng = new Rng(5);
    byte[] px = new byte[20 * 3 * 32 * 32];
    int[] y = new int[20];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) rng.nextInt(256);
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = rng.nextInt(10);
    }
    List<String> names = new ArrayList<>();
    for (int k = 0; k < 10; k++) {
      names.add("c" + k);
    }
    return new ImageSet(px, y, 3, 32, 32, names);
  }

  @Test
  void readmeExampleTrainsAndCallsTheHooks() {
    ImageSet data = memory();
    DataLoader trainLoader = new DataLoader(data, 5).shuffle(44).transforms(new ToTensor());
    DataLoader testLoader = new DataLoader(data, 20).transforms(new ToTensor());
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

  @Test
  void keepsTheLastPartialBatchAndShufflesEachEpochFromSeedAndEpochOnly() {
    ImageSet data = memory();
    Sequential model = ArticleNets.withNorm(3, 32, 10, Norm.NONE);
    List<String> seen = new ArrayList<>();
    TrainListener record =
        new TrainListener() {
          @Override
          public void beforeBatch(Step s) {
            seen.add(s.epoch() + ":" + java.util.Arrays.toString(s.batch().indices()));
          }
        };
    DataLoader loader = new DataLoader(data, 6).shuffle(9).transforms(new ToTensor());
    List<EpochResult> epochs = new ArrayList<>();
    Trainer t =
        new Trainer(
            model,
            new Adam(model.parameters(), 1e-3),
            loader,
            new DataLoader(data, 20).transforms(new ToTensor()));
    t.listen(record)
        .listen(
            new TrainListener() {
              @Override
              public void onEpoch(EpochResult r) {
                epochs.add(r);
              }
            });
    t.fit(1, 3);
    assertEquals(12, seen.size(), "ceil(20 / 6) = 4 batches per epoch: " + seen);
    assertEquals(20, epochs.get(0).trainImages(), "the last batch of 2 is kept");
    assertTrue(!seen.get(0).equals(seen.get(4)), "epochs 1 and 2 differ: " + seen);
    // a resumed run starting at epoch 3 sees the order the uninterrupted one saw in epoch 3
    List<String> epoch3 = new ArrayList<>(seen.subList(8, 12));
    seen.clear();
    Trainer again =
        new Trainer(
            model,
            new Adam(model.parameters(), 1e-3),
            new DataLoader(data, 6).shuffle(9).transforms(new ToTensor()),
            new DataLoader(data, 20).transforms(new ToTensor()));
    again.listen(record);
    again.fit(3, 3);
    assertEquals(epoch3, seen);
  }

  @Test
  void aStepLimitEndsTheRunMidEpochAndTheLoaderEpochsCanStartAtZero() {
    ImageSet data = memory();
    Sequential model = ArticleNets.withNorm(3, 32, 10, Norm.NONE);
    List<String> seen = new ArrayList<>();
    List<EpochResult> epochs = new ArrayList<>();
    TrainListener record =
        new TrainListener() {
          @Override
          public void beforeBatch(Step s) {
            seen.add(s.epoch() + ":" + java.util.Arrays.toString(s.batch().indices()));
          }

          @Override
          public void onEpoch(EpochResult r) {
            epochs.add(r);
          }
        };
    DataLoader loader = new DataLoader(data, 5).shuffle(9).transforms(new ToTensor());
    Trainer t =
        new Trainer(
                model,
                new Adam(model.parameters(), 1e-3),
                loader,
                new DataLoader(data, 20).transforms(new ToTensor()))
            .stopAfter(6)
            .firstLoaderEpoch(0);
    t.listen(record);
    t.fit(1, 100);
    assertEquals(6, t.step());
    assertEquals(2, epochs.size(), "4 batches per epoch: 4 + 2 steps");
    assertEquals(10, epochs.get(1).trainImages(), "the second epoch stopped after 2 batches");
    assertTrue(!epochs.get(0).last() && epochs.get(1).last());
    // run epoch 1 drew loader epoch 0's order
    List<String> zero = new ArrayList<>();
    try (DataLoader.Epoch it = loader.epoch(0)) {
      while (it.hasNext()) {
        zero.add("1:" + java.util.Arrays.toString(it.next().indices()));
      }
    }
    assertEquals(zero, seen.subList(0, 4));
  }
}
