package yarnps.appmaster;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The job's recent events for the tracking page (a container registered, the layout was built, a
 * container was lost, the job ended...): the newest {@code capacity} are kept. Thread-safe.
 */
final class EventLog {

  /** What kind of event: the page colours failures. */
  enum Kind { INFO, WARN, ERROR }

  /** One event; {@code timeMs} is wall-clock time, {@code seq} counts from 1. */
  record Event(long seq, long timeMs, Kind kind, String text) {}

  private final int capacity;
  private final LongSupplier clockMs;
  private final Deque<Event> events = new ArrayDeque<>();
  private long seq;

  EventLog(int capacity, LongSupplier clockMs) {
    this.capacity = capacity;
    this.clockMs = clockMs;
  }

  synchronized void add(Kind kind, String text) {
    if (events.size() == capacity) {
      events.removeFirst();
    }
    events.addLast(new Event(++seq, clockMs.getAsLong(), kind, text));
  }

  void info(String text) {
    add(Kind.INFO, text);
  }

  /** The kept events with a sequence number above {@code seq}, oldest first. */
  synchronized List<Event> since(long seq) {
    List<Event> out = new ArrayList<>();
    for (Event e : events) {
      if (e.seq() > seq) {
        out.add(e);
      }
    }
    return out;
  }
}
