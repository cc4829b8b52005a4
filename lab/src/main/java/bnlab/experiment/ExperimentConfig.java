package bnlab.experiment;

/**
 * An experiment's configuration: an immutable record that is config.json (serialised with Jackson,
 * snake_case keys; the engine adds {@code data_source} and {@code environment}), the identity a
 * {@code --resume} compares field by field (see {@link MayGrow} and {@link SessionOnly}), and the
 * source of its grid of runs. {@link CompareConfig} (compare, train), {@link SweepConfig} and
 * {@link SmallBatchConfig} are the lab's; a study of its own is a record implementing this, run by
 * {@link Engine}.
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
}
