package bnlab.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.models.ArticleNet;
import bnlab.nn.BatchNorm2d;
import bnlab.nn.Conv2d;
import bnlab.nn.Flatten;
import bnlab.nn.Linear;
import bnlab.nn.Module;
import bnlab.nn.ReLU;
import bnlab.nn.Sequential;
import bnlab.nn.keras.BatchNormalization;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** What the file holds (read back with a generic protobuf decoder) and what the export refuses. */
class ExportContractTest {
  private static Sequential netBn() {
    Sequential net = ArticleNet.withBatchNorm();
    net.resetParameters(new Rng(44));
    Ort.perturb(net, 45);
    net.eval();
    return net;
  }

  private static ProtoReader graph(OnnxModel m) {
    return new ProtoReader(m.bytes()).msg(7);
  }

  private static Map<String, ProtoReader> nodesByName(ProtoReader graph) {
    Map<String, ProtoReader> out = new LinkedHashMap<>();
    graph.msgs(1).forEach(n -> out.put(n.str(3), n));
    return out;
  }

  /** The dims of a ValueInfoProto: numbers, or the dim_param's name. */
  private static List<String> dims(ProtoReader valueInfo) {
    List<String> out = new ArrayList<>();
    for (ProtoReader d : valueInfo.msg(2).msg(1).msg(2).msgs(1)) {
      out.add(d.all(2).isEmpty() ? Long.toString(d.num(1)) : d.str(2));
    }
    return out;
  }

  @Test
  void modelHeaderInputsOutputsAndInitializerNames() {
    Sequential net = netBn();
    OnnxModel m =
        OnnxExport.export(
            net,
            new int[] {3, 32, 32},
            OnnxExport.Options.defaults().withMetadata(Map.of("model", "net-bn")));
    ProtoReader model = new ProtoReader(m.bytes());
    assertEquals(8, model.num(1), "ir_version");
    assertEquals("bnlab", model.str(2));
    ProtoReader opset = model.msg(8);
    assertEquals("", opset.str(1) == null ? "" : opset.str(1), "default domain ai.onnx");
    assertEquals(17, opset.num(2));
    ProtoReader meta = model.msg(14);
    assertEquals("model", meta.str(1));
    assertEquals("net-bn", meta.str(2));

    ProtoReader g = graph(m);
    ProtoReader in = g.msg(11);
    assertEquals("input", in.str(1));
    assertEquals(1, in.msg(2).msg(1).num(1), "elem_type FLOAT");
    assertEquals(List.of("N", "3", "32", "32"), dims(in));
    assertEquals("output", g.msg(12).str(1));
    assertEquals(List.of("N", "10"), dims(g.msg(12)));

    TreeSet<String> expected = new TreeSet<>(net.namedParameters().keySet());
    net.namedBuffers().keySet().forEach(expected::add);
    TreeSet<String> names = new TreeSet<>();
    g.msgs(5).forEach(t -> names.add(t.str(8)));
    assertEquals(expected, names, "initializers are the state dict without num_batches_tracked");
    assertEquals(List.copyOf(names), new TreeSet<>(m.initializers()).stream().toList());

    List<String> ops = g.msgs(1).stream().map(n -> n.str(4)).toList();
    assertEquals(
        List.of(
            "Conv",
            "BatchNormalization",
            "Relu",
            "MaxPool",
            "Conv",
            "BatchNormalization",
            "Relu",
            "MaxPool",
            "Flatten",
            "Gemm",
            "BatchNormalization",
            "Relu",
            "Gemm",
            "BatchNormalization",
            "Relu",
            "Gemm"),
        ops);
    assertEquals(ops, m.operators());
    ProtoReader lastGemm = nodesByName(g).get("/fc3/Gemm");
    assertEquals(List.of("/relu4/Relu_output_0", "fc3.weight", "fc3.bias"), lastGemm.strs(1));
    assertEquals(List.of("output"), lastGemm.strs(2), "the last node writes the graph output");
  }

  @Test
  void batchNormalizationUsesOnnxMomentumConvention() {
    OnnxModel m = OnnxExport.export(netBn(), new int[] {3, 32, 32}, OnnxExport.Options.defaults());
    ProtoReader bn = nodesByName(graph(m)).get("/bn1/BatchNormalization");
    assertEquals(
        List.of(
            "/conv1/Conv_output_0",
            "bn1.weight",
            "bn1.bias",
            "bn1.running_mean",
            "bn1.running_var"),
        bn.strs(1));
    Map<String, Float> attrs = new LinkedHashMap<>();
    for (ProtoReader a : bn.msgs(5)) {
      assertEquals(1, a.num(20), "FLOAT attribute");
      attrs.put(a.str(1), Float.intBitsToFloat((Integer) a.all(2).get(0)));
    }
    // PyTorch momentum 0.1 (weight of the new batch statistic) is ONNX momentum 0.9 (of the old).
    assertEquals(Map.of("epsilon", 1e-5f, "momentum", 0.9f), attrs);
    assertEquals(
        1f, NormLayers.onnxMomentum(null), "momentum=None as PyTorch's exporter writes it");
  }

