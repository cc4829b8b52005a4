package bnlab.lab;

import bnlab.experiment.UserError;
import bnlab.tensor.Tensor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** bnlab predict: classifies image files with a model file. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = {
      "Classifies JPEG and PNG images of any size with a model: prints each file's top classes"
          + " and probabilities (softmax of the eval-mode logits). FILE is anything eval accepts;"
          + " class names come from its metadata (training runs write them), else from --dataset.",
      "Each image is prepared as torchvision would prepare it: convert(\"RGB\") (\"L\" for"
          + " one-channel models), Resize(S) with Pillow's bilinear filter, CenterCrop(S) and"
          + " ToTensor(), S being the model's input size. A folder stands for its .jpg, .jpeg and"
          + " .png files (recursively). A broken image gets one line on stderr and the others"
          + " still run; the exit code is then 1."
    })
final class PredictCommand implements Callable<Integer> {
  private static final int BATCH = 64;

  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The checkpoint or state dict.")
  Path checkpoint;

  @Parameters(
      index = "1..*",
      arity = "1..*",
      paramLabel = "IMAGE",
      description = "Image files or folders of images.")
  List<Path> inputs;

  @Option(
      names = "--top",
      description = "How many classes to print per image (default: ${DEFAULT-VALUE}).",
      defaultValue = "3")
  int top;

  @Option(names = "--json", description = "Print one JSON document instead of lines.")
  boolean json;

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

  private int failures;

  @Override
  public Integer call() {
    if (top < 1) {
      throw new UserError("--top must be at least 1, got " + top);
    }
    ModelFile f = ModelFile.load(checkpoint, model, dataset);
    int[] s = f.itemShape();
    if (s[1] != s[2]) {
      throw new UserError(
          "predict prepares square images; " + f.name() + " takes " + s[1] + "x" + s[2]);
    }
    PrintWriter err = spec.commandLine().getErr();
    if (!f.classesFromFile()) {
      err.println("bnlab: note: " + f.file() + " holds no class names; using " + dataset + "'s");
    }
    List<Path> files = imageFiles(err);
    List<Map<String, Object>> results = new ArrayList<>();
    for (int from = 0; from < files.size(); from += BATCH) {
      classify(f, files.subList(from, Math.min(files.size(), from + BATCH)), results, err);
    }
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("model", f.name());
      doc.put("checkpoint", f.file().toString());
      doc.put("predictions", results);
      try {
        main.out.println(
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return failures > 0 ? 1 : 0;
  }

  private List<Path> imageFiles(PrintWriter err) {
    List<Path> out = new ArrayList<>();
    for (Path p : inputs) {
      if (Files.isDirectory(p)) {
        List<Path> found = imagesIn(p);
        if (found.isEmpty()) {
          fail(err, p, "folder holds no .jpg, .jpeg or .png files", null);
        }
        out.addAll(found);
      } else {
        out.add(p); // a missing file is reported in its turn
      }
    }
    return out;
  }

  private static List<Path> imagesIn(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(
              p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  private void fail(PrintWriter err, Path file, String why, List<Map<String, Object>> results) {
    failures++;
    err.println("bnlab: " + file + ": " + why);
    err.flush();
    if (results != null) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("file", file.toString());
      r.put("error", why);
      results.add(r);
    }
  }

  // Decodes the batch's images (one line per broken one), runs the model once, prints top-k.
  private void classify(
      ModelFile f, List<Path> batch, List<Map<String, Object>> results, PrintWriter err) {
    int[] s = f.itemShape();
    int per = s[0] * s[1] * s[2];
    Tensor x = Tensor.zeros(batch.size(), s[0], s[1], s[2]);
    List<Path> ok = new ArrayList<>();
    List<Map<String, Object>> slots = new ArrayList<>();
    for (Path p : batch) {
      if (!Files.isRegularFile(p)) {
        fail(err, p, "no such file", results);
        continue;
      }
      try {
        ImageInput.read(p, s[0], s[1], x.data(), ok.size() * per);
        ok.add(p);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("file", p.toString());
        results.add(r);
        slots.add(r);
      } catch (IOException e) {
        fail(err, p, e.getMessage(), results);
      }
    }
    if (ok.isEmpty()) {
      return;
    }
    // the decoded images are packed at the front of x
    Tensor logits = f.model().forward(Tensor.wrap(x.data(), ok.size(), s[0], s[1], s[2]));
    int k = logits.dim(1);
    for (int i = 0; i < ok.size(); i++) {
      List<Map<String, Object>> best = topK(logits.data(), i * k, k, f.classes());
      slots.get(i).put("top", best);
      if (!json) {
        StringBuilder line = new StringBuilder(ok.get(i).toString()).append(':');
        for (Map<String, Object> b : best) {
          line.append(
              String.format(Locale.ROOT, "  %s %.3f", b.get("class"), b.get("probability")));
        }
        main.out.println(line);
      }
    }
  }

  // Softmax in double (max subtracted), then the top classes, ties by lower index.
  private List<Map<String, Object>> topK(float[] logits, int off, int k, List<String> classes) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < k; j++) {
      max = Math.max(max, logits[off + j]);
    }
    double[] p = new double[k];
    double sum = 0;
    for (int j = 0; j < k; j++) {
      p[j] = Math.exp(logits[off + j] - max);
      sum += p[j];
    }
    List<Integer> order = new ArrayList<>();
    for (int j = 0; j < k; j++) {
      p[j] /= sum;
      order.add(j);
    }
    order.sort((a, b) -> Double.compare(p[b], p[a]));
    List<Map<String, Object>> out = new ArrayList<>();
    for (int j : order.subList(0, Math.min(top, k))) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("class", j < classes.size() ? classes.get(j) : Integer.toString(j));
      m.put("index", j);
      m.put("probability", p[j]);
      out.add(m);
    }
    return out;
  }
}
