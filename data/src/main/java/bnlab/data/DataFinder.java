package bnlab.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Finds a data set on disk. Places are tried in this order:
 *
 * <ol>
 *   <li>an explicit path (the lab's {@code --data}); if given, it must hold the data set;
 *   <li>the environment variable {@code BNLAB_DATA};
 *   <li>the per-user cache folder ({@code $XDG_CACHE_HOME/bnlab} or {@code ~/.cache/bnlab}, where
 *       {@link Download} puts files);
 *   <li>{@code ../shared/datasets/} relative to the working directory and to the project root (the
 *       folder whose {@code pom.xml} is bnlab's parent POM, or the system property {@code
 *       bnlab.root});
 *   <li>{@code /usr/share/datasets/fashion-mnist} (Debian's {@code dataset-fashion-mnist}).
 * </ol>
 *
 * <p>Each place may be the data itself (a folder or archive) or a folder holding it under its usual
 * name ({@code cifar-10-batches-bin/}, {@code cifar-10-binary.tar.gz}, {@code cifar10-jpeg.tar.gz},
 * {@code fashion-mnist/}, ...). When nothing is found, the error lists every place looked at and
 * how to get the data.
 */
public final class DataFinder {
  /** How a found data set is stored. */
  public enum Format {
    /** A {@code cifar-10-batches-bin} folder. */
    CIFAR_BINARY,
    /** The official {@code cifar-10-binary.tar.gz}. */
    CIFAR_BINARY_TAR_GZ,
    /** A folder with {@code train/<class>/} and {@code test/<class>/}. */
    IMAGE_FOLDER,
    /** A .tar.gz of such a folder. */
    IMAGE_FOLDER_TAR_GZ,
    /** A folder of IDX files (MNIST layout). */
    IDX
  }

  /**
   * A data set ({@code cifar10}, {@code fashion-mnist}, {@code mnist}, {@code folder}) found at
   * {@code path}, stored as {@code format}.
   */
  public record Found(Path path, Format format, String dataset) {}

  private final Path explicit;
  private final List<Path> places;

  /**
   * A finder over explicit places (for tests and embedding).
   *
   * @param explicit the user's path or null
   * @param places the remaining places, in order
   */
  public DataFinder(Path explicit, List<Path> places) {
    this.explicit = explicit;
    this.places = List.copyOf(places);
  }

  /** The standard search order from the environment, working directory and project root. */
  public static DataFinder standard(Path explicit) {
    return standard(explicit, System.getenv(), Path.of("").toAbsolutePath());
  }

  static DataFinder standard(Path explicit, Map<String, String> env, Path workingDir) {
    LinkedHashSet<Path> places = new LinkedHashSet<>();
    String var = env.get("BNLAB_DATA");
    if (var != null && !var.isBlank()) {
      places.add(Path.of(var));
    }
    places.add(DataCache.userFolder());
    places.add(workingDir.resolve("../shared/datasets").normalize());
    projectRoot(workingDir).ifPresent(r -> places.add(r.resolve("../shared/datasets").normalize()));
    places.add(FashionMnist.SYSTEM_FOLDER);
    return new DataFinder(explicit, new ArrayList<>(places));
  }

  /** bnlab's project root: system property bnlab.root, else the nearest parent POM upwards. */
  static Optional<Path> projectRoot(Path start) {
    String prop = System.getProperty("bnlab.root");
    if (prop != null && !prop.isBlank()) {
      return Optional.of(Path.of(prop).toAbsolutePath());
    }
    for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
      Path pom = p.resolve("pom.xml");
      try {
        if (Files.isRegularFile(pom)
            && isParentPom(Files.readString(pom, StandardCharsets.UTF_8))) {
          return Optional.of(p);
        }
      } catch (IOException e) {
        // an unreadable pom.xml is not ours to judge; keep walking up
      }
    }
    return Optional.empty();
  }

  private static boolean isParentPom(String pom) {
    return pom.contains("<artifactId>bnlab-parent</artifactId>") && pom.contains("<modules>");
  }

  /** Every place this finder looks at, in order (the explicit path first, if any). */
  public List<Path> places() {
    List<Path> all = new ArrayList<>();
    if (explicit != null) {
      all.add(explicit);
    }
    all.addAll(places);
    return all;
  }

  /**
   * Finds {@code dataset} ({@code cifar10}, {@code fashion-mnist}, {@code mnist} or {@code
   * folder}).
   *
   * @throws DataException listing every place looked at and how to get the data
   */
  public Found find(String dataset) {
    String name = DataSets.canonicalName(dataset);
    if (explicit != null) {
      if (!Files.exists(explicit)) {
        throw new DataException(explicit, "no such file or folder (given as the data path)");
      }
      return probe(explicit, name)
          .orElseThrow(
              () ->
                  new DataException(explicit, "holds no " + name + " data set\n" + howToGet(name)));
    }
    if (name.equals("folder") || name.equals("mnist")) {
      throw new DataException(null, "the " + name + " data set needs an explicit path (--data)");
    }
    for (Path p : places) {
      Optional<Found> f = probe(p, name);
      if (f.isPresent()) {
        return f.get();
      }
    }
    StringBuilder sb = new StringBuilder("cannot find the " + name + " data set. Looked in:\n");
    for (Path p : places) {
      sb.append("  ").append(p).append(Files.exists(p) ? "" : "  (does not exist)").append('\n');
    }
    throw new DataException(null, sb.append(howToGet(name)).toString());
  }

  static String howToGet(String name) {
    if (name.equals("cifar10")) {
      return "Get CIFAR-10 from "
          + Cifar10.URL
          + " (MD5 "
          + Cifar10.MD5
          + ") and pass its path with --data or BNLAB_DATA (the .tar.gz is read as is),"
          + " or put it in "
          + DataCache.userFolder()
          + " (bnlab.data.Download.cifar10 fetches it there, checking the MD5).";
    }
    if (name.equals("fashion-mnist")) {
      return "Install Fashion-MNIST with 'apt-get install -y dataset-fashion-mnist' (into "
          + FashionMnist.SYSTEM_FOLDER
          + "), or pass a folder holding the four IDX files with --data or BNLAB_DATA.";
    }
    return "Pass the folder with --data.";
  }

  /** The data set {@code name} at place {@code p}, if it is there. */
  static Optional<Found> probe(Path p, String name) {
    if (Files.isRegularFile(p)) {
      return probeArchive(p, name);
    }
    if (!Files.isDirectory(p)) {
      return Optional.empty();
    }
    return switch (name) {
      case "cifar10" ->
          first(
              binaryFolder(p),
              binaryFolder(p.resolve(Cifar10.FOLDER)),
              archive(p.resolve("cifar-10-binary.tar.gz"), name),
              imageFolder(p),
              imageFolder(p.resolve("cifar10-jpeg")),
              archive(p.resolve("cifar10-jpeg.tar.gz"), name));
      case "fashion-mnist", "mnist" -> {
        Path sub = p.resolve(name);
        yield FashionMnist.isIn(p)
            ? Optional.of(new Found(p, Format.IDX, name))
            : FashionMnist.isIn(sub)
                ? Optional.of(new Found(sub, Format.IDX, name))
                : Optional.empty();
      }
      default -> imageFolder(p);
    };
  }

  @SafeVarargs
  private static Optional<Found> first(Optional<Found>... options) {
    for (Optional<Found> o : options) {
      if (o.isPresent()) {
        return o;
      }
    }
    return Optional.empty();
  }

  private static Optional<Found> binaryFolder(Path p) {
    return Files.isRegularFile(p.resolve("data_batch_1.bin"))
            || Files.isRegularFile(p.resolve("test_batch.bin"))
        ? Optional.of(new Found(p, Format.CIFAR_BINARY, "cifar10"))
        : Optional.empty();
  }

  private static Optional<Found> imageFolder(Path p) {
    return Files.isDirectory(p.resolve("train")) || Files.isDirectory(p.resolve("test"))
        ? Optional.of(new Found(p, Format.IMAGE_FOLDER, "folder"))
        : Optional.empty();
  }

  private static Optional<Found> archive(Path p, String name) {
    return Files.isRegularFile(p) ? probeArchive(p, name) : Optional.empty();
  }

  /**
   * Looks at the first file entries of a .tar.gz to tell the official layout from an image folder.
   */
  private static Optional<Found> probeArchive(Path p, String name) {
    if (name.equals("fashion-mnist") || name.equals("mnist")) {
      return Optional.empty();
    }
    try (InputStream raw = Files.newInputStream(p);
        TarArchiveInputStream tar =
            new TarArchiveInputStream(new GZIPInputStream(new BufferedInputStream(raw)))) {
      TarArchiveEntry e;
      int seen = 0;
      while ((e = tar.getNextEntry()) != null && seen < 64) {
        if (!e.isFile()) {
          continue;
        }
        seen++;
        String n = e.getName();
        if (n.endsWith(".bin") && n.contains(Cifar10.FOLDER + "/")) {
          return Optional.of(new Found(p, Format.CIFAR_BINARY_TAR_GZ, "cifar10"));
        }
        String[] parts = n.split("/");
        if (parts.length >= 3
            && ImageFolder.isImageName(parts[parts.length - 1])
            && (parts[parts.length - 3].equals("train")
                || parts[parts.length - 3].equals("test"))) {
          return Optional.of(new Found(p, Format.IMAGE_FOLDER_TAR_GZ, "folder"));
        }
      }
    } catch (IOException e) {
      throw new DataException(p, "cannot read as a .tar.gz: " + e, e);
    }
    return Optional.empty();
  }
}
