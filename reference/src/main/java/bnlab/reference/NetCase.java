package bnlab.reference;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * End-to-end check in the manner of llm.c's test: a small CNN with Batch Normalization trained for
 * a few SGD steps on one fixed batch. Recorded: initial parameters, the logits, loss and every
 * parameter gradient of step 1, the loss of every step, the parameters and BN buffers after the
 * last step, and the eval-mode logits afterwards.
 *
 * <pre>
 * conv1 Conv2d(3, 4, 3, padding=1) bn1 BatchNorm2d(4) relu pool MaxPool2d(2)   (N,3,8,8) → (N,4,4,4)
 * conv2 Conv2d(4, 6, 3)            bn2 BatchNorm2d(6) relu flatten              → (N,24)
 * fc1 Linear(24, 10)               bn3 BatchNorm1d(10) relu fc2 Linear(10, 5)   → (N,5)
 * loss = cross_entropy(logits, target), SGD(lr=0.1, momentum=0.9) as torch.optim.SGD
 * </pre>
 */
final class NetCase {
  static final int N = 8;
  static final int STEPS = 5;
  static final double LR = 0.1;
  static final double MOMENTUM = 0.9;

  private final NDManager m;
  private final Map<String, float[]> params = new LinkedHashMap<>();
  private final Map<String, long[]> shapes = new LinkedHashMap<>();
  private final Map<String, NDArray> live = new LinkedHashMap<>();
  private final Map<String, NDArray> buffers = new LinkedHashMap<>();

  private NetCase(NDManager m) {
    this.m = m;
  }

  static List<GoldenFile> all(NDManager m) {
    return List.of(new NetCase(m).run("tiny_bn_net", 61));
  }

