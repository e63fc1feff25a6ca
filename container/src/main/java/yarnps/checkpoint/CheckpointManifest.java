package yarnps.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import yarnps.common.Json;
import yarnps.common.KeyLayout;
import yarnps.conf.ConfigKey;
import yarnps.conf.Initializer;
import yarnps.conf.TableKeys;
import yarnps.conf.TableKeys.UpdaterKind;
import yarnps.conf.TableSpec;
import yarnps.server.store.Updater;
import yarnps.server.store.Updaters;

/**
 * The {@value CheckpointFormat#MANIFEST} of a checkpoint (JSON, documented in
 * {@link CheckpointFormat}): its clock, the key layout its shards were cut by, its tables and one
 * entry per table per range. Immutable; the constructor checks that the parts agree, so a manifest
 * object always describes a whole checkpoint.
 *
 * <p>The AM builds one from the servers' {@link ShardWriter#finish} results once every shard is
 * written, and {@link #commit}s it: that makes the checkpoint exist.
 * <pre>{@code
 * List<TableEntry> tables = specs.stream().map(TableEntry::of).toList();
 * CheckpointManifest m = new CheckpointManifest(clock, System.currentTimeMillis(), layout, tables, shards);
 * m.commit(fs, CheckpointFormat.dir(root, clock));
 * }</pre>
 */
public final class CheckpointManifest {
  /** Shard paths: '/'-separated names of letters, digits, '_', '.' and '-'. */
  private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");
  /** Largest manifest a reader accepts, in bytes. */
  static final int MAX_BYTES = 64 << 20;

  /**
   * One table of a checkpoint.
   *
   * @param params the updater's hyper-parameters by the suffix of their {@code yarnps.table.NAME.*}
   *     key ({@code lr}, {@code l1}, ...), values as strings
   * @param init the initializer as {@code yarnps.table.NAME.init} spells it
   */
  public record TableEntry(String name, int width, int stride, String updater, Map<String, String> params,
      String init) {
    public TableEntry {
      CheckpointFormat.checkTableName(name);
      if (width < 1 || width > CheckpointFormat.MAX_WIDTH) {
        throw new IllegalArgumentException("table " + name + ": bad width " + width);
      }
      if (stride < width || stride > CheckpointFormat.MAX_STRIDE || stride % width != 0) {
        throw new IllegalArgumentException("table " + name + ": stride " + stride
            + " is not a multiple of the width " + width + " in [" + width + ", " + CheckpointFormat.MAX_STRIDE + "]");
      }
      if (updater == null || updater.isEmpty()
          || updater.getBytes(StandardCharsets.UTF_8).length > CheckpointFormat.MAX_UPDATER_NAME_BYTES) {
        throw new IllegalArgumentException("table " + name + ": bad updater name '" + updater + "'");
      }
      params = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(params, "params")));
      try {
        Initializer.Spec.parse(Objects.requireNonNull(init, "init"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("table " + name + ": bad initializer '" + init + "': " + e.getMessage());
      }
    }

    /** The entry of a configured table: its updater, that updater's parameters, its stride. */
    public static TableEntry of(TableSpec spec) {
      Updater u = Updaters.create(spec);
      Map<String, String> p = new TreeMap<>();
      switch (spec.updater()) {
        case ADD -> { }
        case SGD -> {
          param(p, TableKeys.LR, spec.lr());
          param(p, TableKeys.L1, spec.l1());
          param(p, TableKeys.L2, spec.l2());
        }
        case ADAGRAD -> {
          param(p, TableKeys.LR, spec.lr());
          param(p, TableKeys.L1, spec.l1());
          param(p, TableKeys.L2, spec.l2());
          param(p, TableKeys.ADAGRAD_EPS, spec.adagradEps());
        }
        case FTRL -> {
          param(p, TableKeys.FTRL_ALPHA, spec.ftrlAlpha());
          param(p, TableKeys.FTRL_BETA, spec.ftrlBeta());
          param(p, TableKeys.L1, spec.l1());
          param(p, TableKeys.L2, spec.l2());
        }
        default -> throw new AssertionError(spec.updater());
      }
      return new TableEntry(spec.name(), spec.width(), spec.width() * (1 + u.stateSlots()), u.name(), p,
          spec.init().toString());
    }

    /**
     * The table as a {@link TableSpec}; parameters the entry does not list (its updater does not use
     * them) take their defaults.
     *
     * @throws IllegalArgumentException if the updater or a parameter is unknown or invalid
     */
    public TableSpec toTableSpec() {
      UpdaterKind kind = null;
      for (UpdaterKind k : UpdaterKind.values()) {
        if (k.name().equalsIgnoreCase(updater)) {
          kind = k;
        }
      }
      if (kind == null) {
        throw new IllegalArgumentException("table " + name + ": unknown updater '" + updater + "'");
      }
      for (String key : params.keySet()) {
        if (TableKeys.all().stream().noneMatch(k -> suffix(k).equals(key))) {
          throw new IllegalArgumentException("table " + name + ": unknown updater parameter '" + key + "'");
        }
      }
      return new TableSpec(name, width, kind, Initializer.Spec.parse(init),
          param(TableKeys.LR), param(TableKeys.L1), param(TableKeys.L2),
          param(TableKeys.FTRL_ALPHA), param(TableKeys.FTRL_BETA), param(TableKeys.ADAGRAD_EPS));
    }

    private double param(ConfigKey<Double> key) {
      String v = params.get(suffix(key));
      return key.parse(v != null ? v : key.defaultValue());
    }

    private static void param(Map<String, String> p, ConfigKey<Double> key, double v) {
      p.put(suffix(key), Double.toString(v));
    }

    private static String suffix(ConfigKey<?> key) {
      return key.name().substring((TableKeys.PREFIX + TableKeys.PLACEHOLDER + ".").length());
    }
  }

