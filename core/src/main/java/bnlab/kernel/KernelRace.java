package bnlab.kernel;

import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A choice between two forms of one kernel that compute the same values by the same operations in
 * the same order, made by timing both on the machine at hand: which form C2 compiles into the
 * faster code depends on the microarchitecture, not only on the vector width and register count
 * that the rest of the package's rules see, and since the two give the same bits the choice moves
 * no result, only the speed.
 *
 * <p>The first {@link #WARM} calls alternate between the forms untimed (so that C2 compiles both),
 * the next 2·{@link #TIMED} alternate timed, each call's time divided by its work; the form with
 * the lower median wins and runs from then on. Calls from several threads take tickets from one
 * counter; the thread that records the last timed call decides. Nothing is allocated after
 * construction. {@code -Dbnlab.race=auto|first|second} races, or forces one form everywhere (for
 * measuring one against the other; the tests call each form directly).
 */
final class KernelRace {
  /** Untimed calls before the timed ones. */
  static final int WARM = 1024;

  /** Timed calls per form. */
  static final int TIMED = 32;

  /** {@code auto}, {@code first} or {@code second} ({@code -Dbnlab.race}). */
  static final String MODE = KernelSwitch.read("bnlab.race", "auto", "first", "second");

  private static final System.Logger LOG = System.getLogger("bnlab.kernel");

  private final String name;
  private final String first;
  private final String second;
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger recorded = new AtomicInteger();
  private final double[] times = new double[2 * TIMED];
  private final double[] scratch = new double[TIMED];
  private volatile int winner;

  /** A race between the forms named first and second of the kernel named name. */
  KernelRace(String name, String first, String second) {
    this.name = name;
    this.first = first;
    this.second = second;
    winner = MODE.equals("first") ? 0 : MODE.equals("second") ? 1 : -1;
  }

  /**
   * This call's ticket: negative once decided (or between the last timed call and the decision),
   * else the call's number. {@link #form} says which form to run, {@link #timed} whether to time
   * it.
   */
  int ticket() {
    int w = winner;
    if (w >= 0) {
      return -1 - w;
    }
    int c = calls.getAndIncrement();
    return c < WARM + 2 * TIMED ? c : -1;
  }

  /** 0 for the first form, 1 for the second. */
  static int form(int ticket) {
    return ticket < 0 ? -1 - ticket : ticket & 1;
  }

  /** Whether the call with this ticket is timed (then {@link #record} its time). */
  static boolean timed(int ticket) {
    return ticket >= WARM;
  }

  /** The time of a timed call per unit of its work, in nanoseconds (e.g. per image). */
  void record(int ticket, double time) {
    times[ticket - WARM] = time;
    if (recorded.incrementAndGet() == 2 * TIMED) {
      decide();
    }
  }

  /** The form that won, -1 while racing. */
  int winner() {
    return winner;
  }

  private void decide() {
    double a = median(0);
    double b = median(1);
    int w = b < a ? 1 : 0;
    winner = w;
    // Nothing allocated unless the message is shown: a step may decide the race.
    if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(
          Level.DEBUG,
          String.format(
              Locale.ROOT,
              "%s: %s %.3f µs against %s %.3f µs per unit of work (medians of %d); %s runs from"
                  + " now on",
              name,
              first,
              a / 1e3,
              second,
              b / 1e3,
              TIMED,
              w == 0 ? first : second));
    }
  }

  // Ticket t ran form t & 1 and WARM is even, so each form's times are every other entry.
  private double median(int form) {
    for (int i = 0; i < TIMED; i++) {
      scratch[i] = times[2 * i + form];
    }
    Arrays.sort(scratch);
    return (scratch[TIMED / 2 - 1] + scratch[TIMED / 2]) / 2;
  }
}
