package bnlab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The small-batch study (smallbatch.csv) set against Wu &amp; He 2018 ("Group Normalization", Table
 * 3: ResNet-50 on ImageNet, BN's top-1 error 23.6 % at 32 images per GPU and 34.7 % at 2, GN flat
 * near 24 %). Every sentence is computed from the measured rows; the verdict follows the numbers.
 */
final class SmallBatchFindings {
  private static final double PUBLISHED_BN_RISE = 34.7 - 23.6;

  /** Within this many error points two rises count as alike (one seed, a few thousand images). */
  private static final double ALIKE_PP = 2.0;

  /** Accuracy points below BN at the reference batch size that make a model "undertrained". */
  private static final double UNDERTRAINED_PP = 10.0;

  private SmallBatchFindings() {}

  static List<String> findings(Csv csv) {
    List<String> out = new ArrayList<>();
    Map<String, TreeMap<Integer, List<Csv.Row>>> iid = byNorm(csv, true);
    Map<String, TreeMap<Integer, List<Csv.Row>>> clustered = byNorm(csv, false);
    String published = publishedComparison(iid);
    if (published != null) {
      out.add(published);
    }
    String gap = trainEvalGap(iid);
    if (gap != null) {
      out.add(gap);
    }
    String recalibrated = recalibrated(csv, iid);
    if (recalibrated != null) {
      out.add(recalibrated);
    }
    String noniid = nonIid(iid, clustered);
    if (noniid != null) {
      out.add(noniid);
    }
    return out;
  }

  private static Map<String, TreeMap<Integer, List<Csv.Row>>> byNorm(Csv csv, boolean iid) {
    Map<String, TreeMap<Integer, List<Csv.Row>>> out = new TreeMap<>();
    List<Csv.Row> rows =
        csv.rows().stream().filter(r -> !r.has("iid") || r.b("iid") == iid).toList();
    Group.by(rows, r -> r.s("norm"))
        .forEach((norm, list) -> out.put(norm, Group.sorted(list, r -> r.i("batch_size"))));
    return out;
  }

  private static double acc(TreeMap<Integer, List<Csv.Row>> t, int bs, String mode) {
    List<Csv.Row> rows = t.get(bs);
    return rows == null ? Double.NaN : Stats.mean(Group.values(rows, "test_accuracy_" + mode));
  }

  /** Error rise in points from the large to the small batch size, eval mode. */
  private static double rise(TreeMap<Integer, List<Csv.Row>> t, int small, int large) {
    return 100 * (acc(t, large, "eval") - acc(t, small, "eval"));
  }

