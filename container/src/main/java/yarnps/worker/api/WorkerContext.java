package yarnps.worker.api;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/** What a worker's {@link PsJob} sees of the job: config, its input, the servers and the AM. */
public interface WorkerContext {

  /** The job configuration as submitted (core yarnps.* keys and the job's own). */
  Configuration conf();

  /** This worker's index, 0 .. numWorkers() - 1. */
  int workerIndex();

  int numWorkers();

  /** The job's file system (HDFS on a cluster). */
  FileSystem fileSystem() throws IOException;

  /**
   * The splits of the named input assigned to this worker: {@code "train"} is
   * {@code yarnps.input.train} divided among the workers, {@code "test"} is {@code yarnps.input.test}
   * divided likewise. Empty when this worker got none.
   */
  List<InputSplit> splits(String input) throws IOException;

  /** Every split of the named input, whichever worker it was given to (for evaluation on one worker). */
  List<InputSplit> allSplits(String input) throws IOException;

  /** Opens a split for reading lines; gzip and other Hadoop codecs are decompressed transparently. */
  LineReader openLines(InputSplit split) throws IOException;

  /**
   * Reports that the current line of {@code at} could not be parsed. Under
   * {@code yarnps.input.malformed=skip} the line is counted (metric {@code malformed_lines}) and the
   * call returns; under {@code fail} it throws a {@link MalformedInputException} naming the file,
   * line and reason, which fails the job.
   */
  void malformed(LineReader at, String reason) throws MalformedInputException, IOException;

  /** Malformed lines skipped so far by this worker. */
  long malformedCount();

  /** The parameter client: asynchronous range push and pull to the servers. */
  ParameterClient params();

  /** This worker's fraction of work done, 0..1, shown as the job's progress. */
  void progress(double fraction);

  /** Sets a named gauge sent with the next heartbeat (examples processed, ...). */
  void gauge(String name, double value);

  /** Reports a point of the job's metric series (training loss at a clock, ...). */
  void report(long clock, Map<String, Double> metrics) throws IOException;

  /**
   * Reports the job's result (test AUC, loss, model path); the AM records it and writes it to
   * {@code <output>/_metrics.json}. Usually called by one worker at the end.
   */
  void reportFinal(Map<String, Double> metrics, Map<String, String> labels) throws IOException;

  /** Blocks until every worker called {@code barrier} with the same name. */
  void barrier(String name) throws IOException, InterruptedException;

  /**
   * The clock this run of the job starts at: 0 for a fresh job. A job restored from a checkpoint,
   * a replacement of a lost worker, and a run after a rollback start later: the parameters already
   * hold every push of the clocks before it, so the job skips that work (for example the first
   * resumeClock minibatches) and goes on from there. {@link ParameterClient#clock()} starts here.
   * The job's code must be deterministic in what it does per clock for the skip to be exact.
   */
  long resumeClock();
}
