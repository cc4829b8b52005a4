package bnlab.data;

import bnlab.tensor.Tensor;

/**
 * One mini-batch: images {@link #x()} of shape (N, C, H, W) and {@link #labels()} of length N. N is
 * the batch size, or less for the last batch of an epoch when {@code dropLast} is off.
 *
 * <p>A batch is a reused buffer owned by its {@link DataLoader}: it is valid until the next batch
 * is requested from the same epoch. Copy it ({@code x().copy()}, {@code labels().clone()}) to keep
 * it longer.
 */
public final class Batch {
  private final float[] data;
  private final int[] fullLabels;
  private final int[] fullIndices;
  private final int[] imageShape;
  private Tensor full;
  private Tensor partial;
  private int[] partialLabels;
  private int[] partialIndices;
  private int size;
  private int index;
  private int epoch;

  Batch(int capacity, int[] imageShape) {
    this.imageShape = imageShape.clone();
    this.data = new float[capacity * imageShape[0] * imageShape[1] * imageShape[2]];
    this.fullLabels = new int[capacity];
    this.fullIndices = new int[capacity];
    this.full = Tensor.wrap(data, capacity, imageShape[0], imageShape[1], imageShape[2]);
  }

  /** Prepares this buffer for a batch of {@code n} images. */
  void reset(int n, int index, int epoch) {
    this.size = n;
    this.index = index;
    this.epoch = epoch;
    if (n != fullLabels.length && (partialLabels == null || partialLabels.length != n)) {
      partialLabels = new int[n];
      partialIndices = new int[n];
      partial = Tensor.wrap(data, n, imageShape[0], imageShape[1], imageShape[2]);
    }
  }

  float[] data() {
    return data;
  }

  /** Images, (N, C, H, W). */
  public Tensor x() {
    return size == fullLabels.length ? full : partial;
  }

  /** Class labels, one per image. */
  public int[] labels() {
    return size == fullLabels.length ? fullLabels : partialLabels;
  }

  /** Indices of the images in the data set, one per image. */
  public int[] indices() {
    return size == fullIndices.length ? fullIndices : partialIndices;
  }

  /** Number of images N. */
  public int size() {
    return size;
  }

  /** Position of this batch in its epoch, from 0. */
  public int index() {
    return index;
  }

  /** The epoch this batch belongs to. */
  public int epoch() {
    return epoch;
  }
}
