package yarnps.appmaster;

import java.util.List;
import java.util.Map;
import yarnps.common.Json;

/** Renders the job's state as the tracking page's HTML and JSON. */
final class StatusView {
  private final JobState state;
  private final String appId;
  private final String jobName;

  StatusView(JobState state, String appId, String jobName) {
    this.state = state;
    this.appId = appId;
    this.jobName = jobName;
  }

  String json() {
    Json j = new Json().beginObject()
        .field("application", appId)
        .field("name", jobName)
        .field("state", state.outcome().name())
        .field("progress", state.progress())
        .field("elapsed_ms", System.currentTimeMillis() - state.startMs())
        .field("layout_version", state.layout().getVersion())
        .field("diagnostics", state.diagnostics());
    state.withMembers(members -> {
      j.name("members").beginArray();
      for (Member m : members) {
        j.beginObject().field("role", m.role.name().toLowerCase()).field("index", m.index)
            .field("state", m.state.name()).field("container", m.containerId).field("host", m.host)
            .field("port", m.port).field("clock", m.clock).field("progress", m.progress)
            .numbers("metrics", m.metrics).endObject();
      }
      return j.endArray();
    });
    j.numbers("result", state.finalMetrics()).strings("labels", state.finalLabels());
    List<JobState.MetricPoint> history = state.history();
    j.name("history").beginArray();
    for (JobState.MetricPoint p : history) {
      j.beginObject().field("worker", p.worker()).field("clock", p.clock()).field("t_ms", p.timeMs())
          .numbers("values", p.values()).endObject();
    }
    return j.endArray().endObject().toString();
  }

  String html() {
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>yarn-ps ").append(esc(appId))
        .append("</title><meta http-equiv=\"refresh\" content=\"5\"><style>body{font-family:sans-serif;margin:1.5em}"
            + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}</style>"
            + "</head><body>");
    sb.append("<h1>yarn-ps: ").append(esc(jobName)).append("</h1><p>Application ").append(esc(appId))
        .append(" &middot; state <b>").append(state.outcome()).append("</b> &middot; progress ")
        .append(String.format("%.1f%%", 100 * state.progress())).append(" &middot; elapsed ")
        .append((System.currentTimeMillis() - state.startMs()) / 1000).append(" s &middot; <a href=\"api/status\">JSON</a></p>");
    String diag = state.diagnostics();
    if (!diag.isEmpty()) {
      sb.append("<p><b>Diagnostics:</b> ").append(esc(diag)).append("</p>");
    }
    Map<String, Double> result = state.finalMetrics();
    if (!result.isEmpty()) {
      sb.append("<p><b>Result:</b> ").append(esc(result.toString())).append(' ')
          .append(esc(state.finalLabels().toString())).append("</p>");
    }
    state.withMembers(members -> {
      sb.append("<table><tr><th>role</th><th>index</th><th>state</th><th>container</th><th>host:port</th>"
          + "<th>clock</th><th>progress</th><th>metrics</th></tr>");
      for (Member m : members) {
        sb.append("<tr><td>").append(m.role.name().toLowerCase()).append("</td><td>").append(m.index)
            .append("</td><td>").append(m.state).append("</td><td>").append(esc(m.containerId))
            .append("</td><td>").append(esc(m.host)).append(m.port > 0 ? ":" + m.port : "")
            .append("</td><td>").append(m.clock).append("</td><td>")
            .append(String.format("%.0f%%", 100 * m.progress)).append("</td><td>")
            .append(esc(new java.util.TreeMap<>(m.metrics).toString())).append("</td></tr>");
      }
      return sb.append("</table>");
    });
    return sb.append("</body></html>").toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
