package bnlab.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/** Writes synthetic run folders following the run-folder contract, for the report tests. */
final class Fixture {
  final Path dir;
  private final List<String> summaryRuns = new ArrayList<>();
  private final StringBuilder metrics = new StringBuilder("model,seed,epoch,step,train_loss,lr\n");
  private final StringBuilder epochs =
      new StringBuilder("model,seed,epoch,train_loss,test_loss,test_accuracy,seconds\n");

  Fixture(Path dir) {
    this.dir = dir;
  }

  static String f(double v) {
    return Double.toString(v);
  }

  /** A loss curve decaying from about 2.3 towards {@code floor}, shifted per seed. */
  static double curve(double floor, long seed, long step) {
    return floor + (2.3 - floor) * Math.exp(-step / 4000.0) + 0.01 * (seed % 7);
  }

  Fixture config(String command, List<String> models, List<Long> seeds, boolean asPublished) {
    String json =
        String.format(
            Locale.ROOT,
            "{\"command\":\"%s\",\"models\":[%s],\"seeds\":%s,\"epochs\":5,\"batch_size\":10,"
                + "\"lr\":1e-4,\"optimizer\":\"adam\",\"dataset\":\"cifar10\",\"subset\":null,"
                + "\"as_published\":%b,\"log_every\":500,\"probe_every\":500,"
                + "\"environment\":{\"bnlab_version\":\"0.1.0\",\"jdk\":\"25\",\"cpus\":2,"
                + "\"kernels\":\"vector\",\"note\":\"<b>not bold</b> & co\"}}",
            command,
            String.join(",", models.stream().map(m -> "\"" + m + "\"").toList()),
            seeds,
            asPublished);
    return write("config.json", json);
  }

  /** metrics.csv rows: 5000 mini-batches per epoch, logged every 500. */
  Fixture metrics(String model, long seed, int epochCount, DoubleUnaryOperator lossOfStep) {
    for (int e = 1; e <= epochCount; e++) {
      for (int s = 500; s <= 5000; s += 500) {
        long step = (long) (e - 1) * 5000 + s;
        metrics.append(
            String.format(
                Locale.ROOT,
                "%s,%d,%d,%d,%s,0.0001\n",
                model,
                seed,
                e,
                step,
                f(lossOfStep.applyAsDouble(step))));
      }
    }
    return write("metrics.csv", metrics.toString());
  }

  Fixture epoch(String model, long seed, int epoch, double trainLoss, double accuracy) {
    epochs.append(
        String.format(
            Locale.ROOT,
            "%s,%d,%d,%s,%s,%s,12.5\n",
            model,
            seed,
            epoch,
            f(trainLoss),
            f(trainLoss + 0.1),
            f(accuracy)));
    return write("epochs.csv", epochs.toString());
  }

  Fixture run(String model, String norm, long seed, double loss, double accuracy) {
    return run(model, norm, seed, 5, loss, accuracy, "ok", "");
  }

  Fixture run(
      String model,
      String norm,
      long seed,
      int epochCount,
      double loss,
      double accuracy,
      String status,
      String message) {
    summaryRuns.add(
        String.format(
            Locale.ROOT,
            "{\"model\":\"%s\",\"norm\":\"%s\",\"seed\":%d,\"epochs\":%d,"
                + "\"final_train_loss\":%s,\"test_accuracy\":%s,\"wall_seconds\":61.5,"
                + "\"train_images_per_second\":812.25,\"status\":\"%s\",\"message\":\"%s\"}",
            model,
            norm,
            seed,
            epochCount,
            Double.isFinite(loss) ? f(loss) : "NaN",
            Double.isFinite(accuracy) ? f(accuracy) : "null",
            status,
            message));
    return write("summary.json", "{\"runs\":[" + String.join(",\n", summaryRuns) + "]}\n");
  }

  Fixture write(String name, String text) {
    try {
      Path p = dir.resolve(name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Probes of two models: BN keeps percentiles and landscape tight, the plain model drifts. */
  Fixture probes(List<String> models, List<Long> seeds) {
    StringBuilder act = new StringBuilder("model,seed,step,layer,mean,std,p15,p50,p85\n");
    StringBuilder grad =
        new StringBuilder("model,seed,step,layer,grad_norm,weight_norm,update_ratio\n");
    StringBuilder land = new StringBuilder("model,seed,step,eta,loss,grad_diff_norm,step_norm\n");
    for (int m = 0; m < models.size(); m++) {
      String model = models.get(m);
      boolean bn = model.contains("bn");
      for (long seed : seeds) {
        for (long step = 0; step <= 5000; step += 500) {
          double drift = bn ? 0 : step / 2000.0;
          String[] layers =
              bn ? new String[] {"bn1", "bn2", "bn3"} : new String[] {"conv1", "conv2", "fc1"};
          for (int l = 0; l < layers.length; l++) {
            double mid = drift * (l + 1);
            act.append(
                String.format(
                    Locale.ROOT,
                    "%s,%d,%d,%s,%s,1.0,%s,%s,%s\n",
                    model,
                    seed,
                    step,
                    layers[l],
                    f(mid),
                    f(mid - 1),
                    f(mid),
                    f(mid + 1)));
            grad.append(
                String.format(
                    Locale.ROOT,
                    "%s,%d,%d,%s.weight,%s,3.0,0.001\n",
                    model,
                    seed,
                    step,
                    layers[l],
                    f(Math.pow(10, -l - (bn ? 0 : 1)) * (1 + step / 5000.0))));
          }
          for (double eta : new double[] {0.0, 0.05, 0.1, 0.2}) {
            double width = bn ? 0.1 : 1.0;
            land.append(
                String.format(
                    Locale.ROOT,
                    "%s,%d,%d,%s,%s,%s,%s\n",
                    model,
                    seed,
                    step,
                    f(eta),
                    f(1.5 + width * eta),
                    f(width * eta * 3),
                    f(eta * 2)));
          }
        }
      }
    }
    write("probes/activations.csv", act.toString());
    write("probes/gradients.csv", grad.toString());
    return write("probes/landscape.csv", land.toString());
  }
}
