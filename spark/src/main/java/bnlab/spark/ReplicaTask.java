package bnlab.spark;

import bnlab.experiment.Datasets;
import bnlab.experiment.Engine;
import bnlab.experiment.GridCell;
import bnlab.experiment.Hook;
import bnlab.experiment.ModelZoo;
import bnlab.experiment.RunContext;
import bnlab.experiment.RunFolder;
import bnlab.experiment.RunResult;
import bnlab.runtime.Compute;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.BarrierTaskContext;

/**
 * One replica of a data-parallel cell, run as a task of a barrier stage of K tasks: opens a
 * listening socket, exchanges "host:port" with the other tasks in the stage's one {@link
 * BarrierTaskContext#allGather} (about a second: Spark's driver RPC, hence used once), joins the
 * {@link TcpRing} and trains the cell with {@link RingReplicas}. Rank 0 trains into a local staging
 * copy of the run folder (copied down from shared storage first, see {@link Staging}) and publishes
 * checkpoints and metrics at the start of every epoch and at the end; it alone prints. The others
 * train the same steps into a private folder of their own, starting from the checkpoint rank 0
 * published when there is one, so that a restarted stage resumes every replica from the same state.
 *
 * @param cell the cell
 * @param root the shared run folder
 * @param syncBn SyncBatchNorm in place of BatchNorm (also for a model spelled {@code <model>+sync})
 * @param timeoutMillis how long a replica waits for a peer's data before it gives up
 * @param replicaDir where ranks other than 0 keep their folders (on their executor's machine)
 * @param keepReplicas whether they keep them after the run (tests look at them)
 * @param attempt the driver's attempt number (from 1), for hooks
 * @param hooks extra listeners per rank and attempt (tests), or null
 */
record ReplicaTask(
    GridCell cell,
    SharedFolder root,
    boolean syncBn,
    long timeoutMillis,
    String replicaDir,
    boolean keepReplicas,
    int attempt,
    ReplicaHooks hooks)
    implements Serializable {

  /** Listeners added to one replica's cell (tests use them to delay or fail a replica). */
  @FunctionalInterface
  interface ReplicaHooks extends Serializable {
    /** The hooks of replica {@code rank} in the driver's attempt {@code attempt}. */
    List<Hook> of(int rank, int attempt);
  }

  /** Runs this replica; rank 0 returns the cell's result, the others nothing. */
  List<RunResult> run() {
    BarrierTaskContext tc = BarrierTaskContext.get();
    int rank = tc.partitionId();
    Compute.setThreads(tc.cpus());
    String host = host(tc.getTaskInfos()[rank].address());
    try {
      ServerSocketChannel server =
          ServerSocketChannel.open().bind(new InetSocketAddress(host, 0), tc.numPartitions());
      String[] addresses = tc.allGather(host + ":" + server.socket().getLocalPort());
      try (TcpRing ring = TcpRing.connect(rank, addresses, server, timeoutMillis)) {
        RunResult r = train(rank, ring);
        return rank == 0 ? List.of(r) : List.of();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("replica " + rank + " on " + host + ": " + e, e);
    }
  }

  private RunResult train(int rank, TcpRing ring) throws IOException {
    boolean sync = syncBn || ModelZoo.isSync(cell.config().model());
    List<Hook> extra = hooks == null ? List.of() : hooks.of(rank, attempt);
    RunContext ctx =
        RunContext.of(System.out)
            .withConsole(rank == 0 ? RunContext.Console.ARTICLE : RunContext.Console.QUIET)
            .withReplicas(new RingReplicas(ring, sync))
            .withHooks(extra);
    Datasets.Pair data = cell.config().data().open();
    if (rank > 0) {
      RunFolder folder = replicaFolder(rank);
      RunResult r = Engine.runCell(cell, data, folder, ctx);
      if (!keepReplicas) {
        delete(folder.dir());
      }
      return r;
    }
    String rel = cell.sharesFolder() ? "" : "runs/" + cell.folder();
    try (Staging stage = Staging.temporary(root, Staged.attempt())) {
      // cells that share the run folder share its CSV files: take them, not the other runs' output
      stage.pull(
          rel,
          f ->
              !cell.sharesFolder()
                  || !(f.startsWith("runs/") || f.startsWith("plots/") || f.equals("report.html")));
      List<Hook> all = new ArrayList<>(extra);
      all.add(SparkCells.publishEveryEpoch(stage, rel));
      RunResult r = Engine.runCell(cell, data, new RunFolder(stage.local()), ctx.withHooks(all));
      stage.push(rel);
      return r;
    }
  }

  /** A fresh private folder of replica {@code rank}, holding rank 0's checkpoint if any. */
  private RunFolder replicaFolder(int rank) throws IOException {
    Path dir = Path.of(replicaDir, "rank" + rank);
    delete(dir);
    RunFolder mine = new RunFolder(dir);
    String ckpt =
        cellFolder(new RunFolder(Path.of("")), cell)
            .checkpoint(cell.config().model(), cell.config().seed())
            .toString()
            .replace('\\', '/');
    if (root.exists(ckpt)) {
      root.download(
          ckpt, cellFolder(mine, cell).checkpoint(cell.config().model(), cell.config().seed()));
    }
    return mine;
  }

  static RunFolder cellFolder(RunFolder root, GridCell cell) {
    return cell.sharesFolder() ? root : root.cell(cell.folder());
  }

  static void delete(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  // a task's address is "host" or "host:port" (of its executor); replicas listen on that host
  private static String host(String address) {
    int colon = address.lastIndexOf(':');
    return colon > 0 && address.indexOf(':') == colon ? address.substring(0, colon) : address;
  }
}