  /**
   * One shard of a checkpoint.
   *
   * @param path relative to the checkpoint directory: {@code /}-separated names of letters, digits,
   *     {@code _}, {@code .} and {@code -}, none of them {@code .} or {@code ..}
   * @param crc the CRC-32 of the shard, as stored in its trailer, in [0, 2^32)
   */
  public record ShardEntry(String table, int range, String path, long rows, long bytes, long crc) {
    public ShardEntry {
      CheckpointFormat.checkTableName(table);
      if (range < 0) {
        throw new IllegalArgumentException("shard of table " + table + ": range index " + range + " < 0");
      }
      Objects.requireNonNull(path, "path");
      if (!SAFE_PATH.matcher(path).matches()
          || List.of(path.split("/")).stream().anyMatch(p -> p.equals(".") || p.equals(".."))) {
        throw new IllegalArgumentException("shard " + table + "/" + range + ": path '" + path
            + "' is not a plain relative path");
      }
      if (rows < 0 || bytes < 0 || crc < 0 || crc > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("shard " + path + ": bad rows " + rows + ", bytes " + bytes + " or crc " + crc);
      }
    }
  }

  private final long clock;
  private final long createdMs;
  private final KeyLayout layout;
  private final List<TableEntry> tables;
  private final List<ShardEntry> shards;
  private final Map<String, TableEntry> tableByName = new HashMap<>();
  private final Map<String, ShardEntry[]> shardsByTable = new HashMap<>();

