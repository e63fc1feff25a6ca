package yarnps.examples.lr;

import java.util.Arrays;

/**
 * Parses libsvm/svmlight lines straight from bytes, without creating Strings on success:
 *
 * <pre>
 * line    := label (sep feature)* [sep] ['#' comment]
 * label   := a decimal number equal to 1 (positive: 1, +1, 1.0) or to 0 or -1 (negative)
 * feature := id ':' value
 * id      := unsigned decimal, 1 .. 2^63 (1-based: key 0 is the LR bias)
 * value   := decimal float ([+-]digits[.digits][(e|E)[+-]digits]), finite as a float
 * sep     := one or more spaces or tabs (a trailing CR is ignored)
 * </pre>
 *
 * An id without {@code :value} is malformed. An id may repeat; each occurrence counts.
 */
public final class LibSvmParser {
  private static final long MAX_ID = Long.MIN_VALUE; // 2^63 as an unsigned value
  private static final long MAX_ID_DIV_10 = Long.divideUnsigned(MAX_ID, 10);

  /** A reusable holder of one parsed example: features {@code keys/vals[0, n)}, label 0 or 1. */
  public static final class Example {
    public long[] keys = new long[64];
    public float[] vals = new float[64];
    public int n;
    public byte label;

    void add(long key, float val) {
      if (n == keys.length) {
        keys = Arrays.copyOf(keys, n * 2);
        vals = Arrays.copyOf(vals, n * 2);
      }
      keys[n] = key;
      vals[n] = val;
      n++;
    }
  }

  /** The outcome of {@link #parse} for a line with nothing to parse (blank or comment only). */
  public static final String BLANK = "blank";

  private LibSvmParser() {}

  /**
   * Parses {@code line[0, len)} into {@code ex}. Returns null on success, {@link #BLANK} for a blank
   * or comment-only line, or else the reason the line is malformed.
   */
  public static String parse(byte[] line, int len, Example ex) {
    ex.n = 0;
    int i = skipSpace(line, 0, len);
    if (i == len || line[i] == '#') {
      return BLANK;
    }
    int labelEnd = tokenEnd(line, i, len);
    int label = label(line, i, labelEnd);
    if (label < 0) {
      return "bad label '" + text(line, i, labelEnd) + "' (expected 0/1 or -1/+1)";
    }
    ex.label = (byte) label;
    i = labelEnd;
    while (true) {
      i = skipSpace(line, i, len);
      if (i == len || line[i] == '#') {
        return null;
      }
      int end = tokenEnd(line, i, len);
      int colon = -1;
      for (int k = i; k < end; k++) {
        if (line[k] == ':') {
          colon = k;
          break;
        }
      }
      if (colon < 0) {
        return "feature '" + text(line, i, end) + "' has no ':value'";
      }
      if (colon == i) {
        return "feature '" + text(line, i, end) + "' has no id";
      }
      long id = 0;
      for (int k = i; k < colon; k++) {
        int d = line[k] - '0';
        if (d < 0 || d > 9) {
          return "feature id '" + text(line, i, colon) + "' is not an unsigned integer";
        }
        if (Long.compareUnsigned(id, MAX_ID_DIV_10) > 0) {
          return "feature id '" + text(line, i, colon) + "' is over 2^63";
        }
        id = id * 10 + d;
        if (Long.compareUnsigned(id, MAX_ID) > 0) {
          return "feature id '" + text(line, i, colon) + "' is over 2^63";
        }
      }
      if (id == 0) {
        return "feature id 0 (ids are 1-based)";
      }
      double v = number(line, colon + 1, end);
      if (Double.isNaN(v)) {
        return "value '" + text(line, colon + 1, end) + "' of feature " + Long.toUnsignedString(id) + " is not a number";
      }
      float f = (float) v;
      if (Float.isInfinite(f)) {
        return "value '" + text(line, colon + 1, end) + "' of feature " + Long.toUnsignedString(id)
            + " is out of the float range";
      }
      ex.add(id, f);
      i = end;
    }
  }

  private static int skipSpace(byte[] b, int i, int len) {
    while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r')) {
      i++;
    }
    return i;
  }

  private static int tokenEnd(byte[] b, int i, int len) {
    while (i < len && b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
      i++;
    }
    return i;
  }

  /** 1, 0, or -1 for a bad label. */
  private static int label(byte[] b, int from, int to) {
    double v = number(b, from, to);
    if (v == 1.0) {
      return 1;
    }
    if (v == 0.0 || v == -1.0) {
      return 0;
    }
    return -1;
  }

  /** A decimal number ([+-]digits[.digits][(e|E)[+-]digits]); NaN when malformed or empty. */
  static double number(byte[] b, int from, int to) {
    int i = from;
    if (i == to) {
      return Double.NaN;
    }
    boolean neg = false;
    if (b[i] == '+' || b[i] == '-') {
      neg = b[i] == '-';
      i++;
    }
    long mantissa = 0;
    int digits = 0;
    int scale = 0;
    boolean any = false;
    while (i < to && b[i] >= '0' && b[i] <= '9') {
      if (digits < 18) {
        mantissa = mantissa * 10 + (b[i] - '0');
        if (mantissa != 0) {
          digits++;
        }
      } else {
        scale++;
      }
      any = true;
      i++;
    }
    if (i < to && b[i] == '.') {
      i++;
      while (i < to && b[i] >= '0' && b[i] <= '9') {
        if (digits < 18) {
          mantissa = mantissa * 10 + (b[i] - '0');
          if (mantissa != 0) {
            digits++;
          }
          scale--;
        }
        any = true;
        i++;
      }
    }
    if (!any) {
      return Double.NaN;
    }
    if (i < to && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      boolean eneg = false;
      if (i < to && (b[i] == '+' || b[i] == '-')) {
        eneg = b[i] == '-';
        i++;
      }
      int exp = 0;
      boolean expAny = false;
      while (i < to && b[i] >= '0' && b[i] <= '9') {
        exp = Math.min(exp * 10 + (b[i] - '0'), 10_000);
        expAny = true;
        i++;
      }
      if (!expAny) {
        return Double.NaN;
      }
      scale += eneg ? -exp : exp;
    }
    if (i != to) {
      return Double.NaN;
    }
    double v = scale == 0 ? mantissa : (scale > 0 ? mantissa * Math.pow(10, scale) : mantissa / Math.pow(10, -scale));
    if (Double.isInfinite(v)) {
      return Double.NaN;
    }
    return neg ? -v : v;
  }

  private static String text(byte[] b, int from, int to) {
    int end = Math.min(to, from + 40);
    return new String(b, from, end - from, java.nio.charset.StandardCharsets.UTF_8) + (to > end ? "..." : "");
  }
}
