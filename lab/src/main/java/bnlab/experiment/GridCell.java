package bnlab.experiment;

import java.io.Serializable;

/**
 * One cell of a grid, as a grid executor hands it out.
 *
 * @param index the cell's place in the grid (summary.json and the grid's table keep this order)
 * @param config what to train
 * @param label the console's name of the cell, e.g. "net-bn seed 44 lr 0.01 bs 10"
 * @param folder the cell's own folder below the experiment's run folder ({@code runs/<id>}), or
 *     empty when the cells share the experiment's folder (and must run one after another)
 */
public record GridCell(int index, RunConfig config, String label, String folder)
    implements Serializable {
  /** Whether the cell writes into the experiment's folder, next to the other cells. */
  public boolean sharesFolder() {
    return folder.isEmpty();
  }
}
