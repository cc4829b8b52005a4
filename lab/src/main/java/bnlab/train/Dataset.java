package bnlab.train;

/**
 * Labelled examples read by index, as the trainer consumes them: one float image per index (e.g.
 * shape (3,32,32) after ToTensor) and an integer class label in [0, numClasses).
 */
public interface Dataset {
  /** Number of examples. */
  int size();

  /** Shape of one example without the batch dimension, e.g. {3, 32, 32}. */
  int[] itemShape();

  /** Number of classes; labels lie in [0, numClasses). */
  int numClasses();

  /** Writes example {@code index} into {@code dst} starting at {@code offset}. */
  void copyItem(int index, float[] dst, int offset);

  /** The label of example {@code index}. */
  int label(int index);
}
