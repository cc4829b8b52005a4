package bnlab.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.nn.BatchNorm2d;
import bnlab.nn.Module;
import bnlab.nn.SyncBatchNorm;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One data-parallel step of two replicas on threads: gradients become the replicas' mean, the loss
 * too, and both hold rank 0's BN running statistics afterwards (DDP's broadcast_buffers, applied
 * after the backward); with --sync-bn the model's BatchNorm becomes SyncBatchNorm.
 */
class RingReplicasTest {
  @Test
  void gradientsAndLossAreAveragedAndRank0sBuffersWin() throws Exception {
    TcpRing[] g = TcpRingTest.rings(2, 5000);
    List<float[][]> after =
        TcpRingTest.onThreads(
            2,
            r -> {
              RingReplicas rep = new RingReplicas(g[r], false);
              Module bn = rep.prepare(new BatchNorm2d(3));
              bn.train();
              // each replica sees its own half of the batch: different statistics
              Tensor x = randn(10 + r);
              bn.zeroGrad();
              bn.forward(x);
              bn.backward(randn(20 + r));
              float[] before = concat(bn.namedBuffers().get("running_mean").data(), grads(bn));
              float loss = rep.synchronize(bn, r == 0 ? 1.0f : 2.0f);
              g[r].close();
              return new float[][] {
                before, concat(bn.namedBuffers().get("running_mean").data(), grads(bn)), {loss}
              };
            });
    float[][] r0 = after.get(0);
    float[][] r1 = after.get(1);
    assertArrayEquals(r0[1], r1[1], "replicas hold the same bits");
    assertEquals(1.5f, r0[2][0]);
    assertEquals(1.5f, r1[2][0]);
    for (int c = 0; c < 3; c++) {
      assertEquals(r0[0][c], r1[1][c], "running_mean[" + c + "] is rank 0's");
      assertTrue(r0[0][c] != r1[0][c], "the halves had different statistics");
    }
    for (int i = 3; i < r0[0].length; i++) {
      assertEquals((r0[0][i] + r1[0][i]) / 2, r0[1][i], "gradient " + i);
    }
  }

  @Test
  void syncBnReplacesBatchNorm() throws Exception {
    TcpRing[] g = TcpRingTest.rings(1, 5000);
    Module m = new RingReplicas(g[0], true).prepare(new BatchNorm2d(3));
    assertTrue(m instanceof SyncBatchNorm, m.toString());
  }

  private static Tensor randn(long seed) {
    Rng rng = new Rng(seed);
    float[] v = new float[4 * 3 * 2 * 2];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rng.nextGaussian();
    }
    return Tensor.wrap(v, 4, 3, 2, 2);
  }

  private static float[] grads(Module m) {
    float[] w = m.namedParameters().get("weight").grad().data();
    float[] b = m.namedParameters().get("bias").grad().data();
    return concat(w, b);
  }

  private static float[] concat(float[] a, float[] b) {
    float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
