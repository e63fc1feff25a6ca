package yarnps.worker;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The key lists one server is believed to hold for this worker, by signature: a list is added
 * once the server acknowledged a call that carried its keys, and dropped when the server reports
 * a miss or when the directory is over its size (least recently used first).
 */
final class KeyDirectory {
  private final long maxKeys;
  private final LinkedHashMap<Long, Integer> lists = new LinkedHashMap<>(64, 0.75f, true);
  private long keys;

  KeyDirectory(long maxKeys) {
    this.maxKeys = maxKeys;
  }

  synchronized boolean has(long signature) {
    return lists.get(signature) != null;
  }

  synchronized void remember(long signature, int count) {
    if (count > maxKeys) {
      return;
    }
    Integer old = lists.put(signature, count);
    keys += count - (old == null ? 0 : old);
    Iterator<Map.Entry<Long, Integer>> it = lists.entrySet().iterator();
    while (keys > maxKeys && it.hasNext()) {
      Map.Entry<Long, Integer> e = it.next();
      if (e.getKey() == signature) {
        continue;
      }
      keys -= e.getValue();
      it.remove();
    }
  }

  synchronized void forget(long signature) {
    Integer old = lists.remove(signature);
    if (old != null) {
      keys -= old;
    }
  }
}
