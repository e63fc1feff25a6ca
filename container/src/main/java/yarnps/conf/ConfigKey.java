package yarnps.conf;

import java.util.Objects;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;

/**
 * One configuration key: its name, default, one-line doc and how a raw string value is parsed and
 * checked. Every {@code yarnps.*} key is declared once as a {@code ConfigKey} (see {@link PsKeys}),
 * and listed with the same default and doc in {@code conf/yarnps-default.xml}; a test checks that
 * the two agree.
 *
 * <p>A value that cannot be parsed or is out of range makes {@link #get} throw a
 * {@link ConfigException} naming the key, the value and the reason.
 *
 * @param <T> the parsed type
 */
public final class ConfigKey<T> {

  /** Parses and validates a raw value; throws IllegalArgumentException with the reason. */
  @FunctionalInterface
  public interface Parser<T> {
    T parse(String raw);
  }

  private final String name;
  private final String defaultValue;
  private final String doc;
  private final Parser<T> parser;

  private ConfigKey(String name, String defaultValue, String doc, Parser<T> parser) {
    this.name = Objects.requireNonNull(name);
    this.defaultValue = defaultValue;
    this.doc = Objects.requireNonNull(doc);
    this.parser = Objects.requireNonNull(parser);
  }

  public static ConfigKey<Integer> intKey(String name, int def, int min, int max, String doc) {
    return new ConfigKey<>(name, Integer.toString(def), doc, raw -> {
      int v;
      try {
        v = Integer.parseInt(raw.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not an integer");
      }
      if (v < min || v > max) {
        throw new IllegalArgumentException("must be in [" + min + ", " + max + "]");
      }
      return v;
    });
  }

  public static ConfigKey<Long> longKey(String name, long def, long min, long max, String doc) {
    return new ConfigKey<>(name, Long.toString(def), doc, raw -> {
      long v;
      try {
        v = Long.parseLong(raw.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not an integer");
      }
      if (v < min || v > max) {
        throw new IllegalArgumentException("must be in [" + min + ", " + max + "]");
      }
      return v;
    });
  }

  public static ConfigKey<Double> doubleKey(String name, double def, double min, double max, String doc) {
    return new ConfigKey<>(name, Double.toString(def), doc, raw -> {
      double v;
      try {
        v = Double.parseDouble(raw.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a number");
      }
      if (!(v >= min && v <= max)) {
        throw new IllegalArgumentException("must be in [" + min + ", " + max + "]");
      }
      return v;
    });
  }

  public static ConfigKey<Boolean> boolKey(String name, boolean def, String doc) {
    return new ConfigKey<>(name, Boolean.toString(def), doc, raw -> {
      String s = raw.trim();
      if (s.equalsIgnoreCase("true")) {
        return true;
      }
      if (s.equalsIgnoreCase("false")) {
        return false;
      }
      throw new IllegalArgumentException("must be true or false");
    });
  }

  /** A string key; {@code def} may be null for "no default" (then {@link #get} returns null when unset). */
  public static ConfigKey<String> stringKey(String name, String def, String doc) {
    return new ConfigKey<>(name, def, doc, String::trim);
  }

  /** A string key that must be non-empty when the job needs it ({@link #require}). */
  public static <E extends Enum<E>> ConfigKey<E> enumKey(String name, E def, Class<E> type, String doc) {
    return new ConfigKey<>(name, def.name().toLowerCase(java.util.Locale.ROOT), doc, raw -> {
      for (E e : type.getEnumConstants()) {
        if (e.name().equalsIgnoreCase(raw.trim())) {
          return e;
        }
      }
      StringBuilder allowed = new StringBuilder();
      for (E e : type.getEnumConstants()) {
        allowed.append(allowed.length() == 0 ? "" : ", ").append(e.name().toLowerCase(java.util.Locale.ROOT));
      }
      throw new IllegalArgumentException("must be one of: " + allowed);
    });
  }

  /** A key with a custom parser. */
  public static <T> ConfigKey<T> of(String name, String def, String doc, Parser<T> parser) {
    return new ConfigKey<>(name, def, doc, parser);
  }

  public String name() {
    return name;
  }

  /** The default as it appears in yarnps-default.xml; null when the key has none. */
  public String defaultValue() {
    return defaultValue;
  }

  public String doc() {
    return doc;
  }

  /** The parsed value, or the parsed default when unset; null when unset without a default. */
  public T get(Configuration conf) {
    String raw = conf.getTrimmed(name);
    if (raw == null || raw.isEmpty()) {
      return defaultValue == null ? null : parse(defaultValue);
    }
    return parse(raw);
  }

  /** Like {@link #get} but a missing value is an error naming the key. */
  public T require(Configuration conf) {
    T v = get(conf);
    if (v == null) {
      throw new ConfigException(name + " is required but not set (" + doc + ")");
    }
    return v;
  }

  /** Parses a raw value, throwing a ConfigException that names this key. */
  public T parse(String raw) {
    try {
      return parser.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name + "=" + raw + ": " + e.getMessage());
    }
  }

  /** Adapts a parser result, for derived keys. */
  public <R> R map(Configuration conf, Function<T, R> f) {
    return f.apply(get(conf));
  }

  @Override
  public String toString() {
    return name;
  }
}
