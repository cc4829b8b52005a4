package bnlab.golden;

import bnlab.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reader for the golden files in {@code src/test/resources/golden/}, written by PyTorch's own CPU
 * kernels through {@code reference/generate.sh} (libtorch via DJL; bnlab's tests never need it).
 *
 * <pre>
 * # comment lines (case, engine and version)
 * attr NAME VALUE
 * tensor NAME DTYPE D0 D1 ...      (DTYPE float32 | float64 | int64; no dims = scalar)
 * values, whitespace-separated, row-major
 * </pre>
 *
 * <p>A missing or malformed file fails the test that asked for it; golden tests are never skipped.
 * There is one suite per golden file (BatchNormGoldenTest, OptimizerGoldenTest, LayerGoldenTest,
 * KerasGoldenTest, NetGoldenTest; GoldenFilesTest checks the files themselves).
 *
 * <p><b>The tolerance rule</b>, for every comparison of a float32 result with its reference
 * (libtorch's float32 value, a float64 reference, or the formula evaluated in double):
 *
 * <pre>
 * |result − reference| ≤ {@link #tolerance}(n) · scale,    tolerance(n) = 4·2⁻²⁴·(n + 4)
 * </pre>
 *
 * <ul>
 *   <li>n is the length of the longest float32 sum behind the value, on either side: the values per
 *       channel for BatchNorm's outputs, gradients and running statistics, the fan-in for a
 *       convolution's output, the positions summed into a weight gradient; 0 for element-wise
 *       results (eval-mode BatchNorm on given statistics, optimizer steps) and for results computed
 *       from double-precision sums (bnlab's statistics against a float64 reference);
 *   <li>scale is the reference tensor's largest |value| (at least 1e-3), or a larger scale stated
 *       at the comparison for results that cancel to near zero (the gradient of a bias followed by
 *       BatchNorm, whose rounding follows the size of the terms summed);
 *   <li>where a golden file holds a float64 reference next to libtorch's float32 result (the stress
 *       case), bnlab must in addition be at least as close to it as libtorch.
 * </ul>
 *
 * The bound is the worst case of a sequential n-term float32 sum with room for about 16 further
 * roundings; different summation orders (libtorch's vectorized and blocked ones, bnlab's) stay well
 * inside it, a wrong formula does not. {@code -Dgolden.verbose=true} prints every comparison's
 * error as a share of its bound. Double-precision values of the files are checked against the same
 * formulas in double to 1e-9 (GoldenFilesTest): not a float32 comparison.
 */
public final class Golden {
  /** One tensor of a golden file; float32 values are the exact floats, widened to double. */
  public record Entry(String dtype, int[] shape, double[] values) {}

  private final String name;
  private final Map<String, String> attrs = new LinkedHashMap<>();
  private final Map<String, Entry> tensors = new LinkedHashMap<>();
  private final List<String> comments = new ArrayList<>();

  private Golden(String name) {
    this.name = name;
  }

  /** Loads {@code golden/NAME.txt} from the test class path, or fails the test. */
  public static Golden load(String name) {
    String path = "/golden/" + name + ".txt";
    try (InputStream in = Golden.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new AssertionError(
            "golden file "
                + path
                + " is missing from core/src/test/resources; regenerate with reference/generate.sh");
      }
      Golden g = new Golden(name);
      g.parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
      return g;
    } catch (IOException e) {
      throw new AssertionError("cannot read golden file " + path, e);
    }
  }

  /** Parses golden text from {@code text} (for tests of the reader itself). */
  static Golden parse(String name, String text) {
    Golden g = new Golden(name);
    try {
      g.parse(new BufferedReader(new java.io.StringReader(text)));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return g;
  }

  private void parse(BufferedReader r) throws IOException {
    String line;
    int lineNo = 0;
    while ((line = r.readLine()) != null) {
      lineNo++;
      String t = line.strip();
      if (t.isEmpty()) {
        continue;
      }
      if (t.startsWith("#")) {
        comments.add(t.substring(1).strip());
        continue;
      }
      String[] f = t.split("\\s+");
      if (f[0].equals("attr") && f.length == 3) {
        attrs.put(f[1], f[2]);
      } else if (f[0].equals("tensor") && f.length >= 3) {
        int[] shape = new int[f.length - 3];
        int n = 1;
        for (int i = 0; i < shape.length; i++) {
          shape[i] = Integer.parseInt(f[i + 3]);
          n *= shape[i];
        }
        // float32 text is rounded to float first: %.9g round-trips to the float, not to a double.
        boolean f32 = f[2].equals("float32");
        if (!f32 && !f[2].equals("float64") && !f[2].equals("int64")) {
          throw new AssertionError(name + ":" + lineNo + ": unknown dtype " + f[2]);
        }
        double[] values = new double[n];
        int k = 0;
        while (k < n) {
          String v = r.readLine();
          lineNo++;
          if (v == null) {
            throw new AssertionError(name + ": tensor " + f[1] + " truncated at " + k + " of " + n);
          }
          for (String s : v.strip().split("\\s+")) {
            if (!s.isEmpty()) {
              if (k == n) {
                throw new AssertionError(name + ":" + lineNo + ": too many values for " + f[1]);
              }
              values[k++] = f32 ? Float.parseFloat(s) : Double.parseDouble(s);
            }
          }
        }
        tensors.put(f[1], new Entry(f[2], shape, values));
      } else {
        throw new AssertionError(name + ":" + lineNo + ": cannot parse '" + t + "'");
      }
    }
  }

  /** The file's name without extension. */
  public String name() {
    return name;
  }

  /** The header comments (case description, engine version). */
  public List<String> comments() {
    return List.copyOf(comments);
  }

  /** Whether the file holds a tensor {@code tensor}. */
  public boolean has(String tensor) {
    return tensors.containsKey(tensor);
  }

  private Entry entry(String tensor) {
    Entry e = tensors.get(tensor);
    if (e == null) {
      throw new AssertionError(name + ": no tensor '" + tensor + "'; has " + tensors.keySet());
    }
    return e;
  }

  /** An attribute as text. */
  public String attr(String key) {
    String v = attrs.get(key);
    if (v == null) {
      throw new AssertionError(name + ": no attr '" + key + "'; has " + attrs.keySet());
    }
    return v;
  }

  /** An integer attribute. */
  public int intAttr(String key) {
    return Integer.parseInt(attr(key));
  }

  /** A floating-point attribute. */
  public double doubleAttr(String key) {
    return Double.parseDouble(attr(key));
  }

  /** A boolean attribute ({@code true}/{@code false}). */
  public boolean boolAttr(String key) {
    return Boolean.parseBoolean(attr(key));
  }

  /** The shape of a tensor. */
  public int[] shape(String tensor) {
    return entry(tensor).shape().clone();
  }

  /** The values of a tensor as float32. */
  public float[] floats(String tensor) {
    double[] d = entry(tensor).values();
    float[] out = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = (float) d[i];
    }
    return out;
  }

  /** The values of a tensor as doubles (exact for every dtype written). */
  public double[] doubles(String tensor) {
    return entry(tensor).values().clone();
  }

  /** The values of an int64 tensor as ints. */
  public int[] ints(String tensor) {
    double[] d = entry(tensor).values();
    int[] out = new int[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = (int) d[i];
    }
    return out;
  }

  /** A new bnlab tensor with the values and shape of a float tensor. */
  public Tensor tensor(String tensor) {
    return Tensor.of(floats(tensor), shape(tensor));
  }

  /**
   * The float32 tolerance for a result behind which the longest float32 sum has {@code
   * reductionLength} terms: {@code 4 * 2^-24 * (reductionLength + 4)} relative to the tensor's
   * scale (the worst-case rounding bound of a sequential sum, with room for a few further
   * operations); see the rule in the class comment.
   */
  public static double tolerance(int reductionLength) {
    return 4 * 0x1.0p-24 * (reductionLength + 4);
  }

  /**
   * Asserts {@code |actual - expected| <= tol * scale} elementwise, with scale the largest {@code
   * |expected|} (at least 1e-3 so all-tiny tensors still get a meaningful bound). On failure prints
   * the shape, max error, and the first differing values with their index.
   */
  public void assertClose(String tensor, float[] actual, double tol) {
    Entry e = entry(tensor);
    assertClose(name + "/" + tensor, e.shape(), e.values(), actual, tol);
  }

  /**
   * As {@link #assertClose(String, float[], double)} with an explicit {@code scale} (at least the
   * tensor's own largest value): for results that cancel to near zero, such as the gradient of a
   * bias followed by BatchNorm, whose rounding error follows the size of the summed terms instead.
   */
  public void assertClose(String tensor, Tensor actual, double tol, double scale) {
    checkShape(tensor, actual);
    Entry e = entry(tensor);
    assertClose(name + "/" + tensor, e.shape(), e.values(), actual.toArray(), tol, scale);
  }

  /** The largest absolute value of a tensor. */
  public double maxAbs(String tensor) {
    double m = 0;
    for (double v : entry(tensor).values()) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  private void checkShape(String tensor, Tensor actual) {
    Entry e = entry(tensor);
    if (!Arrays.equals(e.shape(), actual.shape())) {
      throw new AssertionError(
          name
              + "/"
              + tensor
              + ": shape "
              + Arrays.toString(actual.shape())
              + ", golden "
              + Arrays.toString(e.shape()));
    }
  }

  /** {@link #assertClose(String, float[], double)} for a bnlab tensor, also checking its shape. */
  public void assertClose(String tensor, Tensor actual, double tol) {
    checkShape(tensor, actual);
    assertClose(tensor, actual.toArray(), tol);
  }

  /** Elementwise comparison against explicit expected values; see the instance method. */
  public static void assertClose(
      String what, int[] shape, double[] expected, float[] actual, double tol) {
    assertClose(what, shape, expected, actual, tol, 0);
  }

  private static void assertClose(
      String what, int[] shape, double[] expected, float[] actual, double tol, double minScale) {
    if (expected.length != actual.length) {
      throw new AssertionError(
          what + ": " + actual.length + " values, golden has " + expected.length);
    }
    double scale = Math.max(1e-3, minScale);
    for (double v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    double bound = tol * scale;
    double maxErr = 0;
    int bad = 0;
    StringBuilder first = new StringBuilder();
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(actual[i] - expected[i]);
      if (!(err <= bound)) { // also catches NaN
        if (bad < 6) {
          first.append(
              String.format(
                  Locale.ROOT,
                  "%n  [%s] bnlab %.9g  libtorch %.9g  |diff| %.3e",
                  index(shape, i),
                  actual[i],
                  expected[i],
                  err));
        }
        bad++;
      }
      maxErr = Double.isNaN(err) ? Double.NaN : Math.max(maxErr, err);
    }
    if (Boolean.getBoolean("golden.verbose")) {
      System.out.printf(
          Locale.ROOT,
          "golden %-40s max |diff| %.3e  bound %.3e  (%.0f%% of the bound)%n",
          what,
          maxErr,
          bound,
          bound > 0 ? 100 * maxErr / bound : 0.0);
    }
    if (bad > 0) {
      throw new AssertionError(
          String.format(
              Locale.ROOT,
              "%s %s: %d of %d values differ by more than %.3e (tol %.2e x scale %.3g); max |diff|"
                  + " %.3e; first:%s",
              what,
              Arrays.toString(shape),
              bad,
              expected.length,
              bound,
              tol,
              scale,
              maxErr,
              first));
    }
  }

  private static String index(int[] shape, int flat) {
    int[] idx = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = flat % shape[d];
      flat /= shape[d];
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < idx.length; i++) {
      sb.append(i == 0 ? "" : ",").append(idx[i]);
    }
    return sb.toString();
  }
}
