package bnlab.reference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/** Convolution, linear, pooling and cross-entropy cases: forward and autograd backward. */
final class LayerCases {
  private LayerCases() {}

  static List<GoldenFile> all(NDManager m) {
    return List.of(
        conv2d(m, "conv2d_basic", 11, 2, 3, 5, 5, 4, 3, 1, 0, true),
        conv2d(m, "conv2d_stride2_pad1", 12, 2, 3, 7, 6, 5, 3, 2, 1, true),
        conv2d(m, "conv2d_k5_pad2_nobias", 13, 1, 2, 6, 6, 3, 5, 1, 2, false),
        conv1d(m, "conv1d_pad1", 14, 2, 3, 10, 4, 3, 1, 1),
        conv1d(m, "conv1d_stride2", 15, 3, 2, 9, 3, 3, 2, 0),
        linear(m, "linear", 16, 4, 6, 5),
        pool(m, "maxpool2d_k2s2", 17, true, 2, 3, 6, 6, 2, 2),
        pool(m, "maxpool2d_k3s2", 18, true, 1, 2, 7, 7, 3, 2),
        pool(m, "avgpool2d_k2s2", 19, false, 2, 3, 6, 6, 2, 2),
        pool(m, "avgpool2d_k3s2", 20, false, 1, 2, 7, 7, 3, 2),
        crossEntropy(m, "cross_entropy", 21, 6, 7));
  }

  private static GoldenFile conv2d(
      NDManager m,
      String name,
      long seed,
      int n,
      int c,
      int h,
      int w,
      int k,
      int kernel,
      int stride,
      int padding,
      boolean bias) {
    Inputs in = new Inputs(seed);
    long[] xs = {n, c, h, w};
    long[] ws = {k, c, kernel, kernel};
    float[] xv = in.uniform(n * c * h * w);
    float bound = (float) (1 / Math.sqrt(c * kernel * kernel));
    float[] wv = in.uniform(k * c * kernel * kernel, 0f, bound);
    float[] bv = bias ? in.uniform(k, 0f, bound) : null;
    GoldenFile g =
        new GoldenFile(
            name,
            String.format(
                "y = torch.nn.functional.conv2d(x, weight, %s, stride=%d, padding=%d)%n"
                    + "dX, dWeight, dBias = autograd gradients of sum(y * dY)",
                bias ? "bias" : "None", stride, padding));
    return convCase(
        m,
        in,
        g,
        xs,
        ws,
        xv,
        wv,
        bv,
        new Shape(stride, stride),
        new Shape(padding, padding),
        kernel,
        stride,
        padding);
  }

  private static GoldenFile conv1d(
      NDManager m,
      String name,
      long seed,
      int n,
      int c,
      int l,
      int k,
      int kernel,
      int stride,
      int padding) {
    Inputs in = new Inputs(seed);
    long[] xs = {n, c, l};
    long[] ws = {k, c, kernel};
    float[] xv = in.uniform(n * c * l);
    float bound = (float) (1 / Math.sqrt(c * kernel));
    float[] wv = in.uniform(k * c * kernel, 0f, bound);
    float[] bv = in.uniform(k, 0f, bound);
    GoldenFile g =
        new GoldenFile(
            name,
            String.format(
                "y = torch.nn.functional.conv1d(x, weight, bias, stride=%d, padding=%d), layout (N,C,L)%n"
                    + "dX, dWeight, dBias = autograd gradients of sum(y * dY)",
                stride, padding));
    return convCase(
        m,
        in,
        g,
        xs,
        ws,
        xv,
        wv,
        bv,
        new Shape(stride),
        new Shape(padding),
        kernel,
        stride,
        padding);
  }

  private static GoldenFile convCase(
      NDManager m,
      Inputs in,
      GoldenFile g,
      long[] xs,
      long[] ws,
      float[] xv,
      float[] wv,
      float[] bv,
      Shape stride,
      Shape padding,
      int kernel,
      int s,
      int p) {
    NDArray x = Torch.param(m, xv, xs);
    NDArray w = Torch.param(m, wv, ws);
    NDArray b = bv == null ? null : Torch.param(m, bv, ws[0]);
    Shape dilation = stride.dimension() == 1 ? new Shape(1) : new Shape(1, 1);
    NDArray y;
    try (var collector = ai.djl.engine.Engine.getEngine(Torch.ENGINE).newGradientCollector()) {
      y =
          x.getNDArrayInternal()
              .convolution(x, w, b, stride, padding, dilation, 1)
              .singletonOrThrow();
      float[] dyv = in.uniform((int) y.size());
      NDArray dY = Torch.f32(m, dyv, Torch.shape(y));
      collector.backward(y.mul(dY).sum());
      g.attr("in_channels", ws[1]).attr("out_channels", ws[0]).attr("kernel_size", kernel);
      g.attr("stride", s).attr("padding", p).attr("bias", bv != null);
      g.f32("x", xv, xs).f32("weight", wv, ws);
      if (bv != null) {
        g.f32("bias", bv, ws[0]);
      }
      g.f32("y", Torch.floats(y), Torch.shape(y)).f32("dY", dyv, Torch.shape(y));
      g.f32("dX", Torch.floats(x.getGradient()), xs);
      g.f32("dWeight", Torch.floats(w.getGradient()), ws);
      if (b != null) {
        g.f32("dBias", Torch.floats(b.getGradient()), ws[0]);
      }
    }
    return g;
  }

