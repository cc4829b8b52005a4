package bnlab.experiment;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * An experiment's configuration: an immutable record that is config.json (serialised with Jackson,
 * snake_case keys; the engine adds {@code data_source} and {@code environment}), the identity a
 * {@code --resume} compares field by field (see {@link MayGrow} and {@link SessionOnly}), and the
 * source of its grid of runs. {@link CompareConfig} (compare, train), {@link SweepConfig} and
 * {@link SmallBatchConfig} are the lab's; a study of its own is a record implementing this, run by
 * {@link Engine}, with its own measurements as {@link #hooks()}.
 */
public interface ExperimentConfig {
  /** The command that made it, config.json's {@code command}. */
  String command();

  /** The data every cell trains and tests on. */
  DataConfig data();

  /**
   * The runs, validated: a {@link UserError} names the first impossible one before any data is
   * opened.
   */
  Grid grid();

  /**
   * The study's own measurements on every cell (default none); the engine adds them to every cell
   * it runs, before the session's hooks. Their settings belong in the record, so that they are part
   * of config.json and of the {@code --resume} identity.
   */
  @JsonIgnore
  default List<Hook> hooks() {
    return List.of();
  }
}
