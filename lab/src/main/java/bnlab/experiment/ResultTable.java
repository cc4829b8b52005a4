package bnlab.experiment;

import java.util.List;
import java.util.function.BiFunction;

/**
 * A grid's table of results in the experiment's folder (sweep.csv, smallbatch.csv): one row per
 * finished cell, rewritten in grid order whenever a cell finishes.
 *
 * @param file the file name
 * @param header the CSV header
 * @param row a cell's row from its configuration and result
 */
public record ResultTable(
    String file, String header, BiFunction<RunConfig, RunResult, List<Object>> row) {}
