package yarnps.checkpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict parser of JSON (RFC 8259) for the manifest: objects become {@code Map<String, Object>}
 * (in document order), arrays {@code List<Object>}, strings {@code String}, {@code true}/{@code false}
 * {@code Boolean}, {@code null} {@link #NULL}, and numbers {@code Long}: the manifest holds integers
 * only, so a fraction, an exponent or an integer outside the int64 range is an error rather than a
 * silently rounded double. Also rejected: a repeated member name, leading zeros, unescaped
 * control characters in strings, nesting deeper than {@value #MAX_DEPTH}, and anything after the
 * value but white space.
 */
final class StrictJson {
  /** The JSON {@code null}. */
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };
  static final int MAX_DEPTH = 64;

  private final String s;
  private int pos;
  private int depth;

  private StrictJson(String s) {
    this.s = s;
  }

  /** The value of the document {@code json}. */
  static Object parse(String json) {
    StrictJson p = new StrictJson(json);
    p.ws();
    Object v = p.value();
    p.ws();
    if (p.pos != json.length()) {
      throw p.error("unexpected content after the JSON value");
    }
    return v;
  }

  private Object value() {
    if (pos >= s.length()) {
      throw error("unexpected end of input, expected a value");
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        return string();
      case 't':
        literal("true");
        return Boolean.TRUE;
      case 'f':
        literal("false");
        return Boolean.FALSE;
      case 'n':
        literal("null");
        return NULL;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character '" + c + "', expected a value");
    }
  }

  private Map<String, Object> object() {
    enter();
    pos++;
    Map<String, Object> m = new LinkedHashMap<>();
    ws();
    if (peek() == '}') {
      pos++;
      depth--;
      return m;
    }
    while (true) {
      ws();
      if (peek() != '"') {
        throw error("expected a member name");
      }
      int at = pos;
      String name = string();
      ws();
      expect(':');
      ws();
      Object v = value();
      if (m.put(name, v) != null) {
        pos = at;
        throw error("member \"" + name + "\" appears twice");
      }
      ws();
      char c = next("',' or '}'");
      if (c == '}') {
        depth--;
        return m;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array() {
    enter();
    pos++;
    List<Object> a = new ArrayList<>();
    ws();
    if (peek() == ']') {
      pos++;
      depth--;
      return a;
    }
    while (true) {
      ws();
      a.add(value());
      ws();
      char c = next("',' or ']'");
      if (c == ']') {
        depth--;
        return a;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or ']'");
      }
    }
  }

  private String string() {
    pos++;
    StringBuilder sb = new StringBuilder();
    while (true) {
      char c = next("'\"'");
      if (c == '"') {
        return sb.toString();
      }
      if (c < 0x20) {
        pos--;
        throw error("unescaped control character in a string");
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = next("an escape");
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (pos + 4 > s.length()) {
            throw error("unexpected end of input in a \\u escape");
          }
          int v = 0;
          for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos + i), 16);
            if (d < 0) {
              throw error("bad \\u escape");
            }
            v = v * 16 + d;
          }
          pos += 4;
          sb.append((char) v);
        }
        default -> {
          pos--;
          throw error("bad escape '\\" + e + "'");
        }
      }
    }
  }

  private Long number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    int digits = pos;
    while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
      pos++;
    }
    if (pos == digits) {
      throw error("expected a digit");
    }
    if (s.charAt(digits) == '0' && pos - digits > 1) {
      pos = start;
      throw error("leading zero in a number");
    }
    if (pos < s.length() && (s.charAt(pos) == '.' || s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
      pos = start;
      throw error("only integers are allowed here");
    }
    try {
      return Long.parseLong(s.substring(start, pos));
    } catch (NumberFormatException e) {
      pos = start;
      throw error("integer out of the int64 range");
    }
  }

  private void literal(String word) {
    if (!s.startsWith(word, pos)) {
      throw error("expected '" + word + "'");
    }
    pos += word.length();
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH);
    }
  }

  private void ws() {
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

  private char next(String expected) {
    if (pos >= s.length()) {
      throw error("unexpected end of input, expected " + expected);
    }
    return s.charAt(pos++);
  }

  private void expect(char c) {
    if (next("'" + c + "'") != c) {
      pos--;
      throw error("expected '" + c + "'");
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("invalid JSON at offset " + pos + ": " + what);
  }
}
