package bnlab.report;

import bnlab.report.Charts.Plot;
import bnlab.report.Comparison.Metric;
import bnlab.report.RunData.RunSummary;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Writes the self-contained report page: inline CSS, images embedded as base64 PNG. */
final class Html {
  private final StringBuilder out = new StringBuilder(1 << 16);

  private static final String CSS =
      """
      body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
        max-width:1040px;margin:2em auto;padding:0 1.2em;color:#1d1d1f;line-height:1.45}
      h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ddd;
        padding-bottom:.2em}
      .meta{color:#666;margin-top:0}
      nav a{margin-right:1em}
      table{border-collapse:collapse;margin:.8em 0;font-size:.92em}
      th,td{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}
      td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
      th{background:#f5f5f7}
      tr.bad td{color:#a00}
      ul.findings li{margin:.45em 0}
      figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
      figcaption{color:#444;font-size:.92em;margin-top:.3em}
      .note{color:#666;font-size:.92em}
      code{background:#f5f5f7;padding:0 .2em}
      """;

  /** Escapes text for HTML element content and attribute values. */
  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  Html head(String title, String meta) {
    return head(title, meta, List.of());
  }

  /** The page head with the standard links and one more per study section. */
  Html head(String title, String meta, List<Section> sections) {
    out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>")
        .append(esc(title))
        .append("</title>\n<style>\n")
        .append(CSS)
        .append("</style>\n</head>\n<body>\n<h1>")
        .append(esc(title))
        .append("</h1>\n<p class=\"meta\">")
        .append(esc(meta))
        .append("</p>\n<nav><a href=\"#findings\">Findings</a>");
    for (Section s : sections) {
      out.append("<a href=\"#").append(esc(s.id)).append("\">").append(esc(s.title));
      out.append("</a>");
    }
    out.append("<a href=\"#comparison\">")
        .append("Comparison</a><a href=\"#plots\">Plots</a><a href=\"#configuration\">")
        .append("Configuration</a></nav>\n");
    return this;
  }

  /** A study's section: heading, then its paragraphs, tables and figures in order. */
  Html study(Section s) {
    section(s.id, s.title);
    for (Section.Part part : s.parts) {
      switch (part) {
        case Section.Para p -> para(p.text(), null);
        case Section.Figure f -> figure(f.plot());
        case Section.Table t -> table(t);
      }
    }
    return this;
  }

  private void table(Section.Table t) {
    out.append("<table>\n<tr>");
    for (String h : t.header()) {
      out.append("<th>").append(esc(h)).append("</th>");
    }
    out.append("</tr>\n");
    for (int i = 0; i < t.rows().size(); i++) {
      List<String> cells = t.rows().get(i);
      row(t.bad().get(i), cells.stream().map(Html::numIfNumeric).toArray(String[]::new));
    }
    out.append("</table>\n");
  }

  /** Right-aligns cells that read as numbers ("12.3 %", "-0.5", "1,234"). */
  private static String numIfNumeric(String c) {
    return c.matches("[-+]?[0-9][0-9,.]*(e-?[0-9]+)?( ?%| pp)?") ? num(c) : c;
  }

  Html section(String id, String title) {
    out.append("<h2 id=\"").append(esc(id)).append("\">").append(esc(title)).append("</h2>\n");
    return this;
  }

  Html para(String text, String cssClass) {
    out.append("<p");
    if (cssClass != null) {
      out.append(" class=\"").append(esc(cssClass)).append('"');
    }
    out.append('>').append(esc(text)).append("</p>\n");
    return this;
  }

  Html list(List<String> items) {
    out.append("<ul class=\"findings\">\n");
    for (String s : items) {
      out.append("<li>").append(esc(s)).append("</li>\n");
    }
    out.append("</ul>\n");
    return this;
  }

  Html modelTable(Comparison c) {
    out.append("<table>\n<tr><th>model</th><th>norm</th><th>runs ok</th>")
        .append("<th>final train loss</th><th>test accuracy</th><th>wall seconds</th>")
        .append("<th>train images/s</th></tr>\n");
    for (var e : c.byModel().entrySet()) {
      List<RunSummary> ok = c.ok(e.getKey());
      double[] loss = Comparison.values(ok, RunSummary::finalTrainLoss);
      double[] acc = Comparison.values(ok, RunSummary::testAccuracy);
      double[] wall = Comparison.values(ok, RunSummary::wallSeconds);
      double[] ips = Comparison.values(ok, RunSummary::imagesPerSecond);
      row(
          false,
          e.getKey(),
          c.norm(e.getKey()),
          ok.size() + " of " + e.getValue().size(),
          num(
              Comparison.meanSd(
                  Metric.FINAL_TRAIN_LOSS, Stats.mean(loss), Stats.sd(loss), n(loss))),
          num(Comparison.meanSd(Metric.TEST_ACCURACY, Stats.mean(acc), Stats.sd(acc), n(acc))),
          num(Stats.fmt(Stats.mean(wall))),
          num(Stats.fmt(Stats.mean(ips))));
    }
    out.append("</table>\n");
    return this;
  }

