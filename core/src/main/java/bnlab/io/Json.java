package bnlab.io;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON (RFC 8259) reader and string writer for safetensors headers.
 *
 * <p>Values become {@code Map<String, Object>} (insertion-ordered; duplicate keys are an error),
 * {@code List<Object>}, {@code String}, {@code Long} (integers that fit), {@code BigDecimal} (other
 * numbers), {@code Boolean} and {@link #NULL}. Nesting deeper than {@value #MAX_DEPTH} levels is
 * refused, so a hostile header cannot overflow the stack, and so are more than one object or array
 * per {@value #CHARS_PER_CONTAINER} characters (a safetensors header spends about 16 on each), so
 * that the parsed values cost a small constant factor of the text's memory however it is built:
 * empty containers are shared, and strings and integers are read without intermediate copies.
 */
final class Json {
  /** JSON's null. */
  static final Object NULL = new Object();

  private static final int MAX_DEPTH = 64;
  private static final int CHARS_PER_CONTAINER = 8;

  /** Strings every safetensors header repeats, returned as these constants instead of copies. */
  private static final List<String> COMMON =
      List.of("dtype", "shape", "data_offsets", "F32", "I64", "F16", "BF16", "F64", "I32", "U8");

  private final String s;
  private char[] chars; // the text as an array, made for the first non-integer number
  private final int maxContainers;
  private int containers;
  private int pos;

  private Json(String s) {
    this.s = s;
    this.maxContainers = Math.max(MAX_DEPTH + 2, s.length() / CHARS_PER_CONTAINER);
  }

  /** Parses one JSON value surrounded by optional whitespace. */
  static Object parse(String text) {
    Json p = new Json(text);
    p.skipWhitespace();
    Object v = p.value(0);
    p.skipWhitespace();
    if (p.pos != text.length()) {
      throw p.error("unexpected text after the JSON value");
    }
    return v;
  }

  /** {@code value} as a JSON string literal with the required escapes. */
  static String quote(String value) {
    StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  private Object value(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH + " levels");
    }
    if (pos >= s.length()) {
      throw error("unexpected end of header");
    }
    char c = s.charAt(pos);
    if ((c == '{' || c == '[') && ++containers > maxContainers) {
      throw error(
          "more than one object or array per " + CHARS_PER_CONTAINER + " characters of header");
    }
    return switch (c) {
      case '{' -> object(depth);
      case '[' -> array(depth);
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", NULL);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw error("unexpected character '" + c + "'");
      }
    };
  }

  private Map<String, Object> object(int depth) {
    pos++;
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return Map.of();
    }
    Map<String, Object> out = new LinkedHashMap<>(4);
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw error("expected a string key");
      }
      int keyAt = pos;
      String key = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      Object v = value(depth + 1);
      if (out.put(key, v) != null) {
        pos = keyAt;
        throw error("duplicate key " + quote(key));
      }
      skipWhitespace();
      char c = next();
      if (c == '}') {
        return out;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array(int depth) {
    pos++;
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return List.of();
    }
    List<Object> out = new ArrayList<>(4);
    while (true) {
      skipWhitespace();
      out.add(value(depth + 1));
      skipWhitespace();
      char c = next();
      if (c == ']') {
        return out;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or ']'");
      }
    }
  }

  private String string() {
    pos++;
    int end = plainEnd(pos);
    if (end >= 0) { // no escapes: one copy of the characters, and no surrogates to pair up
      String plain = common(pos, end);
      pos = end + 1;
      return plain;
    }
    StringBuilder sb = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        return checkSurrogates(sb);
      }
      if (c < 0x20) {
        pos--;
        throw error("unescaped control character in string");
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> sb.append(hex4());
        default -> {
          pos--;
          throw error("invalid escape '\\" + e + "'");
        }
      }
    }
  }

  private String common(int from, int to) {
    for (String c : COMMON) {
      if (c.length() == to - from && s.startsWith(c, from)) {
        return c;
      }
    }
    return to == from ? "" : s.substring(from, to);
  }

  /**
   * The index of the closing quote of a string starting at {@code from} that holds no escape,
   * control character or surrogate, or -1 (then the general path decides).
   */
  private int plainEnd(int from) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') {
        return i;
      }
      if (c == '\\' || c < 0x20 || Character.isSurrogate(c)) {
        return -1;
      }
    }
    return -1;
  }

  /** Escapes can spell a lone UTF-16 surrogate, which is not a character: refuse it. */
  private String checkSurrogates(StringBuilder sb) {
    for (int i = 0; i < sb.length(); i++) {
      char c = sb.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < sb.length()
          && Character.isLowSurrogate(sb.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw error("lone surrogate \\u" + Integer.toHexString(c) + " in string");
      }
    }
    return sb.toString();
  }

  private char hex4() {
    if (pos + 4 > s.length()) {
      throw error("truncated \\u escape");
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(s.charAt(pos + i), 16);
      if (d < 0) {
        throw error("invalid \\u escape");
      }
      v = v * 16 + d;
    }
    pos += 4;
    return (char) v;
  }

  private Object number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (isDigit(peek())) {
      digits();
    } else {
      throw error("invalid number");
    }
    boolean integer = true;
    if (peek() == '.') {
      integer = false;
      pos++;
      if (!isDigit(peek())) {
        throw error("invalid number: digits expected after '.'");
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      integer = false;
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw error("invalid number: digits expected in exponent");
      }
      digits();
    }
    if (integer) {
      try {
        return Long.parseLong(s, start, pos, 10);
      } catch (NumberFormatException tooLarge) {
        // falls through to BigDecimal
      }
    }
    if (chars == null) {
      chars = s.toCharArray();
    }
    return new BigDecimal(chars, start, pos - start);
  }

  private void digits() {
    while (isDigit(peek())) {
      pos++;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private Object literal(String word, Object v) {
    if (!s.startsWith(word, pos)) {
      throw error("invalid literal");
    }
    pos += word.length();
    return v;
  }

  private void skipWhitespace() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private char next() {
    if (pos >= s.length()) {
      throw error("unexpected end of header");
    }
    return s.charAt(pos++);
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at character " + pos);
  }
}