  private static String publishedComparison(Map<String, TreeMap<Integer, List<Csv.Row>>> iid) {
    TreeMap<Integer, List<Csv.Row>> bn = iid.get("batch");
    if (bn == null || bn.size() < 2) {
      return null;
    }
    int small = bn.firstKey();
    int large = bn.containsKey(32) ? 32 : bn.lastKey();
    List<String> parts = new ArrayList<>();
    for (var e : iid.entrySet()) {
      if (e.getValue().containsKey(small) && e.getValue().containsKey(large)) {
        parts.add(
            String.format(
                Locale.ROOT,
                "%s %.1f %% → %.1f %% (%+.1f pp)",
                e.getKey(),
                100 * (1 - acc(e.getValue(), large, "eval")),
                100 * (1 - acc(e.getValue(), small, "eval")),
                rise(e.getValue(), small, large)));
      }
    }
    double bnRise = rise(bn, small, large);
    TreeMap<Integer, List<Csv.Row>> gn = iid.get("group");
    String verdict;
    if (gn == null || !gn.containsKey(small) || !gn.containsKey(large)) {
      verdict = "GroupNorm was not run, so only BN's own change can be compared.";
    } else if (100 * (acc(bn, large, "eval") - acc(gn, large, "eval")) > UNDERTRAINED_PP) {
      verdict =
          String.format(
              Locale.ROOT,
              "BN's own rise (%.1f pp) is %s the paper's 11.1 pp; GroupNorm cannot be set against"
                  + " it here (see the caveat).",
              bnRise,
              bnRise > PUBLISHED_BN_RISE ? "larger than" : "smaller than");
    } else {
      double gnRise = rise(gn, small, large);
      if (bnRise > gnRise + ALIKE_PP) {
        verdict =
            String.format(
                Locale.ROOT,
                "The pattern is the paper's: BN's error grows %.1f pp more than GroupNorm's (%.1f"
                    + " vs %.1f pp; the paper: 11.1 pp vs about 0)%s.",
                bnRise - gnRise,
                bnRise,
                gnRise,
                bnRise > PUBLISHED_BN_RISE ? ", here even more than on ImageNet" : "");
      } else if (Math.abs(bnRise - gnRise) <= ALIKE_PP) {
        verdict =
            String.format(
                Locale.ROOT,
                "Unlike the paper, BN and GroupNorm change alike here (%.1f vs %.1f pp, within"
                    + " %.0f pp): at this scale the batch size matters through the optimization,"
                    + " not through BN's statistics.",
                bnRise,
                gnRise,
                ALIKE_PP);
      } else {
        verdict =
            String.format(
                Locale.ROOT,
                "Opposite to the paper, GroupNorm suffers more from small batches than BN here"
                    + " (%.1f vs %.1f pp).",
                gnRise,
                bnRise);
      }
    }
    String caveat = undertrained(iid, large);
    return String.format(
        Locale.ROOT,
        "Against Wu & He 2018: on ImageNet (ResNet-50) BN's top-1 error rises from 23.6 %% at 32"
            + " images per batch to 34.7 %% at 2 while GroupNorm stays flat near 24 %%. Here"
            + " (CIFAR-10 test error, eval mode, i.i.d. batches, batch size %d → %d): %s. %s"
            + " The model without normalization shows how much of a change comes from training"
            + " with more, smaller steps rather than from batch statistics.%s",
        large,
        small,
        String.join("; ", parts),
        verdict,
        caveat);
  }

  /**
   * A caveat for every normalization that stays more than {@link #UNDERTRAINED_PP} below BN at the
   * reference batch size: its flat or falling curve then says that it did not train in this budget,
   * not that it resists small batches.
   */
  private static String undertrained(Map<String, TreeMap<Integer, List<Csv.Row>>> iid, int large) {
    double bnAcc = acc(iid.get("batch"), large, "eval");
    List<String> behind = new ArrayList<>();
    for (var e : iid.entrySet()) {
      double a = acc(e.getValue(), large, "eval");
      if (!e.getKey().equals("batch") && 100 * (bnAcc - a) > UNDERTRAINED_PP) {
        behind.add(String.format(Locale.ROOT, "%s %.1f %%", e.getKey(), 100 * a));
      }
    }
    if (behind.isEmpty()) {
      return "";
    }
    return String.format(
        Locale.ROOT,
        " Caveat: at batch size %d these stay far below BN's %.1f %% accuracy: %s; their curves"
            + " show models that barely trained on this budget, not robustness to small batches,"
            + " so the comparison with the paper's flat GroupNorm is not conclusive here.",
        large,
        100 * bnAcc,
        String.join(", ", behind));
  }

  private static String trainEvalGap(Map<String, TreeMap<Integer, List<Csv.Row>>> iid) {
    TreeMap<Integer, List<Csv.Row>> bn = iid.get("batch");
    if (bn == null) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    for (int bs : bn.keySet()) {
      double gap = 100 * (acc(bn, bs, "train_mode") - acc(bn, bs, "eval"));
      parts.add(String.format(Locale.ROOT, "%d: %+.1f", bs, gap));
    }
    return "BN's train-mode minus eval-mode test accuracy (test batches of the training batch size"
        + " normalized with their own statistics, in pp) by batch size: "
        + String.join(", ", parts)
        + ". A large negative gap at small batches means batch statistics of a few images are"
        + " too noisy to normalize with; a large positive gap means the running statistics lag"
        + " behind weights that moved fast (few steps at a large learning rate), so eval mode"
        + " normalizes with stale values. GroupNorm and no normalization have no gap by"
        + " construction.";
  }

