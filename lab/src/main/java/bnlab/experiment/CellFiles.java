package bnlab.experiment;

import bnlab.train.CsvFile;
import bnlab.train.EpochsCsv;
import bnlab.train.MetricsCsv;
import bnlab.train.Probes;
import java.util.List;

/** The CSV files one cell appends to while it trains (metrics, epochs and, with probes, probes). */
final class CellFiles implements AutoCloseable {
  final CsvFile metrics;
  final CsvFile epochs;
  final CsvFile activations;
  final CsvFile gradients;
  final CsvFile landscape;

  private CellFiles(RunFolder folder, boolean probes) {
    metrics = folder.append(RunFolder.METRICS, MetricsCsv.HEADER);
    epochs = folder.append(RunFolder.EPOCHS, EpochsCsv.HEADER);
    List<String> p = RunFolder.PROBES;
    activations = probes ? folder.append(p.get(0), Probes.ACT_HEADER) : null;
    gradients = probes ? folder.append(p.get(1), Probes.GRAD_HEADER) : null;
    landscape = probes ? folder.append(p.get(2), Probes.LAND_HEADER) : null;
  }

  /**
   * Opens the files of {@code config}'s run in {@code folder} after dropping the rows the run wrote
   * after its last checkpoint ({@code state}, or all of them without one): a resumed run writes
   * them again, so re-running a cell never duplicates a row.
   */
  static CellFiles open(RunFolder folder, RunConfig config, TrainerState state) {
    long step = state == null ? -1 : state.step();
    int epoch = state == null ? 0 : state.epoch();
    String model = config.model();
    String seed = Long.toString(config.seed());
    folder.dropRows(
        RunFolder.METRICS,
        r -> r[0].equals(model) && r[1].equals(seed) && Long.parseLong(r[3]) > step);
    folder.dropRows(
        RunFolder.EPOCHS,
        r -> r[0].equals(model) && r[1].equals(seed) && Integer.parseInt(r[2]) > epoch);
    for (String probe : RunFolder.PROBES) {
      folder.dropRows(
          probe, r -> r[0].equals(model) && r[1].equals(seed) && Long.parseLong(r[2]) > step);
    }
    return new CellFiles(folder, config.recording().probeEvery() > 0);
  }

  @Override
  public void close() {
    for (CsvFile f : new CsvFile[] {metrics, epochs, activations, gradients, landscape}) {
      if (f != null) {
        f.close();
      }
    }
  }
}
