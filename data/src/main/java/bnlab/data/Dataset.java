package bnlab.data;

import java.util.List;

/**
 * A labelled image data set kept as unsigned bytes in (C,H,W) order per image, the way PyTorch's
 * {@code torchvision.datasets} hand images to {@code ToTensor}.
 *
 * <p>Images stay as bytes (CIFAR-10's 50,000 training images are 150 MB as uint8, 600 MB as
 * float32); {@link DataLoader} converts one batch at a time into a reused float buffer.
 */
public interface Dataset {
  /** Number of images. */
  int size();

  /** Channels per image (3 for RGB, 1 for grey). */
  int channels();

  /** Image height in pixels. */
  int height();

  /** Image width in pixels. */
  int width();

  /** Class names; label {@code k} means {@code classes().get(k)}. */
  List<String> classes();

  /** Label of image {@code i}, in [0, classes().size()). */
  int label(int i);

  /** Copies the {@code channels()*height()*width()} bytes of image {@code i} into {@code dst}. */
  void get(int i, byte[] dst, int offset);

  /** Bytes per image: {@code channels() * height() * width()}. */
  default int imageBytes() {
    return channels() * height() * width();
  }
}
