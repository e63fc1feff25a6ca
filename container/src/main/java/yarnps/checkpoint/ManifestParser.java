package yarnps.checkpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import yarnps.common.KeyLayout;

/**
 * Turns manifest JSON into a {@link CheckpointManifest}, naming the member at fault in every error
 * ({@code tables[1].width: expected an integer, got a string}).
 */
final class ManifestParser {
  private ManifestParser() {}

  static CheckpointManifest parse(String json) {
    Object root = StrictJson.parse(json);
    Map<String, Object> m = object(root, "manifest");
    String format = string(m, "format", "");
    if (!format.equals(CheckpointFormat.FORMAT_NAME)) {
      throw new IllegalArgumentException("format: '" + format + "' is not '" + CheckpointFormat.FORMAT_NAME + "'");
    }
    long version = integer(m, "version", "");
    if (version != CheckpointFormat.VERSION) {
      throw new IllegalArgumentException("version: checkpoint format version " + version
          + ", this reader knows version " + CheckpointFormat.VERSION);
    }
    long clock = integer(m, "clock", "");
    long createdMs = integer(m, "createdMs", "");
    KeyLayout layout = layout(object(member(m, "layout", ""), "layout"));

    List<CheckpointManifest.TableEntry> tables = new ArrayList<>();
    List<Object> ts = array(member(m, "tables", ""), "tables");
    for (int i = 0; i < ts.size(); i++) {
      String at = "tables[" + i + "].";
      Map<String, Object> t = object(ts.get(i), "tables[" + i + "]");
      Map<String, String> params = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : object(member(t, "params", at), at + "params").entrySet()) {
        if (!(e.getValue() instanceof String v)) {
          throw new IllegalArgumentException(at + "params." + e.getKey() + ": expected a string, got "
              + kind(e.getValue()));
        }
        params.put(e.getKey(), v);
      }
      String name = string(t, "name", at);
      int width = int32(t, "width", at);
      int stride = int32(t, "stride", at);
      String updater = string(t, "updater", at);
      String init = string(t, "init", at);
      try {
        tables.add(new CheckpointManifest.TableEntry(name, width, stride, updater, params, init));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("tables[" + i + "]: " + e.getMessage(), e);
      }
    }

    List<CheckpointManifest.ShardEntry> shards = new ArrayList<>();
    List<Object> ss = array(member(m, "shards", ""), "shards");
    for (int i = 0; i < ss.size(); i++) {
      String at = "shards[" + i + "].";
      Map<String, Object> s = object(ss.get(i), "shards[" + i + "]");
      String table = string(s, "table", at);
      int range = int32(s, "range", at);
      String path = string(s, "path", at);
      long rows = integer(s, "rows", at);
      long bytes = integer(s, "bytes", at);
      long crc = integer(s, "crc", at);
      try {
        shards.add(new CheckpointManifest.ShardEntry(table, range, path, rows, bytes, crc));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("shards[" + i + "]: " + e.getMessage(), e);
      }
    }
    return new CheckpointManifest(clock, createdMs, layout, tables, shards);
  }

  private static KeyLayout layout(Map<String, Object> l) {
    String at = "layout.";
    long version = integer(l, "version", at);
    int servers = int32(l, "servers", at);
    List<Object> rs = array(member(l, "ranges", at), "layout.ranges");
    if (rs.isEmpty()) {
      throw new IllegalArgumentException("layout.ranges: no ranges");
    }
    long[] starts = new long[rs.size()];
    long[] limits = new long[rs.size()];
    int[] owners = new int[rs.size()];
    for (int r = 0; r < rs.size(); r++) {
      String rat = "layout.ranges[" + r + "].";
      Map<String, Object> range = object(rs.get(r), "layout.ranges[" + r + "]");
      starts[r] = unsigned(range, "start", rat);
      limits[r] = unsigned(range, "limit", rat);
      owners[r] = int32(range, "server", rat);
    }
    for (int r = 0; r < starts.length; r++) {
      long expected = r + 1 < starts.length ? starts[r + 1] : 0;
      if (limits[r] != expected) {
        throw new IllegalArgumentException("layout.ranges[" + r + "].limit: " + Long.toUnsignedString(limits[r])
            + " is not " + (r + 1 < starts.length ? "the next range's start " + Long.toUnsignedString(expected)
                : "0 (2^64) for the last range"));
      }
    }
    try {
      return new KeyLayout(version, starts, owners, servers);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("layout: " + e.getMessage(), e);
    }
  }

  private static Object member(Map<String, Object> m, String name, String at) {
    Object v = m.get(name);
    if (v == null) {
      throw new IllegalArgumentException(at + name + ": missing");
    }
    return v;
  }

  private static Map<String, Object> object(Object v, String at) {
    if (!(v instanceof Map<?, ?>)) {
      throw new IllegalArgumentException(at + ": expected an object, got " + kind(v));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) v;
    return m;
  }

  private static List<Object> array(Object v, String at) {
    if (!(v instanceof List<?>)) {
      throw new IllegalArgumentException(at + ": expected an array, got " + kind(v));
    }
    @SuppressWarnings("unchecked")
    List<Object> l = (List<Object>) v;
    return l;
  }

  private static String string(Map<String, Object> m, String name, String at) {
    Object v = member(m, name, at);
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException(at + name + ": expected a string, got " + kind(v));
    }
    return s;
  }

  private static long integer(Map<String, Object> m, String name, String at) {
    Object v = member(m, name, at);
    if (!(v instanceof Long n)) {
      throw new IllegalArgumentException(at + name + ": expected an integer, got " + kind(v));
    }
    return n;
  }

  private static int int32(Map<String, Object> m, String name, String at) {
    long v = integer(m, name, at);
    if (v != (int) v) {
      throw new IllegalArgumentException(at + name + ": " + v + " is out of the int32 range");
    }
    return (int) v;
  }

  /** An unsigned 64-bit key written as a decimal string. */
  private static long unsigned(Map<String, Object> m, String name, String at) {
    String s = string(m, name, at);
    if (!s.matches("0|[1-9][0-9]{0,19}")) {
      throw new IllegalArgumentException(at + name + ": '" + s + "' is not an unsigned decimal integer");
    }
    try {
      return Long.parseUnsignedLong(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(at + name + ": " + s + " is not below 2^64");
    }
  }

  private static String kind(Object v) {
    if (v instanceof Map<?, ?>) {
      return "an object";
    }
    if (v instanceof List<?>) {
      return "an array";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Long) {
      return "an integer";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    return "null";
  }
}