  Html seedTable(Comparison c) {
    out.append("<table>\n<tr><th>model</th><th>seed</th><th>epochs</th><th>status</th>")
        .append("<th>final train loss</th><th>test accuracy</th><th>wall seconds</th>")
        .append("<th>train images/s</th><th>message</th></tr>\n");
    for (List<RunSummary> runs : c.byModel().values()) {
      for (RunSummary r : runs) {
        row(
            !r.ok(),
            r.model(),
            num(Long.toString(r.seed())),
            num(Integer.toString(r.epochs())),
            r.status(),
            num(Stats.fmt(r.finalTrainLoss())),
            num(Stats.pct(r.testAccuracy())),
            num(Stats.fmt(r.wallSeconds())),
            num(Stats.fmt(r.imagesPerSecond())),
            r.message());
      }
    }
    out.append("</table>\n");
    return this;
  }

  /** sweep.csv as a table, diverged runs marked. */
  Html sweepTable(Csv sweep) {
    out.append("<table>\n<tr><th>model</th><th>norm</th><th>lr</th><th>batch size</th>")
        .append("<th>seed</th><th>epochs</th><th>final train loss</th><th>test accuracy</th>")
        .append("<th>diverged</th></tr>\n");
    List<Csv.Row> rows = new java.util.ArrayList<>(sweep.rows());
    // Parallel sweeps append rows in completion order; read them by model, lr, batch, seed.
    rows.sort(
        java.util.Comparator.comparing((Csv.Row r) -> r.s("model"))
            .thenComparingDouble(r -> r.d("lr"))
            .thenComparingInt(r -> r.i("batch_size"))
            .thenComparingLong(r -> r.l("seed")));
    for (Csv.Row r : rows) {
      boolean diverged = r.b("diverged");
      row(
          diverged,
          r.s("model"),
          r.s("norm"),
          num(Stats.fmt(r.d("lr"))),
          num(r.s("batch_size")),
          num(r.s("seed")),
          num(r.has("epochs") ? r.s("epochs") : ""),
          num(r.has("final_train_loss") ? Stats.fmt(r.d("final_train_loss")) : ""),
          num(Stats.pct(r.d("test_accuracy"))),
          diverged ? "yes" : "no");
    }
    out.append("</table>\n");
    return this;
  }

  private static int n(double[] v) {
    return Stats.finite(v).length;
  }

  private static final String NUM = "\u0001";

  /** Marks a cell as numeric (right-aligned). */
  private static String num(String s) {
    return NUM + s;
  }

  private void row(boolean bad, String... cells) {
    out.append(bad ? "<tr class=\"bad\">" : "<tr>");
    for (String c : cells) {
      boolean n = c.startsWith(NUM);
      out.append(n ? "<td class=\"n\">" : "<td>").append(esc(n ? c.substring(1) : c));
      out.append("</td>");
    }
    out.append("</tr>\n");
  }

  Html figure(Plot p) {
    out.append("<figure id=\"plot-")
        .append(esc(p.name()))
        .append("\">\n<img alt=\"")
        .append(esc(p.title()))
        .append("\" width=\"")
        .append(Charts.WIDTH)
        .append("\" height=\"")
        .append(Charts.HEIGHT)
        .append("\" src=\"data:image/png;base64,")
        .append(Base64.getEncoder().encodeToString(p.png()))
        .append("\">\n<figcaption>")
        .append(esc(p.caption()))
        .append(" Files: <code>plots/")
        .append(esc(p.name()))
        .append(".png</code>, <code>plots/")
        .append(esc(p.name()))
        .append(".svg</code>.</figcaption>\n</figure>\n");
    return this;
  }

  /** config.json as a two-column table, nested objects flattened to dotted keys. */
  Html config(JsonNode config) {
    out.append("<table>\n<tr><th>key</th><th>value</th></tr>\n");
    flatten("", config);
    out.append("</table>\n");
    return this;
  }

  private void flatten(String prefix, JsonNode node) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue());
      }
    } else {
      row(false, prefix, node.isTextual() ? node.asText() : node.toString());
    }
  }

  String end() {
    out.append("</body>\n</html>\n");
    return out.toString();
  }
}
