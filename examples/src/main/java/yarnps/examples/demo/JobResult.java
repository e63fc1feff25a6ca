package yarnps.examples.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The job result the AM writes to {@code <output>/_metrics.json}: the final metrics, labels and
 * counters, each a flat object of name to number (or string for labels).
 */
public record JobResult(String application, Map<String, Double> metrics, Map<String, String> labels,
    Map<String, Double> counters) {

  private static final Pattern MEMBER = Pattern.compile("\"([^\"]+)\":(\"(?:[^\"\\\\]|\\\\.)*\"|[-0-9.eE+]+|null)");

  public static JobResult read(Configuration conf, String output) throws IOException {
    Path path = new Path(output, "_metrics.json");
    String json;
    try (InputStream in = path.getFileSystem(conf).open(path)) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      in.transferTo(bytes);
      json = bytes.toString(StandardCharsets.UTF_8);
    }
    return parse(json);
  }

  static JobResult parse(String json) {
    return new JobResult(string(json, "application"), numbers(object(json, "metrics")),
        strings(object(json, "labels")), numbers(object(json, "counters")));
  }

  private static String object(String json, String name) {
    int at = json.indexOf("\"" + name + "\":{");
    if (at < 0) {
      return "";
    }
    int start = json.indexOf('{', at);
    return json.substring(start + 1, json.indexOf('}', start));
  }

  private static String string(String json, String name) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":\"([^\"]*)\"").matcher(json);
    return m.find() ? m.group(1) : null;
  }

  private static Map<String, Double> numbers(String body) {
    Map<String, Double> out = new LinkedHashMap<>();
    Matcher m = MEMBER.matcher(body);
    while (m.find()) {
      String v = m.group(2);
      out.put(m.group(1), v.equals("null") ? Double.NaN : Double.parseDouble(v));
    }
    return out;
  }

  private static Map<String, String> strings(String body) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = MEMBER.matcher(body);
    while (m.find()) {
      String v = m.group(2);
      out.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\") : v);
    }
    return out;
  }

  public double metric(String name) {
    Double v = metrics.get(name);
    if (v == null) {
      throw new IllegalStateException("job result has no metric '" + name + "' (has " + metrics.keySet() + ")");
    }
    return v;
  }
}
