package yarnps.checkpoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import yarnps.checkpoint.CheckpointReader.CheckpointDir;

/**
 * Deletes old checkpoints, keeping the newest N complete ones. Run by the one writer of checkpoints
 * (the AM), after a commit.
 */
public final class CheckpointPruner {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointPruner.class);

  private final FileSystem fs;

  public CheckpointPruner(FileSystem fs) {
    this.fs = Objects.requireNonNull(fs);
  }

  /**
   * Deletes every complete checkpoint under {@code root} but the newest {@code keep}, and every
   * incomplete one (no manifest) older than the newest complete one. Incomplete checkpoints newer
   * than the newest complete one are kept (one may be being written), and so is everything when
   * there is no complete checkpoint. A complete checkpoint loses its manifest first, so a reader
   * never sees a half-deleted one as a checkpoint. Which checkpoints are valid is not checked:
   * with {@code keep = 1}, a corrupt newest checkpoint leaves nothing to fall back to.
   *
   * @param keep how many complete checkpoints to keep, &gt;= 1
   * @return the directories deleted, newest first
   * @throws IOException if a deletion fails (those before it stay done)
   */
  public List<Path> prune(Path root, int keep) throws IOException {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be >= 1 (the newest complete checkpoint is never deleted), got "
          + keep);
    }
    List<CheckpointDir> all = new CheckpointReader(fs).scan(root);
    long newestComplete = -1;
    int complete = 0;
    List<Path> deleted = new ArrayList<>();
    for (CheckpointDir c : all) {
      boolean delete;
      if (c.complete()) {
        if (newestComplete < 0) {
          newestComplete = c.clock();
        }
        delete = ++complete > keep;
      } else {
        delete = newestComplete >= 0;
      }
      if (delete) {
        if (c.complete()) {
          delete(new Path(c.dir(), CheckpointFormat.MANIFEST), false);
        }
        delete(c.dir(), true);
        LOG.info("Pruned {} checkpoint {} (clock {})", c.complete() ? "old" : "incomplete", c.dir(), c.clock());
        deleted.add(c.dir());
      }
    }
    return deleted;
  }

  private void delete(Path p, boolean recursive) throws IOException {
    if (!fs.delete(p, recursive) && fs.exists(p)) {
      throw new IOException("could not delete " + p);
    }
  }
}
