package yarnps.checkpoint;

import java.io.IOException;

/**
 * A checkpoint file that fails a check of {@link CheckpointFormat}: missing, of the wrong size,
 * truncated, with a bad checksum, or disagreeing with the manifest. The message is
 * {@code "<file>: <reason>"}. A reader that meets one refuses the whole checkpoint; any other
 * {@link IOException} (the file system unreachable, say) says nothing about the checkpoint.
 */
public class CorruptCheckpointException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final String reason;

  /**
   * @param file the shard or manifest, as a path relative to the checkpoint directory when known
   * @param reason what is wrong with it
   */
  public CorruptCheckpointException(String file, String reason) {
    this(file, reason, null);
  }

  public CorruptCheckpointException(String file, String reason, Throwable cause) {
    super(file + ": " + reason, cause);
    this.file = file;
    this.reason = reason;
  }

  /** The file at fault: a shard's path or the manifest's. */
  public String file() {
    return file;
  }

  /** What is wrong with it. */
  public String reason() {
    return reason;
  }
}
