package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.runtime.Compute;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options that used to give wrong or slow results without a word. */
class OptionChecksTest {
  @TempDir static Path tmp;
  static Path data;

  @BeforeAll
  static void setUp() throws IOException {
    data = TinyCifar.write(tmp.resolve("cifar"), 40, 20);
  }

  @Test
  void repeatedSeedsAreRefused() {
    Path out = tmp.resolve("seeds");
    Cli r = Cli.run(Cli.args(data, out, "compare", "--seeds", "44,44")).oneLine(2);
    assertTrue(r.err().contains("--seeds lists 44 twice"), r.err());
    assertFalse(Files.exists(out));
    r = Cli.run(Cli.args(data, out, "sweep", "--lrs", "0.01,0.02,0.01")).oneLine(2);
    assertTrue(r.err().contains("--lrs lists 0.01 twice"), r.err());
    r = Cli.run(Cli.args(data, out, "compare", "--models", "net,net-bn,net")).oneLine(2);
    assertTrue(r.err().contains("--models lists net twice"), r.err());
  }

  @Test
  void threadsBeyondTheProcessorsAreCappedWithANotice() throws IOException {
    int cpus = Compute.availableProcessors();
    Path out = tmp.resolve("threads");
    Cli r = Cli.run(Cli.args(data, out, "train", "--epochs", "1", "--threads", "1000"));
    assertEquals(0, r.code(), r.err() + r.out());
    assertEquals(
        "bnlab: --threads 1000 capped at the " + cpus + " available processors\n",
        r.err().replace("\r", ""));
    assertEquals(cpus, Compute.threads());
    assertEquals(
        cpus,
        new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("threads").asInt());
  }

  @Test
  void aSubsetOfOneImageIsRefusedForHavingOneClass() {
    Path out = tmp.resolve("subset1");
    Cli r = Cli.run(Cli.args(data, out, "train", "--subset", "1")).oneLine(2);
    assertTrue(r.err().contains("--subset 1 leaves 1 of the 10 classes"), r.err());
    assertFalse(Files.exists(out));
  }
}
