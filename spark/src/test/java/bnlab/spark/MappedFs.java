package bnlab.spark;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A file system with a scheme of its own, {@code bnlabtest:///}, kept in the local folder {@code
 * fs.bnlabtest.root}: {@code bnlabtest:///sweep/x} is {@code <root>/sweep/x}. Only Hadoop's
 * FileSystem API reaches it (as a java.nio path {@code /sweep/x} names nothing), so a run folder
 * that arrives there went through it; it records every path it was asked about.
 */
public final class MappedFs extends RawLocalFileSystem {
  /** The URI paths this file system served, since the JVM started. */
  static final Set<String> SERVED = ConcurrentHashMap.newKeySet();

  private String root;

  /** For Hadoop's {@code fs.bnlabtest.impl}. */
  public MappedFs() {}

  @Override
  public void initialize(URI uri, Configuration conf) throws IOException {
    super.initialize(uri, conf);
    root = conf.get("fs.bnlabtest.root");
    if (root == null) {
      throw new IOException("fs.bnlabtest.root is not set");
    }
  }

  @Override
  public URI getUri() {
    return URI.create("bnlabtest:///");
  }

  @Override
  public String getScheme() {
    return "bnlabtest";
  }

  @Override
  public File pathToFile(Path path) {
    Path p = path.isAbsolute() ? path : new Path(getWorkingDirectory(), path);
    SERVED.add(p.toUri().getPath());
    return new File(root + p.toUri().getPath());
  }

  @Override
  public Path getWorkingDirectory() {
    return new Path("bnlabtest:///");
  }

  // statuses name the path asked about, not the local file behind it
  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    return named(super.getFileStatus(f), makeQualified(f));
  }

  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    FileStatus[] all = super.listStatus(f);
    Path q = makeQualified(f);
    boolean dir = getFileStatus(f).isDirectory();
    FileStatus[] out = new FileStatus[all.length];
    for (int i = 0; i < all.length; i++) {
      out[i] = named(all[i], dir ? new Path(q, all[i].getPath().getName()) : q);
    }
    return out;
  }

  // a plain status: the local one reads its permissions from the local path it names, lazily
  private static FileStatus named(FileStatus s, Path p) {
    return new FileStatus(
        s.getLen(), s.isDirectory(), 1, s.getBlockSize(), s.getModificationTime(), p);
  }
}
