package bnlab.train;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * The console side of a run: "Starting epoch N", the article's "Loss after mini-batch %5d: %.3f"
 * lines every {@code logEvery} mini-batches of an epoch, a progress bar (rate, ETA, running loss)
 * when a terminal is attached, and the per-epoch test loss and accuracy.
 *
 * <p>The printed value is the mean of the mini-batch losses since the previous line of the epoch
 * (the article's loop resets its sum at each line and at each epoch). In {@code asPublished} mode
 * the sum is divided by the literal {@code logEvery} as the article's {@code current_loss / 500}
 * does, which differs from the true mean only for a window shorter than logEvery.
 */
public final class ConsoleLog implements TrainListener {
  private static final int WIDTH = 110;
  private final PrintStream out;
  private final String label;
  private final int logEvery;
  private final boolean asPublished;
  private final boolean bar;
  private final String linePrefix;
  private ProgressBar pb;
  private double sum;
  private int count;
  private double barSum;
  private int barCount;

  /**
   * A console log for run {@code label}; {@code bar} shows a progress bar on stderr; {@code
   * linePrefix} goes before each loss line (empty for the article's exact format, the label when
   * several runs share the console).
   */
  public ConsoleLog(
      PrintStream out,
      String label,
      int logEvery,
      boolean asPublished,
      boolean bar,
      String linePrefix) {
    this.out = out;
    this.label = label;
    this.logEvery = logEvery;
    this.asPublished = asPublished;
    this.bar = bar;
    this.linePrefix = linePrefix;
  }

  @Override
  public void onEpochStart(int epoch, int batchesPerEpoch) {
    out.println("[" + label + "] Starting epoch " + epoch);
    sum = 0;
    count = 0;
    if (bar) {
      pb =
          new ProgressBarBuilder()
              .setTaskName(label + " e" + epoch)
              .setInitialMax(batchesPerEpoch)
              .setUnit(" batches", 1)
              .showSpeed()
              .setUpdateIntervalMillis(500)
              .setConsumer(new ConsoleProgressBarConsumer(System.err, WIDTH))
              .build();
    }
  }

  @Override
  public void onBatch(Step s) {
    sum += s.loss();
    count++;
    if (pb != null) {
      barSum += s.loss();
      barCount++;
      pb.step();
      if (barCount == 50) {
        pb.setExtraMessage(String.format(Locale.ROOT, " loss %.3f", barSum / barCount));
        barSum = 0;
        barCount = 0;
      }
    }
    if (s.batchInEpoch() % logEvery == 0) {
      double value = sum / (asPublished ? logEvery : count);
      print(
          linePrefix
              + String.format(
                  Locale.ROOT, "Loss after mini-batch %5d: %.3f", s.batchInEpoch(), value));
      sum = 0;
      count = 0;
    }
    if (s.batchInEpoch() == s.batchesPerEpoch()) {
      close();
    }
  }

  @Override
  public void onEpoch(EpochResult r) {
    if (pb != null) {
      pb.close();
      pb = null;
    }
    print(
        String.format(
            Locale.ROOT,
            "[%s] epoch %d: train loss %.4f, test loss %.4f, test accuracy %.2f%% (%.1f s, %.0f"
                + " img/s)",
            label,
            r.epoch(),
            r.trainLoss(),
            r.testLoss(),
            100 * r.testAccuracy(),
            r.seconds(),
            r.trainImages() / r.seconds()));
  }

  /** Ends the progress bar of an interrupted epoch. */
  public void close() {
    if (pb != null) {
      pb.close();
      pb = null;
    }
  }

  private void print(String line) {
    if (pb != null) {
      // the bar owns the terminal line: clear it, print, and let the bar redraw below
      System.err.print("\r\u001b[2K");
      System.err.flush();
    }
    out.println(line);
  }
}
