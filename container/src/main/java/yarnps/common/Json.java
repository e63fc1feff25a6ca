package yarnps.common;

import java.util.Map;

/** A minimal JSON writer for flat status documents (the AM's API and result files). */
public final class Json {
  private final StringBuilder sb = new StringBuilder();
  private boolean needComma;

  public Json beginObject() {
    comma();
    sb.append('{');
    needComma = false;
    return this;
  }

  public Json endObject() {
    sb.append('}');
    needComma = true;
    return this;
  }

  public Json beginArray() {
    comma();
    sb.append('[');
    needComma = false;
    return this;
  }

  public Json endArray() {
    sb.append(']');
    needComma = true;
    return this;
  }

  /** Writes a member name; the value must follow. */
  public Json name(String name) {
    comma();
    string(name);
    sb.append(':');
    needComma = false;
    return this;
  }

  public Json value(String v) {
    comma();
    if (v == null) {
      sb.append("null");
    } else {
      string(v);
    }
    needComma = true;
    return this;
  }

  public Json value(double v) {
    comma();
    if (Double.isFinite(v)) {
      if (v == Math.rint(v) && Math.abs(v) < 1e15) {
        sb.append((long) v);
      } else {
        sb.append(v);
      }
    } else {
      sb.append("null");
    }
    needComma = true;
    return this;
  }

  public Json value(long v) {
    comma();
    sb.append(v);
    needComma = true;
    return this;
  }

  public Json value(boolean v) {
    comma();
    sb.append(v);
    needComma = true;
    return this;
  }

  public Json field(String name, String v) {
    return name(name).value(v);
  }

  public Json field(String name, double v) {
    return name(name).value(v);
  }

  public Json field(String name, long v) {
    return name(name).value(v);
  }

  public Json field(String name, boolean v) {
    return name(name).value(v);
  }

  /** An object of number members, keys sorted. */
  public Json numbers(String name, Map<String, Double> values) {
    name(name).beginObject();
    new java.util.TreeMap<>(values).forEach(this::field);
    return endObject();
  }

  /** An object of string members, keys sorted. */
  public Json strings(String name, Map<String, String> values) {
    name(name).beginObject();
    new java.util.TreeMap<>(values).forEach(this::field);
    return endObject();
  }

  private void comma() {
    if (needComma) {
      sb.append(',');
    }
  }

  private void string(String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  @Override
  public String toString() {
    return sb.toString();
  }
}