  private void param(Inputs r, String name, float offset, float scale, long... shape) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    params.put(name, r.uniform(n, offset, scale));
    shapes.put(name, shape);
  }

  private void conv(Inputs r, String name, int in, int out, int k) {
    float bound = (float) (1 / Math.sqrt(in * k * k));
    param(r, name + ".weight", 0f, bound, out, in, k, k);
    param(r, name + ".bias", 0f, bound, out);
  }

  private void linear(Inputs r, String name, int in, int out) {
    float bound = (float) (1 / Math.sqrt(in));
    param(r, name + ".weight", 0f, bound, out, in);
    param(r, name + ".bias", 0f, bound, out);
  }

  private void bn(Inputs r, String name, int c) {
    param(r, name + ".weight", 1f, 0.2f, c);
    param(r, name + ".bias", 0f, 0.1f, c);
    buffers.put(name + ".running_mean", m.zeros(new Shape(c)));
    buffers.put(name + ".running_var", m.ones(new Shape(c)));
  }

  private NDArray p(String name) {
    return live.get(name);
  }

  private NDArray batchNorm(NDArray x, String name, boolean training) {
    return Torch.batchNorm(
        x,
        buffers.get(name + ".running_mean"),
        buffers.get(name + ".running_var"),
        p(name + ".weight"),
        p(name + ".bias"),
        training,
        0.1,
        1e-5);
  }

  private NDArray forward(NDArray x, boolean training) {
    Shape s1 = new Shape(1, 1);
    var ex = x.getNDArrayInternal();
    NDArray h =
        ex.convolution(x, p("conv1.weight"), p("conv1.bias"), s1, s1, s1, 1).singletonOrThrow();
    h = batchNorm(h, "bn1", training).getNDArrayInternal().relu();
    h = h.getNDArrayInternal().maxPool(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
    h =
        h.getNDArrayInternal()
            .convolution(h, p("conv2.weight"), p("conv2.bias"), s1, new Shape(0, 0), s1, 1)
            .singletonOrThrow();
    h = batchNorm(h, "bn2", training).getNDArrayInternal().relu();
    h = h.reshape(N, -1);
    h = h.getNDArrayInternal().linear(h, p("fc1.weight"), p("fc1.bias")).singletonOrThrow();
    h = batchNorm(h, "bn3", training).getNDArrayInternal().relu();
    return h.getNDArrayInternal().linear(h, p("fc2.weight"), p("fc2.bias")).singletonOrThrow();
  }

  private void makeLive(boolean grad) {
    live.clear();
    params.forEach(
        (name, v) ->
            live.put(
                name,
                grad ? Torch.param(m, v, shapes.get(name)) : Torch.f32(m, v, shapes.get(name))));
  }

  private GoldenFile run(String name, long seed) {
    Inputs r = new Inputs(seed);
    conv(r, "conv1", 3, 4, 3);
    bn(r, "bn1", 4);
    conv(r, "conv2", 4, 6, 3);
    bn(r, "bn2", 6);
    linear(r, "fc1", 24, 10);
    bn(r, "bn3", 10);
    linear(r, "fc2", 10, 5);
    long[] xs = {N, 3, 8, 8};
    float[] xv = r.uniform(N * 3 * 8 * 8);
    long[] target = r.classes(N, 5);
    GoldenFile g =
        new GoldenFile(
            name,
            "Tiny CNN with BatchNorm, trained "
                + STEPS
                + " steps on one batch with SGD(lr=0.1, momentum=0.9):\n"
                + "conv1 Conv2d(3,4,3,padding=1), bn1 BatchNorm2d(4), ReLU, MaxPool2d(2),\n"
                + "conv2 Conv2d(4,6,3), bn2 BatchNorm2d(6), ReLU, flatten,\n"
                + "fc1 Linear(24,10), bn3 BatchNorm1d(10), ReLU, fc2 Linear(10,5);"
                + " loss = cross_entropy (mean).\n"
                + "Forward and backward by libtorch (autograd); the SGD update is torch.optim.SGD's"
                + " formula\nin libtorch float32 ops (buf = g at step 1, then 0.9*buf + g; p -= 0.1*buf).\n"
                + "param0:NAME initial parameters; step1 logits, loss_1 and grad1:NAME; loss_k for"
                + " every step;\nfinal:NAME parameters and BN buffers after the last step; eval_logits"
                + " in eval mode on x.");
    g.attr("steps", STEPS).attr("lr", LR).attr("momentum", MOMENTUM);
    g.f32("x", xv, xs).i64("target", target, N);
    params.forEach((k, v) -> g.f32("param0:" + k, v, shapes.get(k)));
    NDArray t = m.create(target, new Shape(N, 1));
    Map<String, float[]> bufs = new LinkedHashMap<>();
    for (int step = 1; step <= STEPS; step++) {
      makeLive(true);
      Map<String, float[]> grads = new LinkedHashMap<>();
      try (var collector = Engine.getEngine(Torch.ENGINE).newGradientCollector()) {
        NDArray logits = forward(Torch.f32(m, xv, xs), true);
        NDArray loss = logits.logSoftmax(1).gather(t, 1).mean().neg();
        collector.backward(loss);
        g.f32("loss_" + step, Torch.floats(loss));
        if (step == 1) {
          g.f32("logits_1", Torch.floats(logits), N, 5);
        }
        live.forEach((k, v) -> grads.put(k, Torch.floats(v.getGradient())));
      }
      if (step == 1) {
        grads.forEach((k, v) -> g.f32("grad1:" + k, v, shapes.get(k)));
      }
      sgd(grads, bufs);
    }
    params.forEach((k, v) -> g.f32("final:" + k, v, shapes.get(k)));
    buffers.forEach((k, v) -> g.f32("final:" + k, Torch.floats(v), Torch.shape(v)));
    g.attr("num_batches_tracked", STEPS);
    makeLive(false);
    g.f32("eval_logits", Torch.floats(forward(Torch.f32(m, xv, xs), false)), N, 5);
    return g;
  }

  /** torch.optim.SGD(lr, momentum), dampening 0, no weight decay, with libtorch float32 ops. */
  private void sgd(Map<String, float[]> grads, Map<String, float[]> bufs) {
    for (var e : params.entrySet()) {
      long[] s = shapes.get(e.getKey());
      NDArray grad = Torch.f32(m, grads.get(e.getKey()), s);
      float[] old = bufs.get(e.getKey());
      NDArray buf = old == null ? grad : Torch.f32(m, old, s).mul((float) MOMENTUM).add(grad);
      bufs.put(e.getKey(), Torch.floats(buf));
      NDArray p = Torch.f32(m, e.getValue(), s).sub(buf.mul((float) LR));
      e.setValue(Torch.floats(p));
    }
  }
}
