package bnlab.lab;

import bnlab.experiment.Datasets;
import bnlab.experiment.ModelZoo;
import bnlab.experiment.UserError;
import bnlab.nn.Module;
import bnlab.train.TrainCheckpoint;
import bnlab.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** bnlab eval: a checkpoint's loss and accuracy on the test set, in eval mode. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Evaluates a checkpoint (checkpoints/<model>-seed<seed>.safetensors of a run folder) on"
            + " the test set in eval mode.")
final class EvalCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", description = "The checkpoint file.")
  Path checkpoint;

  @Option(names = "--model", description = "Model name (default: from the file name).")
  String model;

  @Option(
      names = "--dataset",
      description = "cifar10 or fashion-mnist (default: ${DEFAULT-VALUE}).",
      defaultValue = "cifar10")
  String dataset;

  @Option(names = "--data", description = "Folder or archive with the data set.")
  Path data;

  @Override
  public Integer call() {
    if (!Files.isRegularFile(checkpoint)) {
      throw new UserError("checkpoint " + checkpoint + " does not exist");
    }
    String name =
        model != null ? model : checkpoint.getFileName().toString().replaceFirst("-seed.*$", "");
    ModelZoo.Entry entry = ModelZoo.get(name);
    Datasets.Pair pair = Datasets.open(dataset, data, null);
    Module m =
        entry.factory().build(Datasets.itemShape(pair.test()), pair.test().classes().size(), 0);
    try {
      TrainCheckpoint.load(checkpoint, m, null);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    Trainer.Evaluation ev = Trainer.evaluate(m, Datasets.loader(pair.test(), 250));
    main.out.printf(
        Locale.ROOT,
        "%s on %d test images: loss %.4f, accuracy %.2f%%%n",
        name,
        pair.test().size(),
        ev.loss(),
        100 * ev.accuracy());
    return 0;
  }
}
