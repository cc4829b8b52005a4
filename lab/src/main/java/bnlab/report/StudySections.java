package bnlab.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The study sections a run folder has files for, in page order. */
final class StudySections {
  private StudySections() {}

  static List<Section> of(RunData data, Path plots) {
    List<Section> out = new ArrayList<>();
    out.add(IoffeReport.of(data, plots));
    out.add(DepthReport.of(data, plots));
    out.add(DiagnoseReport.of(data, plots));
    out.removeIf(Objects::isNull);
    return out;
  }
}
