package bnlab.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The first core's L1 data and L2 cache sizes, for the packed GEMM's block sizes: read from Linux's
 * {@code /sys/devices/system/cpu/cpu0/cache}, else 32 KB and 1 MB (common to x86 and ARM cores of
 * the last decade). Only speed depends on them, never the bits of a result.
 */
final class CacheSizes {
  private static final int L1 = read(1, "Data", 32 << 10);
  private static final int L2 = read(2, "Unified", 1 << 20);

  private CacheSizes() {}

  /** L1 data cache bytes. */
  static int l1() {
    return L1;
  }

  /** L2 cache bytes. */
  static int l2() {
    return L2;
  }

  private static int read(int level, String type, int fallback) {
    Path dir = Path.of("/sys/devices/system/cpu/cpu0/cache");
    for (int i = 0; i < 8; i++) {
      Path index = dir.resolve("index" + i);
      try {
        if (Integer.parseInt(Files.readString(index.resolve("level")).trim()) == level
            && Files.readString(index.resolve("type")).trim().equals(type)) {
          return parseSize(Files.readString(index.resolve("size")).trim(), fallback);
        }
      } catch (IOException | NumberFormatException | SecurityException e) {
        // No such index, or not Linux: the fallback below.
      }
    }
    return fallback;
  }

  // "48K", "2048K", "1M"
  static int parseSize(String s, int fallback) {
    try {
      long unit =
          switch (s.charAt(s.length() - 1)) {
            case 'K' -> 1 << 10;
            case 'M' -> 1 << 20;
            default -> 1;
          };
      String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
      long bytes = Long.parseLong(digits) * unit;
      return bytes > 0 && bytes <= 1 << 30 ? (int) bytes : fallback;
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      return fallback;
    }
  }
}
