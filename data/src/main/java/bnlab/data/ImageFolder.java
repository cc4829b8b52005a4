package bnlab.data;

import bnlab.data.ImageDecoding.Item;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Images in the "image folder" layout of torchvision's {@code ImageFolder}: {@code
 * root/<class>/*.{jpg,jpeg,png}}, with a {@code train/} and a {@code test/} root per split. Classes
 * are the training split's folder names sorted (label k = k-th name, as torchvision's {@code
 * find_classes}) unless given explicitly, and the test split is numbered with the same list: a test
 * split lacking a class keeps the others' labels (with a warning), and a test class the training
 * split does not have is an error naming it. Images within a class are taken in sorted file-name
 * order. Reads a folder or a {@code .tar.gz} of one directly and decodes on every core.
 *
 * <p>Every image must have the size of the first one; images are converted to RGB. A data set of
 * fewer than 2 classes, a missing or empty class folder, an unreadable image or one of the wrong
 * size is an error naming the folder or file: the data set is never silently shorter. Image sizes
 * are read from the headers and checked before any pixel is decoded (see {@link ImageDecoder}).
 */
public final class ImageFolder {
  private static final System.Logger LOG = System.getLogger("bnlab.data");

  private ImageFolder() {}

  /**
   * Reads {@code root/<split>/<class>/*}, numbering classes by the sorted folder names of {@code
   * root/train/} (of the split itself when there is no training split).
   *
   * @param root folder holding {@code train/} and {@code test/}
   */
  public static ImageSet read(Path root, Split split) {
    Path dir = root.resolve(split.folder());
    Path train = root.resolve(Split.TRAIN.folder());
    if (split != Split.TRAIN && Files.isDirectory(train) && Files.isDirectory(dir)) {
      List<String> names = listClassFolders(train);
      requireTwoClasses(train, names);
      return readDir(dir, names, "the training split's classes", true);
    }
    return readFlat(dir, null);
  }

  /**
   * Reads {@code dir/<class>/*}; every class must have a folder.
   *
   * @param classes class names in label order, or null for the sorted folder names
   */
  public static ImageSet readFlat(Path dir, List<String> classes) {
    if (!Files.isDirectory(dir)) {
      throw new DataException(dir, "no such image folder");
    }
    if (classes != null) {
      return readDir(dir, List.copyOf(classes), "the given classes", false);
    }
    List<String> names = listClassFolders(dir);
    requireTwoClasses(dir, names);
    return readDir(dir, names, "the classes", false);
  }

  private static ImageSet readDir(
      Path dir, List<String> names, String whose, boolean missingAllowed) {
    for (String folder : listClassFolders(dir)) {
      if (!names.contains(folder)) {
        throw new DataException(dir.resolve(folder), "class folder not among " + whose + names);
      }
    }
    List<Item> items = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (int k = 0; k < names.size(); k++) {
      Path classDir = dir.resolve(names.get(k));
      if (missingAllowed && !Files.isDirectory(classDir)) {
        missing.add(names.get(k));
        continue;
      }
      List<Path> files = listImages(classDir);
      if (files.isEmpty()) {
        throw new DataException(classDir, "class folder holds no .jpg/.jpeg/.png images");
      }
      for (Path f : files) {
        items.add(new Item(f.toString(), k, f, null));
      }
    }
    warnMissing(dir, missing, names);
    return ImageDecoding.decodeAll(items, names);
  }

