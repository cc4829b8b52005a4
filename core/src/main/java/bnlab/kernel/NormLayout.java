package bnlab.kernel;

/**
 * How a normalization groups the values of its input into statistics. The input is viewed as (n, c,
 * s): element (i, j, k) sits at {@code (i*c + j)*s + k}, with j the channel (the index of γ and β)
 * and s the product of the dimensions after it. The samples are split into blocks of {@code
 * blockSize} consecutive samples and the channels into groups of {@code groupSize} consecutive
 * channels; each (block, group) pair has one statistic ("slot"):
 *
 * <pre>
 * slot(i, j) = (i / blockSize) · (c / groupSize) + j / groupSize
 * count      = blockSize · groupSize · s          values per statistic
 * </pre>
 *
 * <table>
 *   <caption>The layouts of the normalization layers</caption>
 *   <tr><th>layer</th><th>view (n, c, s)</th><th>blockSize</th><th>groupSize</th></tr>
 *   <tr><td>BatchNorm, BatchRenorm, SyncBatchNorm</td><td>(N, C, S)</td><td>N</td><td>1</td></tr>
 *   <tr><td>GhostBatchNorm</td><td>(N, C, S)</td><td>virtual batch</td><td>1</td></tr>
 *   <tr><td>InstanceNorm</td><td>(N, C, S)</td><td>1</td><td>1</td></tr>
 *   <tr><td>GroupNorm</td><td>(N, C, S)</td><td>1</td><td>C / G</td></tr>
 *   <tr><td>LayerNorm</td><td>(rows, M, 1)</td><td>1</td><td>M</td></tr>
 *   <tr><td>Keras BatchNormalization</td><td>(outer, C, inner)</td><td>outer</td><td>1</td></tr>
 * </table>
 *
 * Statistics are numbered block-major: {@code slot = block·groups() + group}. A layout is made once
 * per input shape and reused.
 *
 * @param n samples
 * @param c channels
 * @param s values per (sample, channel)
 * @param blockSize samples per statistic; divides n
 * @param groupSize channels per statistic; divides c
 */
public record NormLayout(int n, int c, int s, int blockSize, int groupSize) {
  /** Checks that the sizes are positive and that blocks and groups tile the input. */
  public NormLayout {
    if (n <= 0 || c <= 0 || s <= 0 || blockSize <= 0 || groupSize <= 0) {
      throw new IllegalArgumentException("NormLayout: sizes must be positive, got " + this);
    }
    if (n % blockSize != 0 || c % groupSize != 0) {
      throw new IllegalArgumentException(
          "NormLayout: blockSize must divide n and groupSize must divide c, got " + this);
    }
  }

  /** BatchNorm: one statistic per channel over the whole batch. */
  public static NormLayout perChannel(int n, int c, int s) {
    return new NormLayout(n, c, s, n, 1);
  }

  /** Ghost BatchNorm: one statistic per channel and virtual batch of {@code size} samples. */
  public static NormLayout virtualBatches(int n, int c, int s, int size) {
    return new NormLayout(n, c, s, size, 1);
  }

  /** GroupNorm (InstanceNorm for groups = c, LayerNorm for groups = 1): per sample and group. */
  public static NormLayout perSample(int n, int c, int s, int groups) {
    if (groups <= 0 || c % groups != 0) {
      throw new IllegalArgumentException(
          "NormLayout: " + groups + " groups do not divide " + c + " channels");
    }
    return new NormLayout(n, c, s, 1, c / groups);
  }

  /** Number of sample blocks, n / blockSize. */
  public int blocks() {
    return n / blockSize;
  }

  /** Number of channel groups, c / groupSize. */
  public int groups() {
    return c / groupSize;
  }

  /** Number of statistics, blocks · groups. */
  public int slots() {
    return blocks() * groups();
  }

  /** Values per statistic. */
  public long count() {
    return (long) blockSize * groupSize * s;
  }

  /** The statistic of sample i, channel j. */
  public int slot(int i, int j) {
    return i / blockSize * groups() + j / groupSize;
  }

  /** Whether this layout has the given sizes (to reuse it for the next input). */
  public boolean fits(int n, int c, int s, int blockSize, int groupSize) {
    return this.n == n
        && this.c == c
        && this.s == s
        && this.blockSize == blockSize
        && this.groupSize == groupSize;
  }
}
