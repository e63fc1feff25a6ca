package yarnps.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where the job's current ApplicationMaster serves its Coordinator. Every AM attempt writes
 * {@code host:port} to {@code <staging>/am.address} (atomically); a container that lost its AM
 * reads it again to find the next attempt.
 */
public final class AmLocator {
  /** File name of the AM's address in the staging directory. */
  public static final String FILE = "am.address";
  /** Environment variable naming the job's staging directory (set for the AM and every container). */
  public static final String STAGING_DIR_ENV = "YARNPS_STAGING_DIR";

  /** A host and port. */
  public record Address(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  private final Configuration conf;
  private final Path file;

  public AmLocator(Configuration conf, Path stagingDir) {
    this.conf = conf;
    this.file = new Path(stagingDir, FILE);
  }

  /** The locator of this container's job, or null when the AM did not say where its staging directory is. */
  public static AmLocator fromEnvironment(Configuration conf) {
    String staging = System.getenv(STAGING_DIR_ENV);
    return staging == null || staging.isEmpty() ? null : new AmLocator(conf, new Path(staging));
  }

  /** The address the newest AM attempt wrote. */
  public Address read() throws IOException {
    FileSystem fs = file.getFileSystem(conf);
    byte[] bytes;
    try (InputStream in = fs.open(file)) {
      bytes = in.readNBytes(1024);
    }
    return parse(new String(bytes, StandardCharsets.UTF_8), file.toString());
  }

  /** Parses {@code host:port} (surrounding white space ignored); the error names the source. */
  static Address parse(String text, String source) throws IOException {
    String s = text.strip();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IOException(source + ": expected host:port, found '" + s + "'");
    }
    try {
      int port = Integer.parseInt(s.substring(colon + 1));
      if (port <= 0 || port > 65535) {
        throw new NumberFormatException("out of range");
      }
      return new Address(s.substring(0, colon), port);
    } catch (NumberFormatException e) {
      throw new IOException(source + ": bad port in '" + s + "'", e);
    }
  }

  @Override
  public String toString() {
    return file.toString();
  }
}
