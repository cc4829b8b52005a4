package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GhostBatchSizeTest {
  @Test
  void ghostModelTrainsWithProbesWhenTheBatchDividesIntoVirtualBatches(@TempDir Path tmp)
      throws Exception {
    // The activation probes run a fixed batch through the model in training mode; it must be a
    // whole number of training batches (here 96 = 6 × 16), or Ghost BN would refuse it.
    Path data = TinyCifar.write(tmp.resolve("cifar"), 200, 20);
    CliTest.Result r =
        CliTest.bnlab(
            "train",
            "--model",
            "net-gbn",
            "--data",
            data.toString(),
            "--batch-size",
            "16",
            "--epochs",
            "1",
            "--probe-every",
            "5",
            "--out",
            tmp.resolve("run").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains(" ok "), r.out());
  }

  @Test
  void ghostModelWithIndivisibleBatchIsAOneLineUserError(@TempDir Path dir) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            new String[] {
              "compare",
              "--models",
              "net,net-gbn",
              "--batch-size",
              "10",
              "--out",
              dir.resolve("run").toString()
            },
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String message = err.toString(StandardCharsets.UTF_8).strip();
    assertEquals(2, code, message);
    assertEquals(1, message.lines().count(), message);
    assertTrue(message.contains("multiple of 8") && message.contains("net-gbn"), message);
  }
}
