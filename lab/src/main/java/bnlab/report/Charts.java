package bnlab.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** XChart styling shared by all plots, and writing a chart as PNG and SVG. */
final class Charts {
  static final int WIDTH = 960;
  static final int HEIGHT = 440;

  /** Colour-blind-friendly palette (Okabe and Ito), one colour per model or layer. */
  private static final Color[] PALETTE = {
    new Color(0, 114, 178),
    new Color(213, 94, 0),
    new Color(0, 158, 115),
    new Color(204, 121, 167),
    new Color(230, 159, 0),
    new Color(86, 180, 233),
    new Color(0, 0, 0),
    new Color(240, 228, 66),
  };

  static final BasicStroke SOLID = new BasicStroke(2f);
  static final BasicStroke DASHED =
      new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {7, 4}, 0);
  static final BasicStroke DOTTED =
      new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {1, 5}, 0);

  private Charts() {}

  static Color colour(int i) {
    Color base = PALETTE[i % PALETTE.length];
    return i < PALETTE.length ? base : base.darker();
  }

  static XYChart chart(String title, String xTitle, String yTitle) {
    XYChart c =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    Styler s = c.getStyler();
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setPlotBorderColor(new Color(200, 200, 200));
    s.setLegendPosition(Styler.LegendPosition.OutsideE);
    s.setLegendBorderColor(Color.WHITE);
    s.setChartTitleBoxVisible(false);
    s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    c.getStyler().setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    c.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    c.getStyler().setPlotGridLinesColor(new Color(230, 230, 230));
    c.getStyler().setMarkerSize(6);
    c.getStyler().setyAxisTickLabelsFormattingFunction(Charts::tick);
    return c;
  }

  /** A tick label: six significant digits at most, so that 48.000000000000001 reads 48. */
  static String tick(Double v) {
    if (v == null || !Double.isFinite(v)) {
      return "";
    }
    double a = Math.abs(v);
    if (a != 0 && (a < 1e-4 || a >= 1e7)) {
      return Stats.fmt(v);
    }
    return new java.math.BigDecimal(v)
        .round(new java.math.MathContext(6))
        .stripTrailingZeros()
        .toPlainString();
  }

  /**
   * Switches the y axis to logarithmic (or back); a log axis keeps XChart's own decade labels,
   * because a label function would make XChart place linear ticks.
   */
  static void logY(XYChart c, boolean log) {
    c.getStyler().setYAxisLogarithmic(log);
    c.getStyler().setyAxisTickLabelsFormattingFunction(log ? null : Charts::tick);
  }

  /** Odd-numbered models get dashed lines, so that identical curves stay visible on each other. */
  static void dashIfOdd(XYSeries s, int modelIndex) {
    if (modelIndex % 2 == 1) {
      s.setLineStyle(DASHED);
    }
  }

  /** A line without markers. */
  static XYSeries line(XYChart c, String name, double[] x, double[] y, Color colour) {
    XYSeries s = c.addSeries(name, x, y);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(colour);
    s.setLineStyle(SOLID);
    return s;
  }

  /** A line with circle markers, for sparse points (epochs, learning rates, batch sizes). */
  static XYSeries points(XYChart c, String name, double[] x, double[] y, Color colour) {
    XYSeries s = line(c, name, x, y, colour);
    s.setMarker(SeriesMarkers.CIRCLE);
    s.setMarkerColor(colour);
    return s;
  }

  /**
   * A translucent band between {@code lo} and {@code hi}, drawn as a closed polygon; shown in the
   * legend only when {@code legend} (a band usually accompanies a line that carries the label).
   */
  static void band(
      XYChart c, String name, double[] x, double[] lo, double[] hi, Color colour, boolean legend) {
    int n = x.length;
    double[] px = new double[2 * n + 1];
    double[] py = new double[2 * n + 1];
    for (int i = 0; i < n; i++) {
      px[i] = x[i];
      py[i] = hi[i];
      px[2 * n - 1 - i] = x[i];
      py[2 * n - 1 - i] = lo[i];
    }
    px[2 * n] = x[0];
    py[2 * n] = hi[0];
    XYSeries s = c.addSeries(name, px, py);
    s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
    s.setMarker(SeriesMarkers.NONE);
    s.setFillColor(new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 55));
    s.setLineColor(new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 90));
    s.setLineStyle(new BasicStroke(0.5f));
    s.setShowInLegend(legend);
  }

  /**
   * A plot written to plots/NAME.png and plots/NAME.svg, with its PNG kept for embedding; {@link
   * #save} returns null for a chart without series.
   */
  record Plot(String name, String title, String caption, byte[] png) {}

  static Plot save(XYChart c, Path plotsDir, String name, String caption) {
    if (c.getSeriesMap().isEmpty()) {
      return null; // nothing finite to draw (e.g. every value NaN)
    }
    try {
      Files.createDirectories(plotsDir);
      byte[] png = BitmapEncoder.getBitmapBytes(c, BitmapEncoder.BitmapFormat.PNG);
      Files.write(plotsDir.resolve(name + ".png"), png);
      ByteArrayOutputStream svg = new ByteArrayOutputStream();
      VectorGraphicsEncoder.saveVectorGraphic(
          c, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
      Files.write(plotsDir.resolve(name + ".svg"), svg.toByteArray());
      return new Plot(name, c.getTitle(), caption, png);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write plot " + plotsDir.resolve(name) + ".png/svg", e);
    }
  }

  /** A file-name-safe form of a model or layer name. */
  static String slug(String s) {
    String t = s.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9+-]+", "-");
    return t.replaceAll("^-+|-+$", "").replace("+", "plus");
  }

  static double[] array(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
