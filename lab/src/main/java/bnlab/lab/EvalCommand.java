package bnlab.lab;

import bnlab.data.Dataset;
import bnlab.experiment.Datasets;
import bnlab.experiment.UserError;
import bnlab.train.Trainer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** bnlab eval: a model file's loss and accuracy on the test set, in eval mode. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluates a model on the test set in eval mode. FILE is a training checkpoint"
          + " (checkpoints/<model>-seed<seed>.safetensors), a model-only file"
          + " (Checkpoint.save(model, path)) or a PyTorch state dict"
          + " (safetensors.torch.save_file(model.state_dict(), path); num_batches_tracked may be"
          + " missing, as PyTorch allows).",
      "The model is --model, else the file's metadata, else the file name without extension"
          + " (net-bn-seed44.safetensors -> net-bn). The file is checked before the data set is"
          + " loaded."
    })
final class EvalCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "FILE", description = "The checkpoint or state dict.")
  Path checkpoint;

  @Option(
      names = "--model",
      description = "Model name (default: from the metadata or the file name).")
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
    ModelFile f = ModelFile.load(checkpoint, model, dataset);
    Datasets.Pair pair = Datasets.open(dataset, data, null);
    Dataset test = pair.test();
    int[] shape = Datasets.itemShape(test);
    if (!Arrays.equals(shape, f.itemShape()) || test.classes().size() != f.classes().size()) {
      throw new UserError(
          f.file()
              + " holds a model for "
              + Arrays.toString(f.itemShape())
              + " inputs and "
              + f.classes().size()
              + " classes, but the "
              + dataset
              + " test set has "
              + Arrays.toString(shape)
              + " images in "
              + test.classes().size()
              + " classes; choose the matching --dataset");
    }
    Trainer.Evaluation ev = Trainer.evaluate(f.model(), Datasets.loader(test, 250));
    main.out.printf(
        Locale.ROOT,
        "%s on %d test images: loss %.4f, accuracy %.2f%%%n",
        f.name(),
        test.size(),
        ev.loss(),
        100 * ev.accuracy());
    return 0;
  }
}