  /**
   * Reads one split of an image-folder archive ({@code [prefix/]<split>/<class>/<file>} entries)
   * straight from the {@code .tar.gz}. Classes are given explicitly or, when null, are the sorted
   * class folders of the archive's training split (of {@code split} itself if it has none).
   */
  public static ImageSet readTarGz(Path archive, Split split, List<String> classes) {
    TreeMap<String, TreeMap<String, byte[]>> byClass = new TreeMap<>();
    TreeSet<String> trainClasses = new TreeSet<>();
    scan(archive, split, byClass, trainClasses);
    boolean fromTraining = classes == null && split != Split.TRAIN && !trainClasses.isEmpty();
    List<String> names =
        classes != null
            ? List.copyOf(classes)
            : List.copyOf(fromTraining ? trainClasses : byClass.keySet());
    if (byClass.isEmpty()) {
      throw new DataException(archive, "archive holds no " + split.folder() + "/<class>/ folders");
    }
    if (classes == null) {
      requireTwoClasses(archive, names);
    }
    String whose = classes != null ? "the given classes " : "the training split's classes ";
    for (String folder : byClass.keySet()) {
      if (!names.contains(folder)) {
        throw new DataException(archive, "class folder " + folder + " not among " + whose + names);
      }
    }
    List<Item> items = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (int k = 0; k < names.size(); k++) {
      TreeMap<String, byte[]> files = byClass.get(names.get(k));
      if (files == null && fromTraining) {
        missing.add(names.get(k));
        continue;
      }
      if (files == null || files.isEmpty()) {
        throw new DataException(
            archive, "class folder " + split.folder() + "/" + names.get(k) + " holds no images");
      }
      int label = k;
      files.forEach(
          (name, bytes) -> items.add(new Item(archive + "!/" + name, label, null, bytes)));
    }
    warnMissing(archive, missing, names);
    return ImageDecoding.decodeAll(items, names);
  }

  /**
   * Collects the image bytes of {@code split} by class folder, and the class folder names of the
   * training split, in one pass over the archive.
   */
  private static void scan(
      Path archive,
      Split split,
      TreeMap<String, TreeMap<String, byte[]>> byClass,
      Set<String> trainClasses) {
    try (InputStream raw = Files.newInputStream(archive);
        TarArchiveInputStream tar =
            new TarArchiveInputStream(
                new GZIPInputStream(new BufferedInputStream(raw, 1 << 16), 1 << 16))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        String[] parts = e.getName().split("/");
        int n = parts.length;
        if (e.isDirectory() && n >= 2) {
          if (parts[n - 2].equals(Split.TRAIN.folder())) {
            trainClasses.add(parts[n - 1]);
          }
          if (parts[n - 2].equals(split.folder())) {
            byClass.computeIfAbsent(parts[n - 1], k -> new TreeMap<>()); // may stay empty: error
          }
          continue;
        }
        if (n < 3) {
          continue;
        }
        if (parts[n - 3].equals(Split.TRAIN.folder())) {
          trainClasses.add(parts[n - 2]);
        }
        if (!parts[n - 3].equals(split.folder())) {
          continue;
        }
        TreeMap<String, byte[]> files = byClass.computeIfAbsent(parts[n - 2], k -> new TreeMap<>());
        if (e.isFile() && isImageName(parts[n - 1])) {
          files.put(
              e.getName(), BoundedReads.readEntry(tar, e, ImageDecoding.MAX_FILE_BYTES, archive));
        }
      }
    } catch (IOException e) {
      throw new DataException(archive, "cannot read archive (truncated or not a tar.gz?): " + e, e);
    }
  }

  /** A classifier needs two classes: with one, every prediction is right and nothing is learnt. */
  private static void requireTwoClasses(Path where, List<String> names) {
    if (names.size() < 2) {
      throw new DataException(
          where,
          "holds "
              + names.size()
              + " class folder"
              + (names.isEmpty() ? "s" : " (" + names.get(0) + ")")
              + "; a classifier needs at least 2: add one folder of images per class");
    }
  }

  private static void warnMissing(Path where, List<String> missing, List<String> names) {
    if (!missing.isEmpty()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "bnlab: {0} holds no images of class(es) {1}; the other {2} keep the training split''s"
              + " labels",
          where,
          missing,
          names.size() - missing.size());
    }
  }

  private static List<String> listClassFolders(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new DataException(dir, "cannot list: " + e, e);
    }
  }

  private static List<Path> listImages(Path classDir) {
    if (!Files.isDirectory(classDir)) {
      throw new DataException(classDir, "missing class folder");
    }
    try (Stream<Path> s = Files.list(classDir)) {
      return s.filter(p -> isImageName(p.getFileName().toString()) && Files.isRegularFile(p))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new DataException(classDir, "cannot list: " + e, e);
    }
  }

  static boolean isImageName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
  }
}
