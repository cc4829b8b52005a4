package bnlab.reference.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import bnlab.lab.bench.Paired;
import bnlab.nn.BatchNorm2d;
import bnlab.nn.Conv2d;
import bnlab.nn.Module;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One layer of the zoo's networks at a time, bnlab's {@link Conv2d} or {@link BatchNorm2d} against
 * libtorch's {@code F.conv2d} or {@code F.batch_norm} in one process, timed in turns ({@link
 * Paired}): where a whole network's ratio ({@link PairedBench}) comes from, layer by layer. A
 * training step is the forward and the backward for a fixed dY (the weight and bias gradients, and
 * the input gradient except for a network's first layer, which has none to give); an inference step
 * the eval-mode forward without autograd. libtorch's input is a fresh leaf each step (a detached
 * view), so its dX is allocated as autograd allocates an activation's gradient in a network, not
 * accumulated; its weight gradient accumulates in place, as bnlab's does. Each row names the plan
 * bnlab chose.
 *
 * <p>Run with {@code reference/layers.sh}.
 */
@Command(
    name = "reference/layers.sh",
    mixinStandardHelpOptions = true,
    description =
        "bnlab's Conv2d and BatchNorm2d against libtorch's conv2d and batch_norm, layer by layer"
            + " of the zoo's networks, in one process timed run by run in turns: per layer the"
            + " median images/s of each side, the median and range of the pairs' ratios bnlab /"
            + " libtorch, and bnlab's plan.")
public final class LayerPairedBench implements Callable<Integer> {
  /**
   * A layer of the zoo: a convolution (where it sits, whether it is a network's first layer), or
   * with {@code k} 0 a BatchNorm2d over {@code in} channels of hw×hw (affine, running statistics).
   */
  record Layer(
      String name,
      String where,
      int in,
      int hw,
      int out,
      int k,
      int stride,
      int pad,
      boolean bias,
      boolean first) {
    boolean norm() {
      return k == 0;
    }

    String shape() {
      if (norm()) {
        return String.format(Locale.ROOT, "BN %d @%d", in, hw);
      }
      String st = stride > 1 ? " s" + stride : "";
      return String.format(Locale.ROOT, "%d->%d @%d k%d%s", in, out, hw, k, st);
    }
  }

  private static Layer bn(String name, String where, int c, int hw) {
    return new Layer(name, where, c, hw, c, 0, 1, 0, false, false);
  }

  static final Map<String, Layer> LAYERS = new LinkedHashMap<>();

  static {
    add(new Layer("net1", "Net conv1", 3, 32, 6, 5, 1, 0, true, true));
    add(new Layer("net2", "Net conv2", 6, 14, 16, 5, 1, 0, true, false));
    add(new Layer("vgg1", "vgg conv1", 3, 32, 32, 3, 1, 1, true, true));
    add(new Layer("vgg2", "vgg conv2", 32, 32, 32, 3, 1, 1, true, false));
    add(new Layer("vgg3", "vgg conv3", 32, 16, 64, 3, 1, 1, true, false));
    add(new Layer("vgg4", "vgg conv4", 64, 16, 64, 3, 1, 1, true, false));
    add(new Layer("vgg5", "vgg conv5", 64, 8, 128, 3, 1, 1, true, false));
    add(new Layer("vgg6", "vgg conv6", 128, 8, 128, 3, 1, 1, true, false));
    add(new Layer("r1", "resnet20 conv1", 3, 32, 16, 3, 1, 1, false, true));
    add(new Layer("r2", "resnet20 layer1 (x6)", 16, 32, 16, 3, 1, 1, false, false));
    add(new Layer("r2s", "resnet20 layer2.0.conv1", 16, 32, 32, 3, 2, 1, false, false));
    add(new Layer("r3", "resnet20 layer2 (x5)", 32, 16, 32, 3, 1, 1, false, false));
    add(new Layer("r3s", "resnet20 layer3.0.conv1", 32, 16, 64, 3, 2, 1, false, false));
    add(new Layer("r4", "resnet20 layer3 (x5)", 64, 8, 64, 3, 1, 1, false, false));
    add(bn("bn16", "resnet20 layer1 (x7)", 16, 32));
    add(bn("bn32", "resnet20 layer2 (x6)", 32, 16));
    add(bn("bn64", "resnet20 layer3 (x6)", 64, 8));
    add(bn("bnv32", "vgg-bn conv1-2 (x2)", 32, 32));
    add(bn("bnv128", "vgg-bn conv5-6 (x2)", 128, 8));
  }

  private static void add(Layer l) {
    LAYERS.put(l.name(), l);
  }

  @Option(
      names = "--layers",
      split = ",",
      defaultValue =
          "net1,net2,vgg1,vgg2,vgg3,vgg4,vgg5,vgg6,r1,r2,r2s,r3,r3s,r4,bn16,bn32,bn64,bnv32,bnv128",
      description = "Layers (default: ${DEFAULT-VALUE}).")
  List<String> layers;

