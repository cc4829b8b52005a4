package bnlab.nn;

import bnlab.kernel.NormLayout;
import bnlab.kernel.NormStats;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Synchronized Batch Normalization, PyTorch's {@code nn.SyncBatchNorm}: in data-parallel training
 * each of the {@link ReplicaGroup#size()} replicas holds a part of the global batch, and in
 * training every replica normalizes with the statistics of the <em>global</em> batch, exchanged
 * through its {@link ReplicaGroup}. It is {@link BatchNorm} with another source of statistics; it
 * accepts input (N, C, *) of rank 2 or more.
 *
 * <p><b>Forward (training).</b> Each replica computes per channel its count n_r, mean μ_r and sum
 * of squared deviations M2_r = n_r·σ²_r; one all-gather gives every replica all of them, and each
 * merges them in rank order with Chan et al.'s parallel update (Chan, Golub &amp; LeVeque 1979), in
 * double:
 *
 * <pre>
 * n = n_a + n_b    δ = μ_b − μ_a    μ = μ_a + δ·n_b/n    M2 = M2_a + M2_b + δ²·n_a·n_b/n
 * </pre>
 *
 * so all replicas normalize with the same bit-identical μ and σ² = M2/n, and update their running
 * statistics identically, running_var with the unbiased σ²·n/(n − 1) of the global count n. This
 * keeps σ² exact where PyTorch's {@code batch_norm_gather_stats_with_counts}, which recovers each
 * replica's variance as 1/invstd² − eps, loses it (for σ² ≪ eps).
 *
 * <p><b>Backward (training).</b> One all-reduce adds the replicas' per-channel Σ dx̂ and Σ dx̂·x̂
 * (dx̂ = γ·dy), and each replica computes its dx with BatchNorm's formula over the global batch. dγ
 * and dβ stay local, as in PyTorch: averaging parameter gradients across replicas (as
 * DistributedDataParallel does) gives the gradient of the global batch's mean loss.
 *
 * <p><b>Eval</b> mode, a frozen layer, and the batch statistics of eval mode without running
 * statistics are BatchNorm's and local: no communication. Every replica must run the same model in
 * the same mode, with a non-empty batch in training, since each call is a collective (see {@link
 * ReplicaGroup}); a failed or late peer makes forward or backward throw (before the running
 * statistics change). Training with one value per channel is allowed when there are other replicas.
 *
 * <p>{@link #convert} replaces the BatchNorm1d/2d/3d layers of a model, as PyTorch's {@code
 * convert_sync_batchnorm}. Defaults, state names and repr as BatchNorm's.
 */
public final class SyncBatchNorm extends BatchNorm {
  private static final String KIND = "SyncBatchNorm";
  private final ReplicaGroup group;

  /** SyncBatchNorm(numFeatures) with eps 1e-5, momentum 0.1, affine and running statistics. */
  public SyncBatchNorm(int numFeatures, ReplicaGroup group) {
    this(numFeatures, 1e-5, 0.1, true, true, group);
  }

  /**
   * SyncBatchNorm with PyTorch's options.
   *
   * @param numFeatures C, the number of channels (dim 1 of the input)
   * @param eps added to the variance (1e-5)
   * @param momentum weight of the new batch statistic in the running averages (0.1); {@code null}
   *     for the cumulative average
   * @param affine whether to learn γ ({@code weight}) and β ({@code bias})
   * @param trackRunningStats whether to keep running statistics and use them in eval mode
   * @param group the replicas to synchronize with
   */
  public SyncBatchNorm(
      int numFeatures,
      double eps,
      Double momentum,
      boolean affine,
      boolean trackRunningStats,
      ReplicaGroup group) {
    super(
        KIND,
        2,
        Integer.MAX_VALUE,
        numFeatures,
        eps,
        momentum,
        affine,
        trackRunningStats,
        new Sync(group, numFeatures));
    this.group = group;
  }

  private SyncBatchNorm(BatchNorm from, ReplicaGroup group) {
    super(KIND, 2, Integer.MAX_VALUE, from, new Sync(group, from.numFeatures()));
    this.group = group;
  }

  /**
   * Replaces every BatchNorm1d/2d/3d in {@code model} (at any depth) by a SyncBatchNorm that shares
   * its state: the same γ, β, running statistics and counter objects under the same names (an
   * optimizer built before still updates them, and checkpoints keep their names), the same options,
   * freeze, training mode and input-gradient flag. Returns {@code model}, or the new layer if
   * {@code model} itself is a BatchNorm. Every parent of a BatchNorm must support {@link
   * Module#replaceChild} ({@link Sequential} does).
   *
   * @throws UnsupportedOperationException if a parent cannot replace its child
   */
  public static Module convert(Module model, ReplicaGroup group) {
    Objects.requireNonNull(group, "group");
    if (model instanceof BatchNorm bn && !(model instanceof SyncBatchNorm)) {
      SyncBatchNorm sync = new SyncBatchNorm(bn, group);
      sync.train(bn.isTraining());
      sync.requiresInputGrad(bn.requiresInputGrad());
      return sync;
    }
    for (Map.Entry<String, Module> child : List.copyOf(model.children().entrySet())) {
      Module converted = convert(child.getValue(), group);
      if (converted != child.getValue()) {
        model.replaceChild(child.getKey(), converted);
      }
    }
    return model;
  }

  /** The replicas this layer synchronizes with. */
  public ReplicaGroup group() {
    return group;
  }

  @Override
  boolean tooFewValues(long m) {
    return m <= 1 && group.size() < 2;
  }

  /** The global batch's statistics: local moments merged across replicas, sums all-reduced. */
  private static final class Sync implements Statistics {
    private final ReplicaGroup group;
    private final double[] local;
    private final double[] all;
    private final double[] sums;

    Sync(ReplicaGroup group, int c) {
      this.group = Objects.requireNonNull(group, "group");
      if (group.size() < 1 || group.rank() < 0 || group.rank() >= group.size()) {
        throw new IllegalArgumentException(
            "SyncBatchNorm: bad replica group, rank " + group.rank() + " of " + group.size());
      }
      local = new double[2 * c + 1];
      all = new double[group.size() * (2 * c + 1)];
      sums = new double[2 * c];
    }

    @Override
    public NormLayout layout(NormCore core, int n, int c, int s) {
      return NormLayout.perChannel(n, c, s);
    }

    @Override
    public boolean local() {
      return false;
    }

    // (count, mean[c], M2[c]) of every replica -> Chan's merge in rank order.
    @Override
    public void combine(NormCore core) {
      NormStats st = core.stats();
      int c = sums.length / 2;
      double[] mean = st.mean();
      double[] var = st.var();
      local[0] = st.count();
      for (int j = 0; j < c; j++) {
        local[1 + j] = mean[j];
        local[1 + c + j] = var[j] * st.count();
      }
      group.allGather(local, all);
      double count = 0;
      java.util.Arrays.fill(mean, 0, c, 0.0);
      java.util.Arrays.fill(var, 0, c, 0.0);
      for (int r = 0; r < group.size(); r++) {
        int o = r * local.length;
        double nb = all[o];
        if (nb == 0) {
          continue;
        }
        double total = count + nb;
        for (int j = 0; j < c; j++) {
          double delta = all[o + 1 + j] - mean[j];
          mean[j] += delta * (nb / total);
          var[j] += all[o + 1 + c + j] + delta * delta * (count * nb / total);
        }
        count = total;
      }
      for (int j = 0; j < c; j++) {
        var[j] /= count;
      }
      st.count((long) count);
    }

    @Override
    public void combineSums(NormCore core) {
      NormStats st = core.stats();
      int c = sums.length / 2;
      System.arraycopy(st.sumDxhat(), 0, sums, 0, c);
      System.arraycopy(st.sumDxhatXhat(), 0, sums, c, c);
      group.allReduce(sums);
      System.arraycopy(sums, 0, st.sumDxhat(), 0, c);
      System.arraycopy(sums, c, st.sumDxhatXhat(), 0, c);
    }
  }
}
