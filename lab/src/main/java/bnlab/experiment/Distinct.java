package bnlab.experiment;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Lists of a grid's axes hold each value once: {@code --seeds 44,44} would train the same run twice
 * and write its rows twice into one folder, which no report can tell apart.
 */
final class Distinct {
  private Distinct() {}

  /**
   * Refuses {@code values} of option {@code option} if one appears twice.
   *
   * @throws UserError naming the option and the repeated value
   */
  static void check(String option, List<?> values) {
    Set<Object> seen = new HashSet<>();
    for (Object v : values) {
      if (!seen.add(v)) {
        throw new UserError(
            option + " lists " + v + " twice; give each value once (each run is trained once)");
      }
    }
  }
}