  @Option(
      names = "--modes",
      split = ",",
      defaultValue = "train",
      description = "train (forward + backward) and/or infer (default: ${DEFAULT-VALUE}).")
  List<String> modes;

  @Option(
      names = "--batch",
      defaultValue = "128",
      description = "Images per step (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--warmup",
      defaultValue = "3",
      description = "Warm-up rounds, one run per side each (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--pairs",
      defaultValue = "7",
      description = "Timed pairs, one run per side each (default: ${DEFAULT-VALUE}).")
  int pairs;

  @Option(
      names = "--run-seconds",
      defaultValue = "0.3",
      description = "Target length of a run (default: ${DEFAULT-VALUE}).")
  double runSeconds;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "Threads of each side (default: ${DEFAULT-VALUE}).")
  int threads;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** One measured row. */
  record Row(Layer layer, String mode, String plan, Paired.Result result) {}

  /** Parses the arguments, measures, prints; exit code 2 for bad arguments. */
  public static void main(String[] args) {
    System.exit(command().execute(args));
  }

  /** The command line, with a failed run (e.g. both sides disagreeing) reported in one line. */
  static CommandLine command() {
    return new CommandLine(new LayerPairedBench())
        .setExecutionExceptionHandler(
            (e, cli, parsed) -> {
              cli.getErr().println("layers bench: " + e.getMessage());
              return 1;
            });
  }

  @Override
  public Integer call() {
    Paired.Options o = checked();
    Engine engine = PairedBench.bothSides(threads);
    List<Row> rows = new ArrayList<>();
    try (NDManager base = NDManager.newBaseManager(Device.cpu(), engine.getEngineName())) {
      for (String name : layers) {
        for (String mode : modes) {
          rows.add(measure((PtNDManager) base, LAYERS.get(name), mode.equals("train"), o));
        }
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(table(header(engine), o, rows));
    out.flush();
    return 0;
  }

  private Paired.Options checked() {
    for (String name : layers) {
      if (!LAYERS.containsKey(name)) {
        throw usage("unknown layer " + name + "; known: " + String.join(",", LAYERS.keySet()));
      }
    }
    for (String m : modes) {
      if (!m.equals("train") && !m.equals("infer")) {
        throw usage("unknown mode " + m + "; use train and/or infer");
      }
    }
    if (batch < 1 || threads < 1) {
      throw usage("need --batch >= 1 and --threads >= 1");
    }
    try {
      return new Paired.Options(warmup, pairs, runSeconds, 0);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), "layers bench: " + message);
  }

  private Row measure(PtNDManager base, Layer l, boolean train, Paired.Options o) {
    System.err.printf(
        Locale.ROOT, "layers: %s %s batch %d ...%n", l.name(), train ? "train" : "infer", batch);
    Rng rng = new Rng(1);
    int p = l.norm() ? l.hw() : (l.hw() + 2 * l.pad() - l.k()) / l.stride() + 1;
    Tensor x = uniform(rng, batch, l.in(), l.hw(), l.hw());
    Tensor dy = uniform(rng, batch, l.out(), p, p);
    Module layer =
        l.norm()
            ? new BatchNorm2d(l.in())
            : new Conv2d(l.in(), l.out(), l.k(), l.stride(), l.pad(), l.bias());
    layer.requiresInputGrad(!l.first());
    layer.train(train);
    Runnable bnlab =
        train
            ? () -> {
              layer.forward(x);
              layer.backward(dy);
            }
            : () -> layer.forward(x);
    bnlab.run();
    String plan = layer instanceof Conv2d c ? strategy(c.planDescription()) : "";
    try (NDManager m = base.newSubManager()) {
      PtNDArray tx = (PtNDArray) m.create(x.data(), new Shape(batch, l.in(), l.hw(), l.hw()));
      PtNDArray tdy = (PtNDArray) m.create(dy.data(), new Shape(batch, l.out(), p, p));
      UnaryOperator<PtNDArray> op = l.norm() ? norm(m, l, train) : conv(m, l, layer, train);
      agree(l, layer.forward(x).data(), op.apply(tx).toFloatArray());
      Runnable torch =
          () -> {
            try (NDManager step = m.newSubManager()) {
              // What the step creates from x lives in the step's manager and is freed with it.
              step.tempAttachAll(tx);
              // Autograd records only in grad mode (DJL turns it on inside a GradientCollector).
              JniUtils.setGradMode(train);
              if (train) {
                PtNDArray leaf = JniUtils.detachGradient(tx);
                if (!l.first()) {
                  JniUtils.attachGradient(leaf, true);
                }
                JniUtils.backward(op.apply(leaf), tdy, false, false);
              } else {
                op.apply(tx);
              }
            }
          };
      Paired.Result r =
          Paired.measure(
              new Paired.Side("bnlab", batch, bnlab),
              new Paired.Side("libtorch", batch, torch),
              o,
              Paired.Clock.SYSTEM);
      return new Row(l, train ? "train" : "infer", plan, r);
    }
  }

  /**
   * Both sides compute the same layer: their outputs for the same input agree to float rounding
   * (relative to the output's largest magnitude; the sums run in different orders).
   */
  static void agree(Layer l, float[] bnlab, float[] torch) {
    if (bnlab.length < torch.length) {
      throw new IllegalStateException(l.name() + ": bnlab's output is shorter than libtorch's");
    }
    double scale = 0;
    double worst = 0;
    int at = -1;
    for (int i = 0; i < torch.length; i++) {
      scale = Math.max(scale, Math.abs(torch[i]));
      double d = Math.abs((double) bnlab[i] - torch[i]);
      if (!(d <= worst)) {
        worst = d;
        at = i;
      }
    }
    if (!(worst <= 1e-4 * Math.max(scale, 1))) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "%s: bnlab and libtorch differ at output %d: %s vs %s (largest |y| %s)",
              l.name(),
              at,
              bnlab[at],
              torch[at],
              scale));
    }
  }

  // F.conv2d with bnlab's layer's weight and bias (gradients accumulated in training).
  private static UnaryOperator<PtNDArray> conv(NDManager m, Layer l, Module layer, boolean train) {
    Conv2d conv = (Conv2d) layer;
    Shape ws = new Shape(l.out(), l.in(), l.k(), l.k());
    PtNDArray w = (PtNDArray) m.create(conv.weight().data().data(), ws);
    PtNDArray b =
        l.bias() ? (PtNDArray) m.create(conv.bias().data().data(), new Shape(l.out())) : null;
    requireGrad(train, w, b);
    Shape s = new Shape(l.stride(), l.stride());
    Shape pd = new Shape(l.pad(), l.pad());
    Shape dil = new Shape(1, 1);
    return x -> JniUtils.convolution(x, w, b, s, pd, dil, 1);
  }

  // F.batch_norm as nn.BatchNorm2d(c) runs it: affine, running statistics, momentum 0.1.
  private static UnaryOperator<PtNDArray> norm(NDManager m, Layer l, boolean train) {
    Shape c = new Shape(l.in());
    PtNDArray gamma = (PtNDArray) m.ones(c);
    PtNDArray beta = (PtNDArray) m.zeros(c);
    PtNDArray mean = (PtNDArray) m.zeros(c);
    PtNDArray var = (PtNDArray) m.ones(c);
    requireGrad(train, gamma, beta);
    return x -> JniUtils.batchNorm(x, mean, var, gamma, beta, train, 0.1, 1e-5);
  }

  private static void requireGrad(boolean train, PtNDArray... params) {
    for (PtNDArray a : params) {
      if (train && a != null) {
        JniUtils.attachGradient(a, true);
      }
    }
  }

  // Values in [-1, 1): no zeros or denormals for either side to skip.
  private static Tensor uniform(Rng rng, int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] a = t.data();
    for (int i = 0; i < a.length; i++) {
      a[i] = rng.uniform(-1f, 1f);
    }
    return t;
  }

  private String header(Engine engine) {
    return PairedBench.header(engine, threads) + " | batch " + batch;
  }

  static String table(String header, Paired.Options o, List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append(header).append('\n');
    sb.append(
        String.format(
            Locale.ROOT,
            "%d pairs of runs of about %.2f s after %d+ warm-up rounds%n",
            o.pairs(),
            o.runSeconds(),
            o.warmups()));
    sb.append(
        String.format(
            Locale.ROOT,
            "%-5s %-25s %-17s %-5s %11s %11s %7s %13s  %s%n",
            "layer",
            "where",
            "shape",
            "mode",
            "bnlab img/s",
            "torch img/s",
            "ratio",
            "ratio range",
            "bnlab plan"));
    for (Row r : rows) {
      Layer l = r.layer();
      Paired.Result p = r.result();
      String shape = l.shape();
      sb.append(
          String.format(
              Locale.ROOT,
              "%-5s %-25s %-17s %-5s %11.0f %11.0f %6.2fx %5.2f..%-5.2f  %s%n",
              l.name(),
              l.where(),
              shape,
              r.mode(),
              p.medianA(),
              p.medianB(),
              p.medianRatio(),
              p.minRatio(),
              p.maxRatio(),
              r.plan()));
    }
    return sb.toString();
  }

  // "ConvPlan[DIRECT on ...; batch 128, training, input gradient, details]" -> "DIRECT, details".
  static String strategy(String plan) {
    int open = plan.indexOf('[');
    int on = plan.indexOf(" on ");
    if (open < 0 || on < 0) {
      return plan;
    }
    String name = plan.substring(open + 1, on);
    int grad = plan.indexOf("gradient", on);
    String rest = grad < 0 ? "" : plan.substring(grad + "gradient".length(), plan.length() - 1);
    return name + rest;
  }
}