  private static GoldenFile linear(NDManager m, String name, long seed, int n, int in, int out) {
    Inputs r = new Inputs(seed);
    float bound = (float) (1 / Math.sqrt(in));
    float[] xv = r.uniform(n * in);
    float[] wv = r.uniform(out * in, 0f, bound);
    float[] bv = r.uniform(out, 0f, bound);
    NDArray x = Torch.param(m, xv, n, in);
    NDArray w = Torch.param(m, wv, out, in);
    NDArray b = Torch.param(m, bv, out);
    GoldenFile g =
        new GoldenFile(
            name,
            "y = torch.nn.functional.linear(x, weight, bias) = x @ weight.T + bias\n"
                + "dX, dWeight, dBias = autograd gradients of sum(y * dY)");
    try (var collector = ai.djl.engine.Engine.getEngine(Torch.ENGINE).newGradientCollector()) {
      NDArray y = x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
      float[] dyv = r.uniform(n * out);
      NDArray dY = Torch.f32(m, dyv, n, out);
      collector.backward(y.mul(dY).sum());
      g.attr("in_features", in).attr("out_features", out);
      g.f32("x", xv, n, in).f32("weight", wv, out, in).f32("bias", bv, out);
      g.f32("y", Torch.floats(y), n, out).f32("dY", dyv, n, out);
      g.f32("dX", Torch.floats(x.getGradient()), n, in);
      g.f32("dWeight", Torch.floats(w.getGradient()), out, in);
      g.f32("dBias", Torch.floats(b.getGradient()), out);
    }
    return g;
  }

  private static GoldenFile pool(
      NDManager m, String name, long seed, boolean max, int n, int c, int h, int w, int k, int s) {
    Inputs r = new Inputs(seed);
    long[] xs = {n, c, h, w};
    float[] xv = r.uniform(n * c * h * w);
    NDArray x = Torch.param(m, xv, xs);
    String op = max ? "max_pool2d" : "avg_pool2d";
    GoldenFile g =
        new GoldenFile(
            name,
            String.format(
                "y = torch.nn.functional.%s(x, kernel_size=%d, stride=%d, padding=0%s)%n"
                    + "dX = autograd gradient of sum(y * dY)",
                op, k, s, max ? "" : ", ceil_mode=False, count_include_pad=True"));
    try (var collector = ai.djl.engine.Engine.getEngine(Torch.ENGINE).newGradientCollector()) {
      var ex = x.getNDArrayInternal();
      Shape kernel = new Shape(k, k);
      Shape stride = new Shape(s, s);
      Shape pad = new Shape(0, 0);
      NDArray y =
          max
              ? ex.maxPool(kernel, stride, pad, false)
              : ex.avgPool(kernel, stride, pad, false, true);
      float[] dyv = r.uniform((int) y.size());
      NDArray dY = Torch.f32(m, dyv, Torch.shape(y));
      collector.backward(y.mul(dY).sum());
      g.attr("kernel_size", k).attr("stride", s).attr("padding", 0);
      g.f32("x", xv, xs).f32("y", Torch.floats(y), Torch.shape(y));
      g.f32("dY", dyv, Torch.shape(y)).f32("dX", Torch.floats(x.getGradient()), xs);
    }
    return g;
  }

  private static GoldenFile crossEntropy(NDManager m, String name, long seed, int n, int classes) {
    Inputs r = new Inputs(seed);
    // Large logits (up to +-30) so that a naive exp() without max-subtraction would lose accuracy.
    float[] lv = r.uniform(n * classes, 0f, 30f);
    long[] target = r.classes(n, classes);
    NDArray logits = Torch.param(m, lv, n, classes);
    NDArray t = m.create(target, new Shape(n, 1));
    GoldenFile g =
        new GoldenFile(
            name,
            "loss = torch.nn.functional.cross_entropy(logits, target) with reduction='mean',\n"
                + "computed as -mean(gather(log_softmax(logits, 1), 1, target)) (log_softmax + nll_loss)\n"
                + "dLogits = autograd gradient of loss");
    try (var collector = ai.djl.engine.Engine.getEngine(Torch.ENGINE).newGradientCollector()) {
      NDArray loss = logits.logSoftmax(1).gather(t, 1).mean().neg();
      collector.backward(loss);
      g.attr("classes", classes);
      g.f32("logits", lv, n, classes).i64("target", target, n);
      g.f32("loss", Torch.floats(loss));
      g.f32("dLogits", Torch.floats(logits.getGradient()), n, classes);
    }
    return g;
  }
}
