package bnlab.report;

import bnlab.report.Charts.Plot;
import java.util.ArrayList;
import java.util.List;

/**
 * A study's own part of the report (Ioffe &amp; Szegedy's Figure 1, BN and depth, the BN
 * diagnosis): a heading, then paragraphs, tables and figures in order, and the plain-language
 * findings it adds to the page's Findings list.
 */
final class Section {
  /** A paragraph, a table (rows marked bad are shown in red) or a figure. */
  sealed interface Part permits Para, Table, Figure {}

  record Para(String text) implements Part {}

  record Table(List<String> header, List<List<String>> rows, List<Boolean> bad) implements Part {}

  record Figure(Plot plot) implements Part {}

  final String id;
  final String title;
  final List<Part> parts = new ArrayList<>();
  final List<String> findings = new ArrayList<>();

  Section(String id, String title) {
    this.id = id;
    this.title = title;
  }

  Section para(String text) {
    parts.add(new Para(text));
    return this;
  }

  Section table(List<String> header, List<List<String>> rows, List<Boolean> bad) {
    parts.add(new Table(List.copyOf(header), List.copyOf(rows), List.copyOf(bad)));
    return this;
  }

  /** Adds the figure unless the chart had nothing to draw (null). */
  Section figure(Plot p) {
    if (p != null) {
      parts.add(new Figure(p));
    }
    return this;
  }

  Section finding(String text) {
    findings.add(text);
    return this;
  }
}
