package bnlab.lab;

import bnlab.experiment.CompareConfig;
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
  public Integer call() throws InterruptedException {
    CompareConfig config = new CompareConfig("train", List.of(model), o.seeds, o.options(false));
    return CompareCommand.run(config, o, main.out);
  }
}
