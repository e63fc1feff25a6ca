package yarnps.client;

import java.io.IOException;
import java.io.PrintStream;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.yarn.api.protocolrecords.GetApplicationsRequest;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.conf.Configured;
import org.apache.hadoop.util.Tool;
import org.apache.hadoop.util.ToolRunner;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.exceptions.ApplicationNotFoundException;
import org.apache.hadoop.yarn.exceptions.YarnException;
import yarnps.conf.ConfigException;
import yarnps.conf.PsKeys;

/**
 * The yarn-ps command line, a Hadoop {@link Tool}:
 * {@code yarn jar yarnps.jar submit|status|kill|list|checkpoint|checkpoints}. Generic options ({@code -D}, {@code -conf},
 * {@code -libjars}, {@code -files}) work as in every Hadoop tool.
 *
 * <p>Exit codes: 0 the job SUCCEEDED (or the command worked); 1 the job FAILED or was KILLED;
 * 2 bad usage or an invalid job (nothing submitted); 3 the cluster refused or could not be reached;
 * 4 the ResourceManager does not know the application (or {@code checkpoints} found no such
 * directory). {@code checkpoint} exits 1 when the application is not running or its AM refuses.
 */
public final class YarnPsClient extends Configured implements Tool {
  public static final int EXIT_OK = 0;
  public static final int EXIT_JOB_FAILED = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_CLUSTER = 3;
  public static final int EXIT_NOT_FOUND = 4;

  /** How long status, list and the progress line wait for the ApplicationMaster's page. */
  private static final java.time.Duration AM_TIMEOUT = java.time.Duration.ofSeconds(5);

  private final PrintStream out;
  private final PrintStream err;
  private final boolean interactive;
  private volatile ApplicationId lastSubmitted;

  /** The command-line client: redraws its progress line in place when run on a terminal. */
  public YarnPsClient() {
    this(System.out, System.err);
  }

  /**
   * A client printing progress to {@code out} and errors to {@code err}; the progress line is
   * redrawn in place only when {@code out} is this process's standard output on a terminal.
   */
  public YarnPsClient(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
    this.interactive = out == System.out && System.console() != null;
  }

  /** The id of the application the last {@code submit} created, or null. */
  public ApplicationId lastSubmitted() {
    return lastSubmitted;
  }

  static String usage() {
    return String.join("\n",
        "usage: yarn jar yarnps.jar <command> [generic options] [args]",
        "commands:",
        "  submit [--no-wait] [--restore-from <checkpoint dir>]",
        "                       validate the job config, stage it and submit it; wait and show progress",
        "                       until it ends unless --no-wait (job config: -conf job.xml and/or -D key=value);",
        "                       --restore-from starts the job from a checkpoint (ckpt-<clock> directory) whose",
        "                       tables match the job's (names, widths, updaters); the output must be new",
        "  status <appId>       print the application's summary as JSON (with the ApplicationMaster's",
        "                       live status while it runs)",
        "  kill <appId>         kill the application",
        "  list [--all-users]   list your yarn-ps applications (type YARNPS), or everyone's",
        "  checkpoint <appId> [--reason text]",
        "                       ask the running application's ApplicationMaster for a checkpoint now and",
        "                       print its answer (exit 1 if the application is not running or refuses)",
        "  checkpoints <dir>    list the checkpoints under a directory (e.g. <output>/checkpoints), newest",
        "                       first; given one checkpoint (ckpt-<clock>), read and check every shard",
        "generic options: -D key=value, -conf file.xml, -libjars, -files, -fs, -jt",
        "exit codes: 0 succeeded or the command worked, 1 job failed or killed, 2 bad usage or invalid job,",
        "            3 cluster error, 4 no such application",
        "keys and defaults: conf/yarnps-default.xml");
  }

  @Override
  public int run(String[] args) throws Exception {
    if (args.length == 0) {
      err.println(usage());
      return EXIT_USAGE;
    }
    YarnConfiguration conf = new YarnConfiguration(getConf());
    try {
      switch (args[0]) {
        case "submit":
          return submit(conf, args);
        case "status":
          return withApp(conf, args, (yarn, id) -> {
            ApplicationReport r = yarn.getApplicationReport(id);
            out.println(StatusSummary.pretty(StatusSummary.of(r, conf, new AmStatusReader(AM_TIMEOUT))));
            return EXIT_OK;
          });
        case "kill":
          return withApp(conf, args, (yarn, id) -> {
            ApplicationReport r = yarn.getApplicationReport(id);
            if (ended(r.getYarnApplicationState())) {
              out.println(id + " already ended: " + r.getYarnApplicationState() + " / " + r.getFinalApplicationStatus());
              return EXIT_OK;
            }
            yarn.killApplication(id);
            out.println("killed " + id);
            return EXIT_OK;
          });
        case "list":
          return list(conf, args);
        case "checkpoint":
          return checkpoint(conf, args);
        case "checkpoints":
          if (args.length != 2) {
            err.println("checkpoints: expected one directory\n" + usage());
            return EXIT_USAGE;
          }
          return CheckpointCommands.list(conf, args[1], out, err);
        case "help":
        case "-h":
        case "--help":
          out.println(usage());
          return EXIT_OK;
        default:
          err.println("unknown command '" + args[0] + "'\n" + usage());
          return EXIT_USAGE;
      }
    } catch (ConfigException e) {
      err.println("invalid job: " + e.getMessage());
      return EXIT_USAGE;
    } catch (ApplicationNotFoundException e) {
      err.println("no such application: " + e.getMessage());
      return EXIT_NOT_FOUND;
    } catch (YarnException | IOException e) {
      err.println("cluster error: " + e.getMessage());
      return EXIT_CLUSTER;
    }
  }

