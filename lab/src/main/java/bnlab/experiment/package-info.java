/**
 * The experiment API: typed, immutable run configurations and the one engine that runs them.
 *
 * <ul>
 *   <li>{@link bnlab.experiment.RunConfig}: everything that determines one training run (model,
 *       seed, data, budget in epochs or samples, batch size, optimizer, batching, tests,
 *       recording), saved in its checkpoints;
 *   <li>{@link bnlab.experiment.Cell#run}: one run into a folder, deterministic and idempotent
 *       (re-running continues from the checkpoint or returns the finished result);
 *   <li>{@link bnlab.experiment.ExperimentConfig}: an experiment's configuration record
 *       (config.json and the {@code --resume} identity) and its {@link bnlab.experiment.Grid} of
 *       cells — {@link bnlab.experiment.CompareConfig} (compare, train), {@link
 *       bnlab.experiment.SweepConfig}, {@link bnlab.experiment.SmallBatchConfig};
 *   <li>{@link bnlab.experiment.Engine}: runs a grid with a {@link bnlab.experiment.GridExecutor}
 *       (sequential, local threads; a cluster executor runs {@code Cell.run} on its workers);
 *   <li>{@link bnlab.experiment.ModelZoo}: models by name with their normalization kind and
 *       baseline, {@link bnlab.experiment.Optimizers}, {@link bnlab.experiment.Datasets}.
 * </ul>
 *
 * <p>Dependencies point one way: this package uses {@code bnlab.train}, {@code bnlab.data} and the
 * core; the command line ({@code bnlab.lab}) and the reports ({@code bnlab.report}) use it, never
 * the reverse. Study-specific measurements are {@link bnlab.experiment.Hook}s (trainer listeners),
 * not branches in the training loop.
 */
package bnlab.experiment;
