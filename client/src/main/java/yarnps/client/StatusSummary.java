package yarnps.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;

/**
 * What {@code status <appId>} prints: the ApplicationReport's facts as JSON and, while the job
 * runs, the ApplicationMaster's own {@code api/v1/status} under {@code "job"} (or why it could not
 * be read under {@code "job_error"}).
 */
final class StatusSummary {
  private StatusSummary() {}

  static final ObjectMapper JSON = new ObjectMapper();

  static ObjectNode of(ApplicationReport r, Configuration conf, AmStatusReader am) {
    ObjectNode o = fromReport(r, conf);
    if (r.getYarnApplicationState() == YarnApplicationState.RUNNING) {
      try {
        JsonNode job = am.read(r, conf);
        o.set("job", job);
      } catch (IOException e) {
        o.put("job_error", e.getMessage());
      }
    }
    return o;
  }

  /** The report alone (an ended job's summary: its AM is gone). */
  static ObjectNode fromReport(ApplicationReport r, Configuration conf) {
    ObjectNode o = JSON.createObjectNode();
    o.put("application", r.getApplicationId().toString());
    o.put("name", r.getName());
    o.put("type", r.getApplicationType());
    o.put("user", r.getUser());
    o.put("queue", r.getQueue());
    o.put("priority", r.getPriority() == null ? 0 : r.getPriority().getPriority());
    ArrayNode tags = o.putArray("tags");
    new TreeSet<>(r.getApplicationTags()).forEach(tags::add);
    o.put("yarn_state", r.getYarnApplicationState().name());
    o.put("final_status", r.getFinalApplicationStatus().name());
    o.put("progress", r.getProgress());
    o.put("started_ms", r.getStartTime());
    o.put("finished_ms", r.getFinishTime());
    long end = r.getFinishTime() > 0 ? r.getFinishTime() : System.currentTimeMillis();
    o.put("elapsed_ms", r.getStartTime() > 0 ? end - r.getStartTime() : 0);
    o.put("tracking_url", AmStatusReader.proxyUrl(r, conf));
    o.put("am_url", AmStatusReader.directUrl(r));
    o.put("diagnostics", r.getDiagnostics() == null ? "" : r.getDiagnostics().strip());
    return o;
  }

  static String pretty(JsonNode node) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }
}
