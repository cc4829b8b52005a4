package bnlab.experiment;

import bnlab.data.RandomCrop;
import bnlab.data.RandomHorizontalFlip;
import bnlab.data.ToTensor;
import bnlab.data.Transform;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Random transforms of the training images, torchvision's standard CIFAR-10 augmentation (He et al.
 * 2016, §4.2: "4 pixels are padded on each side, and a 32×32 crop is randomly sampled from the
 * padded image or its horizontal flip"): {@code RandomCrop(size, padding)} then {@code
 * RandomHorizontalFlip(0.5)}, before ToTensor. Test images are never augmented. The draws come from
 * the loader's seed, the epoch and the batch ({@link bnlab.data.DataLoader}), so a resumed run sees
 * the same augmented images.
 *
 * @param cropPadding zeros padded on each side before the random crop back to the image size; 0 =
 *     no crop
 * @param horizontalFlip flip each image left-right with probability 1/2
 */
public record Augmentation(int cropPadding, boolean horizontalFlip) implements Serializable {
  /** The standard CIFAR-10 augmentation: pad 4, random 32×32 crop, random flip. */
  public static final Augmentation CROP_FLIP = new Augmentation(4, true);

  /** Checks the value. */
  public Augmentation {
    if (cropPadding < 0) {
      throw new UserError("crop padding must be at least 0, got " + cropPadding);
    }
  }

  /** The training transforms for images of {@code size × size} pixels, ToTensor last. */
  Transform[] transforms(int size) {
    List<Transform> t = new ArrayList<>();
    if (cropPadding > 0) {
      t.add(new RandomCrop(size, cropPadding));
    }
    if (horizontalFlip) {
      t.add(new RandomHorizontalFlip());
    }
    t.add(new ToTensor());
    return t.toArray(new Transform[0]);
  }
}
