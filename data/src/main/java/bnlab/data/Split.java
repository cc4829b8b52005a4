package bnlab.data;

/** The standard train/test split of a data set. */
public enum Split {
  TRAIN("train"),
  TEST("test");

  private final String folder;

  Split(String folder) {
    this.folder = folder;
  }

  /** Folder name of this split in the image-folder layout: {@code train} or {@code test}. */
  public String folder() {
    return folder;
  }

  /** Parses {@code train} or {@code test} (case-insensitive). */
  public static Split parse(String s) {
    for (Split x : values()) {
      if (x.folder.equalsIgnoreCase(s)) {
        return x;
      }
    }
    throw new IllegalArgumentException("split must be 'train' or 'test', got '" + s + "'");
  }
}
