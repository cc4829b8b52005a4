package bnlab.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bnlab compare} and {@code bnlab train}: every model for every seed with the same options,
 * data and data order, one run after another into one folder (one metrics.csv, epochs.csv and
 * summary.json for all runs). Grid order: seeds, then models. With {@code asPublished} the
 * article's "BN" model {@code net-published-bn} trains twice the epochs, as in the article.
 *
 * @param command {@code compare} or {@code train} (a comparison of one model)
 * @param models zoo names
 * @param seeds at least one
 * @param options the shared options
 */
@JsonPropertyOrder({
  "command",
  "models",
  "seeds",
  "options",
  "epochs_per_model",
  "as_published_note",
  "zoo"
})
public record CompareConfig(
    String command, List<String> models, List<Long> seeds, @JsonUnwrapped TrainingOptions options)
    implements ExperimentConfig {
  /** The as-published "BN" model, trained for twice the epochs. */
  public static final String PUBLISHED_BN = "net-published-bn";

  /** Checks the lists. */
  public CompareConfig {
    models = List.copyOf(models);
    seeds = List.copyOf(seeds);
    if (seeds.isEmpty()) {
      throw new UserError("--seeds needs at least one seed");
    }
    if (models.isEmpty()) {
      throw new UserError("--models needs at least one model");
    }
    Distinct.check("--seeds", seeds);
    Distinct.check("--models", models);
  }

  /** {@code bnlab compare} of {@code models}. */
  public static CompareConfig compare(
      List<String> models, List<Long> seeds, TrainingOptions options) {
    return new CompareConfig("compare", models, seeds, options);
  }

  @Override
  public DataConfig data() {
    return options.data();
  }

  /** Epochs of {@code model}'s runs. */
  public int epochs(String model) {
    return options.asPublished() && model.equals(PUBLISHED_BN)
        ? 2 * options.epochs()
        : options.epochs();
  }

  /** Per model its epochs, recorded for as-published runs (where they differ); else null. */
  @JsonProperty("epochs_per_model")
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @SessionOnly
  public Map<String, Integer> epochsPerModel() {
    if (!options.asPublished()) {
      return null;
    }
    Map<String, Integer> m = new LinkedHashMap<>();
    models.forEach(name -> m.put(name, epochs(name)));
    return m;
  }

  /** What as-published means, recorded with such runs; else null. */
  @JsonProperty("as_published_note")
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public String asPublishedNote() {
    return options.asPublished()
        ? "net-published-bn constructs BatchNorm layers but its forward never calls them, as in"
            + " the article; it trains 2x the epochs. Same seed => its first epochs equal net's."
        : null;
  }

  /** The zoo's norm and baseline of each model. */
  @JsonProperty("zoo")
  @SessionOnly
  public Map<String, ModelZoo.Info> zoo() {
    return ModelZoo.info(models);
  }

  @Override
  public Grid grid() {
    List<GridCell> cells = new ArrayList<>();
    for (long seed : seeds) {
      for (String m : models) {
        RunConfig c = options.run(m, seed, epochs(m), options.lr(), options.batchSize()).validate();
        cells.add(new GridCell(cells.size(), c, c.label(), ""));
      }
    }
    return new Grid(cells, null, true);
  }
}