  @Test
  void namesAndFoldingAreOptions() {
    Sequential net = netBn();
    OnnxModel m =
        OnnxExport.export(
            net,
            new int[] {3, 32, 32},
            OnnxExport.Options.defaults().withNames("images", "logits").withFoldBatchNorm(true));
    assertEquals("images", m.input().name());
    assertEquals("logits", m.output().name());
    assertFalse(m.operators().contains("BatchNormalization"), m.operators().toString());
    assertEquals(
        List.of(
            "conv1.weight",
            "conv1.bias",
            "conv2.weight",
            "conv2.bias",
            "fc1.weight",
            "fc1.bias",
            "fc2.weight",
            "fc2.bias",
            "fc3.weight",
            "fc3.bias"),
        m.initializers());
    assertTrue(net.namedModules().containsKey("bn1"), "the model itself is not changed");
    for (int batch : new int[] {1, 37}) {
      Ort.assertMatches(
          "folded net-bn",
          net,
          new int[] {3, 32, 32},
          OnnxExport.Options.defaults().withNames("images", "logits").withFoldBatchNorm(true),
          batch);
    }
  }

  @Test
  void refusesTrainingModeNamingTheLayer() {
    Sequential net = netBn();
    net.train();
    OnnxExportException e =
        assertThrows(
            OnnxExportException.class,
            () -> OnnxExport.export(net, new int[] {3, 32, 32}, OnnxExport.Options.defaults()));
    assertEquals(
        "layer 'conv1' is in training mode; the ONNX export writes the eval-mode graph (running"
            + " statistics, no dropout): call model.eval() first",
        e.getMessage());
    net.eval();
    net.get("bn2").train();
    e =
        assertThrows(
            OnnxExportException.class,
            () -> OnnxExport.export(net, new int[] {3, 32, 32}, OnnxExport.Options.defaults()));
    assertTrue(e.getMessage().startsWith("layer 'bn2' is in training mode"), e.getMessage());
  }

  @Test
  void refusesUnsupportedLayersAndWrongShapesNamingTheLayer() {
    Sequential keras = new Sequential().add("norm", new BatchNormalization(4));
    keras.eval();
    OnnxExportException e =
        assertThrows(
            OnnxExportException.class,
            () -> OnnxExport.export(keras, new int[] {5, 4}, OnnxExport.Options.defaults()));
    assertTrue(
        e.getMessage()
            .startsWith(
                "layer 'norm' is a bnlab.nn.keras.BatchNormalization, which the ONNX export does"
                    + " not support (supported: AvgPool2d, BasicBlock, BatchNorm1d,"),
        e.getMessage());
    assertFalse(e.getMessage().contains("\n"));

    Sequential net = netBn();
    e =
        assertThrows(
            OnnxExportException.class,
            () -> OnnxExport.export(net, new int[] {3, 28, 28}, OnnxExport.Options.defaults()));
    assertEquals(
        "layer 'fc1' (Linear(in_features=400, out_features=120, bias=True)) expects input (N, 400)"
            + " but gets (N, 256)",
        e.getMessage());
  }

  @Test
  void foldingNeedsASequential() {
    Module wrapped = new Residual(new Sequential().add("relu", new ReLU())).eval();
    OnnxExportException e =
        assertThrows(
            OnnxExportException.class,
            () ->
                OnnxExport.export(
                    wrapped, new int[] {2}, OnnxExport.Options.defaults().withFoldBatchNorm(true)));
    assertTrue(e.getMessage().startsWith("folding BatchNorm (Fold.convBn) works on Sequential"));
  }

  /** y = body(x) + x: a non-sequential module, as a ResNet block. */
  static final class Residual extends Module {
    private final Sequential body;
    private Tensor out;

    Residual(Sequential body) {
      this.body = registerModule("body", body);
    }

    Sequential body() {
      return body;
    }

    @Override
    public Tensor forward(Tensor x) {
      Tensor y = body.forward(x);
      out = Tensor.ensureLike(out, y);
      for (int i = 0; i < y.size(); i++) {
        out.data()[i] = y.data()[i] + x.data()[i];
      }
      return out;
    }

    @Override
    public Tensor backward(Tensor dY) {
      throw new UnsupportedOperationException("inference only in this test");
    }
  }

  @Test
  void aNewModuleTypePlugsInAndAValueFeedsTwoNodes() {
    OnnxExport.register(
        Residual.class,
        (block, path, x, g) -> g.add(path, g.export(block.body(), path + ".body", x), x));
    Sequential model =
        new Sequential()
            .add("stem", new Conv2d(3, 4, 3, 1, 1, false))
            .add(
                "block",
                new Residual(
                    new Sequential()
                        .add("conv", new Conv2d(4, 4, 3, 1, 1, false))
                        .add("bn", new BatchNorm2d(4))
                        .add("relu", new ReLU())))
            .add("flatten", new Flatten())
            .add("fc", new Linear(4 * 6 * 6, 3));
    model.resetParameters(new Rng(3));
    Ort.perturb(model, 4);
    model.eval();
    OnnxModel m = OnnxExport.export(model, new int[] {3, 6, 6}, OnnxExport.Options.defaults());
    assertTrue(m.initializers().contains("block.body.bn.running_var"), m.initializers().toString());
    ProtoReader add = nodesByName(graph(m)).get("/block/Add");
    assertEquals(List.of("/block/body/relu/Relu_output_0", "/stem/Conv_output_0"), add.strs(1));
    for (int batch : new int[] {1, 37}) {
      Ort.assertMatches(
          "residual", model, new int[] {3, 6, 6}, OnnxExport.Options.defaults(), batch);
    }
  }
}
