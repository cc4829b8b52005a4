package bnlab.onnx;

import static bnlab.onnx.Attribute.of;
import static bnlab.onnx.BasicLayers.join;

import bnlab.models.ResNet;
import bnlab.nn.BasicBlock;
import bnlab.nn.GlobalAvgPool2d;
import bnlab.nn.Module;
import bnlab.nn.ZeroPadShortcut;
import java.util.List;
import java.util.Map;

/**
 * Exporters of the residual network's modules, which are not sequences: {@link BasicBlock} → its
 * two convolution branches joined by Add (the input value feeds both the residual branch and the
 * shortcut), {@link ZeroPadShortcut} → Slice with steps (x[:, :, ::s, ::s]) and a constant Pad of
 * the channel axis, {@link GlobalAvgPool2d} → GlobalAveragePool + Flatten, and {@link ResNet} → its
 * stem, stages, pooling and classifier in the order of its forward. The non-linearities hold no
 * state and are not registered sub-modules, so their nodes are named after the block ({@code
 * /layer1/0/act1/Relu}).
 */
final class ResidualLayers {
  private ResidualLayers() {}

  static void register() {
    Exporters.register(ResNet.class, ResidualLayers::resnet);
    Exporters.register(BasicBlock.class, ResidualLayers::block);
    Exporters.register(ZeroPadShortcut.class, ResidualLayers::zeroPad);
    Exporters.register(GlobalAvgPool2d.class, ResidualLayers::globalAvgPool);
  }

  // conv1 [bn1] act, layer1..3, global average pool, fc
  private static Value resnet(ResNet r, String path, Value x, OnnxGraph g) {
    Map<String, Module> c = r.children();
    Value h = g.export(c.get("conv1"), join(path, "conv1"), x);
    h = optional(c, "bn1", path, h, g);
    h = g.export(r.activation().create(), join(path, "act"), h);
    for (String stage : List.of("layer1", "layer2", "layer3")) {
      h = g.export(c.get(stage), join(path, stage), h);
    }
    h = g.export(new GlobalAvgPool2d(), join(path, "avgpool"), h);
    return g.export(c.get("fc"), join(path, "fc"), h);
  }

  // y = act(bn2(conv2(act(bn1(conv1(x))))) + shortcut(x))
  private static Value block(BasicBlock b, String path, Value x, OnnxGraph g) {
    Map<String, Module> c = b.children();
    Value h = g.export(c.get("conv1"), join(path, "conv1"), x);
    h = optional(c, "bn1", path, h, g);
    h = g.export(b.activation(), join(path, "act1"), h);
    h = g.export(c.get("conv2"), join(path, "conv2"), h);
    h = optional(c, "bn2", path, h, g);
    Value identity = b.shortcut() == null ? x : g.export(b.shortcut(), join(path, "shortcut"), x);
    return g.export(b.activation(), join(path, "act2"), g.add(path, h, identity));
  }

  private static Value optional(
      Map<String, Module> children, String name, String path, Value x, OnnxGraph g) {
    Module m = children.get(name);
    return m == null ? x : g.export(m, join(path, name), x);
  }

  // x (N,Cin,H,W) -> y (N,Cout,⌈H/s⌉,⌈W/s⌉): every s-th row and column, zero channels around
  private static Value zeroPad(ZeroPadShortcut z, String path, Value x, OnnxGraph g) {
    Shapes.check(path, z, x, "(N, " + z.inChannels() + ", H, W)", z.inChannels(), 4);
    int s = z.stride();
    String h = x.name();
    if (s > 1) {
      h =
          g.node(
              path,
              "Slice",
              List.of(
                  h,
                  g.longs(path, "starts", 0, 0),
                  g.longs(path, "ends", Long.MAX_VALUE, Long.MAX_VALUE),
                  g.longs(path, "axes", 2, 3),
                  g.longs(path, "steps", s, s)));
    }
    int before = z.padBefore();
    int after = z.outChannels() - z.inChannels() - before;
    // ONNX Pad: all begins, then all ends, over (N, C, H, W).
    String pads = g.longs(path, "pads", 0, before, 0, 0, 0, after, 0, 0);
    String y = g.node(path, "Pad", List.of(h, pads), of("mode", "constant"));
    int p = (x.dim(2) + s - 1) / s;
    int q = (x.dim(3) + s - 1) / s;
    return new Value(y, Shapes.batch(z.outChannels(), p, q));
  }

  // x (N,C,H,W) -> y (N,C): the mean of each plane
  private static Value globalAvgPool(GlobalAvgPool2d p, String path, Value x, OnnxGraph g) {
    Shapes.check(path, p, x, "(N, C, H, W)", 0, 4);
    String pooled = g.node(path, "GlobalAveragePool", List.of(x.name()));
    String y = g.node(path, "Flatten", List.of(pooled), of("axis", 1L));
    return new Value(y, Shapes.batch(x.dim(1)));
  }
}
