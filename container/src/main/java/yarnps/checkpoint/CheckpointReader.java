package yarnps.checkpoint;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and opens the checkpoints under a root directory (see {@link CheckpointFormat}). Only
 * directories with a manifest are checkpoints; the others are incomplete and invisible here
 * except to {@link #scan}.
 *
 * <p>Picking the checkpoint to restore, falling back past corrupt ones:
 * <pre>{@code
 * CheckpointReader.Selection sel = new CheckpointReader(fs).newestValid(root);
 * for (CheckpointReader.Skipped s : sel.skipped()) {
 *   diagnostics.add("checkpoint " + s.dir() + " refused: " + s.reason());
 * }
 * Checkpoint ckpt = sel.checkpoint().orElseThrow(() -> new IOException("no valid checkpoint under " + root));
 * }</pre>
 */
public final class CheckpointReader {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointReader.class);

  /** A checkpoint directory under a root: its clock and whether it has a manifest. */
  public record CheckpointDir(Path dir, long clock, boolean complete) {}

  /** A checkpoint that {@link #newestValid} refused, and why (names the file at fault). */
  public record Skipped(Path dir, long clock, String reason) {}

  /**
   * What {@link #newestValid} found: the newest checkpoint that passed verification (empty when
   * none did, or there is none), and the newer ones it refused, newest first.
   */
  public record Selection(Optional<Checkpoint> checkpoint, List<Skipped> skipped) {
    public Selection {
      Objects.requireNonNull(checkpoint);
      skipped = List.copyOf(skipped);
    }
  }

  private final FileSystem fs;

  public CheckpointReader(FileSystem fs) {
    this.fs = Objects.requireNonNull(fs);
  }

  /**
   * Every directory under {@code root} named like a checkpoint, complete or not, newest clock
   * first; empty when {@code root} does not exist.
   */
  public List<CheckpointDir> scan(Path root) throws IOException {
    FileStatus[] children;
    try {
      children = fs.listStatus(root);
    } catch (FileNotFoundException e) {
      return List.of();
    }
    List<CheckpointDir> out = new ArrayList<>();
    for (FileStatus st : children) {
      long clock = CheckpointFormat.clockOf(st.getPath().getName());
      if (st.isDirectory() && clock >= 0) {
        boolean complete = fs.exists(new Path(st.getPath(), CheckpointFormat.MANIFEST));
        out.add(new CheckpointDir(st.getPath(), clock, complete));
      }
    }
    out.sort(Comparator.comparingLong(CheckpointDir::clock).reversed());
    return out;
  }

  /** The checkpoints under {@code root} (directories with a manifest), newest clock first. */
  public List<CheckpointDir> list(Path root) throws IOException {
    return scan(root).stream().filter(CheckpointDir::complete).toList();
  }

  /**
   * Opens the checkpoint in {@code dir}: reads and checks its manifest. The shards are checked
   * as they are read, or all at once by {@link Checkpoint#verify}.
   *
   * @throws FileNotFoundException if {@code dir} has no manifest (not a checkpoint)
   * @throws CorruptCheckpointException if the manifest is invalid
   */
  public Checkpoint open(Path dir) throws IOException {
    return new Checkpoint(fs, dir, CheckpointManifest.read(fs, dir));
  }

  /** {@link #newestValid(Path, Checkpoint.Verification)} with full verification. */
  public Selection newestValid(Path root) throws IOException {
    return newestValid(root, Checkpoint.Verification.FULL);
  }

  /**
   * The newest checkpoint under {@code root} that passes {@code level} verification. A corrupt
   * one (bad manifest; a shard missing, truncated, of the wrong size, with a bad checksum or a
   * header disagreeing with the manifest) is refused, logged at WARN with the file and the reason,
   * and the next older one tried.
   *
   * @throws IOException when the file system fails in a way that says nothing about the
   *     checkpoint (so that a passing outage does not send a job back to an older checkpoint, or
   *     to none)
   */
  public Selection newestValid(Path root, Checkpoint.Verification level) throws IOException {
    List<Skipped> skipped = new ArrayList<>();
    for (CheckpointDir c : list(root)) {
      String reason;
      try {
        Checkpoint ckpt = open(c.dir());
        ckpt.verify(level);
        if (!skipped.isEmpty()) {
          LOG.warn("Using checkpoint {} (clock {}) after refusing {} newer one(s)", c.dir(), c.clock(), skipped.size());
        }
        return new Selection(Optional.of(ckpt), skipped);
      } catch (CorruptCheckpointException e) {
        reason = e.getMessage();
      } catch (ChecksumException e) {
        reason = "file system checksum error: " + e.getMessage();
      } catch (FileNotFoundException e) {
        reason = "a file disappeared while reading (pruned meanwhile?): " + e.getMessage();
      }
      LOG.warn("Refusing checkpoint {} (clock {}): {}; trying the previous one", c.dir(), c.clock(), reason);
      skipped.add(new Skipped(c.dir(), c.clock(), reason));
    }
    if (!skipped.isEmpty()) {
      LOG.warn("No valid checkpoint under {}: refused all {}", root, skipped.size());
    }
    return new Selection(Optional.empty(), skipped);
  }
}
