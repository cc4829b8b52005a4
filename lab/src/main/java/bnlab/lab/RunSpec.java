package bnlab.lab;

/** One training run of an experiment: a model, a seed and its hyper-parameters. */
record RunSpec(String model, long seed, int epochs, double lr, int batchSize) {
  String label() {
    return model + " seed " + seed;
  }
}
