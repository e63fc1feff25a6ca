package yarnps.worker;

import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import yarnps.worker.api.InputSplit;
import yarnps.worker.api.LineReader;

/**
 * Reads the lines of one split the way Hadoop's LineRecordReader does: a split that starts inside
 * a file drops its first (partial) line, and a split reads every line that starts at or before its
 * end. Lines end at '\n'; a '\r' before it is dropped. Compressed files (by extension, through
 * Hadoop's codecs) are read whole.
 */
public final class SplitLineReader implements LineReader {
  private static final int CHUNK = 64 * 1024;

  private final FileSystem fs;
  private final InputSplit split;
  private final InputStream in;
  private final long end;
  private final byte[] chunk = new byte[CHUNK];
  private int chunkPos;
  private int chunkLen;
  private boolean eof;
  private byte[] line = new byte[256];
  private int lineLen;
  /** File offset of the next unread byte. */
  private long pos;
  /** File offset where the split's first whole line starts. */
  private final long firstLineStart;
  private long lineInSplit;
  private long linesBeforeSplit = -1;

  public SplitLineReader(Configuration conf, InputSplit split) throws IOException {
    Path path = new Path(split.path());
    this.fs = path.getFileSystem(conf);
    this.split = split;
    CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
    FSDataInputStream raw = fs.open(path);
    try {
      if (codec != null || split.wholeFile()) {
        this.in = codec == null ? raw : codec.createInputStream(raw);
        this.end = Long.MAX_VALUE;
        this.pos = 0;
      } else {
        this.in = raw;
        this.end = split.start() + split.length();
        if (split.start() > 0) {
          raw.seek(split.start());
          pos = split.start();
          readLine();
        }
      }
      this.firstLineStart = pos;
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  @Override
  public boolean next() throws IOException {
    if (pos > end) {
      return false;
    }
    boolean atFileStart = pos == 0;
    if (!readLine()) {
      return false;
    }
    if (atFileStart && lineLen >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB && line[2] == (byte) 0xBF) {
      // A UTF-8 byte-order mark is not part of the first line (Hadoop's LineRecordReader drops it too).
      System.arraycopy(line, 3, line, 0, lineLen - 3);
      lineLen -= 3;
    }
    lineInSplit++;
    return true;
  }

  /** Reads bytes up to and including the next '\n' into line; false at end of input with nothing read. */
  private boolean readLine() throws IOException {
    lineLen = 0;
    boolean any = false;
    while (true) {
      if (chunkPos == chunkLen) {
        if (eof || !fill()) {
          return any;
        }
      }
      any = true;
      int start = chunkPos;
      int nl = -1;
      for (int i = chunkPos; i < chunkLen; i++) {
        if (chunk[i] == '\n') {
          nl = i;
          break;
        }
      }
      int stop = nl < 0 ? chunkLen : nl;
      append(start, stop - start);
      int consumed = (nl < 0 ? chunkLen : nl + 1) - start;
      chunkPos += consumed;
      pos += consumed;
      if (nl >= 0) {
        if (lineLen > 0 && line[lineLen - 1] == '\r') {
          lineLen--;
        }
        return true;
      }
    }
  }

  private boolean fill() throws IOException {
    int n = in.read(chunk, 0, CHUNK);
    if (n <= 0) {
      eof = true;
      chunkLen = 0;
      chunkPos = 0;
      return false;
    }
    chunkLen = n;
    chunkPos = 0;
    return true;
  }

  private void append(int from, int len) {
    if (lineLen + len > line.length) {
      byte[] bigger = new byte[Math.max(lineLen + len, line.length * 2)];
      System.arraycopy(line, 0, bigger, 0, lineLen);
      line = bigger;
    }
    System.arraycopy(chunk, from, line, lineLen, len);
    lineLen += len;
  }

  @Override
  public byte[] bytes() {
    return line;
  }

  @Override
  public int length() {
    return lineLen;
  }

  @Override
  public String file() {
    return split.path();
  }

  @Override
  public long lineInSplit() {
    return lineInSplit;
  }

  @Override
  public long lineInFile() throws IOException {
    if (firstLineStart == 0) {
      return lineInSplit;
    }
    if (linesBeforeSplit < 0) {
      long count = 0;
      try (FSDataInputStream head = fs.open(new Path(split.path()))) {
        byte[] buf = new byte[CHUNK];
        long left = firstLineStart;
        while (left > 0) {
          int n = head.read(buf, 0, (int) Math.min(buf.length, left));
          if (n <= 0) {
            break;
          }
          for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
              count++;
            }
          }
          left -= n;
        }
      }
      linesBeforeSplit = count;
    }
    return linesBeforeSplit + lineInSplit;
  }

  @Override
  public long bytesRead() {
    return pos - split.start();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