  /**
   * @param createdMs when the checkpoint was made, milliseconds since the epoch
   * @param tables every table, at least one, names distinct
   * @param shards exactly one per table per range of {@code layout}, in any order
   * @throws IllegalArgumentException naming what disagrees
   */
  public CheckpointManifest(long clock, long createdMs, KeyLayout layout, List<TableEntry> tables,
      List<ShardEntry> shards) {
    if (clock < 0) {
      throw new IllegalArgumentException("clock must be >= 0, got " + clock);
    }
    this.clock = clock;
    this.createdMs = createdMs;
    this.layout = Objects.requireNonNull(layout, "layout");
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("a checkpoint needs at least one table");
    }
    for (TableEntry t : tables) {
      if (tableByName.put(t.name(), t) != null) {
        throw new IllegalArgumentException("table " + t.name() + " is listed twice");
      }
      shardsByTable.put(t.name(), new ShardEntry[layout.numRanges()]);
    }
    for (ShardEntry s : shards) {
      ShardEntry[] byRange = shardsByTable.get(s.table());
      if (byRange == null) {
        throw new IllegalArgumentException("shard " + s.path() + " belongs to table " + s.table()
            + ", which the checkpoint does not list");
      }
      if (s.range() >= byRange.length) {
        throw new IllegalArgumentException("shard " + s.path() + " is of range " + s.range()
            + ", the layout has " + byRange.length + " ranges");
      }
      if (byRange[s.range()] != null) {
        throw new IllegalArgumentException("table " + s.table() + " has two shards for range " + s.range()
            + ": " + byRange[s.range()].path() + " and " + s.path());
      }
      byRange[s.range()] = s;
    }
    List<ShardEntry> ordered = new ArrayList<>(shards.size());
    for (TableEntry t : tables) {
      ShardEntry[] byRange = shardsByTable.get(t.name());
      for (int r = 0; r < byRange.length; r++) {
        if (byRange[r] == null) {
          throw new IllegalArgumentException("table " + t.name() + " has no shard for range " + r + " "
              + CheckpointFormat.rangeString(layout.rangeStart(r), layout.rangeLimit(r)));
        }
        ordered.add(byRange[r]);
      }
    }
    this.tables = List.copyOf(tables);
    this.shards = Collections.unmodifiableList(ordered);
  }

  /** The format version of this manifest. */
  public int version() {
    return CheckpointFormat.VERSION;
  }

  public long clock() {
    return clock;
  }

  /** When the checkpoint was made, milliseconds since the epoch. */
  public long createdMs() {
    return createdMs;
  }

  /** The layout the shards were cut by. */
  public KeyLayout layout() {
    return layout;
  }

  public List<TableEntry> tables() {
    return tables;
  }

  /** Every shard, table by table in {@link #tables} order, ranges ascending within a table. */
  public List<ShardEntry> shards() {
    return shards;
  }

  /** The table named {@code name}. @throws IllegalArgumentException if there is none */
  public TableEntry table(String name) {
    TableEntry t = tableByName.get(name);
    if (t == null) {
      throw new IllegalArgumentException("checkpoint at clock " + clock + " has no table '" + name + "', only "
          + tableByName.keySet());
    }
    return t;
  }

  /** The shard of {@code table}'s range {@code range}. */
  public ShardEntry shard(String table, int range) {
    table(table);
    return shardsByTable.get(table)[Objects.checkIndex(range, layout.numRanges())];
  }

  /** The shards of {@code table}, in range order. */
  public List<ShardEntry> shardsOf(String table) {
    table(table);
    return List.of(shardsByTable.get(table));
  }

  /** The header a shard must have: this clock, its table's shape and its range's keys. */
  public ShardHeader expectedHeader(ShardEntry shard) {
    TableEntry t = table(shard.table());
    int r = shard.range();
    return new ShardHeader(clock, t.name(), r, layout.rangeStart(r), layout.rangeLimit(r), t.width(), t.stride(),
        t.updater());
  }

  /** Rows of all shards. */
  public long totalRows() {
    return shards.stream().mapToLong(ShardEntry::rows).sum();
  }

  /** Bytes of all shards. */
  public long totalBytes() {
    return shards.stream().mapToLong(ShardEntry::bytes).sum();
  }

  /** The manifest as JSON, one line, members in a fixed order. */
  public String toJson() {
    Json j = new Json().beginObject()
        .field("format", CheckpointFormat.FORMAT_NAME)
        .field("version", (long) CheckpointFormat.VERSION)
        .field("clock", clock)
        .field("createdMs", createdMs);
    j.name("layout").beginObject()
        .field("version", layout.version())
        .field("servers", (long) layout.numServers());
    j.name("ranges").beginArray();
    for (int r = 0; r < layout.numRanges(); r++) {
      j.beginObject()
          .field("start", Long.toUnsignedString(layout.rangeStart(r)))
          .field("limit", Long.toUnsignedString(layout.rangeLimit(r)))
          .field("server", (long) layout.owner(r))
          .endObject();
    }
    j.endArray().endObject();
    j.name("tables").beginArray();
    for (TableEntry t : tables) {
      j.beginObject()
          .field("name", t.name())
          .field("width", (long) t.width())
          .field("stride", (long) t.stride())
          .field("updater", t.updater())
          .strings("params", t.params())
          .field("init", t.init())
          .endObject();
    }
    j.endArray();
    j.name("shards").beginArray();
    for (ShardEntry s : shards) {
      j.beginObject()
          .field("table", s.table())
          .field("range", (long) s.range())
          .field("path", s.path())
          .field("rows", s.rows())
          .field("bytes", s.bytes())
          .field("crc", s.crc())
          .endObject();
    }
    j.endArray();
    return j.endObject().toString();
  }

  /**
   * The manifest in {@code json}.
   *
   * @throws IllegalArgumentException naming the member at fault when the JSON is invalid, is not
   *     a version {@value CheckpointFormat#VERSION} checkpoint manifest, or its parts disagree
   */
  public static CheckpointManifest parse(String json) {
    return ManifestParser.parse(json);
  }

  /**
   * Commits this manifest to the checkpoint directory {@code dir}: checks that every shard file
   * exists with its size, writes {@value CheckpointFormat#MANIFEST_TEMP}, then renames it to
   * {@value CheckpointFormat#MANIFEST}. When this returns, the checkpoint exists.
   *
   * @throws IOException if a shard is missing or of another size, the checkpoint is already
   *     committed, or the file system fails
   */
  public void commit(FileSystem fs, Path dir) throws IOException {
    Path manifest = new Path(dir, CheckpointFormat.MANIFEST);
    if (fs.exists(manifest)) {
      throw new IOException(manifest + " already exists: a committed checkpoint is never rewritten");
    }
    Map<Path, Long> sizes = new HashMap<>();
    Set<Path> listed = new HashSet<>();
    for (ShardEntry s : shards) {
      Path p = fs.makeQualified(new Path(dir, s.path()));
      if (listed.add(p.getParent())) {
        try {
          for (FileStatus st : fs.listStatus(p.getParent())) {
            sizes.put(fs.makeQualified(st.getPath()), st.getLen());
          }
        } catch (FileNotFoundException e) {
          // no shard of this table: reported below
        }
      }
      Long size = sizes.get(p);
      if (size == null || size != s.bytes()) {
        throw new IOException("cannot commit " + dir + ": shard " + s.path()
            + (size == null ? " does not exist" : " has " + size + " bytes, its entry says " + s.bytes()));
      }
    }
    Path temp = new Path(dir, CheckpointFormat.MANIFEST_TEMP);
    try (OutputStream os = fs.create(temp, true)) {
      os.write((toJson() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    if (!fs.rename(temp, manifest)) {
      throw new IOException("cannot commit " + dir + ": renaming " + temp.getName() + " to " + manifest.getName()
          + " failed" + (fs.exists(manifest) ? " (a manifest appeared meanwhile)" : ""));
    }
  }

  /**
   * Reads the manifest of the checkpoint directory {@code dir}, and checks that its clock is the
   * directory's when the directory has a checkpoint name.
   *
   * @throws FileNotFoundException if there is no manifest: not a checkpoint
   * @throws CorruptCheckpointException if the manifest is not a valid one
   */
  public static CheckpointManifest read(FileSystem fs, Path dir) throws IOException {
    Path path = new Path(dir, CheckpointFormat.MANIFEST);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (InputStream in = fs.open(path)) {
      byte[] buf = new byte[1 << 16];
      for (int r; (r = in.read(buf)) >= 0; ) {
        bytes.write(buf, 0, r);
        if (bytes.size() > MAX_BYTES) {
          throw new CorruptCheckpointException(CheckpointFormat.MANIFEST, "larger than " + MAX_BYTES + " bytes");
        }
      }
    }
    CheckpointManifest m;
    try {
      String json = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
      m = parse(json);
    } catch (CharacterCodingException e) {
      throw new CorruptCheckpointException(CheckpointFormat.MANIFEST, "not UTF-8 text", e);
    } catch (IllegalArgumentException e) {
      throw new CorruptCheckpointException(CheckpointFormat.MANIFEST, e.getMessage(), e);
    }
    long dirClock = CheckpointFormat.clockOf(dir.getName());
    if (dirClock >= 0 && dirClock != m.clock()) {
      throw new CorruptCheckpointException(CheckpointFormat.MANIFEST, "clock " + m.clock()
          + " differs from the directory's " + dir.getName());
    }
    return m;
  }

  @Override
  public String toString() {
    return "checkpoint{clock=" + clock + ", tables=" + tables.size() + ", ranges=" + layout.numRanges()
        + ", shards=" + shards.size() + ", rows=" + totalRows() + ", bytes=" + totalBytes() + "}";
  }
}
