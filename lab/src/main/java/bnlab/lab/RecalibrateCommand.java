package bnlab.lab;

import bnlab.experiment.Datasets;
import bnlab.experiment.UserError;
import bnlab.io.Checkpoint;
import bnlab.nn.NonFiniteException;
import bnlab.train.ModelInfo;
import bnlab.train.PreciseBn;
import bnlab.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** bnlab recalibrate: precise BN for a model file, written to a new file. */
@Command(
    name = "recalibrate",
    mixinStandardHelpOptions = true,
    description = {
      "\"Precise BN\" (Wu & Johnson 2021): recomputes every BatchNorm layer's running statistics"
          + " as the exact average of its batch statistics over --batches training batches with"
          + " the weights fixed (PyTorch's cumulative average, momentum=None, as"
          + " torch.optim.swa_utils.update_bn), writes the model to a new file and prints the"
          + " eval-mode test accuracy before and after.",
      "FILE is anything eval takes: a training checkpoint, a model-only file or a PyTorch state"
          + " dict. The new file holds the model only (no optimizer state) with FILE's model"
          + " metadata. Ghost BN, Batch Renorm and frozen BN layers are left as they are.",
      "Example: bnlab recalibrate runs/x/checkpoints/net-bn-seed44.safetensors --batches 200"
    })
final class RecalibrateCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "FILE", description = "The checkpoint or state dict.")
  Path checkpoint;

  @Mixin BnData d;

  @Option(
      names = "--out",
      description = "The new file (default: FILE's name with -precise-bn before the extension).")
  Path out;

  @Option(names = "--overwrite", description = "Replace --out if it exists.")
  boolean overwrite;

  @Override
  public Integer call() {
    Path target = out != null ? out : defaultOut(checkpoint);
    if (Files.exists(target) && !overwrite) {
      throw new UserError(target + " exists; pass --overwrite to replace it or --out for another");
    }
    if (target.toAbsolutePath().normalize().equals(checkpoint.toAbsolutePath().normalize())) {
      throw new UserError("--out is FILE itself; write the recalibrated model to a new file");
    }
    ModelFile f = ModelFile.load(checkpoint, d.model, d.dataset);
    Datasets.Pair pair = d.open(f);
    var console = main.out;
    Trainer.Evaluation before = Trainer.evaluate(f.model(), BnData.testLoader(pair));
    long t0 = System.nanoTime();
    PreciseBn.Estimate e;
    try {
      e = PreciseBn.recalibrate(f.model(), d.trainBatches(pair), d.batches);
    } catch (NonFiniteException ex) {
      throw new UserError(checkpoint + ": " + ex.getMessage() + " (the weights are broken)");
    } catch (IllegalArgumentException ex) {
      throw new UserError(checkpoint + ": " + ex.getMessage());
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    f.model().eval();
    Trainer.Evaluation after = Trainer.evaluate(f.model(), BnData.testLoader(pair));
    write(f, e, target);
    console.printf(
        Locale.ROOT,
        "bnlab: %s: %d BatchNorm layer(s) recalibrated over %d batches of %d (%d images,"
            + " %.1f s)%n",
        f.name(),
        e.layers().size(),
        e.batches(),
        d.batchSize,
        e.images(),
        seconds);
    PreciseBn.skipped(f.model())
        .forEach(
            (n, why) -> console.printf(Locale.ROOT, "bnlab: left as it was: %s (%s)%n", n, why));
    console.printf(
        Locale.ROOT,
        "eval-mode test accuracy on %d images: %.2f%% before, %.2f%% after (%+.2f pp);"
            + " test loss %.4f -> %.4f%n",
        pair.test().size(),
        100 * before.accuracy(),
        100 * after.accuracy(),
        100 * (after.accuracy() - before.accuracy()),
        before.loss(),
        after.loss());
    console.println("wrote " + target);
    return 0;
  }

  /** run/net-bn-seed44.safetensors → run/net-bn-seed44-precise-bn.safetensors. */
  static Path defaultOut(Path file) {
    String s = file.getFileName().toString();
    int dot = s.lastIndexOf('.');
    String name =
        dot > 0 ? s.substring(0, dot) + "-precise-bn" + s.substring(dot) : s + "-precise-bn";
    return file.resolveSibling(name);
  }

  private void write(ModelFile f, PreciseBn.Estimate e, Path target) {
    Map<String, String> meta = new LinkedHashMap<>();
    new ModelInfo(f.name(), f.itemShape(), f.classes()).metadata().forEach(meta::put);
    meta.put("precise_bn_from", f.file().getFileName().toString());
    meta.put("precise_bn_batches", Integer.toString(e.batches()));
    meta.put("precise_bn_batch_size", Integer.toString(d.batchSize));
    meta.put("precise_bn_dataset", d.dataset);
    try {
      Path parent = target.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Checkpoint.save(f.model(), null, meta, target);
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write " + target + ": " + ex.getMessage(), ex);
    }
  }
}
