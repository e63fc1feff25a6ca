package yarnps.conf;

/** A configuration value is missing, unknown or invalid; the message names the key. */
public class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
