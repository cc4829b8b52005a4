package bnlab.experiment;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The cells of an experiment and where their results go.
 *
 * @param cells the cells in order; either all share the experiment's folder (compare, train: one
 *     metrics.csv for all runs, one run at a time) or each has a folder of its own (sweep, studies:
 *     cells may run in parallel)
 * @param table the table of results written next to config.json, or null
 * @param summary whether the experiment's folder gets a summary.json of all cells (cells with
 *     folders of their own always get their own)
 */
public record Grid(List<GridCell> cells, ResultTable table, boolean summary) {
  /** Checks that the cells either all share the folder or have distinct folders. */
  public Grid {
    cells = List.copyOf(cells);
    Set<String> folders = new HashSet<>();
    long shared = cells.stream().filter(GridCell::sharesFolder).count();
    if (shared != 0 && shared != cells.size()) {
      throw new IllegalArgumentException("either all cells share the folder or none does");
    }
    for (GridCell c : cells) {
      if (!c.sharesFolder() && !folders.add(c.folder())) {
        throw new UserError(
            "two runs of the grid would write into "
                + c.folder()
                + "; remove the repeated value from the options");
      }
    }
  }

  /** Whether the cells share the experiment's folder (so they must run one after another). */
  public boolean sharesFolder() {
    return !cells.isEmpty() && cells.get(0).sharesFolder();
  }
}
