package bnlab.report;

import java.util.Arrays;
import java.util.Locale;

/** Descriptive statistics over finite values (NaN and infinities are left out) and formatting. */
final class Stats {
  private Stats() {}

  static double[] finite(double[] v) {
    return Arrays.stream(v).filter(Double::isFinite).toArray();
  }

  static double mean(double[] v) {
    double[] f = finite(v);
    return f.length == 0 ? Double.NaN : Arrays.stream(f).sum() / f.length;
  }

  /** Sample standard deviation (n - 1); NaN below two values. */
  static double sd(double[] v) {
    double[] f = finite(v);
    if (f.length < 2) {
      return Double.NaN;
    }
    double m = mean(f);
    double ss = 0;
    for (double x : f) {
      ss += (x - m) * (x - m);
    }
    return Math.sqrt(ss / (f.length - 1));
  }

  static double min(double[] v) {
    return Arrays.stream(finite(v)).min().orElse(Double.NaN);
  }

  static double max(double[] v) {
    return Arrays.stream(finite(v)).max().orElse(Double.NaN);
  }

  /** Four significant digits, plain notation from 1e-4 to 1e6 (else 2.5e-5); "n/a" for NaN. */
  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    double a = Math.abs(v);
    if (a != 0 && (a < 1e-4 || a >= 1e6)) {
      // 1.500e-05 -> 1.5e-5
      String[] me = String.format(Locale.ROOT, "%.3e", v).split("e");
      String mantissa = me[0].replaceAll("0+$", "").replaceAll("\\.$", "");
      return mantissa + "e" + Integer.parseInt(me[1]);
    }
    return new java.math.BigDecimal(v)
        .round(new java.math.MathContext(4))
        .stripTrailingZeros()
        .toPlainString();
  }

  /** An accuracy in 0..1 as a percentage with two decimals. */
  static String pct(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f %%", 100 * v);
  }

  /** Percentage points for an accuracy difference in 0..1. */
  static String pp(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f pp", 100 * v);
  }
}
