package bnlab.lab;

/** One training run of an experiment: a model, a seed and its hyper-parameters. */
record RunSpec(String model, long seed, int epochs, double lr, int batchSize, String tag) {
  RunSpec(String model, long seed, int epochs, double lr, int batchSize) {
    this(model, seed, epochs, lr, batchSize, "");
  }

  /** The console label: model and seed, plus the tag (e.g. lr and batch size in a sweep). */
  String label() {
    return model + " seed " + seed + (tag.isEmpty() ? "" : " " + tag);
  }
}
