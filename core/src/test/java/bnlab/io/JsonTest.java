package bnlab.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void parsesEveryKindOfValue() {
    Object v =
        Json.parse(
            " {\"a\": [1, -2, 0, 1.5e3, true, false, null], \"b\": {}, \"c\": [],"
                + " \"d\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"} ");
    Map<?, ?> m = assertInstanceOf(Map.class, v);
    assertEquals(List.of(1L, -2L, 0L, new BigDecimal("1.5e3"), true, false, Json.NULL), m.get("a"));
    assertEquals(Map.of(), m.get("b"));
    assertEquals(List.of(), m.get("c"));
    assertEquals("\"\\/\b\f\n\r\té\uD83D\uDE00", m.get("d"));
    assertEquals(List.copyOf(m.keySet()), List.of("a", "b", "c", "d"));
    assertEquals(new BigDecimal("99999999999999999999"), Json.parse("99999999999999999999"));
  }

  @Test
  void refusesWhatRfc8259Refuses() {
    String[] bad = {
      "",
      "{",
      "{\"a\"}",
      "{\"a\":1,}",
      "[1,]",
      "[01]",
      "[1.]",
      "[.5]",
      "[1e]",
      "[+1]",
      "[-]",
      "\"tab\there\"",
      "\"\\x\"",
      "\"\\u12\"",
      "\"\\ud800\"",
      "\"\\ude00x\"",
      "{'a':1}",
      "[tru]",
      "{\"a\":1}{",
      "{\"a\":1,\"a\":2}",
      "[1 2]",
      "{1:2}",
      "nul"
    };
    for (String s : bad) {
      assertThrows(IllegalArgumentException.class, () -> Json.parse(s), s);
    }
  }

  @Test
  void errorsSayWhere() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1,\"a\":2}"));
    assertTrue(e.getMessage().contains("duplicate key \"a\" at character 7"), e.getMessage());
  }

  @Test
  void quoteEscapesWhatJsonRequires() {
    assertEquals("\"a\\\"b\\\\c\\n\\u0001é\"", Json.quote("a\"b\\c\n\u0001é"));
    for (String s : new String[] {"", "x\u001f\u007f", "\uD83D\uDE00 \t\r\b\f"}) {
      assertEquals(s, Json.parse(Json.quote(s)));
    }
  }
}
