package yarnps.worker.api;

import java.io.Closeable;
import java.io.IOException;

/**
 * Lines of one {@link InputSplit}. The current line is {@code bytes()[0, length())}, without its
 * terminator; the array is reused by the next {@link #next}, so copy what must outlive it.
 */
public interface LineReader extends Closeable {

  /** Moves to the next line; false at the end of the split. */
  boolean next() throws IOException;

  /** The buffer holding the current line from index 0. */
  byte[] bytes();

  /** Length of the current line in {@link #bytes}. */
  int length();

  /** The current line as a String (allocates; for messages). */
  default String text() {
    return new String(bytes(), 0, length(), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Path of the file being read. */
  String file();

  /** 1-based number of the current line counted from the start of the split. */
  long lineInSplit();

  /**
   * 1-based number of the current line in the whole file. For a split that starts inside a file
   * this counts the lines before it (it reads the file's head), so use it for error messages only.
   */
  long lineInFile() throws IOException;

  /** Bytes of the split consumed so far, for progress. */
  long bytesRead();
}
