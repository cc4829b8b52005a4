package bnlab.io;

import bnlab.nn.Sequential;
import bnlab.optim.Adam;
import bnlab.optim.Nets;
import bnlab.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the seed inputs of {@link SafeTensorsFuzzTest} into {@code
 * <resources>/bnlab/io/SafeTensorsFuzzTestInputs/checkpoint/}: checkpoints of the target's model
 * with and without optimizer state, one with a NaN weight, and files that use every header field.
 * Regenerate with {@code java -cp <test classpath> bnlab.io.FuzzSeeds core/src/test/resources}.
 */
final class FuzzSeeds {
  private FuzzSeeds() {}

  public static void main(String[] args) throws IOException {
    Path dir =
        Files.createDirectories(
            Path.of(args[0]).resolve("bnlab/io/SafeTensorsFuzzTestInputs/checkpoint"));
    Sequential m = Nets.mlp(3, 2);
    Optimizer opt = new Adam(m.parameters(), 1e-3);
    Nets.trainStep(m, opt, Nets.input(4, 5));
    Checkpoint.save(m, dir.resolve("model-only"));
    Checkpoint.save(m, opt, Map.of("epoch", "1"), dir.resolve("with-optimizer"));
    m.namedParameters().values().iterator().next().data().data()[1] = Float.NaN;
    Checkpoint.save(m, dir.resolve("nan-weight"));
    Map<String, StoredTensor> odd =
        Map.of(
            "scalar",
            StoredTensor.i64(7),
            "empty",
            new StoredTensor(DType.F16, new int[] {0, 3}, new byte[0]),
            "bytes",
            new StoredTensor(DType.U8, new int[] {2, 2}, new byte[] {1, 2, 3, 4}));
    Files.write(
        dir.resolve("other-dtypes"), SafeTensors.serialize(odd, Map.of("note", "\u00e9\"\\")));
  }
}
