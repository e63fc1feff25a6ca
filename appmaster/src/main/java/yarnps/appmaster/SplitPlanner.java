package yarnps.appmaster;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import yarnps.thrift.InputSplit;

/**
 * Divides input files into splits as Hadoop's FileInputFormat does (split size = the configured
 * size or else the file's block size; a last piece up to 10% over is kept whole; files compressed
 * with any Hadoop codec (gzip, bzip2, ...) are one split read whole; hidden files starting with '_' or '.' are skipped)
 * and assigns them to workers, largest first to the least loaded worker.
 */
public final class SplitPlanner {
  private static final double SLOP = 1.1;

  private SplitPlanner() {}

  /** Every file under the comma-separated paths (directories expanded one level, recursively). */
  public static List<FileStatus> listFiles(Configuration conf, String paths) throws IOException {
    List<FileStatus> out = new ArrayList<>();
    for (String p : paths.split(",")) {
      String trimmed = p.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      Path path = new Path(trimmed);
      FileSystem fs = path.getFileSystem(conf);
      FileStatus[] matches = fs.globStatus(path);
      if (matches == null || matches.length == 0) {
        throw new FileNotFoundException("input path " + fs.makeQualified(path) + " does not exist");
      }
      for (FileStatus st : matches) {
        collect(fs, st, out);
      }
    }
    out.sort(Comparator.comparing(s -> s.getPath().toString()));
    return out;
  }

  private static void collect(FileSystem fs, FileStatus st, List<FileStatus> out) throws IOException {
    String name = st.getPath().getName();
    if (name.startsWith("_") || name.startsWith(".")) {
      return;
    }
    if (st.isDirectory()) {
      for (FileStatus child : fs.listStatus(st.getPath())) {
        collect(fs, child, out);
      }
    } else {
      out.add(st);
    }
  }

  /** Splits of the files; splitBytes 0 means each file's block size. */
  public static List<InputSplit> split(Configuration conf, List<FileStatus> files, long splitBytes) {
    CompressionCodecFactory codecs = new CompressionCodecFactory(conf);
    List<InputSplit> out = new ArrayList<>();
    for (FileStatus f : files) {
      long len = f.getLen();
      String path = f.getPath().toString();
      if (codecs.getCodec(f.getPath()) != null) {
        out.add(new InputSplit(path, 0, len, true));
        continue;
      }
      long size = splitBytes > 0 ? splitBytes : Math.max(f.getBlockSize(), 1);
      long left = len;
      long start = 0;
      while ((double) left / size > SLOP) {
        out.add(new InputSplit(path, start, size, false));
        start += size;
        left -= size;
      }
      if (left > 0 || len == 0) {
        out.add(new InputSplit(path, start, left, false));
      }
    }
    return out;
  }

  /** Assigns splits to workers: largest first, each to the worker with the fewest bytes so far. */
  public static List<List<InputSplit>> assign(List<InputSplit> splits, int workers) {
    List<List<InputSplit>> out = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      out.add(new ArrayList<>());
    }
    long[] load = new long[workers];
    PriorityQueue<Integer> least = new PriorityQueue<>(
        Comparator.<Integer>comparingLong(w -> load[w]).thenComparingInt(w -> w));
    for (int i = 0; i < workers; i++) {
      least.add(i);
    }
    List<InputSplit> sorted = new ArrayList<>(splits);
    sorted.sort(Comparator.comparingLong(InputSplit::getLength).reversed()
        .thenComparing(InputSplit::getPath).thenComparingLong(InputSplit::getStart));
    for (InputSplit s : sorted) {
      int w = least.poll();
      out.get(w).add(s);
      load[w] += Math.max(s.getLength(), 1);
      least.add(w);
    }
    for (List<InputSplit> l : out) {
      l.sort(Comparator.comparing(InputSplit::getPath).thenComparingLong(InputSplit::getStart));
    }
    return out;
  }
}
