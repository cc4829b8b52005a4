package bnlab.spark;

import bnlab.experiment.Replicas;
import bnlab.nn.Module;
import bnlab.nn.Parameter;
import bnlab.nn.SyncBatchNorm;
import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A replica of synchronous data-parallel training over a {@link TcpRing}, as PyTorch's
 * DistributedDataParallel: after every backward one all-reduce carries, packed into one array, the
 * gradients of all trainable parameters, the replica's loss and, from rank 0 only (the others
 * contribute zeros), the model's buffers (BN running statistics). Every replica then divides the
 * gradient sums and the loss sum by K and copies rank 0's buffers, so the replicas take the same
 * optimizer step and hold bit-identical weights and buffers after every step.
 *
 * <p>Buffers: with plain BatchNorm each replica normalizes with, and folds into its running
 * statistics, the mean and variance of its own part of the batch (PyTorch DDP's behaviour); DDP's
 * {@code broadcast_buffers=True} copies rank 0's buffers to the others before each forward. Copying
 * them after each backward instead keeps the same values on rank 0 and leaves every replica, and so
 * every checkpoint, equal to rank 0 at the end of each step. With {@link SyncBatchNorm} ({@code
 * syncBn}) the statistics are the global batch's and the buffers agree anyway.
 */
final class RingReplicas implements Replicas {
  private final TcpRing ring;
  private final boolean syncBn;
  private List<Tensor> grads;
  private List<Tensor> buffers;
  private float[] packed;

  RingReplicas(TcpRing ring, boolean syncBn) {
    this.ring = ring;
    this.syncBn = syncBn;
  }

  @Override
  public int rank() {
    return ring.rank();
  }

  @Override
  public int size() {
    return ring.size();
  }

  @Override
  public Module prepare(Module model) {
    Module m = syncBn ? SyncBatchNorm.convert(model, ring) : model;
    grads = new ArrayList<>();
    for (Parameter p : m.parameters()) {
      if (p.requiresGrad()) {
        grads.add(p.grad());
      }
    }
    buffers = List.copyOf(m.namedBuffers().values());
    int n = 1;
    for (Tensor t : grads) {
      n += t.size();
    }
    for (Tensor t : buffers) {
      n += t.size();
    }
    packed = new float[n];
    return m;
  }

  @Override
  public float synchronize(Module model, float localLoss) {
    int at = 0;
    for (Tensor g : grads) {
      System.arraycopy(g.data(), 0, packed, at, g.size());
      at += g.size();
    }
    packed[at++] = localLoss;
    boolean root = ring.rank() == 0;
    for (Tensor b : buffers) {
      if (root) {
        System.arraycopy(b.data(), 0, packed, at, b.size());
      } else {
        java.util.Arrays.fill(packed, at, at + b.size(), 0f);
      }
      at += b.size();
    }
    ring.allReduce(packed);
    float k = ring.size();
    at = 0;
    for (Tensor g : grads) {
      float[] d = g.data();
      for (int i = 0; i < d.length; i++) {
        d[i] = packed[at + i] / k;
      }
      at += d.length;
    }
    float loss = packed[at++] / k;
    for (Tensor b : buffers) {
      System.arraycopy(packed, at, b.data(), 0, b.size());
      at += b.size();
    }
    return loss;
  }
}
