package bnlab.data;

import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Images in the "image folder" layout of torchvision's {@code ImageFolder}: {@code
 * root/<class>/*.{jpg,jpeg,png}}, with a {@code train/} and a {@code test/} root per split. Classes
 * are the folder names sorted (label k = k-th name, as torchvision's {@code find_classes}) unless
 * given explicitly; images within a class are taken in sorted file-name order. Reads a folder or a
 * {@code .tar.gz} of one directly and decodes on every core.
 *
 * <p>Every image must have the size of the first one (or the size given); images are converted to
 * RGB. A missing or empty class folder, an unreadable image or one of the wrong size is an error
 * naming the file: the data set is never silently shorter.
 */
public final class ImageFolder {
  private ImageFolder() {}

  /** An encoded image and the name it is reported under. */
  private record Item(String name, int label, Path file, byte[] bytes) {}

  /**
   * Reads {@code root/<split>/<class>/*} with classes sorted by name.
   *
   * @param root folder holding {@code train/} and {@code test/}
   */
  public static ImageSet read(Path root, Split split) {
    return readFlat(root.resolve(split.folder()), null);
  }

  /**
   * Reads {@code dir/<class>/*}.
   *
   * @param classes class names in label order, or null for the sorted folder names
   */
  public static ImageSet readFlat(Path dir, List<String> classes) {
    if (!Files.isDirectory(dir)) {
      throw new DataException(dir, "no such image folder");
    }
    List<String> names = classes == null ? listClassFolders(dir) : List.copyOf(classes);
    if (names.isEmpty()) {
      throw new DataException(dir, "image folder holds no class folders");
    }
    if (classes != null) {
      for (String folder : listClassFolders(dir)) {
        if (!names.contains(folder)) {
          throw new DataException(
              dir.resolve(folder), "class folder not among the given classes " + names);
        }
      }
    }
    List<Item> items = new ArrayList<>();
    for (int k = 0; k < names.size(); k++) {
      Path classDir = dir.resolve(names.get(k));
      List<Path> files = listImages(classDir);
      if (files.isEmpty()) {
        throw new DataException(classDir, "class folder holds no .jpg/.jpeg/.png images");
      }
      for (Path f : files) {
        items.add(new Item(f.toString(), k, f, null));
      }
    }
    return decodeAll(items, names);
  }

  /**
   * Reads one split of an image-folder archive ({@code [prefix/]<split>/<class>/<file>} entries)
   * straight from the {@code .tar.gz}, with classes sorted by name or given explicitly.
   */
  public static ImageSet readTarGz(Path archive, Split split, List<String> classes) {
    TreeMap<String, TreeMap<String, byte[]>> byClass = new TreeMap<>();
    try (InputStream raw = Files.newInputStream(archive);
        TarArchiveInputStream tar =
            new TarArchiveInputStream(
                new GZIPInputStream(new BufferedInputStream(raw, 1 << 16), 1 << 16))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        String[] parts = e.getName().split("/");
        int n = parts.length;
        if (e.isDirectory() && n >= 2 && parts[n - 2].equals(split.folder())) {
          byClass.computeIfAbsent(parts[n - 1], k -> new TreeMap<>()); // may stay empty: an error
          continue;
        }
        if (n < 3 || !parts[n - 3].equals(split.folder())) {
          continue;
        }
        TreeMap<String, byte[]> files = byClass.computeIfAbsent(parts[n - 2], k -> new TreeMap<>());
        if (e.isFile() && isImageName(parts[n - 1])) {
          files.put(e.getName(), tar.readAllBytes());
        }
      }
    } catch (IOException e) {
      throw new DataException(archive, "cannot read archive (truncated or not a tar.gz?): " + e, e);
    }
    List<String> names = classes == null ? List.copyOf(byClass.keySet()) : List.copyOf(classes);
    if (names.isEmpty()) {
      throw new DataException(archive, "archive holds no " + split.folder() + "/<class>/ folders");
    }
    for (String folder : byClass.keySet()) {
      if (!names.contains(folder)) {
        throw new DataException(
            archive, "class folder " + folder + " not among the given classes " + names);
      }
    }
    List<Item> items = new ArrayList<>();
    for (int k = 0; k < names.size(); k++) {
      TreeMap<String, byte[]> files = byClass.get(names.get(k));
      if (files == null || files.isEmpty()) {
        throw new DataException(
            archive, "class folder " + split.folder() + "/" + names.get(k) + " holds no images");
      }
      int label = k;
      files.forEach(
          (name, bytes) -> items.add(new Item(archive + "!/" + name, label, null, bytes)));
    }
    return decodeAll(items, names);
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

  /** Decodes every item on all cores into one pixel array; the first failure is rethrown. */
  private static ImageSet decodeAll(List<Item> items, List<String> classes) {
    BufferedImage first;
    try (ImageDecoder decoder = new ImageDecoder()) {
      first = decode(decoder, items.get(0));
    }
    int h = first.getHeight();
    int w = first.getWidth();
    int bytes = 3 * h * w;
    byte[] pixels = new byte[Math.multiplyExact(items.size(), bytes)];
    int[] labels = new int[items.size()];
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    int chunk = (items.size() + threads - 1) / threads;
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<?>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int lo = Math.min(items.size(), t * chunk);
        int hi = Math.min(items.size(), lo + chunk);
        parts.add(pool.submit(() -> decodeRange(items, lo, hi, h, w, pixels, labels)));
      }
      for (Future<?> f : parts) {
        join(f);
      }
    }
    return new ImageSet(pixels, labels, 3, h, w, classes);
  }

  private static void join(Future<?> f) {
    try {
      f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof DataException d) {
        throw d;
      }
      throw new IllegalStateException("image decoding failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while decoding images", e);
    }
  }

  private static void decodeRange(
      List<Item> items, int lo, int hi, int h, int w, byte[] pixels, int[] labels) {
    try (ImageDecoder decoder = new ImageDecoder()) {
      for (int i = lo; i < hi; i++) {
        decodeOne(decoder, items, i, h, w, pixels, labels);
      }
    }
  }

  private static void decodeOne(
      ImageDecoder decoder, List<Item> items, int i, int h, int w, byte[] pixels, int[] labels) {
    Item it = items.get(i);
    BufferedImage img = decode(decoder, it);
    if (img.getHeight() != h || img.getWidth() != w) {
      throw new DataException(
          null,
          String.format(
              "%s: image %d is %dx%d, expected %dx%d like %s",
              it.name(), i, img.getWidth(), img.getHeight(), w, h, items.get(0).name()));
    }
    ImageDecoder.toChw(img, pixels, i * 3 * h * w);
    labels[i] = it.label();
  }

  private static BufferedImage decode(ImageDecoder decoder, Item it) {
    try {
      byte[] b = it.bytes() != null ? it.bytes() : Files.readAllBytes(it.file());
      return decoder.read(b);
    } catch (IOException e) {
      throw new DataException(
          it.file(), (it.file() == null ? it.name() + ": " : "") + "unreadable image: " + e, e);
    }
  }
}
