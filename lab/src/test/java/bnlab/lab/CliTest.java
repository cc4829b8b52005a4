package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end on a tiny generated CIFAR-10 (seconds). */
class CliTest {
  @TempDir static Path tmp;
  static Path data;

  @BeforeAll
  static void setUp() throws IOException {
    data = TinyCifar.write(tmp.resolve("cifar"), 40, 20);
  }

  record Result(int code, String out, String err) {}

  static Result bnlab(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static String[] args(Path out, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--data",
                data.toString(),
                "--lr",
                "0.01",
                "--batch-size",
                "4",
                "--log-every",
                "3",
                "--probe-every",
                "0",
                "--no-progress",
                "--out",
                out.toString()));
    a.add(0, extra[0]);
    a.addAll(Arrays.asList(extra).subList(1, extra.length));
    return a.toArray(String[]::new);
  }

  @Test
  void compareWritesTheRunFolder() throws IOException {
    Path out = tmp.resolve("compare");
    Result r =
        bnlab(
            args(
                out,
                "compare",
                "--models",
                "net,net-bn",
                "--seeds",
                "1,2",
                "--epochs",
                "2",
                "--probe-every",
                "5"));
    assertEquals(0, r.code(), r.err() + r.out());
    assertTrue(r.out().contains("Loss after mini-batch     3: "), r.out());
    List<String> metrics = Files.readAllLines(out.resolve("metrics.csv"));
    assertEquals("model,seed,epoch,step,train_loss,lr", metrics.get(0));
    // 10 batches per epoch, 2 epochs, a row every 3 steps: steps 3..18, for each of 2 seeds
    assertEquals(1 + 4 * 6, metrics.size(), String.join("\n", metrics));
    assertTrue(metrics.get(1).startsWith("net,1,1,3,"), metrics.get(1));
    List<String> epochs = Files.readAllLines(out.resolve("epochs.csv"));
    assertEquals("model,seed,epoch,train_loss,test_loss,test_accuracy,seconds", epochs.get(0));
    assertEquals(1 + 8, epochs.size());
    assertTrue(Files.exists(out.resolve("checkpoints/net-bn-seed1.safetensors")));
    assertTrue(Files.readAllLines(out.resolve("probes/gradients.csv")).size() > 1);
    assertTrue(Files.readAllLines(out.resolve("probes/activations.csv")).size() > 1);
    assertTrue(Files.readAllLines(out.resolve("probes/landscape.csv")).size() > 1);
    assertTrue(Files.size(out.resolve("report.html")) > 1000, "report.html rendered");
    // landscape: step_norm = eta * ||g|| with one g per (model, seed, step)
    java.util.Map<String, Double> gNorm = new java.util.HashMap<>();
    List<String> land = Files.readAllLines(out.resolve("probes/landscape.csv"));
    assertEquals("model,seed,step,eta,loss,grad_diff_norm,step_norm", land.get(0));
    for (String line : land.subList(1, land.size())) {
      String[] f = line.split(",");
      double g = Double.parseDouble(f[6]) / Double.parseDouble(f[3]);
      Double first = gNorm.putIfAbsent(f[0] + f[1] + "," + f[2], g);
      if (first != null) {
        assertEquals(first, g, 1e-9 * first, line);
      }
    }
    assertEquals(0, bnlab("report", out.toString()).code());
    Result bad = bnlab("report", tmp.resolve("no-such-run").toString());
    assertEquals(2, bad.code());
    assertEquals(1, bad.err().strip().lines().count(), bad.err());

    JsonNode cfg = new ObjectMapper().readTree(out.resolve("config.json").toFile());
    assertEquals("compare", cfg.get("command").asText());
    assertEquals(4, cfg.get("batch_size").asInt());
    assertFalse(cfg.get("as_published").asBoolean());
    assertTrue(cfg.get("environment").has("jdk"));
    assertTrue(cfg.get("environment").has("git_commit"));

    JsonNode runs = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("runs");
    assertEquals(4, runs.size());
    for (JsonNode run : runs) {
      for (String key :
          List.of(
              "model",
              "norm",
              "seed",
              "epochs",
              "final_train_loss",
              "test_accuracy",
              "wall_seconds",
              "train_images_per_second",
              "status")) {
        assertTrue(run.has(key), "summary run lacks " + key + ": " + run);
      }
      assertEquals("ok", run.get("status").asText());
      assertEquals(2, run.get("epochs").asInt());
      assertTrue(run.get("final_train_loss").isNumber());
      double acc = run.get("test_accuracy").asDouble();
      assertTrue(acc >= 0 && acc <= 1, "accuracy " + acc);
      assertTrue(run.get("wall_seconds").asDouble() > 0);
    }
    // final_train_loss is the mean over the last 500 mini-batches = all 20 of the run here
    double mean = meanTrainLoss(epochs, "net", "1");
    assertEquals(mean, runs.get(0).get("final_train_loss").asDouble(), 1e-6);
  }

  private static double meanTrainLoss(List<String> epochs, String model, String seed) {
    double sum = 0;
    int n = 0;
    for (String line : epochs.subList(1, epochs.size())) {
      String[] f = line.split(",");
      if (f[0].equals(model) && f[1].equals(seed)) {
        sum += Double.parseDouble(f[3]);
        n++;
      }
    }
    return sum / n;
  }

  @Test
  void resumeIsBitIdenticalToAnUninterruptedRun() throws IOException {
    Path once = tmp.resolve("once");
    Path twice = tmp.resolve("twice");
    assertEquals(0, bnlab(args(once, "train", "--model", "net-bn", "--epochs", "3")).code());
    assertEquals(0, bnlab(args(twice, "train", "--model", "net-bn", "--epochs", "1")).code());
    Result r = bnlab(args(twice, "train", "--model", "net-bn", "--epochs", "3", "--resume"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("resumed after epoch 1"), r.out());
    assertEquals(
        Files.readAllLines(once.resolve("metrics.csv")),
        Files.readAllLines(twice.resolve("metrics.csv")));
    assertEquals(withoutSeconds(once), withoutSeconds(twice));
    assertArrayEquals(weights(once), weights(twice));
    JsonNode a = new ObjectMapper().readTree(once.resolve("summary.json").toFile());
    JsonNode b = new ObjectMapper().readTree(twice.resolve("summary.json").toFile());
    assertEquals(
        a.at("/runs/0/final_train_loss").asDouble(), b.at("/runs/0/final_train_loss").asDouble());
  }

  private static byte[] weights(Path run) throws IOException {
    byte[] all = Files.readAllBytes(run.resolve("checkpoints/net-bn-seed44.safetensors"));
    long h = java.nio.ByteBuffer.wrap(all).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    return Arrays.copyOfRange(all, 8 + (int) h, all.length);
  }

  private static List<String> withoutSeconds(Path run) throws IOException {
    return Files.readAllLines(run.resolve("epochs.csv")).stream()
        .map(l -> l.substring(0, l.lastIndexOf(',')))
        .toList();
  }

  @Test
  void probesDoNotChangeTraining() throws IOException {
    Path off = tmp.resolve("probes-off");
    Path on = tmp.resolve("probes-on");
    assertEquals(0, bnlab(args(off, "train", "--model", "net-bn", "--epochs", "2")).code());
    Result r = bnlab(args(on, "train", "--model", "net-bn", "--epochs", "2", "--probe-every", "1"));
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.readAllLines(on.resolve("probes/landscape.csv")).size() > 20);
    assertEquals(
        Files.readAllLines(off.resolve("metrics.csv")),
        Files.readAllLines(on.resolve("metrics.csv")));
    assertEquals(withoutSeconds(off), withoutSeconds(on));
    assertArrayEquals(weights(off), weights(on));
  }

  @Test
  void aNanLossStopsTheRunAndKeepsTheOthers() throws IOException {
    Path out = tmp.resolve("nan");
    Result r =
        bnlab(args(out, "compare", "--models", "net", "--seeds", "5,6", "--epochs", "2").clone());
    assertEquals(0, r.code());
    Result bad =
        bnlab(
            args(
                tmp.resolve("nan2"),
                "compare",
                "--models",
                "net,net-bn",
                "--seeds",
                "5,6",
                "--epochs",
                "2",
                "--lr",
                "1e30"));
    assertEquals(1, bad.code(), bad.out() + bad.err());
    assertTrue(bad.out().contains("model net, seed 5, epoch 1, step"), bad.out());
    assertFalse(bad.err().contains("Exception"), bad.err());
    JsonNode runs =
        new ObjectMapper().readTree(tmp.resolve("nan2/summary.json").toFile()).get("runs");
    assertEquals(4, runs.size(), "the other runs still ran");
    assertEquals("diverged", runs.get(0).get("status").asText());
    assertTrue(
        runs.get(0).get("message").asText().contains("NaN")
            || runs.get(0).get("message").asText().contains("Infinity"));
    assertTrue(Files.exists(tmp.resolve("nan2/metrics.csv")));
  }

  @Test
  void userErrorsAreOneLineWithoutStackTrace() throws IOException {
    Path occupied = tmp.resolve("occupied");
    assertEquals(0, bnlab(args(occupied, "train", "--model", "net-bn", "--epochs", "1")).code());
    List<String[]> cases =
        List.of(
            args(tmp.resolve("e1"), "compare", "--models", "nosuchnet"),
            args(tmp.resolve("e2"), "compare", "--models", "net", "--dataset", "imagenet"),
            args(tmp.resolve("e3"), "compare", "--models", "net", "--batch-size", "0"),
            args(tmp.resolve("e4"), "compare", "--models", "net", "--lr", "-0.1"),
            args(occupied, "train", "--model", "net-bn", "--epochs", "1"),
            args(tmp.resolve("e6"), "train", "--model", "net-bn", "--optimizer", "rmsprop"),
            args(tmp.resolve("e7"), "train", "--model", "net-bn", "--epochs", "x"),
            new String[] {
              "train",
              "--model",
              "net",
              "--data",
              "/no/such/dir",
              "--out",
              tmp.resolve("e8").toString()
            },
            new String[] {"compare", "--no-such-option"},
            new String[] {
              "eval",
              occupied.resolve("checkpoints/net-bn-seed44.safetensors").toString(),
              "--model",
              "net",
              "--data",
              data.toString()
            });
    for (String[] a : cases) {
      Result r = bnlab(a);
      String what = String.join(" ", a) + " -> " + r.err();
      assertEquals(2, r.code(), what);
      assertEquals(1, r.err().strip().lines().count(), what);
      assertTrue(r.err().startsWith("bnlab: "), what);
      assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), what);
    }
    assertTrue(
        bnlab(args(occupied, "train", "--model", "net-bn", "--epochs", "1"))
            .err()
            .contains("--overwrite"));
    assertEquals(
        0,
        bnlab(args(occupied, "train", "--model", "net-bn", "--epochs", "1", "--overwrite")).code());
  }

  @Test
  void asPublishedBnRunRepeatsNetThenTrainsLonger() throws IOException {
    Path out = tmp.resolve("published");
    Result r = bnlab(args(out, "compare", "--as-published", "--epochs", "1"));
    assertEquals(0, r.code(), r.err() + r.out());
    JsonNode cfg = new ObjectMapper().readTree(out.resolve("config.json").toFile());
    assertTrue(cfg.get("as_published").asBoolean());
    assertEquals(2, cfg.at("/epochs_per_model/net-published-bn").asInt());
    List<String> net = rowsOf(out.resolve("metrics.csv"), "net,");
    List<String> pub = rowsOf(out.resolve("metrics.csv"), "net-published-bn,");
    assertEquals(3, net.size());
    assertEquals(6, pub.size());
    assertEquals(net, pub.subList(0, 3), "same seed: the first epoch is identical");
    List<String> netEpochs = rowsOf(out.resolve("epochs.csv"), "net,");
    List<String> pubEpochs = rowsOf(out.resolve("epochs.csv"), "net-published-bn,");
    assertEquals(1, netEpochs.size());
    assertEquals(2, pubEpochs.size());
    String a = netEpochs.get(0);
    String b = pubEpochs.get(0);
    assertEquals(a.substring(0, a.lastIndexOf(',')), b.substring(0, b.lastIndexOf(',')));
  }

  /** Rows starting with {@code prefix}, with the model column removed. */
  private static List<String> rowsOf(Path csv, String prefix) throws IOException {
    return Files.readAllLines(csv).stream()
        .filter(l -> l.startsWith(prefix))
        .map(l -> l.substring(prefix.length()))
        .toList();
  }

  @Test
  void helpEverywhere() {
    for (String cmd : List.of("compare", "train", "eval", "sweep", "models", "report", "bench")) {
      Result r = bnlab(cmd, "--help");
      assertEquals(0, r.code(), cmd);
      assertTrue(r.out().contains("Usage: bnlab " + cmd), r.out());
    }
    assertEquals(0, bnlab("--help").code());
  }

  @Test
  void sweepRecordsDivergence() throws IOException {
    Path out = tmp.resolve("sweep");
    Result r =
        bnlab(
            args(
                out,
                "sweep",
                "--models",
                "net,net-bn",
                "--lrs",
                "0.01,1e30",
                "--epochs",
                "1",
                "--parallel",
                "2",
                "--test-subset",
                "10"));
    assertEquals(0, r.code(), r.err() + r.out());
    assertEquals(
        10,
        new ObjectMapper()
            .readTree(out.resolve("config.json").toFile())
            .get("test_subset")
            .asInt());
    List<String> rows = Files.readAllLines(out.resolve("sweep.csv"));
    assertEquals(
        "model,norm,lr,batch_size,seed,epochs,final_train_loss,test_accuracy,diverged",
        rows.get(0));
    assertEquals(5, rows.size(), String.join("\n", rows));
    assertTrue(
        rows.stream().anyMatch(l -> l.startsWith("net,none,0.01,4,44,1,") && l.endsWith(",false")));
    assertTrue(
        rows.stream().anyMatch(l -> l.startsWith("net,none,1.0E30,4,44,") && l.endsWith(",true")));
    assertTrue(
        rows.stream()
            .anyMatch(l -> l.startsWith("net-bn,batch,1.0E30,4,44,") && l.endsWith(",true")));
  }

  @Test
  void evalReadsACheckpoint() {
    Path out = tmp.resolve("foreval");
    assertEquals(0, bnlab(args(out, "train", "--model", "net-bn", "--epochs", "1")).code());
    Result r =
        bnlab(
            "eval",
            out.resolve("checkpoints/net-bn-seed44.safetensors").toString(),
            "--data",
            data.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("net-bn on 20 test images"), r.out());
  }
}
