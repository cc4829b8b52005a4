package bnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Data sets" example, run on a generated CIFAR-10 binary folder given as --data. */
class ReadmeExampleTest {
  @TempDir Path tmp;

  @Test
  void readmeExampleRuns() throws IOException {
    Path dataFlag = TestFiles.cifarFolder(tmp, 40); // stands for the user's --data path

    ImageSet train = DataSets.load("cifar10", Split.TRAIN, dataFlag);
    Dataset quick = Subsets.random(train, 50, 44); // class-balanced, like --subset 50
    DataLoader loader =
        new DataLoader(quick, 16)
            .shuffle(44)
            .transforms(
                new RandomCrop(32, 4),
                new RandomHorizontalFlip(),
                new ToTensor(),
                new Normalize(
                    new float[] {0.4914f, 0.4822f, 0.4465f},
                    new float[] {0.2470f, 0.2435f, 0.2616f}));
    int seen = 0;
    for (int epoch = 0; epoch < 2; epoch++) {
      try (DataLoader.Epoch batches = loader.epoch(epoch)) {
        while (batches.hasNext()) {
          Batch b = batches.next(); // valid until the next call
          assertArrayEquals(new int[] {b.size(), 3, 32, 32}, b.x().shape());
          assertEquals(b.size(), b.labels().length);
          seen += b.size();
        }
      }
    }
    assertEquals(200, train.size());
    assertEquals(100, seen);
  }
}
