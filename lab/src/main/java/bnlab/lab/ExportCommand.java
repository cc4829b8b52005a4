package bnlab.lab;

import bnlab.experiment.UserError;
import bnlab.models.ArticleNets;
import bnlab.models.Norm;
import bnlab.nn.Module;
import bnlab.nn.Sequential;
import bnlab.onnx.OnnxExport;
import bnlab.onnx.OnnxExportException;
import bnlab.onnx.OnnxModel;
import bnlab.train.ModelInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** bnlab export: a model file as ONNX for serving runtimes. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Writes a model as ONNX (opset 17, eval mode, dynamic batch dimension) for ONNX Runtime and"
          + " other serving runtimes. FILE is anything eval accepts; the model is named as eval"
          + " names it.",
      "Initializers keep PyTorch's state-dict names (conv1.weight, bn1.running_var). BatchNorm"
          + " becomes BatchNormalization with ONNX's momentum convention (1 - PyTorch momentum:"
          + " 0.1 -> 0.9), or with --fold-bn is folded into the preceding Conv/Linear."
    })
final class ExportCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "FILE", description = "The checkpoint or state dict.")
  Path checkpoint;

  @Option(names = "--onnx", required = true, paramLabel = "OUT", description = "The ONNX file.")
  Path onnx;

  @Option(
      names = "--fold-bn",
      description = "Fold BatchNorm into the preceding Conv2d/Linear (Fold.convBn).")
  boolean foldBn;

  @Option(
      names = "--model",
      description = "Model name (default: from the metadata or the file name).")
  String model;

  @Option(
      names = "--dataset",
      description =
          "Input shape and class names when the file has none: cifar10 or fashion-mnist"
              + " (default: ${DEFAULT-VALUE}).",
      defaultValue = "cifar10")
  String dataset;

  @Option(
      names = "--input-name",
      description = "The graph input's name (default: ${DEFAULT-VALUE}).",
      defaultValue = "input")
  String inputName;

  @Option(
      names = "--output-name",
      description = "The graph output's name (default: ${DEFAULT-VALUE}).",
      defaultValue = "output")
  String outputName;

  @Override
  public Integer call() {
    ModelFile f = ModelFile.load(checkpoint, model, dataset);
    Path parent = onnx.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new UserError("--onnx " + onnx + ": folder " + parent + " does not exist");
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.putAll(new ModelInfo(f.name(), f.itemShape(), f.classes()).metadata());
    meta.put("preprocessing", "RGB pixels / 255 in (C, H, W) order (ToTensor), no normalization");
    meta.put("source", f.file().getFileName().toString());
    OnnxModel m;
    try {
      m =
          OnnxExport.export(
              exportable(f),
              f.itemShape(),
              new OnnxExport.Options(inputName, outputName, foldBn, meta));
      m.write(onnx);
    } catch (OnnxExportException | IllegalArgumentException | IllegalStateException e) {
      throw new UserError("cannot export " + f.name() + ": " + e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + onnx + ": " + e.getMessage(), e);
    }
    main.out.printf("wrote %s: %s%s, %s%n", onnx, f.name(), foldBn ? " (BatchNorm folded)" : "", m);
    return 0;
  }

  /**
   * The module to export. net-published-bn registers BN layers that its forward never calls, so it
   * computes exactly what net computes: it is exported as net with its weights.
   */
  private Module exportable(ModelFile f) {
    Module m = exportable(f.name(), f.model(), f.itemShape(), f.classes().size());
    if (m != f.model()) {
      main.out.println(
          "net-published-bn never calls its BN layers: exported as the net it computes (bn1..bn4"
              + " are not in the graph)");
    }
    return m;
  }

  /** {@code model} itself, or for net-published-bn the net with its weights, in eval mode. */
  static Module exportable(String name, Module model, int[] shape, int classes) {
    if (!name.equals("net-published-bn")) {
      return model;
    }
    Sequential net = ArticleNets.withNorm(shape[0], shape[1], classes, Norm.NONE);
    net.namedParameters()
        .forEach((k, p) -> p.data().copyFrom(model.namedParameters().get(k).data()));
    net.eval();
    return net;
  }
}
