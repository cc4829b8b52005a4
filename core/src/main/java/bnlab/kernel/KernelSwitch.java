package bnlab.kernel;

import java.util.Locale;

/**
 * A system property that picks one of a few named forms of a kernel ({@code -Dbnlab.race}, {@code
 * -Dbnlab.directWeightGrad}, {@code -Dbnlab.directInputGrad}): read once, trimmed and lower-cased,
 * and refused with a message that lists the choices when it names none of them.
 */
final class KernelSwitch {
  private KernelSwitch() {}

  /** The value of {@code property}, one of {@code choices}; unset means the first. */
  static String read(String property, String... choices) {
    return parse(property, System.getProperty(property, choices[0]), choices);
  }

  /** {@code value} as {@link #read} takes it (for the tests). */
  static String parse(String property, String value, String... choices) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (String c : choices) {
      if (c.equals(v)) {
        return c;
      }
    }
    int last = choices.length - 1;
    String list =
        last == 0
            ? choices[0]
            : String.join(", ", java.util.Arrays.copyOf(choices, last)) + " or " + choices[last];
    throw new IllegalArgumentException(
        "-D" + property + " must be " + list + ", got '" + value + "'");
  }
}