  /**
   * BN's eval-mode accuracy with the training's running statistics against the same weights after
   * precise BN, by batch size (i.i.d. batches); null without the column or a measured value.
   */
  private static String recalibrated(Csv csv, Map<String, TreeMap<Integer, List<Csv.Row>>> iid) {
    TreeMap<Integer, List<Csv.Row>> bn = iid.get("batch");
    if (bn == null || !csv.has("test_accuracy_recalibrated")) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    double best = Double.NEGATIVE_INFINITY;
    int bestBs = 0;
    for (int bs : bn.keySet()) {
      double eval = acc(bn, bs, "eval");
      double rec = acc(bn, bs, "recalibrated");
      if (!Double.isFinite(rec)) {
        continue;
      }
      parts.add(String.format(Locale.ROOT, "%d: %.1f %% → %.1f %%", bs, 100 * eval, 100 * rec));
      if (rec - eval > best) {
        best = rec - eval;
        bestBs = bs;
      }
    }
    if (parts.isEmpty()) {
      return null;
    }
    String verdict =
        best > 0.005
            ? String.format(
                Locale.ROOT,
                "Recalibrating helps most at batch size %d (%+.1f pp): there the running"
                    + " statistics that training left behind were furthest from what the final"
                    + " weights produce.",
                bestBs,
                100 * best)
            : "Recalibrating changes nothing that matters here: the running statistics training"
                + " left behind already fit the final weights.";
    return "Precise BN (the running statistics recomputed after training as the average over many"
        + " training batches with the final weights, as bnlab recalibrate does) changes BN's"
        + " eval-mode test accuracy, by batch size: "
        + String.join(", ", parts)
        + ". "
        + verdict
        + " It cannot remove the noise that small batches put into training itself; it only"
        + " replaces the exponential moving average (the last ~10 batches, under older weights)"
        + " by an exact average under the final weights.";
  }

  private static String nonIid(
      Map<String, TreeMap<Integer, List<Csv.Row>>> iid,
      Map<String, TreeMap<Integer, List<Csv.Row>>> clustered) {
    if (clustered.isEmpty()) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    double bnChange = Double.NaN;
    List<Double> others = new ArrayList<>();
    for (var e : clustered.entrySet()) {
      TreeMap<Integer, List<Csv.Row>> base = iid.get(e.getKey());
      if (base == null) {
        continue;
      }
      int bs = e.getValue().containsKey(32) ? 32 : e.getValue().lastKey();
      double change = 100 * (acc(e.getValue(), bs, "eval") - acc(base, bs, "eval"));
      parts.add(String.format(Locale.ROOT, "%s %+.1f pp", e.getKey(), change));
      if (e.getKey().equals("batch")) {
        bnChange = change;
      } else if (e.getKey().equals("group") || e.getKey().equals("none")) {
        others.add(change);
      }
    }
    String excess =
        Double.isNaN(bnChange) || others.isEmpty()
            ? ""
            : String.format(
                Locale.ROOT,
                " Models without batch statistics (GroupNorm, none) change by %+.1f pp on average:"
                    + " that part comes from gradient steps on batches of few classes; BN's"
                    + " change beyond it, %+.1f pp, is what coupling the images of a batch and"
                    + " averaging such batches into running statistics adds.",
                others.stream().mapToDouble(Double::doubleValue).average().orElseThrow(),
                bnChange
                    - others.stream().mapToDouble(Double::doubleValue).average().orElseThrow());
    return "Class-clustered (non-i.i.d.) batches change the eval-mode test accuracy at batch size"
        + " 32 (or the largest), relative to i.i.d. batches, by: "
        + String.join(", ", parts)
        + "."
        + excess;
  }
}
