package bnlab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report pairs each model with the baseline the run records name (summary.json's {@code
 * baseline}, config.json's {@code zoo}); folders written before that fall back to names.
 */
class PairingTest {
  @TempDir Path dir;

  private static String run(String model, String norm, String baseline, long seed) {
    return String.format(
        "{\"model\":\"%s\",\"norm\":\"%s\",\"baseline\":%s,\"seed\":%d,\"epochs\":5,"
            + "\"final_train_loss\":1.0,\"test_accuracy\":0.5,\"status\":\"ok\"}",
        model, norm, baseline == null ? "null" : "\"" + baseline + "\"", seed);
  }

  private List<String> pairs() {
    RunData d = RunData.load(dir);
    return Comparison.of(d, Group.models(d)).pairs().stream()
        .map(p -> p[0] + " vs " + p[1])
        .toList();
  }

  @Test
  void recordedBaselinesDecideThePairs() {
    // by names, net-bn would pair with vgg (the only plain model); the records say its baseline
    // net did not run
    new Fixture(dir)
        .write(
            "summary.json",
            "{\"runs\":["
                + String.join(
                    ",",
                    run("vgg", "none", null, 1),
                    run("net-bn", "batch", "net", 1),
                    run("vgg-bn", "batch", "vgg", 1))
                + "]}");
    assertEquals(List.of("vgg vs vgg-bn"), pairs());
  }

  @Test
  void namesNeedNotSayWhatTheModelIs() {
    new Fixture(dir)
        .write(
            "summary.json",
            "{\"runs\":["
                + String.join(",", run("fancy", "group", "plain", 1), run("plain", "none", null, 1))
                + "]}");
    assertEquals(List.of("plain vs fancy"), pairs());
  }

  @Test
  void withoutSummaryTheConfigZooPairsTheEpochs() {
    new Fixture(dir)
        .write(
            "config.json",
            "{\"command\":\"compare\",\"models\":[\"b\",\"a\"],\"zoo\":{"
                + "\"a\":{\"norm\":\"none\",\"baseline\":null},"
                + "\"b\":{\"norm\":\"batch\",\"baseline\":\"a\"}}}")
        .epoch("b", 1, 1, 1.0, 0.5)
        .epoch("a", 1, 1, 1.2, 0.4);
    assertEquals(List.of("a vs b"), pairs());
    RunData d = RunData.load(dir);
    assertEquals("batch", Comparison.of(d, Group.models(d)).norm("b"));
  }

  @Test
  void foldersWithoutBaselinesPairByName() {
    new Fixture(dir)
        .run("vgg", "none", 1, 1.0, 0.5)
        .run("net-bn", "batch", 1, 1.0, 0.5)
        .run("vgg-bn", "batch", 1, 1.0, 0.5);
    assertEquals(List.of("vgg vs net-bn", "vgg vs vgg-bn"), pairs());
  }

  @Test
  void nothingToPairComparesEveryModelWithTheFirst() {
    new Fixture(dir)
        .write(
            "summary.json",
            "{\"runs\":["
                + String.join(
                    ",", run("net-bn", "batch", "net", 1), run("net-gn", "group", "net", 1))
                + "]}");
    assertEquals(List.of("net-bn vs net-gn"), pairs());
  }

  @Test
  void anAsPublishedRunOfEqualLengthTakesTheBnModelFromTheRecords() {
    // names without "bn": the records say which model is the normalized one
    new Fixture(dir)
        .write(
            "config.json",
            "{\"command\":\"compare\",\"as_published\":true,\"zoo\":{"
                + "\"zeta\":{\"norm\":\"none\",\"baseline\":null},"
                + "\"alpha\":{\"norm\":\"batch\",\"baseline\":\"zeta\"}}}")
        .metrics("alpha", 44, 2, step -> Fixture.curve(1.4, 44, (long) step))
        .metrics("zeta", 44, 2, step -> Fixture.curve(1.4, 44, (long) step));
    RunData d = RunData.load(dir);
    String identity = Published.findings(d, Group.models(d)).get(0);
    assertTrue(identity.contains("\"BN\" run alpha"), identity);
    assertTrue(identity.contains("plain run zeta"), identity);
  }
}
