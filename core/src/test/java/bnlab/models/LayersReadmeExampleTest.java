package bnlab.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.nn.BatchNorm2d;
import bnlab.nn.Conv2d;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Dropout;
import bnlab.nn.Flatten;
import bnlab.nn.Linear;
import bnlab.nn.MaxPool2d;
import bnlab.nn.ReLU;
import bnlab.nn.Sequential;
import bnlab.nn.keras.BatchNormalization;
import bnlab.nn.keras.Conv1D;
import bnlab.optim.Adam;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The code of the README's layers section, verbatim, so the README cannot rot. */
class LayersReadmeExampleTest {
  @Test
  void articleNetTrainStepAndInference() {
    Sequential net = ArticleNet.withBatchNorm(); // conv1, bn1, relu1, pool1, ..., fc3
    net.resetParameters(new Rng(42)); // PyTorch's default init, reproducible
    Adam adam = new Adam(net.parameters(), 1e-3);
    CrossEntropyLoss criterion = new CrossEntropyLoss();

    Tensor images = Tensor.zeros(20, 3, 32, 32); // (N, C, H, W)
    new Rng(1).fillUniform(images, -1f, 1f);
    int[] labels = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4};

    net.train();
    adam.zeroGrad();
    float loss = criterion.forward(net.forward(images), labels);
    net.backward(criterion.backward()); // dLogits -> every Parameter.grad()
    adam.step();

    net.eval(); // BN uses running statistics from now on
    Tensor logits = net.forward(images); // (20, 10), owned by the model: copy() to keep it
    assertTrue(loss > 0);
    assertArrayEquals(new int[] {20, 10}, logits.shape());
  }

  @Test
  void customModelAndKerasForm() {
    Sequential model =
        new Sequential()
            .add(
                "conv1", new Conv2d(1, 8, 3, 1, 1, false)) // in, out, kernel, stride, padding, bias
            .add("bn1", new BatchNorm2d(8))
            .add("relu1", new ReLU())
            .add("pool1", new MaxPool2d(2))
            .add("flatten", new Flatten())
            .add("drop", new Dropout(0.25f))
            .add("fc", new Linear(8 * 14 * 14, 10));
    assertArrayEquals(new int[] {4, 10}, model.forward(Tensor.zeros(4, 1, 28, 28)).shape());

    // The article's Keras example, channels-last: (N, 128, 256) -> (N, 126, 64)
    Sequential keras =
        new Sequential()
            .add("conv1d", new Conv1D(64, 3, 256)) // filters, kernel_size, input channels
            .add("batch_normalization", new BatchNormalization(64));
    Tensor x = Tensor.zeros(8, 128, 256);
    new Rng(2).fillUniform(x, -1f, 1f);
    Tensor y = keras.forward(x);
    assertArrayEquals(new int[] {8, 126, 64}, y.shape());
  }
}
