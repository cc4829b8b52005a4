package bnlab.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * bnlab compare: the article's experiment, Net vs Net+BN with equal epochs, seeds and data order.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Trains the article's Net and Net+BN (or --models) with the same seeds, data order and"
          + " epochs, and writes a run folder (metrics.csv, epochs.csv, summary.json, probes,"
          + " checkpoints).",
      "Defaults: CIFAR-10, 5 epochs, batch 10, Adam lr 1e-4, seed 44, ToTensor only.",
      "--as-published reproduces the article literally: its 'BN' model builds BatchNorm layers"
          + " but never uses them, and trains twice as many epochs (10 vs 5)."
    })
final class CompareCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Mixin RunOptions o;

  @Option(
      names = "--models",
      split = ",",
      description = "Models to compare (default: net,net-bn; see 'bnlab models').")
  List<String> models;

  @Option(
      names = "--as-published",
      description = "The article as published: net for --epochs, net-published-bn for 2x --epochs.")
  boolean asPublished;

  @Override
  public Integer call() {
    o.validate();
    List<String> names =
        models != null
            ? models
            : asPublished ? List.of("net", "net-published-bn") : List.of("net", "net-bn");
    List<RunSpec> specs = new ArrayList<>();
    for (long seed : o.seeds) {
      for (String m : names) {
        int epochs = asPublished && m.equals("net-published-bn") ? 2 * o.epochs : o.epochs;
        specs.add(new RunSpec(m, seed, epochs, o.lr, o.batchSize));
      }
    }
    var config = o.config("compare", names, asPublished);
    if (asPublished) {
      config.put("epochs_per_model", epochsPerModel(specs));
      config.put(
          "as_published_note",
          "net-published-bn constructs BatchNorm layers but its forward never calls them, as in"
              + " the article; it trains 2x the epochs. Same seed => its first epochs equal net's.");
    }
    return Experiment.run(o, config, specs, o.settings(asPublished, 0), main.out);
  }

  private static java.util.Map<String, Integer> epochsPerModel(List<RunSpec> specs) {
    java.util.Map<String, Integer> m = new java.util.LinkedHashMap<>();
    specs.forEach(s -> m.put(s.model(), s.epochs()));
    return m;
  }
}
