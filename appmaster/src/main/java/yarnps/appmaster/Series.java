package yarnps.appmaster;

import java.util.ArrayList;
import java.util.List;

/**
 * An append-only series of points for the tracking page's charts. It keeps at most
 * {@code capacity} points: when full, every other point is dropped, so a long job keeps its whole
 * curve at a coarser grain instead of losing its start or its end. Every point gets a sequence
 * number, so a reader can fetch only what is new ({@link #since}). Thread-safe.
 *
 * @param <T> the point type
 */
final class Series<T> {

  /** A point and its sequence number (1, 2, ... in the order added). */
  record Point<T>(long seq, T value) {}

  private final int capacity;
  private final List<Point<T>> points = new ArrayList<>();
  private long lastSeq;

  Series(int capacity) {
    if (capacity < 2) {
      throw new IllegalArgumentException("capacity must be at least 2");
    }
    this.capacity = capacity;
  }

  synchronized void add(T value) {
    if (points.size() == capacity) {
      thin();
    }
    points.add(new Point<>(++lastSeq, value));
  }

  /** Keeps the points at odd positions from the end, so the newest point always stays. */
  private void thin() {
    List<Point<T>> kept = new ArrayList<>(capacity / 2 + 1);
    for (int i = points.size() - 1; i >= 0; i -= 2) {
      kept.add(points.get(i));
    }
    points.clear();
    for (int i = kept.size() - 1; i >= 0; i--) {
      points.add(kept.get(i));
    }
  }

  /** The points with a sequence number above {@code seq}, oldest first; 0 gives every point. */
  synchronized List<Point<T>> since(long seq) {
    int from = points.size();
    while (from > 0 && points.get(from - 1).seq() > seq) {
      from--;
    }
    return new ArrayList<>(points.subList(from, points.size()));
  }

  /** The newest point's value, or null when empty. */
  synchronized T last() {
    return points.isEmpty() ? null : points.get(points.size() - 1).value();
  }

  synchronized long lastSeq() {
    return lastSeq;
  }

  synchronized int size() {
    return points.size();
  }
}
