package yarnps.worker.api;

/**
 * A byte range of one input file. A reader of a split with {@code start > 0} skips the partial
 * first line (the previous split reads it) and reads every line that starts at or before
 * {@code start + length}, as Hadoop's LineRecordReader does. A compressed file that cannot be
 * split is one split with {@code wholeFile} true.
 */
public record InputSplit(String path, long start, long length, boolean wholeFile) {
  @Override
  public String toString() {
    return path + ":" + start + "+" + length;
  }
}
