package bnlab.experiment;

import bnlab.models.Norm;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.Serializable;
import java.util.List;

/**
 * Everything that determines one training run, a cell of an experiment's grid: with the same
 * configuration and data a run gives bit-identical results on any machine and thread count. It is
 * immutable, serialises to JSON (snake_case keys) and back, and is saved in each checkpoint so that
 * resuming into a folder that holds another run is refused. {@link Cell#run} trains one; {@link
 * Engine} runs a grid of them.
 *
 * <p>Start from {@link #of} (the article's settings) and change what differs with the {@code with}
 * methods. It is also {@link Serializable}, for executors that ship cells to other machines.
 *
 * @param model the zoo name ({@link ModelZoo})
 * @param seed initial weights ({@code resetParameters(new Rng(seed))}) and the shuffling
 * @param data the data set and subsets
 * @param budget epochs, or training samples
 * @param batchSize training mini-batch size
 * @param optimizer the optimizer and learning rate
 * @param batching how training batches are drawn
 * @param evaluation the tests: in eval mode after every epoch (or the last only), optionally at the
 *     end in training mode
 * @param recording metrics rows, probes and the console's format
 * @param divergeFactor stop the run as diverged when the loss exceeds this factor times its first
 *     loss; 0 = only NaN/∞ stops it
 * @param lrSchedule the learning rate's steps over training ({@link LrSchedule}), or null for a
 *     constant rate
 * @param augmentation random crops and flips of the training images, or null for none (the
 *     article's ToTensor only)
 *     <p>The last two are left out of the JSON when null, so that the configurations saved in
 *     checkpoints before they existed still match the runs that wrote them.
 */
