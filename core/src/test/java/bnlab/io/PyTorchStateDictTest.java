package bnlab.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.models.ArticleNet;
import bnlab.nn.Counter;
import bnlab.nn.Sequential;
import bnlab.tensor.Rng;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State dicts as PyTorch users write them: {@code save_file(model.state_dict())} after removing
 * {@code num_batches_tracked}, or from a release before the counter existed. PyTorch's {@code
 * _NormBase._load_from_state_dict} (torch/nn/modules/batchnorm.py) accepts them: for a dict without
 * version (safetensors' {@code load_file} returns a plain dict) it puts the module's own counter in
 * before loading, so the counter keeps its value, 0 in a new model; nothing else may be missing.
 */
class PyTorchStateDictTest {
  @TempDir Path dir;

  private static Sequential trained() {
    Sequential net = ArticleNet.withBatchNorm();
    net.resetParameters(new Rng(7));
    net.namedBuffers().values().forEach(t -> new Rng(8).fillUniform(t, 0.5f, 1.5f));
    net.namedCounters().values().forEach(c -> c.set(123));
    return net;
  }

  /** The model's state dict as PyTorch's save_file writes it, without the names ending in drop. */
  private Path stateDictWithout(Sequential net, String drop) throws IOException {
    Map<String, StoredTensor> sd = new LinkedHashMap<>();
    net.namedParameters().forEach((k, p) -> sd.put(k, StoredTensor.f32(p.data())));
    net.namedBuffers().forEach((k, t) -> sd.put(k, StoredTensor.f32(t)));
    net.namedCounters().forEach((k, c) -> sd.put(k, StoredTensor.i64(c.get())));
    sd.keySet().removeIf(k -> k.endsWith(drop));
    Path f = dir.resolve("torch.safetensors");
    SafeTensors.write(f, sd, Map.of("format", "pt"));
    return f;
  }

  @Test
  void missingBatchCountersLoadAndKeepTheNewModelsZero() throws IOException {
    Sequential saved = trained();
    Path f = stateDictWithout(saved, "num_batches_tracked");
    assertTrue(Checkpoint.read(f).tensors().keySet().stream().noneMatch(k -> k.contains("num_b")));
    Sequential fresh = ArticleNet.withBatchNorm();
    Checkpoint.load(fresh, f);
    fresh
        .namedParameters()
        .forEach(
            (k, p) ->
                assertArrayEquals(
                    saved.namedParameters().get(k).data().toArray(), p.data().toArray(), k));
    fresh
        .namedBuffers()
        .forEach(
            (k, t) -> assertArrayEquals(saved.namedBuffers().get(k).toArray(), t.toArray(), k));
    assertEquals(4, fresh.namedCounters().size());
    for (Map.Entry<String, Counter> e : fresh.namedCounters().entrySet()) {
      assertEquals(0L, e.getValue().get(), e.getKey());
    }
  }

  @Test
  void aModelsOwnCounterIsKeptAsCurrentPyTorchDoes() throws IOException {
    Path f = stateDictWithout(trained(), "num_batches_tracked");
    Sequential other = ArticleNet.withBatchNorm();
    other.namedCounters().values().forEach(c -> c.set(5));
    Checkpoint.load(other, f);
    other.namedCounters().forEach((k, c) -> assertEquals(5L, c.get(), k));
  }

  @Test
  void otherMissingTensorsAreStillRefused() throws IOException {
    Path f = stateDictWithout(trained(), "bn2.running_var");
    Sequential fresh = ArticleNet.withBatchNorm();
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> Checkpoint.load(fresh, f));
    assertTrue(
        e.getMessage().contains("missing tensor 'bn2.running_var': in the model, not in the file"),
        e.getMessage());
    fresh.namedCounters().values().forEach(c -> assertEquals(0L, c.get()));
  }
}