  private int submit(Configuration conf, String[] args) throws IOException, YarnException, InterruptedException {
    boolean wait = true;
    String restoreFrom = null;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--no-wait")) {
        wait = false;
      } else if (args[i].equals("--restore-from") && i + 1 < args.length) {
        restoreFrom = args[++i];
      } else if (args[i].equals("--restore-from")) {
        err.println("submit: --restore-from needs a checkpoint directory\n" + usage());
        return EXIT_USAGE;
      } else {
        err.println("submit: unknown argument '" + args[i] + "'\n" + usage());
        return EXIT_USAGE;
      }
    }
    if (restoreFrom != null) {
      conf.set(PsKeys.RESTORE_FROM.name(), restoreFrom);
    }
    JobValidator.validate(conf);
    String restore = PsKeys.RESTORE_FROM.get(conf);
    if (restore != null && !restore.isBlank()) {
      String qualified = RestoreCheck.check(conf, restore.trim());
      conf.set(PsKeys.RESTORE_FROM.name(), qualified);
      out.println("restoring from " + qualified);
    }
    try (YarnClient yarn = startYarn(conf)) {
      ApplicationId id = new JobSubmitter(conf, yarn).submit();
      lastSubmitted = id;
      out.println("submitted " + id);
      if (!wait) {
        return EXIT_OK;
      }
      ApplicationReport report = new ReportPoller(yarn, conf, out, PsKeys.POLL_MS.get(conf), interactive,
          new AmStatusReader(AM_TIMEOUT)).waitForEnd(id);
      return report.getFinalApplicationStatus() == FinalApplicationStatus.SUCCEEDED ? EXIT_OK : EXIT_JOB_FAILED;
    }
  }

  /** {@code checkpoint <appId> [--reason text]}: asks the job's AM for a checkpoint now. */
  private int checkpoint(Configuration conf, String[] args) throws IOException, YarnException {
    String reason = "client checkpoint command by " + UserGroupInformation.getCurrentUser().getShortUserName();
    if (args.length == 4 && args[2].equals("--reason")) {
      reason = args[3];
    } else if (args.length != 2) {
      err.println("checkpoint: expected an application id and optionally --reason <text>\n" + usage());
      return EXIT_USAGE;
    }
    String why = reason;
    return withApp(conf, new String[] {args[0], args[1]}, (yarn, id) -> {
      ApplicationReport r = yarn.getApplicationReport(id);
      if (!JobSubmitter.APP_TYPE.equals(r.getApplicationType())) {
        err.println("checkpoint: " + id + " is not a yarn-ps application (type " + r.getApplicationType() + ")");
        return EXIT_USAGE;
      }
      String address;
      try {
        address = CheckpointCommands.amAddress(r);
      } catch (IllegalStateException e) {
        err.println("checkpoint: " + e.getMessage());
        return EXIT_JOB_FAILED;
      }
      int colon = address.lastIndexOf(':');
      String answer = CheckpointCommands.request(address.substring(0, colon),
          Integer.parseInt(address.substring(colon + 1)), why, CheckpointCommands.REQUEST_TIMEOUT_MS);
      out.println(id + ": " + answer);
      return CheckpointCommands.refused(answer) ? EXIT_JOB_FAILED : EXIT_OK;
    });
  }

  private interface AppCommand {
    int run(YarnClient yarn, ApplicationId id) throws IOException, YarnException;
  }

  private int withApp(Configuration conf, String[] args, AppCommand cmd) throws IOException, YarnException {
    if (args.length != 2) {
      err.println(args[0] + ": expected one application id\n" + usage());
      return EXIT_USAGE;
    }
    ApplicationId id;
    try {
      id = ApplicationId.fromString(args[1]);
    } catch (IllegalArgumentException e) {
      err.println(args[0] + ": '" + args[1] + "' is not an application id (application_<ts>_<n>)");
      return EXIT_USAGE;
    }
    try (YarnClient yarn = startYarn(conf)) {
      return cmd.run(yarn, id);
    }
  }

  /** {@code list [--all-users]}: the user's (or everyone's) applications of type YARNPS, in any state. */
  private int list(Configuration conf, String[] args) throws IOException, YarnException {
    boolean allUsers = false;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--all-users")) {
        allUsers = true;
      } else {
        err.println("list: unknown argument '" + args[i] + "'\n" + usage());
        return EXIT_USAGE;
      }
    }
    String user = UserGroupInformation.getCurrentUser().getShortUserName();
    GetApplicationsRequest req = GetApplicationsRequest.newInstance(Set.of(JobSubmitter.APP_TYPE));
    if (!allUsers) {
      req.setUsers(Set.of(user));
    }
    try (YarnClient yarn = startYarn(conf)) {
      List<ApplicationReport> apps = yarn.getApplications(req);
      if (apps.isEmpty()) {
        out.println("no yarn-ps applications" + (allUsers ? "" : " of user " + user));
        return EXIT_OK;
      }
      out.print(AppList.table(apps, System.currentTimeMillis(), r -> AmStatusReader.proxyUrl(r, conf)));
      return EXIT_OK;
    }
  }

  /** Whether an application in state s has ended (finished, failed or killed). */
  public static boolean ended(YarnApplicationState s) {
    return EnumSet.of(YarnApplicationState.FINISHED, YarnApplicationState.FAILED, YarnApplicationState.KILLED).contains(s);
  }

  private static YarnClient startYarn(Configuration conf) {
    YarnClient yarn = YarnClient.createYarnClient();
    yarn.init(conf);
    yarn.start();
    return yarn;
  }

  public static void main(String[] args) throws Exception {
    System.exit(ToolRunner.run(new Configuration(), new YarnPsClient(), args));
  }
}
