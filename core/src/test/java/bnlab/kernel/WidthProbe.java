package bnlab.kernel;

import bnlab.models.ArticleNet;
import bnlab.models.Norm;
import bnlab.models.ResNet;
import bnlab.nn.BasicBlock;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Module;
import bnlab.nn.Parameter;
import bnlab.optim.Adam;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * Runs in a JVM of its own, started by {@link WidthIndependenceTest} with a given {@code
 * -XX:MaxVectorSize}, and writes every output it computes to a file as (name, values) records,
 * which the test compares across widths bit for bit.
 *
 * <p>{@code kernels FILE}: the normalization kernels and the GEMM called directly (the vector
 * provider at this JVM's width, even 128 bits) on awkward sizes; {@code train FILE}: a few Adam
 * steps of Net+BN and of small BatchNorm and GroupNorm ResNets through the kernel provider the JVM
 * picks: the losses, and every parameter and buffer after training.
 */
final class WidthProbe {
  private final DataOutputStream out;

  private WidthProbe(DataOutputStream out) {
    this.out = out;
  }

  public static void main(String[] args) throws IOException {
    try (DataOutputStream out =
        new DataOutputStream(
            new java.io.BufferedOutputStream(Files.newOutputStream(Path.of(args[1]))))) {
      WidthProbe p = new WidthProbe(out);
      switch (args[0]) {
        case "kernels" -> p.kernels();
        case "train" -> p.train();
        case "train-winograd" -> p.trainWinograd();
        case "c1" -> p.everyKernelOnce();
        default -> throw new IllegalArgumentException(args[0]);
      }
    }
  }

  private void put(String name, float[] v) throws IOException {
    out.writeUTF(name);
    out.writeInt(v.length);
    for (float f : v) {
      out.writeDouble(f);
    }
  }

  private void put(String name, double[] v, int len) throws IOException {
    out.writeUTF(name);
    out.writeInt(len);
    for (int i = 0; i < len; i++) {
      out.writeDouble(v[i]);
    }
  }

  private static float[] random(Random r, int len, double offset, double scale) {
    float[] x = new float[len];
    for (int i = 0; i < len; i++) {
      x[i] = (float) (offset + scale * r.nextGaussian());
    }
    return x;
  }

  // ---- kernels -----------------------------------------------------------------------------

  private void kernels() throws IOException {
    KernelProvider vector = VectorSupport.create();
    out.writeUTF("provider " + vector.name());
    norms(vector.norm());
    gemms(vector.gemm());
    winograd();
    directOuter();
  }

  /**
   * Run by {@link TieredCompilationTest} with {@code -Xcomp -XX:TieredStopAtLevel=3}: every kernel
   * family on small shapes (the normalizations, the GEMMs, WINOGRAD and DIRECT) and one Adam step
   * of Net+BN and of a small ResNet, so that each kernel method is compiled by C1 with profiling.
   */
  private void everyKernelOnce() throws IOException {
    KernelProvider vector = VectorSupport.create();
    norms(vector.norm());
    gemms(vector.gemm());
    winograd();
    direct(
        new int[][] {
          {16, 8, 8, 16, 1, 2},
          {5, 11, 13, 32, 1, 3},
          {2, 7, 9, 16, 0, 2},
        });
    trainModel("net-bn", ArticleNet.withBatchNorm(), 2, 32, 1);
    trainModel(
        "resnet-bn",
        new ResNet(3, 10, 1, 8, Norm.BATCH, BasicBlock.Shortcut.B, bnlab.models.Activation.RELU),
        3,
        16,
        1);
  }

  /**
   * DIRECT's weight gradient by outer products ({@link DirectWeightGrad}): 16 and 32 output
   * channels (one, two or four vectors), taps that are not a multiple of a tile, several images a
   * chunk, and the dot products' kernel on the same data.
   */
  private void directOuter() throws IOException {
    direct(
        new int[][] {
          // channels, height, width, outChannels, pad, batch
          {16, 32, 32, 16, 1, 9},
          {3, 32, 32, 16, 1, 2},
          {5, 23, 29, 32, 1, 3},
          {2, 7, 9, 16, 0, 2},
        });
  }

  private void direct(int[][] shapes) throws IOException {
    Random r = new Random(18);
    String name = KernelProvider.get().name();
    for (int[] sh : shapes) {
      ConvGeometry g = new ConvGeometry(sh[0], sh[1], sh[2], sh[3], 3, 3, 1, 1, sh[4], sh[4]);
      int n = sh[5];
      float[] x = random(r, n * g.inSize(), 0.0, 1.0);
      float[] w = random(r, g.weightSize(), 0.0, 0.3);
      float[] b = random(r, g.outChannels(), 0.0, 0.1);
      float[] dy = random(r, n * g.outSize(), 0.0, 1.0);
      for (boolean outer : new boolean[] {true, false}) {
        ConvPlan p = new DirectConvPlan(name, g, n, true, true, null, outer);
        float[] y = new float[n * g.outSize()];
        float[] dw = random(r, g.weightSize(), 0.0, 1.0);
        float[] dx = new float[x.length];
        p.forward(x, w, b, y);
        p.backward(dy, x, w, dw, dx);
        String tag = "direct outer=" + outer + " " + g;
        put(tag + " y", y);
        put(tag + " dW", dw);
        put(tag + " dX", dx);
      }
    }
  }

  /** WINOGRAD plans at awkward sizes (tail tiles, rows shorter than a vector, ragged groups). */
  private void winograd() throws IOException {
    Random r = new Random(17);
    int[][] shapes = {
      // channels, height, width, outChannels, pad, batch
      {3, 7, 9, 5, 1, 3},
      {16, 8, 8, 20, 1, 11},
      {5, 33, 6, 4, 0, 2},
      {2, 3, 3, 3, 2, 1},
      // rows of 16 and 32: F(4×4)'s vector copies at some widths, its scalar ones at others
      {4, 16, 16, 5, 1, 2},
      {3, 32, 32, 4, 1, 1},
      {2, 16, 32, 3, 0, 1},
    };
    String name = KernelProvider.get().name();
    for (int[] sh : shapes) {
      ConvGeometry g = new ConvGeometry(sh[0], sh[1], sh[2], sh[3], 3, 3, 1, 1, sh[4], sh[4]);
      int n = sh[5];
      float[] x = random(r, n * g.inSize(), 0.0, 1.0);
      float[] w = random(r, g.weightSize(), 0.0, 0.3);
      float[] b = random(r, g.outChannels(), 0.0, 0.1);
      float[] dy = random(r, n * g.outSize(), 0.0, 1.0);
      for (int m : new int[] {2, 4})
        for (boolean training : new boolean[] {true, false}) {
          ConvPlan p = new WinogradPlan(name, g, n, training, true, null, m);
          float[] y = new float[n * g.outSize()];
          float[] dw = random(r, g.weightSize(), 0.0, 1.0);
          float[] dx = new float[x.length];
          p.forward(x, w, b, y);
          p.backward(dy, x, w, dw, dx);
          String tag = "winograd F" + m + " " + g + " training=" + training;
          put(tag + " y", y);
          put(tag + " dW", dw);
          put(tag + " dX", dx);
        }
    }
  }

  private void norms(NormKernels k) throws IOException {
    Random r = new Random(15);
    int[][] layouts = {
      // n, c, s, blockSize, groupSize
      {4, 3, 1, 4, 1},
      {5, 13, 1, 5, 1},
      {33, 84, 1, 33, 1},
      {7, 120, 1, 7, 1},
      {3, 2, 2, 3, 1},
      {3, 3, 7, 3, 1},
      {2, 3, 13, 2, 1},
      {3, 2, 16, 3, 1},
      {4, 3, 25, 4, 1},
      {5, 2, 100, 5, 1},
      {2, 3, 207, 2, 1},
      {2, 2, 2100, 2, 1},
      {8, 3, 49, 4, 1},
      {3, 4, 31, 1, 1},
      {12, 6, 784, 12, 1},
      // GroupNorm and LayerNorm (per sample and group)
      {2, 8, 9, 1, 4},
      {3, 6, 16, 1, 3},
      {2, 4, 300, 1, 2},
      {2, 64, 1, 1, 64},
      {3, 100, 1, 1, 100},
      {2, 37, 1, 1, 37},
      {4, 1100, 1, 1, 1100},
      {2, 6, 5, 1, 6},
    };
    for (int[] l : layouts) {
      NormLayout v = new NormLayout(l[0], l[1], l[2], l[3], l[4]);
      int len = v.n() * v.c() * v.s();
      float[] x = random(r, len, 3.0, 1.7);
      float[] dy = random(r, len, 0.0, 0.3);
      float[] gamma = random(r, v.c(), 1.0, 0.2);
      float[] beta = random(r, v.c(), 0.0, 0.2);
      String tag = v.toString();
      NormStats st = new NormStats();
      st.ensure(v.slots());
      st.count(v.count());
      float[] y = new float[len];
      float[] xhat = new float[len];
      k.momentsNormalize(x, v, 1e-5, st, gamma, beta, y, xhat);
      put(tag + " mean", st.mean(), v.slots());
      put(tag + " var", st.var(), v.slots());
      put(tag + " y", y);
      put(tag + " xhat", xhat);
      boolean fromInput = k.recomputesXhat(v);
      float[] src = fromInput ? x : xhat;
      for (boolean train : new boolean[] {true, false}) {
        float[] dx = new float[len];
        float[] dGamma = new float[v.c()];
        float[] dBeta = new float[v.c()];
        k.backward(train, dy, src, fromInput, v, st, gamma, dx, dGamma, dBeta);
        put(tag + " train=" + train + " dx", dx);
        put(tag + " train=" + train + " dGamma", dGamma);
        put(tag + " train=" + train + " dBeta", dBeta);
        put(tag + " train=" + train + " sums", st.sumDxhat(), v.slots());
      }
      // Statistics alone (BatchRenorm, SyncBatchNorm) and the two halves of backward.
      NormStats st2 = new NormStats();
      st2.ensure(v.slots());
      st2.count(v.count());
      k.moments(x, v, st2);
      put(tag + " moments mean", st2.mean(), v.slots());
      put(tag + " moments var", st2.var(), v.slots());
      float[] dGamma = new float[v.c()];
      float[] dBeta = new float[v.c()];
      k.sums(dy, src, fromInput, v, st, gamma, dGamma, dBeta);
      float[] dx = new float[len];
      k.apply(dy, src, fromInput, v, st, gamma, dx);
      put(tag + " halves dx", dx);
      put(tag + " halves dGamma", dGamma);
    }
  }

  private void gemms(GemmKernels g) throws IOException {
    Random r = new Random(16);
    int[][] shapes = {
      // transA, transB, m, n, k, batch
      {0, 1, 6, 75, 784, 1}, {0, 1, 16, 150, 100, 12}, {0, 1, 3, 5, 13, 1}, {0, 1, 5, 7, 207, 3},
      {0, 1, 12, 120, 400, 1}, {0, 1, 7, 9, 16, 2}, {0, 1, 2, 4, 1, 1}, {0, 1, 9, 33, 4098, 1},
      {0, 0, 6, 784, 75, 1}, {0, 0, 13, 37, 207, 1}, {1, 0, 75, 784, 6, 1}, {1, 0, 17, 29, 300, 1},
    };
    for (int[] sh : shapes) {
      boolean ta = sh[0] == 1, tb = sh[1] == 1;
      int m = sh[2], n = sh[3], k = sh[4], batch = sh[5];
      int aLen = m * k, bLen = n * k;
      GemmShape s = GemmShape.of(ta, tb, m, n, k);
      if (batch > 1) {
        s = s.batched(batch, aLen, bLen);
      }
      float[] a = random(r, aLen * batch, 0.0, 1.0);
      float[] b = random(r, bLen * batch, 0.0, 1.0);
      float[] c = random(r, m * n, 0.0, 1.0);
      g.gemm(s, a, 0, b, 0, 0.5f, c, 0);
      put("gemm " + s, c);
    }
  }

  // ---- training ----------------------------------------------------------------------------

  private void train() throws IOException {
    out.writeUTF("provider " + KernelProvider.get().name());
    Module netBn = ArticleNet.withBatchNorm();
    trainModel("net-bn", netBn, 12, 32, 20);
    Module resnet =
        new ResNet(3, 10, 1, 8, Norm.BATCH, BasicBlock.Shortcut.B, bnlab.models.Activation.RELU);
    trainModel("resnet-bn", resnet, 10, 16, 12);
    Module resnetGn =
        new ResNet(3, 10, 1, 8, Norm.GROUP, BasicBlock.Shortcut.A, bnlab.models.Activation.RELU);
    trainModel("resnet-gn", resnetGn, 6, 16, 6);
    // 32×32 images: the 8→16 stride-2 convolution (16×16 outputs) runs on its phases (PHASES).
    Module resnetPhases =
        new ResNet(3, 10, 1, 8, Norm.BATCH, BasicBlock.Shortcut.A, bnlab.models.Activation.RELU);
    trainModel("resnet-phases", resnetPhases, 5, 32, 4);
  }

  /**
   * Run with {@code -Dbnlab.conv=winograd} (or {@code winograd4}): a BatchNorm ResNet whose 3×3
   * stride-1 convolutions all run WINOGRAD (or WINOGRAD4) (16 channels and more, a ragged batch).
   */
  private void trainWinograd() throws IOException {
    out.writeUTF("provider " + KernelProvider.get().name());
    Module resnet =
        new ResNet(3, 10, 1, 16, Norm.BATCH, BasicBlock.Shortcut.A, bnlab.models.Activation.RELU);
    trainModel("resnet-bn-winograd", resnet, 11, 16, 6);
  }

  private void trainModel(String name, Module model, int batch, int size, int steps)
      throws IOException {
    model.resetParameters(new Rng(44));
    model.requiresInputGrad(false);
    Adam adam = new Adam(model.parameters(), 1e-3);
    CrossEntropyLoss loss = new CrossEntropyLoss();
    Rng data = new Rng(9);
    Tensor x = Tensor.zeros(batch, 3, size, size);
    int[] y = new int[batch];
    float[] losses = new float[steps];
    for (int step = 0; step < steps; step++) {
      data.fillUniform(x, -1f, 1f);
      for (int i = 0; i < batch; i++) {
        y[i] = data.nextInt(10);
      }
      adam.zeroGrad();
      losses[step] = loss.forward(model.forward(x), y);
      model.backward(loss.backward());
      adam.step();
    }
    put(name + " losses", losses);
    for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
      put(name + " " + e.getKey(), e.getValue().data().toArray());
    }
    for (Map.Entry<String, Tensor> e : model.namedBuffers().entrySet()) {
      put(name + " " + e.getKey(), e.getValue().toArray());
    }
  }
}
