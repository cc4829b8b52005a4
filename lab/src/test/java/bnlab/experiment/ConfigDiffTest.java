package bnlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The --resume identity check, key by key, with the rules the records' annotations set. */
class ConfigDiffTest {
  static CompareConfig compare(TrainingOptions o) {
    return CompareConfig.compare(List.of("net", "net-bn"), List.of(44L), o);
  }

  static TrainingOptions defaults() {
    return TrainingOptions.defaults(DataConfig.of("cifar10"));
  }

  @Test
  void theSameRunHasNoDifferences() {
    CompareConfig c = compare(defaults());
    assertEquals(List.of(), ConfigDiff.between(Json.tree(c), c));
  }

  @Test
  void aRunWrittenByThePreviousBuildResumes() throws Exception {
    // config.json of `bnlab compare --seeds 44` written before the experiment API existed: no zoo
    JsonNode old = Json.MAPPER.readTree(getClass().getResourceAsStream("compare-old-config.json"));
    assertEquals(List.of(), ConfigDiff.between(old, compare(defaults())));
  }

  @Test
  void everyDifferingValueIsNamedWithBothValues() {
    JsonNode was = Json.tree(compare(defaults()));
    CompareConfig now =
        CompareConfig.compare(List.of("net", "net-bn"), List.of(44L, 45L), defaults().withLr(1e-3));
    assertEquals(
        List.of("seeds was [44], now [44,45]", "lr was 1.0E-4, now 0.001"),
        ConfigDiff.between(was, now));
  }

  @Test
  void moreEpochsExtendARunFewerAreRefused() {
    JsonNode was = Json.tree(compare(defaults().withEpochs(3)));
    assertEquals(List.of(), ConfigDiff.between(was, compare(defaults().withEpochs(5))));
    assertEquals(
        List.of("epochs was 3, now 2 (a run can be extended, not cut)"),
        ConfigDiff.between(was, compare(defaults().withEpochs(2))));
  }

  @Test
  void sessionSettingsAndTheEngineAdditionsAreNotCompared() {
    ObjectNode was = (ObjectNode) Json.tree(compare(defaults()));
    was.put("threads", 7).put("data_source", "/somewhere/else");
    was.putObject("environment").put("jdk", "21");
    was.putObject("zoo").putObject("net").put("baseline", "other");
    assertEquals(List.of(), ConfigDiff.between(was, compare(defaults())));
    SweepConfig a =
        new SweepConfig(List.of("net"), List.of(1L), defaults(), List.of(0.1), List.of(4), 1, 3);
    SweepConfig b =
        new SweepConfig(List.of("net"), List.of(1L), defaults(), List.of(0.1), List.of(4), 2, 3);
    assertEquals(List.of(), ConfigDiff.between(Json.tree(a), b));
  }

  @Test
  void keysOnlyOneSideHasAreDifferences() {
    ObjectNode was = (ObjectNode) Json.tree(compare(defaults()));
    was.put("lrs", "[0.1]");
    was.remove("probe_every");
    List<String> diff = ConfigDiff.between(was, compare(defaults()));
    assertEquals(List.of("lrs was [0.1], now absent", "probe_every was absent, now 500"), diff);
  }

  @Test
  void nestedRecordsAreComparedByPath() {
    DataConfig d = new DataConfig("cifar10", null, 100, 50);
    RunConfig a = RunConfig.of("net-bn", 1, d).withEpochs(2);
    JsonNode was = Json.tree(a);
    assertEquals(List.of(), ConfigDiff.between(was, a.withEpochs(4)), "epochs may grow");
    assertEquals(
        List.of("optimizer.lr was 1.0E-4, now 0.01"), ConfigDiff.between(was, a.withLr(0.01)));
    List<String> budget = ConfigDiff.between(was, a.withSamples(1000));
    assertTrue(
        budget.contains("budget.epochs was 2, now absent")
            && budget.contains("budget.samples was absent, now 1000"),
        budget.toString());
    JsonNode samples = Json.tree(a.withSamples(1000));
    assertEquals(
        List.of("budget.samples was 1000, now 2000"),
        ConfigDiff.between(samples, a.withSamples(2000)),
        "a sample budget cannot grow: the last epoch was cut short");
  }
}
