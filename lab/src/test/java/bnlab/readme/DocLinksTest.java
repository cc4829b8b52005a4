package bnlab.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of the project's Markdown documents (README.md, docs/performance.md,
 * reference/README.md) points at a file that exists and, with a #fragment, at a heading of that
 * file, with the anchors GitHub renders (github-slugger: lower case, spaces to '-', punctuation,
 * symbols and other numbers such as '×', '²' and '³' dropped, repeated headings numbered -1, -2).
 * The performance journal moved out of the README, and links into it break silently otherwise.
 */
class DocLinksTest {
  private static final List<String> DOCS =
      List.of("README.md", "docs/performance.md", "reference/README.md");

  // [text](target) outside code; the target has no spaces (Markdown's own rule for bare targets).
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

  @Test
  void everyRelativeLinkAndAnchorResolves() throws IOException {
    Path root = ReadmeExperimentApiTest.projectRoot();
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (String doc : DOCS) {
      Path file = root.resolve(doc);
      for (String target : links(file)) {
        if (target.matches("^[a-z]+:.*")) {
          continue; // http:, https:, mailto:
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        Path dest = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
        checked++;
        if (!Files.exists(dest)) {
          broken.add(doc + ": " + target + " (no file " + root.relativize(dest) + ")");
        } else if (hash >= 0 && dest.toString().endsWith(".md")) {
          String anchor = target.substring(hash + 1);
          if (!anchors(dest).contains(anchor)) {
            broken.add(doc + ": " + target + " (no heading with that anchor)");
          }
        }
      }
    }
    assertTrue(checked > 50, "expected the documents' links, found " + checked);
    assertEquals(List.of(), broken, "broken links (fix the link or the heading)");
  }

  @Test
  void anchorsFollowGithubsSlugs() {
    assertEquals("winograd-f22-33", slug("Winograd F(2×2, 3×3)"));
    assertEquals(
        "the-direct-convolutions-weight-gradient-as-outer-products",
        slug("The direct convolution's weight gradient as outer products"));
    assertEquals("the-lab-binbnlab", slug("The lab: `bin/bnlab`"));
    assertEquals(
        "zen-3-a-third-time-b-rows-4-kb-apart", slug("Zen 3, a third time: B rows 4 KB apart"));
  }

  private static List<String> links(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    boolean fence = false;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.startsWith("```")) {
        fence = !fence;
        continue;
      }
      if (fence || line.startsWith("    ")) {
        continue;
      }
      Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", ""));
      while (m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  private static Set<String> anchors(Path file) throws IOException {
    Set<String> out = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fence = false;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.startsWith("```")) {
        fence = !fence;
      } else if (!fence && line.matches("^#{1,6} .*")) {
        String base = slug(line.replaceFirst("^#+ ", ""));
        int n = seen.merge(base, 1, Integer::sum) - 1;
        out.add(n == 0 ? base : base + "-" + n);
      }
    }
    return out;
  }

  static String slug(String heading) {
    String text =
        heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").toLowerCase(java.util.Locale.ROOT);
    StringBuilder sb = new StringBuilder();
    text.codePoints()
        .forEach(
            cp -> {
              if (cp == ' ' || cp == '-' || cp == '_') {
                sb.append(cp == ' ' ? '-' : (char) cp);
              } else if (Character.isLetter(cp) || isDigit(cp) || isMark(cp)) {
                sb.appendCodePoint(cp);
              }
            });
    return sb.toString();
  }

  // Decimal digits and letter-like numbers stay; other numbers (², ³, ½) go, as in github-slugger.
  private static boolean isDigit(int cp) {
    int t = Character.getType(cp);
    return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER;
  }

  private static boolean isMark(int cp) {
    int t = Character.getType(cp);
    return t == Character.NON_SPACING_MARK
        || t == Character.COMBINING_SPACING_MARK
        || t == Character.ENCLOSING_MARK;
  }
}
