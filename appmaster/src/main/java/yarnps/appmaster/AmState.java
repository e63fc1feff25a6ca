package yarnps.appmaster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import yarnps.common.Json;
import yarnps.thrift.Role;

/**
 * What an AM attempt leaves for the next one in {@code <staging>/am-state.json}: the workers that
 * finished, the failures counted against the limits (per role and per member, with the losses in
 * words), the newest layout version and rollback, and the recoveries so far. Everything else a new
 * attempt learns from the containers that re-register.
 *
 * <p>The file is one JSON object: {@code attempt}, {@code layout_version}, {@code rollback_id},
 * {@code rollback_clock}, {@code server_failures}, {@code worker_failures},
 * {@code finished_workers} (indexes), {@code members} (objects with {@code role}, {@code index},
 * {@code failures}, {@code losses}), {@code recoveries} (objects with the fields of
 * {@link RecoveryView}, times in ms since the epoch).
 */
record AmState(int attempt, long layoutVersion, long rollbackId, long rollbackClock, int serverFailures,
    int workerFailures, List<Integer> finishedWorkers, List<MemberFailures> members, List<RecoveryView> recoveries) {

  /** The failures of one member of the job. */
  record MemberFailures(Role role, int index, int failures, List<String> losses) {}

  String toJson() {
    Json j = new Json().beginObject().field("attempt", attempt).field("layout_version", layoutVersion)
        .field("rollback_id", rollbackId).field("rollback_clock", rollbackClock)
        .field("server_failures", serverFailures).field("worker_failures", workerFailures);
    j.name("finished_workers").beginArray();
    for (int w : finishedWorkers) {
      j.value(w);
    }
    j.endArray().name("members").beginArray();
    for (MemberFailures m : members) {
      j.beginObject().field("role", m.role().name()).field("index", m.index()).field("failures", m.failures())
          .name("losses").beginArray();
      for (String l : m.losses()) {
        j.value(l);
      }
      j.endArray().endObject();
    }
    j.endArray().name("recoveries").beginArray();
    for (RecoveryView r : recoveries) {
      writeRecovery(j, r);
    }
    return j.endArray().endObject().toString();
  }

  /** One recovery's JSON fields, as the AM's state file and the status API both write them. */
  static Json writeRecovery(Json j, RecoveryView r) {
    return j.beginObject().field("id", r.id()).field("role", r.role().name()).field("index", r.index())
        .field("replication", r.replication()).field("cause", r.cause()).field("status", r.status().name())
        .field("detect_ms", r.detectMs()).field("container_ms", r.containerMs()).field("registered_ms", r.registeredMs())
        .field("restore_ms", r.restoredMs()).field("published_ms", r.publishedMs())
        .field("layout_version", r.layoutVersion()).field("checkpoint_clock", r.checkpointClock())
        .field("checkpoint", r.checkpoint()).field("resume_clock", r.resumeClock()).endObject();
  }

  /**
   * Parses the state file's text.
   *
   * @throws IllegalArgumentException naming the field that is missing or wrong
   */
  static AmState parse(String json) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("AM state is not JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("AM state is not a JSON object");
    }
    List<Integer> finished = new ArrayList<>();
    for (JsonNode n : array(root, "finished_workers")) {
      finished.add(n.asInt());
    }
    List<MemberFailures> members = new ArrayList<>();
    for (JsonNode n : array(root, "members")) {
      List<String> losses = new ArrayList<>();
      for (JsonNode l : array(n, "losses")) {
        losses.add(l.asText());
      }
      members.add(new MemberFailures(role(n), (int) number(n, "index"), (int) number(n, "failures"), losses));
    }
    List<RecoveryView> recoveries = new ArrayList<>();
    for (JsonNode n : array(root, "recoveries")) {
      recoveries.add(new RecoveryView(number(n, "id"), role(n), (int) number(n, "index"), (int) number(n, "replication"),
          text(n, "cause"), number(n, "detect_ms"), number(n, "container_ms"), number(n, "registered_ms"),
          number(n, "restore_ms"), number(n, "published_ms"), number(n, "layout_version"), number(n, "checkpoint_clock"),
          text(n, "checkpoint"), number(n, "resume_clock"), Recovery.Status.valueOf(text(n, "status"))));
    }
    return new AmState((int) number(root, "attempt"), number(root, "layout_version"), number(root, "rollback_id"),
        number(root, "rollback_clock"), (int) number(root, "server_failures"), (int) number(root, "worker_failures"),
        finished, members, recoveries);
  }

  private static JsonNode field(JsonNode n, String name) {
    JsonNode v = n.get(name);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("AM state: missing field '" + name + "' in " + n);
    }
    return v;
  }

  private static long number(JsonNode n, String name) {
    JsonNode v = field(n, name);
    if (!v.isIntegralNumber()) {
      throw new IllegalArgumentException("AM state: field '" + name + "' is not an integer: " + v);
    }
    return v.asLong();
  }

  private static String text(JsonNode n, String name) {
    JsonNode v = field(n, name);
    if (!v.isTextual()) {
      throw new IllegalArgumentException("AM state: field '" + name + "' is not a string: " + v);
    }
    return v.asText();
  }

  private static Role role(JsonNode n) {
    String r = text(n, "role");
    try {
      return Role.valueOf(r);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("AM state: unknown role '" + r + "'", e);
    }
  }

  private static Iterable<JsonNode> array(JsonNode n, String name) {
    JsonNode v = field(n, name);
    if (!v.isArray()) {
      throw new IllegalArgumentException("AM state: field '" + name + "' is not an array: " + v);
    }
    return v;
  }

  /** Reads {@code file}; null when it does not exist (the previous attempt wrote none). */
  static AmState read(Configuration conf, Path file) throws IOException {
    FileSystem fs = file.getFileSystem(conf);
    if (!fs.exists(file)) {
      return null;
    }
    try (InputStream in = fs.open(file)) {
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Replaces {@code file} with {@code text} atomically: written to a temporary file beside it, then
   * renamed over it, so that a reader sees the old content or the new, never a part.
   */
  static void writeAtomically(Configuration conf, Path file, String text) throws IOException {
    FileContext fc = FileContext.getFileContext(file.toUri(), conf);
    Path tmp = new Path(file.getParent(), "." + file.getName() + ".tmp");
    try (OutputStream os = fc.create(tmp, java.util.EnumSet.of(CreateFlag.CREATE, CreateFlag.OVERWRITE),
        Options.CreateOpts.createParent())) {
      os.write(text.getBytes(StandardCharsets.UTF_8));
    }
    fc.rename(tmp, file, Options.Rename.OVERWRITE);
  }
}
