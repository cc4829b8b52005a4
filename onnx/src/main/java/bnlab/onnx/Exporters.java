package bnlab.onnx;

import bnlab.nn.Module;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** The exporter registered for each module class: the built-in layers and any added later. */
final class Exporters {
  private static final Map<Class<?>, LayerExporter<?>> BY_CLASS = new ConcurrentHashMap<>();

  static {
    BasicLayers.register();
    NormLayers.register();
    ResidualLayers.register();
  }

  private Exporters() {}

  static <M extends Module> void register(Class<M> type, LayerExporter<M> exporter) {
    if (type == null || exporter == null) {
      throw new IllegalArgumentException("register needs a module class and an exporter");
    }
    BY_CLASS.put(type, exporter);
  }

  /** The exporter of {@code layer}'s class or its nearest registered superclass. */
  @SuppressWarnings("unchecked")
  static LayerExporter<Module> find(Module layer, String path) {
    for (Class<?> c = layer.getClass(); c != null && c != Module.class; c = c.getSuperclass()) {
      LayerExporter<?> e = BY_CLASS.get(c);
      if (e != null) {
        return (LayerExporter<Module>) e;
      }
    }
    TreeSet<String> known = new TreeSet<>();
    BY_CLASS.keySet().forEach(c -> known.add(c.getSimpleName()));
    throw new OnnxExportException(
        OnnxGraph.where(path)
            + " is a "
            + layer.getClass().getName()
            + ", which the ONNX export does not support (supported: "
            + String.join(", ", known)
            + "; OnnxExport.register adds an exporter for another type)");
  }
}
