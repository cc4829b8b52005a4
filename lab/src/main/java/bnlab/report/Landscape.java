package bnlab.report;

import java.util.List;

/** Santurkar et al. 2018's per-step landscape measures, from rows of probes/landscape.csv. */
final class Landscape {
  private Landscape() {}

  /**
   * Effective beta-smoothness at one step: per seed the maximum over eta of grad_diff_norm /
   * step_norm (rows with step_norm 0 are skipped), then the mean over seeds.
   */
  static double beta(List<Csv.Row> atStep) {
    var bySeed = Group.by(atStep, r -> r.l("seed"));
    double[] perSeed = new double[bySeed.size()];
    int i = 0;
    for (List<Csv.Row> rows : bySeed.values()) {
      double best = Double.NaN;
      for (Csv.Row r : rows) {
        double q = r.d("grad_diff_norm") / r.d("step_norm");
        if (r.d("step_norm") > 0 && Double.isFinite(q)) {
          best = Double.isNaN(best) ? q : Math.max(best, q);
        }
      }
      perSeed[i++] = best;
    }
    return Stats.mean(perSeed);
  }

  /** Width (max - min over eta and seeds) of the column's band at one step. */
  static double width(List<Csv.Row> atStep, String column) {
    double[] v = Group.values(atStep, column);
    return Stats.max(v) - Stats.min(v);
  }
}
