package bnlab.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Which data a run trains and tests on: config.json's {@code dataset}, {@code data}, {@code
 * subset}, {@code subset_seed} and {@code test_subset}. Images are scaled to [0, 1] (ToTensor), not
 * normalized, as in the article.
 *
 * @param dataset {@code cifar10} or {@code fashion-mnist} (see {@link Datasets#NAMES})
 * @param path the data set's folder or archive ({@code --data}), or null to search the standard
 *     places (BNLAB_DATA, the user cache, ../shared/datasets, ...); a string so that it can name
 *     shared storage
 * @param subset train on this many training images drawn at random, class-balanced, the same for
 *     every run ({@link Datasets#SUBSET_SEED}); null for all
 * @param testSubset evaluate on this many test images drawn the same way; null for all
 */
@JsonPropertyOrder({"dataset", "data", "subset", "subset_seed", "test_subset"})
public record DataConfig(
    String dataset, @JsonProperty("data") String path, Integer subset, Integer testSubset)
    implements Serializable {
  /** Checks the values; a bad one is a {@link UserError} naming it. */
  public DataConfig {
    if (!Datasets.NAMES.contains(dataset)) {
      throw new UserError(
          "unknown dataset '"
              + dataset
              + "'; known datasets: "
              + String.join(", ", Datasets.NAMES));
    }
    if (subset != null && subset < 1) {
      throw new UserError("--subset must be at least 1, got " + subset);
    }
    if (testSubset != null && testSubset < 1) {
      throw new UserError("--test-subset must be at least 1, got " + testSubset);
    }
  }

  /** All of {@code dataset}, found in the standard places. */
  public static DataConfig of(String dataset) {
    return new DataConfig(dataset, null, null, null);
  }

  /** The seed of the subsets' random choice (null without a subset); recorded in config.json. */
  @JsonProperty("subset_seed")
  public Long subsetSeed() {
    return subset == null ? null : Datasets.SUBSET_SEED;
  }

  /** Finds and opens the training and test sets (decoded once, cached in the user cache). */
  public Datasets.Pair open() {
    return Datasets.open(dataset, path == null ? null : Path.of(path), subset, testSubset);
  }
}
