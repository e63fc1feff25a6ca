package yarnps.client;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TProtocol;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import yarnps.checkpoint.CheckpointDump;
import yarnps.checkpoint.CheckpointFormat;
import yarnps.checkpoint.CheckpointReader;
import yarnps.rpc.Rpc;
import yarnps.thrift.Coordinator;
import yarnps.thrift.PsError;

/**
 * The client's checkpoint commands: {@code checkpoint <appId>} asks a running job's
 * ApplicationMaster for a checkpoint now (over the Coordinator service, at the host and RPC port
 * the AM registered with the ResourceManager); {@code checkpoints <dir>} lists the checkpoints
 * under a directory, or checks one checkpoint.
 */
final class CheckpointCommands {
  private CheckpointCommands() {}

  /** How long the AM may take to answer a checkpoint request (it answers at once). */
  static final int REQUEST_TIMEOUT_MS = 30_000;

  /**
   * The AM's Coordinator address of a running application, "host:port"; an IllegalStateException
   * says why there is none (not running, or no address registered).
   */
  static String amAddress(ApplicationReport r) {
    YarnApplicationState s = r.getYarnApplicationState();
    if (YarnPsClient.ended(s)) {
      throw new IllegalStateException(r.getApplicationId() + " has ended (" + s + " / " + r.getFinalApplicationStatus()
          + "): no checkpoint can be taken; its checkpoints stay where they were written");
    }
    if (s != YarnApplicationState.RUNNING) {
      throw new IllegalStateException(r.getApplicationId() + " is not running yet (" + s
          + "): its ApplicationMaster has not started; try again when it runs");
    }
    String host = r.getHost();
    int port = r.getRpcPort();
    if (host == null || host.isEmpty() || host.equals("N/A") || port <= 0) {
      throw new IllegalStateException(r.getApplicationId() + " has no ApplicationMaster address (host '" + host
          + "', RPC port " + port + ")");
    }
    return host + ":" + port;
  }

  /** Asks the Coordinator at host:port for a checkpoint; returns the AM's answer. */
  static String request(String host, int port, String reason, int timeoutMs) throws IOException {
    TProtocol p = null;
    try {
      p = Rpc.connect(host, port, 1 << 20, timeoutMs);
      return new Coordinator.Client(p).requestCheckpoint(reason);
    } catch (PsError e) {
      throw new IOException("the ApplicationMaster at " + host + ":" + port + " refused: " + e.getMessage(), e);
    } catch (TException e) {
      throw new IOException("cannot reach the ApplicationMaster at " + host + ":" + port + ": " + e.getMessage(), e);
    } finally {
      if (p != null) {
        p.getTransport().close();
      }
    }
  }

  /** Whether an AM's answer means no checkpoint will be taken. */
  static boolean refused(String answer) {
    return answer.startsWith("no checkpoint");
  }

  /**
   * {@code checkpoints <dir>}: the checkpoints under a root, newest first (complete, incomplete or
   * unreadable), or, for one checkpoint directory, every shard read and checked. Returns the exit code.
   */
  static int list(Configuration conf, String dir, PrintStream out, PrintStream err) throws IOException {
    Path p = new Path(dir);
    FileSystem fs = p.getFileSystem(conf);
    Path q = fs.makeQualified(p);
    if (!fs.exists(q)) {
      err.println("checkpoints: " + q + ": no such directory");
      return YarnPsClient.EXIT_NOT_FOUND;
    }
    Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
    PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
    if (fs.exists(new Path(q, CheckpointFormat.MANIFEST))) {
      int code = CheckpointDump.run(new String[] {"verify", q.toString()}, conf, w, e);
      return code == CheckpointDump.EXIT_OK ? YarnPsClient.EXIT_OK : YarnPsClient.EXIT_JOB_FAILED;
    }
    if (new CheckpointReader(fs).scan(q).isEmpty()) {
      out.println("no checkpoints under " + q);
      return YarnPsClient.EXIT_OK;
    }
    out.println("checkpoints under " + q + ", newest first (restore one with submit --restore-from <dir>/ckpt-...):");
    out.flush();
    int code = CheckpointDump.run(new String[] {"list", q.toString()}, conf, w, e);
    return code == CheckpointDump.EXIT_OK ? YarnPsClient.EXIT_OK : YarnPsClient.EXIT_JOB_FAILED;
  }
}
