package yarnps.worker;

import java.util.ArrayList;
import java.util.List;
import yarnps.common.KeyCodec;
import yarnps.common.KeyLayout;
import yarnps.common.KeySignature;

/**
 * The part of a key list that one request carries: intervals {@code [from[i], to[i])} of the
 * list's indices, all owned by one server, at most a frame's worth of keys. Knows its signature
 * (for key caching) and encodes its key block on demand, keeping it when the list is reused.
 */
final class KeyChunk {
  final int server;
  final int[] from;
  final int[] to;
  final int parts;
  final int count;
  /** KeySignature of the chunk's keys, or 0 when key caching is off. */
  long signature;
  private volatile Block keyBlock;

  private KeyChunk(int server, int[] from, int[] to, int parts, int count) {
    this.server = server;
    this.from = from;
    this.to = to;
    this.parts = parts;
    this.count = count;
  }

  /**
   * Cuts keys (sorted unique) into chunks: by server per the layout, then into pieces of at most
   * maxKeys, and a server's share of at least splitMin keys into {@code spread} pieces of about
   * equal size (so a large call uses several connections). Signs every chunk when sign is set.
   */
  static List<KeyChunk> of(KeyLayout layout, long[] keys, int maxKeys, int spread, int splitMin, boolean sign) {
    KeyLayout.Slices slices = layout.slice(keys, keys.length);
    List<KeyChunk> out = new ArrayList<>(slices.numServers());
    long[] scratch = null;
    for (int s = 0; s < slices.numServers(); s++) {
      int n = slices.count(s);
      if (n == 0) {
        continue;
      }
      int per = maxKeys;
      if (spread > 1 && n >= splitMin) {
        per = Math.min(maxKeys, (n + spread - 1) / spread);
      }
      int first = out.size();
      cut(slices, s, per, out);
      if (sign) {
        for (int c = first; c < out.size(); c++) {
          KeyChunk chunk = out.get(c);
          if (chunk.parts == 1) {
            chunk.signature = KeySignature.of(keys, chunk.from[0], chunk.to[0]);
          } else {
            if (scratch == null || scratch.length < chunk.count) {
              scratch = new long[chunk.count];
            }
            chunk.signature = KeySignature.of(scratch, 0, chunk.gather(keys, scratch));
          }
        }
      }
    }
    return out;
  }

  private static void cut(KeyLayout.Slices slices, int s, int maxKeys, List<KeyChunk> out) {
    int intervals = slices.intervals(s);
    int[] from = new int[intervals];
    int[] to = new int[intervals];
    int parts = 0;
    int count = 0;
    for (int i = 0; i < intervals; i++) {
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
          out.add(new KeyChunk(s, from, to, parts, count));
          from = new int[intervals - i + 1];
          to = new int[from.length];
          parts = 0;
          count = 0;
        }
      }
    }
    if (count > 0) {
      out.add(new KeyChunk(s, from, to, parts, count));
    }
  }

  /** Copies the chunk's keys into dst from 0; returns their number. */
  int gather(long[] keys, long[] dst) {
    int pos = 0;
    for (int i = 0; i < parts; i++) {
      int n = to[i] - from[i];
      System.arraycopy(keys, from[i], dst, pos, n);
      pos += n;
    }
    return pos;
  }

  /** An encoded key block: bytes[0, length). */
  record Block(byte[] bytes, int length) {}

  /** Per-thread buffers for blocks that are sent once (a plain long[] call), so they are not allocated per call. */
  private static final class Scratch {
    byte[] bytes = new byte[0];
    long[] keys = new long[0];
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /**
   * The chunk's key block, encoded now unless kept from an earlier call; keep remembers it for
   * the next call (a reused KeyList). A block not kept lives in a per-thread buffer: valid until
   * this thread encodes the next one.
   */
  Block keyBlock(long[] keys, boolean keep) {
    Block b = keyBlock;
    if (b != null) {
      return b;
    }
    Scratch scratch = keep ? null : SCRATCH.get();
    int max = KeyCodec.maxEncodedSize(count);
    byte[] bytes;
    if (keep) {
      bytes = new byte[max];
    } else {
      if (scratch.bytes.length < max) {
        scratch.bytes = new byte[max];
      }
      bytes = scratch.bytes;
    }
    int len;
    if (parts == 1) {
      len = KeyCodec.encode(keys, from[0], to[0], bytes, 0);
    } else {
      long[] gathered;
      if (keep) {
        gathered = new long[count];
      } else {
        if (scratch.keys.length < count) {
          scratch.keys = new long[count];
        }
        gathered = scratch.keys;
      }
      gather(keys, gathered);
      len = KeyCodec.encode(gathered, 0, count, bytes, 0);
    }
    if (keep) {
      bytes = java.util.Arrays.copyOf(bytes, len);
    }
    b = new Block(bytes, len);
    if (keep) {
      keyBlock = b;
    }
    return b;
  }
}
