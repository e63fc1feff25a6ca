package yarnps.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import yarnps.thrift.InputSplit;

class SplitPlannerTest {
  @TempDir
  Path dir;

  private final Configuration conf = new Configuration(false);

  @Test
  void splitsCoverEachFileExactlyOnce() throws Exception {
    Files.write(dir.resolve("a.txt"), new byte[1000]);
    Files.write(dir.resolve("b.txt"), new byte[105]);
    Files.write(dir.resolve("_SUCCESS"), new byte[3]);
    Files.write(dir.resolve("c.gz"), new byte[500]);
    List<FileStatus> files = SplitPlanner.listFiles(conf, "file://" + dir);
    assertEquals(3, files.size(), "hidden files are skipped");
    List<InputSplit> splits = SplitPlanner.split(conf, files, 100);
    long a = splits.stream().filter(s -> s.getPath().endsWith("a.txt")).mapToLong(InputSplit::getLength).sum();
    assertEquals(1000, a);
    assertEquals(10, splits.stream().filter(s -> s.getPath().endsWith("a.txt")).count());
    assertEquals(1, splits.stream().filter(s -> s.getPath().endsWith("b.txt")).count(), "10% slop keeps 105 bytes whole");
    InputSplit gz = splits.stream().filter(s -> s.getPath().endsWith("c.gz")).findFirst().orElseThrow();
    assertTrue(gz.isWholeFile());
  }

  @Test
  void missingInputIsNamed() {
    var e = assertThrows(FileNotFoundException.class, () -> SplitPlanner.listFiles(conf, "file://" + dir + "/nope"));
    assertTrue(e.getMessage().contains("nope"));
  }

  @Test
  void assignmentBalancesBytes() {
    List<InputSplit> splits = List.of(new InputSplit("x", 0, 100, false), new InputSplit("x", 100, 90, false),
        new InputSplit("y", 0, 60, false), new InputSplit("z", 0, 40, false), new InputSplit("w", 0, 10, false));
    List<List<InputSplit>> per = SplitPlanner.assign(splits, 2);
    long w0 = per.get(0).stream().mapToLong(InputSplit::getLength).sum();
    long w1 = per.get(1).stream().mapToLong(InputSplit::getLength).sum();
    assertEquals(300, w0 + w1);
    assertTrue(Math.abs(w0 - w1) <= 20, w0 + " vs " + w1);
  }
}
