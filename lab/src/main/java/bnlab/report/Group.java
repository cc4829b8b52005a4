package bnlab.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Grouping of CSV rows, keeping first-appearance order (or numeric order for sorted keys). */
final class Group {
  private Group() {}

  static <K> Map<K, List<Csv.Row>> by(List<Csv.Row> rows, Function<Csv.Row, K> key) {
    Map<K, List<Csv.Row>> out = new LinkedHashMap<>();
    for (Csv.Row r : rows) {
      out.computeIfAbsent(key.apply(r), k -> new ArrayList<>()).add(r);
    }
    return out;
  }

  static <K extends Comparable<K>> TreeMap<K, List<Csv.Row>> sorted(
      List<Csv.Row> rows, Function<Csv.Row, K> key) {
    TreeMap<K, List<Csv.Row>> out = new TreeMap<>();
    for (Csv.Row r : rows) {
      out.computeIfAbsent(key.apply(r), k -> new ArrayList<>()).add(r);
    }
    return out;
  }

  static double[] values(List<Csv.Row> rows, String column) {
    return rows.stream().mapToDouble(r -> r.d(column)).toArray();
  }

  /**
   * The models of a run in a stable order: config.json's "models" first, then any other model in
   * order of first appearance in summary.json and the CSV files.
   */
  static List<String> models(RunData d) {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    if (d.config() != null && d.config().path("models").isArray()) {
      d.config().path("models").forEach(m -> out.add(m.asText()));
    }
    if (d.summary() != null) {
      d.summary().forEach(r -> out.add(r.model()));
    }
    for (Csv c :
        new Csv[] {
          d.metrics(),
          d.epochs(),
          d.sweep(),
          d.smallBatch(),
          d.activations(),
          d.gradients(),
          d.landscape()
        }) {
      if (c != null) {
        c.rows().forEach(r -> out.add(r.s("model")));
      }
    }
    return new ArrayList<>(out);
  }
}
