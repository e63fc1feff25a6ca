package yarnps.appmaster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The tracking page's HTML: the self-contained template {@code tracking.html} (inline CSS, JS and
 * SVG charts, relative URLs only) with the job's facts filled in, so the page says what it is
 * about even before its script has fetched {@code api/v1/}.
 */
final class TrackingPage {
  static final String RESOURCE = "tracking.html";

  private final String template;

  TrackingPage() {
    try (InputStream in = TrackingPage.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the yarnps jar");
      }
      template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  String render(JobInfo info, JobState.Outcome outcome) {
    return template.replace("{{app}}", esc(info.appId()))
        .replace("{{name}}", esc(info.name()))
        .replace("{{user}}", esc(info.user()))
        .replace("{{queue}}", esc(info.queue()))
        .replace("{{consistency}}", esc(info.consistency()))
        .replace("{{state}}", outcome.name());
  }

  static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