public record RunConfig(
    String model,
    long seed,
    DataConfig data,
    Budget budget,
    int batchSize,
    OptimizerConfig optimizer,
    Batching batching,
    Evaluation evaluation,
    Recording recording,
    double divergeFactor,
    @JsonInclude(JsonInclude.Include.NON_NULL) LrSchedule lrSchedule,
    @JsonInclude(JsonInclude.Include.NON_NULL) Augmentation augmentation)
    implements Serializable {
  /** The measurement of {@link Evaluation#trainModeTest()}: test accuracy in training mode. */
  public static final String TRAIN_MODE_ACCURACY = "test_accuracy_train_mode";

  /** The probes' default step sizes η. */
  public static final List<Double> PROBE_ETAS = List.of(0.001, 0.01, 0.05, 0.1, 0.2, 0.4);

  /**
   * How training batches are drawn.
   *
   * @param classesPerBatch 0: i.i.d. shuffled batches; k: class-clustered batches of about k
   *     classes (non-i.i.d., {@link bnlab.data.DataLoader#classClustered})
   * @param dropLast drop the last, smaller batch of each epoch (needed by Ghost BN, whose virtual
   *     batches must fill every batch, and by BN when a last batch of one image could occur)
   * @param firstLoaderEpoch the loader epoch whose order the run's first epoch uses: 1 (the
   *     trainer's epoch numbers); the small-batch study uses 0, the order its runs have always had
   */
  public record Batching(int classesPerBatch, boolean dropLast, int firstLoaderEpoch)
      implements Serializable {
    /** Checks the value. */
    public Batching {
      if (classesPerBatch < 0) {
        throw new UserError(
            "--classes-per-batch must be 0 (off) or positive, got " + classesPerBatch);
      }
    }

    /** I.i.d. shuffled batches, the last partial one kept or dropped. */
    public static Batching iid(boolean dropLast) {
      return new Batching(0, dropLast, 1);
    }
  }

  /**
   * The tests of a run.
   *
   * @param testBatchSize batch size of the test in eval mode (the result does not depend on it)
   * @param everyEpoch test after every epoch; else only after the last (the others report NaN)
   * @param trainModeTest also test at the end in training mode, with test batches of the training
   *     batch size normalized with their own statistics (measurement {@link #TRAIN_MODE_ACCURACY})
   */
  public record Evaluation(int testBatchSize, boolean everyEpoch, boolean trainModeTest)
      implements Serializable {
    /** The lab's: test batches of 250 in eval mode after every epoch, nothing more. */
    public static final Evaluation DEFAULT = new Evaluation(250, true, false);

    /** Checks the value. */
    public Evaluation {
      positive("test batch size", testBatchSize);
    }
  }

  /**
   * What a run records besides its result.
   *
   * @param logEvery a metrics.csv row (and a console line) every this many mini-batches
   * @param probeEvery probes every this many steps, 0 = off ({@link bnlab.train.Probes})
   * @param probeEtas the step sizes η of the loss-landscape probe
   * @param asPublished console lines the article's way (the loss summed since the last line divided
   *     by {@code logEvery})
   */
  public record Recording(int logEvery, int probeEvery, List<Double> probeEtas, boolean asPublished)
      implements Serializable {
    /**
     * The lab's: a row every 500 mini-batches, probes every 500 steps, true means on the console.
     */
    public static final Recording DEFAULT = new Recording(500, 500, PROBE_ETAS, false);

    /** Checks the values. */
    public Recording {
      positive("--log-every", logEvery);
      if (probeEvery < 0) {
        throw new UserError("--probe-every must be 0 (off) or positive, got " + probeEvery);
      }
      probeEtas = List.copyOf(probeEtas);
    }
  }

  /** Checks each value on its own (see {@link #validate()} for the combinations). */
  public RunConfig {
    ModelZoo.get(model);
    if (data == null
        || budget == null
        || optimizer == null
        || batching == null
        || evaluation == null
        || recording == null) {
      throw new UserError(
          "a run configuration needs data, a budget, an optimizer, batching, evaluation and"
              + " recording");
    }
    positive("--batch-size", batchSize);
    if (!(divergeFactor >= 0) || Double.isInfinite(divergeFactor)) {
      throw new UserError("--diverge-factor must be 0 (off) or positive, got " + divergeFactor);
    }
  }

  /**
   * The article's settings for {@code model} and {@code seed} on {@code data}: 5 epochs, batch 10,
   * Adam lr 1e-4, i.i.d. shuffled batches (the last one dropped for Ghost BN), eval-mode test after
   * every epoch, a metrics row and probes every 500 steps, stopped only by NaN/∞.
   */
  public static RunConfig of(String model, long seed, DataConfig data) {
    boolean ghost = ModelZoo.get(model).norm() == Norm.GHOST;
    return new RunConfig(
        model,
        seed,
        data,
        Budget.epochs(5),
        10,
        OptimizerConfig.of("adam", 1e-4),
        Batching.iid(ghost),
        Evaluation.DEFAULT,
        Recording.DEFAULT,
        0,
        null,
        null);
  }

  static void positive(String name, long value) {
    if (value < 1) {
      throw new UserError(name + " must be at least 1, got " + value);
    }
  }

  /**
   * Checks what single values cannot show: Ghost BN's batch size, a sample budget of at least one
   * batch. Grids call it when they are built, {@link Cell#run} before training.
   */
  public RunConfig validate() {
    int virtual = Norm.GHOST_VIRTUAL_BATCH;
    boolean dropLast = batching.dropLast();
    if (ModelZoo.get(model).norm() == Norm.GHOST && (batchSize % virtual != 0 || !dropLast)) {
      throw new UserError(
          "model '"
              + model
              + "' uses Ghost BatchNorm with virtual batches of "
              + virtual
              + ": --batch-size must be a multiple of "
              + virtual
              + " (got "
              + batchSize
              + ")"
              + (dropLast ? "" : " and the last partial batch must be dropped"));
    }
    if (budget instanceof Budget.Samples s && s.samples() < batchSize) {
      throw new UserError("--samples " + s.samples() + " is smaller than batch size " + batchSize);
    }
    return this;
  }

  /** The console's name of the run: model and seed. */
  public String label() {
    return model + " seed " + seed;
  }

  /** This run for {@code epochs} epochs. */
  public RunConfig withEpochs(int epochs) {
    return withBudget(Budget.epochs(epochs));
  }

  /** This run for {@code samples} training samples. */
  public RunConfig withSamples(long samples) {
    return withBudget(Budget.samples(samples));
  }

  /** This run with another budget. */
  public RunConfig withBudget(Budget b) {
    return new RunConfig(
        model,
        seed,
        data,
        b,
        batchSize,
        optimizer,
        batching,
        evaluation,
        recording,
        divergeFactor,
        lrSchedule,
        augmentation);
  }

  /** This run with mini-batches of {@code b}. */
  public RunConfig withBatchSize(int b) {
    return new RunConfig(
        model,
        seed,
        data,
        budget,
        b,
        optimizer,
        batching,
        evaluation,
        recording,
        divergeFactor,
        lrSchedule,
        augmentation);
  }

  /** This run with another optimizer. */
  public RunConfig withOptimizer(OptimizerConfig o) {
    return new RunConfig(
        model,
        seed,
        data,
        budget,
        batchSize,
        o,
        batching,
        evaluation,
        recording,
        divergeFactor,
        lrSchedule,
        augmentation);
  }

  /** This run with the same optimizer at learning rate {@code lr}. */
  public RunConfig withLr(double lr) {
    return withOptimizer(
        new OptimizerConfig(optimizer.name(), lr, optimizer.momentum(), optimizer.weightDecay()));
  }

  /** This run with batches drawn as {@code b} says. */
  public RunConfig withBatching(Batching b) {
    return new RunConfig(
        model,
        seed,
        data,
        budget,
        batchSize,
        optimizer,
        b,
        evaluation,
        recording,
        divergeFactor,
        lrSchedule,
        augmentation);
  }

  /** This run with the tests {@code e}. */
  public RunConfig withEvaluation(Evaluation e) {
    return new RunConfig(
        model,
        seed,
        data,
        budget,
        batchSize,
        optimizer,
        batching,
        e,
        recording,
        divergeFactor,
        lrSchedule,
        augmentation);
  }

  /** This run recording as {@code r} says. */
  public RunConfig withRecording(Recording r) {
    return new RunConfig(
        model,
        seed,
        data,
        budget,
        batchSize,
        optimizer,
        batching,
        evaluation,
        r,
        divergeFactor,
        lrSchedule,
        augmentation);
  }

  /** This run stopped as diverged above {@code factor} times its first loss (0 = NaN/∞ only). */
  public RunConfig withDivergeFactor(double factor) {
    return new RunConfig(
        model,
        seed,
        data,
        budget,
        batchSize,
        optimizer,
        batching,
        evaluation,
        recording,
        factor,
        lrSchedule,
        augmentation);
  }

  /** This run with the learning-rate schedule {@code s} (null: a constant rate). */
  public RunConfig withLrSchedule(LrSchedule s) {
    return new RunConfig(
        model,
        seed,
        data,
        budget,
        batchSize,
        optimizer,
        batching,
        evaluation,
        recording,
        divergeFactor,
        s,
        augmentation);
  }

  /** This run with the training images augmented as {@code a} says (null: not at all). */
  public RunConfig withAugmentation(Augmentation a) {
    return new RunConfig(
        model,
        seed,
        data,
        budget,
        batchSize,
        optimizer,
        batching,
        evaluation,
        recording,
        divergeFactor,
        lrSchedule,
        a);
  }
}
