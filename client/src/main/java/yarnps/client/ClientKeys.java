package yarnps.client;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import yarnps.conf.ConfigKey;

/**
 * Submission keys only the client reads: how the application appears to YARN besides its name
 * and queue ({@code yarnps.app.name}, {@code yarnps.queue} in {@code PsKeys}). {@link JobValidator}
 * knows them, so they pass the unknown-key check and bad values are rejected naming the key.
 */
public final class ClientKeys {
  private ClientKeys() {}

  /** YARN's limits on application tags (YarnConfiguration's application-tag defaults). */
  static final int MAX_TAGS = 10;
  static final int MAX_TAG_LENGTH = 100;
  /** Every yarn-ps application carries this tag. */
  public static final String YARNPS_TAG = "yarnps";

  public static final ConfigKey<Integer> PRIORITY =
      ConfigKey.intKey("yarnps.app.priority", 0, 0, Integer.MAX_VALUE,
          "YARN application priority; the scheduler caps it at the cluster's and queue's maximum.");
  public static final ConfigKey<Set<String>> TAGS =
      ConfigKey.of("yarnps.app.tags", "",
          "Comma-separated YARN application tags (ASCII, up to 100 characters each); the tag yarnps is always added.",
          ClientKeys::parseTags);

  public static List<ConfigKey<?>> all() {
    return List.of(PRIORITY, TAGS);
  }

  /** The tags to submit: the configured ones (trimmed, lower case as YARN stores them) and {@code yarnps}. */
  static Set<String> parseTags(String raw) {
    Set<String> tags = new LinkedHashSet<>();
    tags.add(YARNPS_TAG);
    List<String> bad = new ArrayList<>();
    for (String t : raw.split(",")) {
      String tag = t.trim().toLowerCase(java.util.Locale.ROOT);
      if (tag.isEmpty()) {
        continue;
      }
      if (tag.length() > MAX_TAG_LENGTH || !tag.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
        bad.add(tag);
      }
      tags.add(tag);
    }
    if (!bad.isEmpty()) {
      throw new IllegalArgumentException("tags must be printable ASCII of at most " + MAX_TAG_LENGTH + " characters: " + bad);
    }
    if (tags.size() > MAX_TAGS) {
      throw new IllegalArgumentException("at most " + (MAX_TAGS - 1) + " tags besides " + YARNPS_TAG);
    }
    return tags;
  }
}
