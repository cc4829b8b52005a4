package bnlab.spark;

import bnlab.experiment.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.spark.SparkConf;
import scala.Tuple2;

/**
 * A run folder on shared storage, reached only through Hadoop's {@link FileSystem} API: {@code
 * hdfs://}, {@code s3a://}, {@code file:///} or any scheme with a registered FileSystem ({@code
 * fs.<scheme>.impl}, given as {@code spark.hadoop.fs.<scheme>.impl}). It travels to the executors
 * with the driver's {@code spark.hadoop.*} settings, from which each builds its own FileSystem.
 *
 * <p>Files are published whole, one at a time. On a file system with an atomic rename (HDFS, the
 * local file system) a file is written under a temporary name unique to the writer's attempt and
 * renamed over the old one ({@code Options.Rename.OVERWRITE}, atomic on HDFS), so a reader sees the
 * old or the new file, never part of one, and two attempts writing the same file cannot mix their
 * bytes. On object stores (S3A, GCS) rename is a copy, so a file is written directly to its name:
 * the store makes an object visible only when its upload completes, whole (S3 is strongly
 * consistent), which gives the same guarantee per file. Hadoop's local file system is used raw, so
 * no {@code .crc} side files appear in run folders.
 */
final class SharedFolder implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Part of the name of a file being written; such files are never read as part of a run. */
  static final String TEMP = ".bnlab-tmp-";

  /** Schemes of object stores: no atomic rename, atomic upload. */
  private static final Set<String> OBJECT_STORES = Set.of("s3a", "s3", "gs");

  /** Files of the driver's machine that never go to shared storage. */
  private static final Set<String> LOCAL_ONLY = Set.of("bnlab.lock");

  private final String uri;
  private final HashMap<String, String> hadoop;
  private transient FileSystem fs;

  private SharedFolder(String uri, HashMap<String, String> hadoop) {
    this.uri = uri;
    this.hadoop = hadoop;
  }

  /** The folder {@code uri} with the {@code spark.hadoop.*} settings of {@code conf}. */
  static SharedFolder at(String uri, SparkConf conf) {
    HashMap<String, String> h = new HashMap<>();
    for (Tuple2<String, String> t : conf.getAllWithPrefix("spark.hadoop.")) {
      h.put(t._1(), t._2());
    }
    return new SharedFolder(uri, h);
  }

  /** The URI as given. */
  String uri() {
    return uri;
  }

  private FileSystem fs() throws IOException {
    if (fs == null) {
      Configuration c = new Configuration();
      hadoop.forEach(c::set);
      FileSystem f;
      try {
        f = new Path(uri).getFileSystem(c);
      } catch (UnsupportedFileSystemException e) {
        String scheme = new Path(uri).toUri().getScheme();
        throw new UserError(
            "--out "
                + uri
                + ": no Hadoop FileSystem for scheme '"
                + scheme
                + "' on the class path; add its jars (e.g. hadoop-aws for s3a) or set"
                + " spark.hadoop.fs."
                + scheme
                + ".impl");
      }
      fs = f instanceof ChecksumFileSystem cf ? cf.getRawFileSystem() : f;
    }
    return fs;
  }

  private Path path(String rel) {
    return rel.isEmpty() ? new Path(uri) : new Path(new Path(uri), rel);
  }

  /** Whether {@code rel} (a file or folder below the run folder) exists. */
  boolean exists(String rel) {
    try {
      return fs().exists(path(rel));
    } catch (IOException e) {
      throw failure("cannot look at", rel, e);
    }
  }

  /**
   * The files below {@code rel} (or {@code rel} itself if it is a file), as paths relative to the
   * run folder; files being written and local-only files are left out.
   */
  List<String> files(String rel) {
    List<String> out = new ArrayList<>();
    try {
      FileSystem f = fs();
      Path at = path(rel);
      if (!f.exists(at)) {
        return out;
      }
      String root = f.makeQualified(path("")).toUri().getPath();
      String prefix = root.endsWith("/") ? root : root + "/";
      RemoteIterator<LocatedFileStatus> it = f.listFiles(at, true);
      while (it.hasNext()) {
        String p = it.next().getPath().toUri().getPath();
        String name = p.substring(p.lastIndexOf('/') + 1);
        if (p.startsWith(prefix) && !name.contains(TEMP) && !LOCAL_ONLY.contains(name)) {
          out.add(p.substring(prefix.length()));
        }
      }
      return out;
    } catch (IOException e) {
      throw failure("cannot list", rel, e);
    }
  }

  /** Copies file {@code rel} to the local file {@code to}, replacing it. */
  void download(String rel, java.nio.file.Path to) {
    try (InputStream in = fs().open(path(rel))) {
      Files.createDirectories(to.toAbsolutePath().getParent());
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw failure("cannot read", rel, e);
    }
  }

  /** Publishes the local file {@code from} as {@code rel} (see the class comment). */
  void upload(java.nio.file.Path from, String rel, String attempt) {
    write(rel, attempt, out -> Files.copy(from, out));
  }

  /** Publishes {@code bytes} as {@code rel}. */
  void write(String rel, byte[] bytes, String attempt) {
    write(rel, attempt, out -> out.write(bytes));
  }

  private interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  private void write(String rel, String attempt, Body body) {
    try {
      FileSystem f = fs();
      Path dst = path(rel);
      String scheme = f.getUri().getScheme();
      if (scheme != null && OBJECT_STORES.contains(scheme.toLowerCase(Locale.ROOT))) {
        try (OutputStream out = f.create(dst, true)) {
          body.writeTo(out);
        }
        return;
      }
      Path tmp = new Path(dst.getParent(), "." + dst.getName() + TEMP + attempt);
      try (OutputStream out = f.create(tmp, true)) {
        body.writeTo(out);
      }
      FileUtil.rename(f, tmp, dst, Options.Rename.OVERWRITE);
    } catch (IOException e) {
      throw failure("cannot publish", rel, e);
    }
  }

  /** Deletes {@code rel} (a file or a whole folder) if it exists. */
  void delete(String rel) {
    try {
      fs().delete(path(rel), true);
    } catch (IOException e) {
      throw failure("cannot delete", rel, e);
    }
  }

  private UncheckedIOException failure(String what, String rel, IOException e) {
    return new UncheckedIOException(what + " " + path(rel) + ": " + e.getMessage(), e);
  }
}
