package bnlab.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Optional download for users with internet access. The bytes go to a temporary file beside the
 * destination; only when their MD5 matches is the file renamed into place, so a broken or
 * interrupted download never leaves a half-written file under the real name.
 */
public final class Download {
  // A stalled server fails the download instead of hanging the command.
  private static final int TIMEOUT_MS = 60_000;

  private Download() {}

  /**
   * Downloads CIFAR-10's official {@code cifar-10-binary.tar.gz} into {@code folder} (see {@link
   * DataCache#userFolder()}), unless a file with the right MD5 is already there.
   *
   * @return the verified archive
   */
  public static Path cifar10(Path folder) {
    Path dest = folder.resolve("cifar-10-binary.tar.gz");
    if (Files.isRegularFile(dest) && md5(dest).equals(Cifar10.MD5)) {
      return dest;
    }
    return fetch(URI.create(Cifar10.URL), dest, Cifar10.MD5);
  }

  /**
   * Copies {@code url} (http, https or file) to {@code dest} through a temporary file, checks the
   * MD5 and renames. On any failure the temporary file is deleted and {@code dest} is untouched.
   *
   * @param md5 expected lower-case hex MD5
   * @throws DataException naming the URL and both checksums when they differ
   */
  public static Path fetch(URI url, Path dest, String md5) {
    Path dir = dest.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, dest.getFileName().toString(), ".part");
      MessageDigest digest = MessageDigest.getInstance("MD5");
      URLConnection conn = url.toURL().openConnection();
      conn.setConnectTimeout(TIMEOUT_MS);
      conn.setReadTimeout(TIMEOUT_MS);
      try (InputStream in = new DigestInputStream(conn.getInputStream(), digest);
          OutputStream out = Files.newOutputStream(tmp)) {
        in.transferTo(out);
      }
      String got = HexFormat.of().formatHex(digest.digest());
      if (!got.equalsIgnoreCase(md5)) {
        throw new DataException(
            dest, "download from " + url + " has MD5 " + got + ", expected " + md5 + "; not kept");
      }
      try {
        Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING);
      }
      return dest;
    } catch (IOException e) {
      throw new DataException(dest, "download from " + url + " failed: " + e, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no MD5", e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // best effort: the temporary name is never mistaken for the data set
        }
      }
    }
  }

  /** Lower-case hex MD5 of a file. */
  public static String md5(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("MD5");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        digest.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new DataException(file, "cannot read: " + e, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no MD5", e);
    }
  }
}
