package example;

import bnlab.io.Checkpoint;
import bnlab.models.ArticleNet;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Sequential;
import bnlab.onnx.OnnxExport;
import bnlab.onnx.OnnxModel;
import bnlab.optim.Adam;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Trains the article's Net+BN for a few steps on a synthetic task (the label sets the brightness
 * of the red channel), then saves it as a PyTorch-style state dict and exports it as ONNX.
 *
 * <pre>java -jar target/bnlab-consumer-example.jar [output folder]</pre>
 */
public final class TrainAndExport {
  private TrainAndExport() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "out");
    Files.createDirectories(out);

    Sequential net = ArticleNet.withBatchNorm(); // conv1, bn1, relu1, pool1, ..., fc3
    net.resetParameters(new Rng(44));
    Adam opt = new Adam(net.parameters(), 1e-3);
    CrossEntropyLoss loss = new CrossEntropyLoss();
    Rng rng = new Rng(1);
    Tensor x = Tensor.zeros(10, 3, 32, 32);
    int[] labels = new int[10];

    net.train(); // BN normalizes with batch statistics and updates its running averages
    for (int step = 1; step <= 30; step++) {
      batch(rng, x, labels);
      opt.zeroGrad();
      float l = loss.forward(net.forward(x), labels);
      net.backward(loss.backward());
      opt.step();
      if (step == 1 || step % 10 == 0) {
        System.out.printf("step %2d  loss %.4f%n", step, l);
      }
    }

    net.eval(); // running statistics from now on
    Path weights = out.resolve("net-bn.safetensors");
    Checkpoint.save(net, null, Map.of("model", "net-bn"), weights);
    OnnxModel onnx =
        OnnxExport.export(net, new int[] {3, 32, 32}, OnnxExport.Options.defaults());
    onnx.write(out.resolve("net-bn.onnx"));
    System.out.println("wrote " + weights + " and " + out.resolve("net-bn.onnx") + ": " + onnx);
  }

  // Ten images U(0, 1) whose red channel is shifted by 0.1 per class.
  private static void batch(Rng rng, Tensor x, int[] labels) {
    float[] d = x.data();
    int image = 3 * 32 * 32;
    for (int i = 0; i < labels.length; i++) {
      labels[i] = rng.nextInt(10);
      for (int j = 0; j < image; j++) {
        float v = rng.nextFloat();
        d[i * image + j] = j < 1024 ? 0.1f * labels[i] + 0.1f * v : v;
      }
    }
  }
}
