package yarnps.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A benchmark server or worker JVM seen from the driver: commands go to its stdin one line each,
 * its stdout lines are queued by a reader thread, its stderr goes to the driver's stderr.
 */
final class ChildProcess implements AutoCloseable {
  /** Marks the end of the child's stdout; compared by identity. */
  private static final String EOF = new String("<eof>");

  private final String name;
  private final Process process;
  private final PrintWriter stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private ChildProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    Thread reader = new Thread(this::readLines, name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  static ChildProcess start(String name, List<String> command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    return new ChildProcess(name, pb.start());
  }

  private void readLines() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException e) {
      // The process died or was killed; the driver sees EOF below.
    } finally {
      lines.add(EOF);
    }
  }

  void send(String line) {
    stdin.println(line);
    if (stdin.checkError()) {
      throw new IllegalStateException(this + " does not take commands (exited with " + exitCode() + ")");
    }
  }

  /**
   * The next stdout line, which must start with {@code prefix}; other lines are skipped.
   *
   * @throws IllegalStateException if the child reports an error, exits, or is silent past the timeout
   */
  String expect(String prefix, long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (true) {
      long left = deadline - System.nanoTime();
      String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
      if (line == null) {
        throw new IllegalStateException(this + " did not answer '" + prefix + "' within " + timeoutMs + " ms");
      }
      if (line == EOF) {
        lines.add(EOF);
        throw new IllegalStateException(this + " ended (exit " + exitCode() + ") before answering '" + prefix + "'");
      }
      if (line.startsWith("error")) {
        throw new IllegalStateException(this + ": " + line);
      }
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  private String exitCode() {
    try {
      return process.waitFor(2, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  /** Asks the child to quit, then kills it if it has not ended within a few seconds. */
  @Override
  public void close() {
    if (process.isAlive()) {
      stdin.println("quit");
      stdin.close();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          kill();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill();
      }
    }
  }

  /** Ends the child now; for the shutdown hook. */
  void kill() {
    process.destroyForcibly();
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
