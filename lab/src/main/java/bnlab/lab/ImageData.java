package bnlab.lab;

import bnlab.train.Dataset;

/**
 * A bnlab.data image set seen by the trainer, converted per image with ToTensor (x / 255, no
 * normalization, as the article). One instance per run: it owns a byte buffer.
 */
final class ImageData implements Dataset {
  private final bnlab.data.Dataset images;
  private final byte[] bytes;
  private final int[] shape;

  ImageData(bnlab.data.Dataset images) {
    this.images = images;
    this.bytes = new byte[images.imageBytes()];
    this.shape = new int[] {images.channels(), images.height(), images.width()};
  }

  @Override
  public int size() {
    return images.size();
  }

  @Override
  public int[] itemShape() {
    return shape.clone();
  }

  @Override
  public int numClasses() {
    return images.classes().size();
  }

  @Override
  public void copyItem(int index, float[] dst, int offset) {
    images.get(index, bytes, 0);
    for (int i = 0; i < bytes.length; i++) {
      dst[offset + i] = (bytes[i] & 0xFF) / 255f;
    }
  }

  @Override
  public int label(int index) {
    return images.label(index);
  }
}
