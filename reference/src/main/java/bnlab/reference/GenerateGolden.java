package bnlab.reference;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes bnlab's golden files from PyTorch's own CPU kernels (libtorch via DJL, offline).
 *
 * <p>Usage: {@code reference/generate.sh} (or this class's main with the output directory, default
 * {@code core/src/test/resources/golden}). Every input is generated here with a fixed seed and
 * stored in the file, so bnlab's tests read inputs and expected results from the file alone.
 */
public final class GenerateGolden {
  private GenerateGolden() {}

  /** Generates every case into {@code args[0]}. */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "core/src/test/resources/golden");
    Files.createDirectories(dir);
    long total = 0;
    try (NDManager m = Torch.start()) {
      System.out.println("Generating golden files with " + Torch.describe() + " into " + dir);
      List<GoldenFile> files = new ArrayList<>();
      files.addAll(LayerCases.all(m));
      files.addAll(BatchNormCases.all(m));
      files.addAll(OptimizerCases.all(m));
      files.addAll(NetCase.all(m));
      files.addAll(KerasCase.all(m));
      files.addAll(ResNetCases.all(m));
      for (GoldenFile f : files) {
        total += f.write(dir);
      }
      System.out.printf("%d files, %d bytes%n", files.size(), total);
    }
  }
}
