package bnlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * config.json is the configuration records serialised: the keys and their order are those the lab's
 * files have always had (the lists below are copied from files the previous build wrote), plus
 * {@code zoo}; a run configuration survives a JSON round trip.
 */
class ConfigJsonTest {
  static final DataConfig DATA = new DataConfig("cifar10", null, 500, 200);

  static List<String> keys(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  static final List<String> COMPARE_KEYS =
      List.of(
          "command",
          "models",
          "seeds",
          "epochs",
          "batch_size",
          "lr",
          "optimizer",
          "dataset",
          "data",
          "subset",
          "subset_seed",
          "test_subset",
          "as_published",
          "log_every",
          "probe_every",
          "probe_etas",
          "transform",
          "threads");

  @Test
  void compareHasTheKeysOfThePreviousBuildAndTheZoo() throws Exception {
    JsonNode old = Json.MAPPER.readTree(getClass().getResourceAsStream("compare-old-config.json"));
    List<String> expected = new ArrayList<>(keys(old));
    expected.removeAll(List.of("data_source", "environment"));
    assertEquals(COMPARE_KEYS, expected, "the reference file");
    expected.add("zoo");
    CompareConfig c =
        CompareConfig.compare(
            List.of("net", "net-bn"),
            List.of(44L),
            TrainingOptions.defaults(DataConfig.of("cifar10")));
    JsonNode now = Json.tree(c);
    assertEquals(expected, keys(now));
    for (String k : COMPARE_KEYS) {
      assertEquals(old.get(k), now.get(k), k);
    }
    assertEquals("net", now.at("/zoo/net-bn/baseline").asText());
    assertEquals("batch", now.at("/zoo/net-bn/norm").asText());
    assertTrue(now.at("/zoo/net/baseline").isNull());
  }

  @Test
  void asPublishedRecordsEpochsPerModelAndTheNote() {
    TrainingOptions o =
        new TrainingOptions(3, 10, 1e-4, "adam", DATA, true, 500, 500, RunConfig.PROBE_ETAS, 2);
    JsonNode n =
        Json.tree(
            CompareConfig.compare(List.of("net", CompareConfig.PUBLISHED_BN), List.of(1L), o));
    List<String> expected = new ArrayList<>(COMPARE_KEYS);
    expected.addAll(List.of("epochs_per_model", "as_published_note", "zoo"));
    assertEquals(expected, keys(n));
    assertEquals(3, n.at("/epochs_per_model/net").asInt());
    assertEquals(6, n.at("/epochs_per_model/net-published-bn").asInt());
    assertEquals(500, n.get("subset").asInt());
    assertEquals(0, n.get("subset_seed").asInt());
    assertEquals(2, n.get("threads").asInt());
  }

  @Test
  void sweepAndSmallBatchKeys() {
    SweepConfig sweep =
        new SweepConfig(
            List.of("net"),
            List.of(44L),
            TrainingOptions.defaults(DATA),
            List.of(0.01),
            List.of(4),
            2,
            3);
    List<String> expected = new ArrayList<>(COMPARE_KEYS);
    expected.addAll(List.of("lrs", "batch_sizes", "parallel", "diverge_factor", "zoo"));
    assertEquals(expected, keys(Json.tree(sweep)));
    assertEquals("sweep", Json.tree(sweep).get("command").asText());

    SmallBatchConfig sb =
        new SmallBatchConfig(
            List.of("net-bn"), List.of(4, 16), 2000, List.of(44L), 0.02, 0.9, 2, DATA, 2);
    // the keys of config.json of `study small-batch` in the previous build, then zoo
    assertEquals(
        List.of(
            "command",
            "models",
            "batch_sizes",
            "samples",
            "seeds",
            "optimizer",
            "lr_at_batch_32",
            "lr_rule",
            "momentum",
            "classes_per_batch",
            "dataset",
            "data",
            "subset",
            "subset_seed",
            "test_subset",
            "train_mode_test_batches",
            "transform",
            "parallel",
            "zoo"),
        keys(Json.tree(sb)));
    assertEquals("study small-batch", Json.tree(sb).get("command").asText());
    assertEquals(0.02, Json.tree(sb).get("lr_at_batch_32").asDouble());
  }

  @Test
  void aRunConfigurationSurvivesJson() throws Exception {
    RunConfig epochs = RunConfig.of("net-gbn", 7, DATA).withBatchSize(16).withEpochs(3);
    RunConfig samples =
        new SmallBatchConfig(
                List.of("net-bn"), List.of(4), 2000, List.of(44L), 0.02, 0.5, 2, DATA, 1)
            .run("net-bn", 4, 2, 44);
    for (RunConfig c : List.of(epochs, samples)) {
      String json = Json.MAPPER.writeValueAsString(c);
      assertEquals(c, Json.MAPPER.readValue(json, RunConfig.class), json);
    }
    JsonNode n = Json.tree(samples);
    assertEquals(2000, n.at("/budget/samples").asInt());
    assertEquals(0.02 * 4 / 32, n.at("/optimizer/lr").asDouble());
    assertEquals(0.5, n.at("/optimizer/momentum").asDouble());
    assertEquals(0, n.at("/batching/first_loader_epoch").asInt());
    assertTrue(n.at("/evaluation/train_mode_test").asBoolean());
    assertTrue(Json.tree(epochs).at("/optimizer/momentum").isNull());
    assertEquals(3, Json.tree(epochs).at("/budget/epochs").asInt());
    assertTrue(epochs.batching().dropLast(), "Ghost BN drops the last partial batch");
  }

  @Test
  void cellsAndResultsTravelAsJavaObjects() throws Exception {
    GridCell cell =
        new SmallBatchConfig(
                List.of("net-bn"), List.of(4), 2000, List.of(44L), 0.02, 0.5, 2, DATA, 1)
            .grid()
            .cells()
            .get(1);
    RunResult result =
        new RunResult(
            "net-bn",
            "batch",
            "net",
            44,
            3,
            500,
            1.5,
            0.4,
            12.0,
            900.0,
            "ok",
            null,
            java.util.Map.of(RunConfig.TRAIN_MODE_ACCURACY, 0.35));
    for (Object o : List.of(cell, result)) {
      var bytes = new java.io.ByteArrayOutputStream();
      try (var out = new java.io.ObjectOutputStream(bytes)) {
        out.writeObject(o);
      }
      try (var in =
          new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
        assertEquals(o, in.readObject());
      }
    }
  }
}
