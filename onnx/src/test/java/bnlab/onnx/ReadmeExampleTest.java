package bnlab.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import bnlab.models.ArticleNet;
import bnlab.nn.Sequential;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's ONNX export example, as printed there apart from the file's folder. */
class ReadmeExampleTest {
  @TempDir Path dir;

  @Test
  void exportsAFoldedModelWithOtherNames() throws IOException {
    Sequential model = ArticleNet.withBatchNorm();
    model.resetParameters(new Rng(1));
    Ort.perturb(model, 2);
    Path file = dir.resolve("model.onnx");
    // --- README ---
    model.eval();
    OnnxModel onnx =
        OnnxExport.export(
            model,
            new int[] {3, 32, 32},
            OnnxExport.Options.defaults().withFoldBatchNorm(true).withNames("images", "logits"));
    onnx.write(file);
    // --- end ---
    assertEquals("logits", onnx.output().name());
    Tensor x = Tensor.zeros(4, 3, 32, 32);
    new Rng(3).fillUniform(x, 0f, 1f);
    Ort.assertClose(
        "README export",
        model.forward(x).copy(),
        Ort.run(Files.readAllBytes(file), "images", x),
        1e-5);
  }
}
