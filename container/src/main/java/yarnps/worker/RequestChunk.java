package yarnps.worker;

import java.util.ArrayList;
import java.util.List;
import yarnps.common.KeyLayout;

/**
 * The part of a caller's key list that one request carries: intervals {@code [from(i), to(i))} of
 * the caller's indices, all owned by one server, at most a frame's worth of keys in total.
 */
final class RequestChunk {
  final int[] from;
  final int[] to;
  final int parts;
  final int count;

  private RequestChunk(int[] from, int[] to, int parts, int count) {
    this.from = from;
    this.to = to;
    this.parts = parts;
    this.count = count;
  }

  /** Cuts server s's slice into chunks of at most maxKeys keys, in key order. */
  static List<RequestChunk> of(KeyLayout.Slices slices, int s, int maxKeys) {
    List<RequestChunk> out = new ArrayList<>(1);
    int[] from = new int[slices.intervals(s)];
    int[] to = new int[slices.intervals(s)];
    int parts = 0;
    int count = 0;
    for (int i = 0; i < slices.intervals(s); i++) {
      int a = slices.from(s, i);
      int b = slices.to(s, i);
      while (a < b) {
        int take = Math.min(b - a, maxKeys - count);
        from[parts] = a;
        to[parts] = a + take;
        parts++;
        count += take;
        a += take;
        if (count == maxKeys) {
          out.add(new RequestChunk(from, to, parts, count));
          from = new int[slices.intervals(s) - i + 1];
          to = new int[from.length];
          parts = 0;
          count = 0;
        }
      }
    }
    if (count > 0) {
      out.add(new RequestChunk(from, to, parts, count));
    }
    return out;
  }
}
