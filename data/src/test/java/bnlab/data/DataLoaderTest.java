package bnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
  /** n images of (3, 4, 5), pixel bytes from a pattern, label i % classes. */
  static ImageSet synthetic(int n, int classes) {
    byte[] px = new byte[n * 60];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i * 37 + i / 60);
    }
    int[] labels = new int[n];
    List<String> names = new ArrayList<>();
    for (int k = 0; k < classes; k++) {
      names.add("c" + k);
    }
    Arrays.setAll(labels, i -> i % classes);
    return new ImageSet(px, labels, 3, 4, 5, names);
  }

  /** Every batch of an epoch, copied: x values then labels then indices. */
  static List<float[]> collect(DataLoader.Epoch epoch, List<int[]> labels, List<int[]> indices) {
    List<float[]> xs = new ArrayList<>();
    try (epoch) {
      while (epoch.hasNext()) {
        Batch b = epoch.next();
        xs.add(b.x().toArray());
        labels.add(b.labels().clone());
        indices.add(b.indices().clone());
      }
    }
    return xs;
  }

  static List<int[]> indicesOf(DataLoader.Epoch epoch) {
    List<int[]> idx = new ArrayList<>();
    collect(epoch, new ArrayList<>(), idx);
    return idx;
  }

  @Test
  void shardsSplitEveryBatchIntoDisjointConsecutiveParts() {
    ImageSet ds = synthetic(23, 4);
    List<float[]> whole = new ArrayList<>();
    List<int[]> wholeIdx = new ArrayList<>();
    whole.addAll(
        collect(
            new DataLoader(ds, 8).shuffle(3).transforms(new ToTensor()).epoch(2),
            new ArrayList<>(),
            wholeIdx));
    List<List<int[]>> parts = new ArrayList<>();
    List<List<float[]>> xs = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      List<int[]> idx = new ArrayList<>();
      DataLoader shard = new DataLoader(ds, 8).shuffle(3).transforms(new ToTensor()).shard(r, 3);
      assertEquals(3, shard.numBatches());
      xs.add(collect(shard.epoch(2), new ArrayList<>(), idx));
      parts.add(idx);
    }
    for (int b = 0; b < 3; b++) {
      // batches of 8, 8, 7 split into 2+3+3, 2+3+3, 2+2+3 images
      int[] joined = new int[0];
      float[] joinedX = new float[0];
      for (int r = 0; r < 3; r++) {
        joined = concat(joined, parts.get(r).get(b));
        float[] x = xs.get(r).get(b);
        float[] y = Arrays.copyOf(joinedX, joinedX.length + x.length);
        System.arraycopy(x, 0, y, joinedX.length, x.length);
        joinedX = y;
      }
      assertArrayEquals(wholeIdx.get(b), joined, "batch " + b);
      assertArrayEquals(whole.get(b), joinedX, "batch " + b);
    }
    assertEquals(2, parts.get(0).get(2).length);
    assertThrows(IllegalArgumentException.class, () -> new DataLoader(ds, 8).shard(2, 2));
  }

  private static int[] concat(int[] a, int[] b) {
    int[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @Test
  void lastPartialBatchAsPyTorchAndDropLast() {
    ImageSet ds = synthetic(23, 4);
    DataLoader loader = new DataLoader(ds, 5).transforms(new ToTensor());
    assertEquals(5, loader.numBatches());
    List<int[]> labels = new ArrayList<>();
    List<int[]> idx = new ArrayList<>();
    List<float[]> xs = collect(loader.epoch(0), labels, idx);
    int[] sizes = xs.stream().mapToInt(x -> x.length / 60).toArray();
    assertArrayEquals(new int[] {5, 5, 5, 5, 3}, sizes);
    byte[] img = new byte[60];
    for (int b = 0; b < xs.size(); b++) {
      for (int j = 0; j < sizes[b]; j++) {
        int i = b * 5 + j;
        assertEquals(i, idx.get(b)[j], "sequential order");
        assertEquals(ds.label(i), labels.get(b)[j]);
        ds.get(i, img, 0);
        for (int p = 0; p < 60; p++) {
          double want = (img[p] & 0xFF) / 255.0;
          assertEquals(
              want, xs.get(b)[j * 60 + p], 1e-7, "batch " + b + " image " + j + " value " + p);
        }
      }
    }
    DataLoader dropping = new DataLoader(ds, 5).dropLast(true);
    assertEquals(4, dropping.numBatches());
    assertEquals(4, indicesOf(dropping.epoch(0)).size());
  }

  @Test
  void batchTensorShapeFollowsTransforms() {
    DataLoader loader =
        new DataLoader(synthetic(7, 2), 4)
            .transforms(new RandomCrop(3, 0), new ToTensor())
            .prefetch(0);
    assertArrayEquals(new int[] {3, 3, 3}, loader.imageShape());
    try (DataLoader.Epoch e = loader.epoch(0)) {
      assertArrayEquals(new int[] {4, 3, 3, 3}, e.next().x().shape());
      Batch last = e.next();
      assertArrayEquals(new int[] {3, 3, 3, 3}, last.x().shape());
      assertEquals(3, last.labels().length);
      assertFalse(e.hasNext());
    }
    assertThrows(IllegalArgumentException.class, () -> loader.transforms(new RandomCrop(9, 1)));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> loader.transforms(new Normalize(new float[] {0}, new float[] {1})));
    assertTrue(e.getMessage().contains("for images with 3 channels"), e.getMessage());
  }

  @Test
  void normalizeMatchesReference() {
    ImageSet ds = synthetic(6, 3);
    float[] mean = {0.4914f, 0.4822f, 0.4465f};
    float[] std = {0.2470f, 0.2435f, 0.2616f};
    DataLoader loader =
        new DataLoader(ds, 6).transforms(new ToTensor(), new Normalize(mean, std)).prefetch(0);
    float[] x = loader.epoch(0).next().x().toArray();
    byte[] img = new byte[60];
    for (int i = 0; i < 6; i++) {
      ds.get(i, img, 0);
      for (int c = 0; c < 3; c++) {
        for (int p = 0; p < 20; p++) {
          double want = ((img[c * 20 + p] & 0xFF) / 255.0 - mean[c]) / std[c];
          assertEquals(
              want, x[i * 60 + c * 20 + p], 1e-6, "image " + i + " channel " + c + " pixel " + p);
        }
      }
    }
  }

  @Test
  void shuffleIsSeededAndVisitsEveryIndexOnce() {
    ImageSet ds = synthetic(103, 5);
    List<int[]> a = indicesOf(new DataLoader(ds, 10).shuffle(44).epoch(0));
    List<int[]> b = indicesOf(new DataLoader(ds, 10).shuffle(44).epoch(0));
    List<int[]> c = indicesOf(new DataLoader(ds, 10).shuffle(45).epoch(0));
    List<int[]> d = indicesOf(new DataLoader(ds, 10).shuffle(44).epoch(1));
    int[] fa = flat(a);
    assertArrayEquals(fa, flat(b), "same seed, same order");
    assertFalse(Arrays.equals(fa, flat(c)), "different seed, different order");
    assertFalse(Arrays.equals(fa, flat(d)), "different epoch, different order");
    assertFalse(Arrays.equals(fa, BatchOrder.sequential(103)), "shuffled at all");
    for (int[] order : List.of(fa, flat(c), flat(d))) {
      assertArrayEquals(
          BatchOrder.sequential(103), Arrays.stream(order).sorted().toArray(), "a permutation");
    }
  }

  @Test
  void prefetchingGivesExactlyTheSameBatches() {
    ImageSet ds = synthetic(57, 4);
    List<List<float[]>> runs = new ArrayList<>();
    List<List<int[]>> labelRuns = new ArrayList<>();
    for (int prefetch : new int[] {0, 1, 3}) {
      DataLoader loader =
          new DataLoader(ds, 8)
              .shuffle(7)
              .prefetch(prefetch)
              .transforms(
                  new RandomCrop(4, 2),
                  new RandomHorizontalFlip(),
                  new ToTensor(),
                  new Normalize(new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.2f, 0.25f, 0.3f}));
      List<int[]> labels = new ArrayList<>();
      runs.add(collect(loader.epoch(3), labels, new ArrayList<>()));
      labelRuns.add(labels);
    }
    for (int r = 1; r < runs.size(); r++) {
      assertEquals(runs.get(0).size(), runs.get(r).size());
      for (int b = 0; b < runs.get(0).size(); b++) {
        assertArrayEquals(runs.get(0).get(b), runs.get(r).get(b), "run " + r + " batch " + b);
        assertArrayEquals(labelRuns.get(0).get(b), labelRuns.get(r).get(b));
      }
    }
  }

  @Test
  void resumeMidEpochAndSetEpoch() {
    ImageSet ds = synthetic(40, 4);
    DataLoader loader =
        new DataLoader(ds, 6).shuffle(3).transforms(new RandomHorizontalFlip(), new ToTensor());
    List<float[]> whole = collect(loader.epoch(2), new ArrayList<>(), new ArrayList<>());
    List<float[]> tail = collect(loader.epoch(2, 4), new ArrayList<>(), new ArrayList<>());
    assertEquals(whole.size() - 4, tail.size());
    for (int b = 0; b < tail.size(); b++) {
      assertArrayEquals(whole.get(b + 4), tail.get(b), "resumed batch " + (b + 4));
    }
    List<int[]> viaIterator = new ArrayList<>();
    loader.setEpoch(2);
    for (Batch b : loader) {
      viaIterator.add(b.indices().clone());
    }
    assertArrayEquals(flat(indicesOf(loader.epoch(2))), flat(viaIterator));
    List<int[]> next = new ArrayList<>();
    for (Batch b : loader) {
      next.add(b.indices().clone());
    }
    assertArrayEquals(loader.order(3), flat(next), "the iterator advances the epoch");
  }

  @Test
  void ringOfBuffersIsBounded() {
    DataLoader loader = new DataLoader(synthetic(50, 2), 3).prefetch(2);
    Set<Batch> distinct = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    try (DataLoader.Epoch e = loader.epoch(0)) {
      while (e.hasNext()) {
        distinct.add(e.next());
      }
    }
    assertTrue(distinct.size() <= 3, "at most prefetch + 1 buffers, got " + distinct.size());
  }

  @Test
  void startingAnEpochStopsTheAbandonedOne() throws InterruptedException {
    DataLoader loader = new DataLoader(synthetic(200, 2), 2).prefetch(1);
    DataLoader.Epoch first = loader.epoch(0);
    first.next();
    Thread.sleep(20); // let the producer block on the full ring
    List<int[]> second = indicesOf(loader.epoch(1));
    assertArrayEquals(loader.order(1), flat(second));
    long prefetchers =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals("bnlab-prefetch") && t.isAlive())
            .count();
    assertEquals(0, prefetchers, "no prefetch thread left running");
  }

  @Test
  void classClusteredBatchesHoldFewClasses() {
    ImageSet ds = synthetic(200, 10);
    for (int k : new int[] {1, 2, 5}) {
      DataLoader loader = new DataLoader(ds, 10).seed(9).classClustered(k);
      List<int[]> labels = new ArrayList<>();
      List<int[]> idx = new ArrayList<>();
      collect(loader.epoch(0), labels, idx);
      assertArrayEquals(BatchOrder.sequential(200), Arrays.stream(flat(idx)).sorted().toArray());
      for (int[] l : labels) {
        Set<Integer> classes = new HashSet<>();
        Arrays.stream(l).forEach(classes::add);
        assertTrue(classes.size() <= k, "k=" + k + ": batch holds classes " + classes);
      }
      assertFalse(Arrays.equals(loader.order(0), loader.order(1)), "new order each epoch");
    }
    // Awkward sizes: groups straddle batches, a partial batch stays last.
    ImageSet odd = synthetic(47, 3);
    DataLoader loader = new DataLoader(odd, 6).seed(1).classClustered(1);
    List<int[]> idx = indicesOf(loader.epoch(0));
    assertEquals(5, idx.get(idx.size() - 1).length);
    assertArrayEquals(BatchOrder.sequential(47), Arrays.stream(flat(idx)).sorted().toArray());
    assertThrows(IllegalArgumentException.class, () -> new DataLoader(odd, 6).classClustered(4));
  }

  @Test
  void failureOnTheBackgroundThreadReachesTheCaller() {
    ImageSet ds = synthetic(30, 2);
    Dataset broken =
        new Dataset() {
          public int size() {
            return ds.size();
          }

          public int channels() {
            return 3;
          }

          public int height() {
            return 4;
          }

          public int width() {
            return 5;
          }

          public List<String> classes() {
            return ds.classes();
          }

          public int label(int i) {
            return ds.label(i);
          }

          public void get(int i, byte[] dst, int off) {
            if (i == 17) {
              throw new DataException(null, "image 17 is broken");
            }
            ds.get(i, dst, off);
          }
        };
    DataLoader loader = new DataLoader(broken, 4).prefetch(2);
    DataException e =
        assertThrows(
            DataException.class,
            () -> {
              try (DataLoader.Epoch it = loader.epoch(0)) {
                while (it.hasNext()) {
                  it.next();
                }
              }
            });
    assertTrue(e.getMessage().contains("image 17"), e.getMessage());
  }

  static int[] flat(List<int[]> batches) {
    return batches.stream().flatMapToInt(Arrays::stream).toArray();
  }
}
