package yarnps.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint store on the local file system (Hadoop's checksummed LocalFileSystem). */
class CheckpointLocalFsTest extends CheckpointStoreContract {
  @TempDir
  java.nio.file.Path tmp;
  private FileSystem fs;
  private final AtomicInteger roots = new AtomicInteger();

  @BeforeEach
  void setUp() throws IOException {
    fs = FileSystem.getLocal(new Configuration());
  }

  @Override
  FileSystem fs() {
    return fs;
  }

  @Override
  Path newRoot() {
    return new Path(tmp.toUri().toString(), "root-" + roots.incrementAndGet());
  }

  @Override
  String fsName() {
    return "local";
  }

  /**
   * A bit flipped behind the file system's back fails its own checksum (the .crc side file) before
   * the shard's: that too makes the checkpoint refused, with the file system's reason.
   */
  @Test
  void fileSystemChecksumErrorIsACorruptShard() throws IOException {
    Path root = newRoot();
    CheckpointFixture.commit(fs, root, 1, 500);
    CheckpointFixture.commit(fs, root, 2, 500);
    java.nio.file.Path raw = java.nio.file.Path.of(
        new Path(CheckpointFormat.dir(root, 2), CheckpointFormat.shardPath("w", 0)).toUri());
    byte[] b = Files.readAllBytes(raw);
    b[b.length / 2] ^= 1;
    Files.write(raw, b, StandardOpenOption.TRUNCATE_EXISTING);
    CheckpointReader.Selection sel = new CheckpointReader(fs).newestValid(root);
    assertEquals(1, sel.checkpoint().orElseThrow().clock());
    String reason = sel.skipped().get(0).reason();
    assertTrue(reason.startsWith("w/00000.shard: file system checksum error"), reason);
  }
}
