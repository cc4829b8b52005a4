package bnlab.experiment;

import bnlab.train.CsvFile;
import bnlab.train.EpochsCsv;
import bnlab.train.MetricsCsv;
import bnlab.train.Probes;
import java.util.List;
import java.util.function.Consumer;

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
   * them again, so re-running a cell never duplicates a row. Malformed rows (an append cut short by
   * a crash or a full disk) are dropped as well, each with a line to {@code notices}, so that
   * nothing torn survives a resume (see {@link RunFolder#keepRows}).
   */
  static CellFiles open(
      RunFolder folder, RunConfig config, TrainerState state, Consumer<String> notices) {
    long step = state == null ? -1 : state.step();
    int epoch = state == null ? 0 : state.epoch();
    String model = config.model();
    String seed = Long.toString(config.seed());
    folder.keepRows(
        RunFolder.METRICS,
        MetricsCsv.HEADER,
        r -> !mine(r, model, seed) || Long.parseLong(r[3]) <= step,
        notices);
    folder.keepRows(
        RunFolder.EPOCHS,
        EpochsCsv.HEADER,
        r -> !mine(r, model, seed) || Integer.parseInt(r[2]) <= epoch,
        notices);
    List<String> headers = List.of(Probes.ACT_HEADER, Probes.GRAD_HEADER, Probes.LAND_HEADER);
    for (int i = 0; i < RunFolder.PROBES.size(); i++) {
      folder.keepRows(
          RunFolder.PROBES.get(i),
          headers.get(i),
          r -> !mine(r, model, seed) || Long.parseLong(r[2]) <= step,
          notices);
    }
    return new CellFiles(folder, config.recording().probeEvery() > 0);
  }

  private static boolean mine(String[] row, String model, String seed) {
    return row[0].equals(model) && row[1].equals(seed);
  }

  /** Forces every row appended so far to the disk. */
  void sync() {
    for (CsvFile f : new CsvFile[] {metrics, epochs, activations, gradients, landscape}) {
      if (f != null) {
        f.sync();
      }
    }
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
