package bnlab.reference;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CIFAR ResNet's residual block and a tiny whole ResNet, written as the PyTorch model is
 * (torchvision-style names, the common CIFAR ResNet's option-A shortcut):
 *
 * <pre>
 * out = relu(bn1(conv1(x)))                 conv1 3x3, stride s, padding 1, no bias
 * out = bn2(conv2(out))                     conv2 3x3, stride 1, padding 1, no bias
 * out = relu(out + shortcut(x))
 * shortcut A: F.pad(x[:, :, ::s, ::s], (0, 0, 0, 0, p, p)) with p = (planes - in_planes) / 2
 * shortcut B: bn(conv1x1(x, stride s))      named shortcut.0 / shortcut.1
 * </pre>
 *
 * One training-mode forward and autograd backward, then the running statistics and an eval-mode
 * forward with them. Parameters are drawn here (γ = 1 ± 0.2 and β = ±0.1, so that the affine part
 * is not the identity).
 */
final class ResNetCases {
  private final NDManager m;
  private final Inputs r;
  private final Map<String, float[]> values = new LinkedHashMap<>();
  private final Map<String, long[]> shapes = new LinkedHashMap<>();
  private final Map<String, NDArray> live = new LinkedHashMap<>();
  private final Map<String, NDArray> buffers = new LinkedHashMap<>();

  private ResNetCases(NDManager m, long seed) {
    this.m = m;
    this.r = new Inputs(seed);
  }

  static List<GoldenFile> all(NDManager m) {
    return List.of(
        new ResNetCases(m, 81).block("resnet_block_a", 'A'),
        new ResNetCases(m, 82).block("resnet_block_b", 'B'),
        new ResNetCases(m, 83).tiny("resnet_tiny"));
  }

  // ---- parameters, drawn in registration order ----

  private void param(String name, float offset, float scale, long... shape) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    values.put(name, r.uniform(n, offset, scale));
    shapes.put(name, shape);
  }

  private void conv(String name, int in, int out, int k) {
    param(name + ".weight", 0f, (float) (1 / Math.sqrt(in * k * k)), out, in, k, k);
  }

  private void bn(String name, int c) {
    param(name + ".weight", 1f, 0.2f, c);
    param(name + ".bias", 0f, 0.1f, c);
    buffers.put(name + ".running_mean", m.zeros(new Shape(c)));
    buffers.put(name + ".running_var", m.ones(new Shape(c)));
  }

  private void blockParams(String p, int in, int planes, int stride, char option) {
    conv(p + "conv1", in, planes, 3);
    bn(p + "bn1", planes);
    conv(p + "conv2", planes, planes, 3);
    bn(p + "bn2", planes);
    if (option == 'B' && (stride != 1 || in != planes)) {
      conv(p + "shortcut.0", in, planes, 1);
      bn(p + "shortcut.1", planes);
    }
  }

  // ---- the model, as the PyTorch forward ----

  private NDArray conv2d(NDArray x, String name, int stride, int padding) {
    Shape s = new Shape(stride, stride);
    return x.getNDArrayInternal()
        .convolution(
            x, live.get(name + ".weight"), null, s, new Shape(padding, padding), new Shape(1, 1), 1)
        .singletonOrThrow();
  }

  private NDArray batchNorm(NDArray x, String name, boolean training) {
    return Torch.batchNorm(
        x,
        buffers.get(name + ".running_mean"),
        buffers.get(name + ".running_var"),
        live.get(name + ".weight"),
        live.get(name + ".bias"),
        training,
        0.1,
        1e-5);
  }

  private static NDArray relu(NDArray x) {
    return x.getNDArrayInternal().relu();
  }

  private NDArray block(
      NDArray x, String p, int in, int planes, int stride, char option, boolean training) {
    NDArray out = relu(batchNorm(conv2d(x, p + "conv1", stride, 1), p + "bn1", training));
    out = batchNorm(conv2d(out, p + "conv2", 1, 1), p + "bn2", training);
    NDArray shortcut = x;
    if (stride != 1 || in != planes) {
      shortcut =
          option == 'A'
              ? padShortcut(x, planes, stride)
              : batchNorm(conv2d(x, p + "shortcut.0", stride, 0), p + "shortcut.1", training);
    }
    return relu(out.add(shortcut));
  }

  /** F.pad(x[:, :, ::s, ::s], (0, 0, 0, 0, before, after)). */
  private NDArray padShortcut(NDArray x, int planes, int stride) {
    NDArray sub = x.get(":, :, ::" + stride + ", ::" + stride);
    long[] s = Torch.shape(sub);
    int before = (planes - (int) s[1]) / 2;
    int after = planes - (int) s[1] - before;
    NDArray zb = m.zeros(new Shape(s[0], before, s[2], s[3]));
    NDArray za = m.zeros(new Shape(s[0], after, s[2], s[3]));
    return NDArrays.concat(new NDList(zb, sub, za), 1);
  }

  private void makeLive() {
    live.clear();
    values.forEach((k, v) -> live.put(k, Torch.param(m, v, shapes.get(k))));
  }

  private void recordParams(GoldenFile g) {
    values.forEach((k, v) -> g.f32("param:" + k, v, shapes.get(k)));
  }

  private void recordGradsAndBuffers(GoldenFile g) {
    live.forEach((k, v) -> g.f32("grad:" + k, Torch.floats(v.getGradient()), shapes.get(k)));
    buffers.forEach((k, v) -> g.f32("after:" + k, Torch.floats(v), Torch.shape(v)));
    g.attr("num_batches_tracked", 1);
  }

  // ---- the cases ----

  private GoldenFile block(String name, char option) {
    int n = 3;
    int in = 4;
    int planes = 8;
    int stride = 2;
    long[] xs = {n, in, 7, 6};
    blockParams("", in, planes, stride, option);
    float[] xv = r.uniform(n * in * 7 * 6);
    GoldenFile g =
        new GoldenFile(
            name,
            "ResNet BasicBlock(in_planes=4, planes=8, stride=2), option "
                + option
                + (option == 'A'
                    ? " shortcut F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, 2, 2))"
                    : " shortcut bn(conv1x1(x, stride=2)) as shortcut.0/shortcut.1")
                + ":\nout = relu(bn1(conv1(x))); out = bn2(conv2(out)); y = relu(out + shortcut(x));"
                + "\nconvs without bias; BatchNorm2d(eps=1e-5, momentum=0.1) in training mode,"
                + " running stats from 0/1.\ny and the autograd gradients of sum(y * dY): dX and"
                + " grad:NAME; after:NAME the running statistics\nafter this one training forward;"
                + " y_eval = the block in eval mode on x with them.");
    g.attr("in_planes", in).attr("planes", planes).attr("stride", stride);
    g.attr("shortcut", option);
    g.f32("x", xv, xs);
    recordParams(g);
    makeLive();
    try (var collector = Engine.getEngine(Torch.ENGINE).newGradientCollector()) {
      NDArray x = Torch.param(m, xv, xs);
      NDArray y = block(x, "", in, planes, stride, option, true);
      float[] dyv = r.uniform((int) y.size());
      NDArray dY = Torch.f32(m, dyv, Torch.shape(y));
      collector.backward(y.mul(dY).sum());
      g.f32("y", Torch.floats(y), Torch.shape(y)).f32("dY", dyv, Torch.shape(y));
      g.f32("dX", Torch.floats(x.getGradient()), xs);
      recordGradsAndBuffers(g);
    }
    NDArray yEval = block(Torch.f32(m, xv, xs), "", in, planes, stride, option, false);
    g.f32("y_eval", Torch.floats(yEval), Torch.shape(yEval));
    return g;
  }

  private NDArray tinyForward(NDArray x, boolean training) {
    NDArray h = relu(batchNorm(conv2d(x, "conv1", 1, 1), "bn1", training));
    h = block(h, "layer1.0.", 4, 4, 1, 'A', training);
    h = block(h, "layer2.0.", 4, 8, 2, 'A', training);
    h = block(h, "layer3.0.", 8, 16, 2, 'A', training);
    long[] s = Torch.shape(h);
    h = h.reshape(s[0], s[1], -1).mean(new int[] {2}); // = x.mean((2, 3)); DJL takes one axis
    return h.getNDArrayInternal()
        .linear(h, live.get("fc.weight"), live.get("fc.bias"))
        .singletonOrThrow();
  }

  private GoldenFile tiny(String name) {
    int n = 4;
    int classes = 5;
    long[] xs = {n, 3, 8, 8};
    conv("conv1", 3, 4, 3);
    bn("bn1", 4);
    blockParams("layer1.0.", 4, 4, 1, 'A');
    blockParams("layer2.0.", 4, 8, 2, 'A');
    blockParams("layer3.0.", 8, 16, 2, 'A');
    float bound = (float) (1 / Math.sqrt(16));
    param("fc.weight", 0f, bound, classes, 16);
    param("fc.bias", 0f, bound, classes);
    float[] xv = r.uniform(n * 3 * 8 * 8);
    long[] target = r.classes(n, classes);
    GoldenFile g =
        new GoldenFile(
            name,
            "A tiny CIFAR ResNet (He et al. 2016, 4.2) with one block per stage and width 4:\n"
                + "conv1 3x3 3->4, bn1, relu; layer1.0 BasicBlock(4, 4); layer2.0 BasicBlock(4, 8,"
                + " stride 2, option A);\nlayer3.0 BasicBlock(8, 16, stride 2, option A);"
                + " x.mean((2, 3)) (AdaptiveAvgPool2d(1) + flatten); fc Linear(16, 5);\n"
                + "loss = cross_entropy (mean). One training-mode forward and autograd backward:"
                + " logits, loss, grad:NAME;\nafter:NAME running statistics after it; eval_logits"
                + " in eval mode on x with them.");
    g.f32("x", xv, xs).i64("target", target, n);
    recordParams(g);
    makeLive();
    NDArray t = m.create(target, new Shape(n, 1));
    try (var collector = Engine.getEngine(Torch.ENGINE).newGradientCollector()) {
      NDArray logits = tinyForward(Torch.f32(m, xv, xs), true);
      NDArray loss = logits.logSoftmax(1).gather(t, 1).mean().neg();
      collector.backward(loss);
      g.f32("logits", Torch.floats(logits), n, classes).f32("loss", Torch.floats(loss));
      recordGradsAndBuffers(g);
    }
    g.f32("eval_logits", Torch.floats(tinyForward(Torch.f32(m, xv, xs), false)), n, classes);
    return g;
  }
}
