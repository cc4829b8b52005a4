package bnlab.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** bnlab train: one model of the zoo, for each seed. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = "Trains one model of the zoo (see 'bnlab models') and writes a run folder.")
final class TrainCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Mixin RunOptions o;

  @Option(
      names = "--model",
      description = "Model name (default: ${DEFAULT-VALUE}).",
      defaultValue = "net-bn")
  String model;

  @Override
  public Integer call() {
    o.validate();
    List<RunSpec> specs = new ArrayList<>();
    for (long seed : o.seeds) {
      specs.add(new RunSpec(model, seed, o.epochs, o.lr, o.batchSize));
    }
    var config = o.config("train", List.of(model), false);
    return Experiment.run(o, config, specs, o.settings(false, 0), main.out);
  }
}
