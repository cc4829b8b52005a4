package bnlab.experiment;

import bnlab.train.MetricsCsv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the seed inputs of {@link ResumeFuzzTest} into {@code
 * <resources>/bnlab/experiment/ResumeFuzzTestInputs/resume/}: a trainer state as a run saves it,
 * the damaged ones of issue #12 (no step, {@code "step":"abc"}), and metrics.csv files with a torn
 * row, a short row and a non-numeric row. Regenerate with {@code java -cp <test classpath>
 * bnlab.experiment.ResumeFuzzSeeds lab/src/test/resources}.
 */
final class ResumeFuzzSeeds {
  // as TrainCheckpoint writes the state into the checkpoint's metadata
  private static final com.fasterxml.jackson.databind.ObjectMapper COMPACT =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private ResumeFuzzSeeds() {}

  public static void main(String[] args) throws IOException {
    Path dir =
        Files.createDirectories(
            Path.of(args[0]).resolve("bnlab/experiment/ResumeFuzzTestInputs/resume"));
    RunConfig config = RunConfig.of("net-bn", 44, DataConfig.of("cifar10")).withEpochs(2);
    TrainerState s =
        new TrainerState(
            1,
            10,
            new double[] {2.25, 1},
            new double[] {2.31, 2.30, 2.29, 2.28, 2.27, 2.26, 2.25, 2.24, 2.23, 2.25},
            0.15,
            3.5,
            2.31,
            3.0,
            40,
            Map.of("bn1.mean_shift", Double.NaN),
            config);
    String json = COMPACT.writeValueAsString(Json.MAPPER.convertValue(s, Map.class));
    write(dir, "state", 0, json);
    write(dir, "state-no-step", 0, json.replaceFirst("\"step\":10,", ""));
    write(dir, "state-step-abc", 0, json.replace("\"step\":10", "\"step\":\"abc\""));
    write(dir, "state-old-version", 0, json.replaceFirst(",\"config\":\\{.*\\}}$", "}"));
    String rows =
        MetricsCsv.HEADER
            + "\nnet-bn,44,1,3,2.30,1.0E-4\nnet,44,1,3,2.29,1.0E-4\nnet-bn,44,1,6,2.27,1.0E-4\n"
            + "net-bn,44,1,9,2.26,1.0E-4\n";
    write(dir, "metrics", 1, rows);
    write(dir, "metrics-torn", 1, rows + "net-bn,");
    write(dir, "metrics-short-and-nan", 1, rows + "net-bn,44,2,abc,2.30,0.01\nnet-bn,44,2\n");
    write(dir, "metrics-header-cut", 1, "model,seed,ep");
  }

  private static void write(Path dir, String name, int kind, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    byte[] input = new byte[b.length + 1];
    input[0] = (byte) kind;
    System.arraycopy(b, 0, input, 1, b.length);
    Files.write(dir.resolve(name), input);
  }
}
