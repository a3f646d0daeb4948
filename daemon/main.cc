// sellertrustd: the ServerApplication. initialize() loads the configuration
// and logging; main() opens the backends, serves the last persisted results,
// starts the HTTP listeners and the scheduler, waits for SIGTERM/SIGINT and
// stops in order (HTTP, then jobs). Signals are blocked in the process's
// main() before any thread starts, so only Poco's waiting thread takes them.
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/PatternFormatter.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/LayeredConfiguration.h>
#include <Poco/Util/LoggingConfigurator.h>
#include <Poco/Util/MapConfiguration.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <Poco/Util/ServerApplication.h>

#include "daemon/api.h"
#include "daemon/backends.h"
#include "daemon/config.h"
#include "daemon/notify.h"
#include "daemon/reachability.h"
#include "daemon/revision.h"
#include "daemon/telemetry.h"
#include "jobs/demo/demo_marketplace.h"
#include "jobs/history_job.h"
#include "jobs/report.h"
#include "jobs/scheduler.h"
#include "jobs/score_job.h"

namespace sellertrust {
namespace {

// Hands the heap a run or a load freed back to the kernel: glibc keeps it
// otherwise, and a daemon serving between runs would hold its peak for ever.
void returnFreedMemory() { malloc_trim(0); }

using Poco::Util::Option;
using Poco::Util::OptionCallback;

constexpr int kMaxLoggedProblemsPerKind = 10;

Timestamp wallClock() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Raises the soft limit of open files to the hard one: every HTTP
// connection is a descriptor, and a shell's default of 1024 would cap the
// server well below http.max_connections. Warns when even that is short.
void raiseFileLimit(int connections, Poco::Logger& log) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) getrlimit(RLIMIT_NOFILE, &limit);
  }
  const rlim_t needed = static_cast<rlim_t>(connections) + 64;  // databases, logs, files
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    log.warning(
        "open files are limited to %lu, below the %lu that http.max_connections needs; "
        "raise LimitNOFILE or lower http.max_connections",
        static_cast<unsigned long>(limit.rlim_cur), static_cast<unsigned long>(needed));
  }
}

// One HTTP listener: a socket bound without SO_REUSEPORT (a second daemon on
// the same port must fail to start, not silently share the traffic) served
// by the event-loop server with the configured limits.
class Listener {
 public:
  Listener(const ListenerConfig& config, HttpHandler handler, Telemetry* telemetry) {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(config.host, static_cast<Poco::UInt16>(config.port)),
                /*reuseAddress=*/true, /*reusePort=*/false);
    socket.listen(config.backlog);
    HttpLimits limits;
    limits.threads = config.threads;
    limits.maxConnections = config.maxConnections;
    limits.requestTimeout = std::chrono::seconds(config.timeoutSeconds);
    limits.keepAliveTimeout = std::chrono::seconds(config.keepAliveSeconds);
    limits.keepAliveRequests = config.keepAliveSeconds > 0 ? config.keepAliveRequests : 0;
    server_ = std::make_unique<HttpServer>(socket, std::move(handler), limits, telemetry);
  }
  int port() const { return server_->port(); }
  void stop() { server_->stop(); }

 private:
  std::unique_ptr<HttpServer> server_;
};

class Daemon : public Poco::Util::ServerApplication {
 protected:
  void initialize(Application& self) override {
    if (!configPath_.empty()) loadConfiguration(configPath_);
    for (const auto& [key, value] : overrides_) config().setString(key, value);
    configureLogging();
    ServerApplication::initialize(self);
  }

  void defineOptions(Poco::Util::OptionSet& options) override {
    ServerApplication::defineOptions(options);
    options.addOption(Option("help", "h", "print this help and exit")
                          .callback(OptionCallback<Daemon>(this, &Daemon::onHelp)));
    options.addOption(Option("version", "V", "print the version and exit")
                          .callback(OptionCallback<Daemon>(this, &Daemon::onVersion)));
    options.addOption(Option("config", "c", "read the configuration from FILE (.properties)")
                          .argument("FILE")
                          .callback(OptionCallback<Daemon>(this, &Daemon::onConfig)));
    options.addOption(
        Option("set", "s", "override one configuration key, e.g. --set=http.port=9090")
            .argument("KEY=VALUE")
            .repeatable(true)
            .callback(OptionCallback<Daemon>(this, &Daemon::onSet)));
    options.addOption(Option("check-config", "",
                             "validate the configuration and exit (non-zero "
                             "with a message naming each bad key)")
                          .callback(OptionCallback<Daemon>(this, &Daemon::onCheckConfig)));
    options.addOption(Option("run-once", "",
                             "run one job (score or history), print a summary "
                             "and exit")
                          .argument("TASK")
                          .callback(OptionCallback<Daemon>(this, &Daemon::onRunOnce)));
    options.addOption(Option("full", "",
                             "with --run-once=score: read and score every seller, not "
                             "only those with changes since the last run")
                          .callback(OptionCallback<Daemon>(this, &Daemon::onFull)));
    options.addOption(Option("accept-shrink", "",
                             "with --run-once=score: publish the run (a full one) even if the "
                             "source lost more than jobs.score.max_shrink of the sellers or "
                             "window orders of the previous results")
                          .callback(OptionCallback<Daemon>(this, &Daemon::onAcceptShrink)));
    options.addOption(Option("demo", "",
                             "replace the SQLite source with a synthetic demo "
                             "marketplace (optional seed) and start from empty results")
                          .argument("SEED", false)
                          .callback(OptionCallback<Daemon>(this, &Daemon::onDemo)));
    options.addOption(Option("force", "",
                             "with --demo: replace a source or results that the demo did "
                             "not write")
                          .callback(OptionCallback<Daemon>(this, &Daemon::onForce)));
  }

  int main(const ArgVec& /*args*/) override {
    if (exitEarly_) return EXIT_OK;
    std::vector<std::string> errors;
    const DaemonConfig cfg = loadConfig(config(), &errors);
    if (!errors.empty()) {
      for (const std::string& e : errors) logger().error("configuration: " + e);
      std::cerr << "sellertrustd: invalid configuration (" << errors.size() << " problem"
                << (errors.size() == 1 ? "" : "s") << "):\n";
      for (const std::string& e : errors) std::cerr << "  " << e << "\n";
      return EXIT_CONFIG;
    }
    try {
      return serve(cfg);
    } catch (const Poco::Exception& e) {
      // displayText() carries the detail ("Address already in use: ...").
      logger().fatal("cannot start: " + e.displayText());
      std::cerr << "sellertrustd: " << e.displayText() << "\n";
      return EXIT_SOFTWARE;
    } catch (const std::exception& e) {
      logger().fatal(std::string("cannot start: ") + e.what());
      std::cerr << "sellertrustd: " << e.what() << "\n";
      return EXIT_SOFTWARE;
    }
  }

 private:
  std::shared_ptr<const Rules> currentRules() const {
    std::lock_guard<std::mutex> lock(rulesMutex_);
    return rules_;
  }
  void setCurrentRules(const Rules& rules) {
    std::lock_guard<std::mutex> lock(rulesMutex_);
    rules_ = std::make_shared<const Rules>(rules);
  }

  // Blocks until SIGTERM, SIGINT or SIGQUIT; calls onReload at each SIGHUP.
  // main() blocked these signals in every thread, so only this sigwait
  // takes them.
  template <typename OnReload>
  static void waitForSignals(OnReload onReload) {
    sigset_t signals;
    sigemptyset(&signals);
    for (int s : {SIGINT, SIGTERM, SIGQUIT, SIGHUP}) sigaddset(&signals, s);
    for (;;) {
      int signal = 0;
      if (sigwait(&signals, &signal) != 0) continue;
      if (signal != SIGHUP) return;
      onReload();
    }
  }

  // SIGHUP: reads the configuration file again, with the --set overrides.
  // New rules apply from the next score run (a full one); any other changed
  // key takes effect at the next restart, and the log names it. A file with
  // problems changes nothing: the log and a metric say why.
  void reload(ScoreJob& scoreJob, Telemetry& telemetry) {
    if (configPath_.empty()) {
      logger().warning("reload: no configuration file (--config) to read again");
      telemetry.recordConfigReload(false);
      return;
    }
    std::vector<std::string> errors;
    std::map<std::string, std::string> fresh;
    DaemonConfig next;
    try {
      Poco::AutoPtr<Poco::Util::LayeredConfiguration> layers(new Poco::Util::LayeredConfiguration);
      layers->add(new Poco::Util::PropertyFileConfiguration(configPath_), 0);
      Poco::AutoPtr<Poco::Util::MapConfiguration> sets(new Poco::Util::MapConfiguration);
      for (const auto& [key, value] : overrides_) sets->setString(key, value);
      layers->add(sets, -100);  // the command line wins, as at start-up
      next = loadConfig(*layers, &errors);
      fresh = settingsOf(*layers);
    } catch (const Poco::Exception& e) {
      errors.push_back(configPath_ + ": " + e.displayText());
    }
    if (!errors.empty()) {
      std::string list;
      for (const std::string& e : errors) list += (list.empty() ? "" : "; ") + e;
      logger().error("reload: " + configPath_ + " has " + std::to_string(errors.size()) +
                     " problem" + (errors.size() == 1 ? "" : "s") +
                     "; the running configuration stays: " + list);
      telemetry.recordConfigReload(false);
      return;
    }
    std::set<std::string> keys;
    for (const auto& entry : startSettings_) keys.insert(entry.first);
    for (const auto& entry : fresh) keys.insert(entry.first);
    std::string pending;
    for (const std::string& key : keys) {
      if (key.rfind("rules.", 0) == 0) continue;
      auto before = startSettings_.find(key);
      auto after = fresh.find(key);
      const bool same =
          before != startSettings_.end() && after != fresh.end() && before->second == after->second;
      if (!same) pending += (pending.empty() ? "" : ", ") + key;
    }
    if (!pending.empty()) {
      logger().warning("reload: changed keys that take effect at the next restart: " + pending);
    }
    const std::string was = rulesVersion(*currentRules());
    const std::string now = rulesVersion(next.rules);
    if (now != was) {
      setCurrentRules(next.rules);
      scoreJob.setRules(next.rules);
      logger().notice("reload: rules version " + was + " -> " + now +
                      "; the next score run applies them to every seller");
    } else {
      logger().information("reload: rules unchanged (version " + now + ")");
    }
    telemetry.recordConfigReload(true);
  }

  // Logs what the source lacks of the contract: a missing table or column
  // (runs fail) or index (runs are many times slower). Returns false when
  // the source cannot be read now, so that the caller tries again later.
  bool logSourceContract(Source& source) {
    try {
      const ContractReport contract = source.checkContract();
      for (const std::string& p : contract.problems) logger().warning("source contract: " + p);
      for (const std::string& n : contract.notes) logger().information("source contract: " + n);
      return true;
    } catch (const SourceError& e) {
      logger().warning(std::string("cannot check the source contract now (it is checked once "
                                   "the source answers): ") +
                       e.what());
      return false;
    }
  }

  // --check-config: the configuration is valid (main() checked it); now the
  // databases, reading only. Names every problem with the database's reason.
  int checkConfiguration(const DaemonConfig& cfg) {
    const BackendCheck check = checkBackends(cfg);
    for (const std::string& f : check.findings) std::cout << f << "\n";
    if (!check.problems.empty()) {
      std::cerr << "sellertrustd: the configuration is valid, but the databases are not ready ("
                << check.problems.size() << " problem" << (check.problems.size() == 1 ? "" : "s")
                << "):\n";
      for (const std::string& p : check.problems) std::cerr << "  " << p << "\n";
      return EXIT_CONFIG;
    }
    std::cout << "configuration OK (rules version " << rulesVersion(cfg.rules) << ")\n";
    return EXIT_OK;
  }

  // --demo: writes the demo marketplace into the SQLite source and starts
  // from empty results, unless the data directory holds data the demo did
  // not make (then only with --force). Returns 0, or the exit code.
  int writeDemo(const DaemonConfig& cfg) {
    if (cfg.sourceBackend != "sqlite" || cfg.resultsBackend != "sqlite") {
      std::cerr << "sellertrustd: --demo fills the embedded SQLite source and results; "
                   "source.backend and results.backend must be sqlite\n";
      return EXIT_USAGE;
    }
    const bool sourceExists = Poco::File(cfg.sqliteSource).exists();
    const bool ours = sourceExists && isDemoMarketplace(cfg.sqliteSource);
    const bool resultsExist = Poco::File(cfg.sqliteResults).exists();
    if (!force_ && ((sourceExists && !ours) || (!sourceExists && resultsExist))) {
      std::cerr << "sellertrustd: --demo would replace "
                << (sourceExists ? cfg.sqliteSource : cfg.sqliteResults)
                << ", which the demo did not write; choose another data.dir, or add --force to "
                   "replace it\n";
      return EXIT_USAGE;
    }
    Poco::File(cfg.dataDir).createDirectories();
    for (const char* suffix : {"", "-wal", "-shm"}) {
      Poco::File results(cfg.sqliteResults + suffix);
      if (results.exists()) results.remove();
    }
    const auto started = std::chrono::steady_clock::now();
    const DemoSummary demo = generateDemoMarketplace(cfg.sqliteSource, *demoSeed_, wallClock());
    logger().information(
        "demo marketplace written to " + cfg.sqliteSource + " in " +
        std::to_string(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()) +
        " s: " + demo.line());
    return 0;
  }

  int serve(const DaemonConfig& cfg) {
    if (full_ && runOnce_ != "score") {
      std::cerr << "sellertrustd: --full goes with --run-once=score (the scheduled score job "
                   "runs in full every jobs.score.full_interval_seconds)\n";
      return EXIT_USAGE;
    }
    if (force_ && !demoSeed_) {
      std::cerr << "sellertrustd: --force goes with --demo\n";
      return EXIT_USAGE;
    }
    if (acceptShrink_ && runOnce_ != "score") {
      std::cerr << "sellertrustd: --accept-shrink goes with --run-once=score (a running daemon "
                   "accepts at its next score run when <data.dir>/accept-shrink exists)\n";
      return EXIT_USAGE;
    }
    if (!runOnce_.empty() && runOnce_ != "score" && runOnce_ != "history") {
      std::cerr << "sellertrustd: --run-once: unknown task '" << runOnce_
                << "' (expected score or history)\n";
      return EXIT_USAGE;
    }
    if (checkConfig_) return checkConfiguration(cfg);
    if (demoSeed_) {
      if (const int refused = writeDemo(cfg)) return refused;
    }
    Poco::File(cfg.dataDir).createDirectories();
    Backends backends = openBackends(cfg);
    Telemetry telemetry(SELLERTRUST_VERSION, SELLERTRUST_REVISION, rulesVersion(cfg.rules));
    ObservedSource source(*backends.source, [&](bool up) {
      sourceUp_ = up;
      telemetry.setSourceUp(up);
    });
    ObservedStore store(*backends.results, [&](bool up) { telemetry.setResultsUp(up); });
    logger().information("instance " + cfg.instanceName + ": " + backends.description);
    store.migrate();
    // A source that is down at start-up must not keep the daemon from
    // serving its persisted results: the runs will report it.
    bool contractChecked = logSourceContract(source);
    source.ping();

    setCurrentRules(cfg.rules);
    startSettings_ = settingsOf(config());
    SnapshotHolder snapshots;
    const auto historySince = [&](Timestamp now) {
      return now - static_cast<Timestamp>(cfg.historyRetentionDays) * kSecondsPerDay;
    };
    ScoreJob::Options scoreOptions;
    scoreOptions.keepDays = cfg.historyRetentionDays;
    scoreOptions.changeOverlapSeconds = cfg.scoreChangeOverlapSeconds;
    scoreOptions.fullEverySeconds = cfg.scoreFullIntervalSeconds;
    scoreOptions.maxShrink = cfg.scoreMaxShrink;
    scoreOptions.fullReadShare = backends.fullReadShare;
    scoreOptions.bucketsFile = cfg.dataDir + "/score-buckets";
    ScoreJob scoreJob(&source, &store, &snapshots, cfg.rules, scoreOptions);
    // Publishes the persisted results if they are newer than what is served:
    // at start-up, on a reader at every run, and on a writer that just took
    // over from another daemon (its warnings and badges continue from there).
    const auto refreshFromStore = [&](Timestamp now) -> bool {
      const std::shared_ptr<const Snapshot> current = snapshots.current();
      if (current) {
        const std::optional<Timestamp> latest = store.latestRunAt();
        if (!latest || *latest <= current->computedAt) return false;
      }
      std::shared_ptr<Snapshot> last = store.loadSnapshot(historySince(now));
      if (!last) return false;
      last->rules = currentRules();
      // One copy in memory: the job continues from what is served.
      scoreJob.resumeFrom(last);
      snapshots.publish(last);
      telemetry.publishSnapshot(*last);
      returnFreedMemory();
      return true;
    };
    try {
      if (refreshFromStore(wallClock())) {
        logger().information("serving the results persisted at " +
                             formatRfc3339(snapshots.current()->computedAt));
      }
    } catch (const SourceError& e) {
      logger().warning(std::string("cannot load the persisted results yet: ") + e.what());
    }

    HistoryJob historyJob(&store, &snapshots, cfg.historyRetentionDays);
    // The operator's word that the next score run may lose more than
    // jobs.score.max_shrink (the run removes the file).
    const std::string acceptShrinkFile = cfg.dataDir + "/accept-shrink";
    JobSpec scoreSpec{
        "score", std::chrono::seconds(cfg.scoreIntervalSeconds),
        std::chrono::seconds(cfg.scoreTimeoutSeconds),
        [&](Timestamp now, const CancelToken& cancel) {
          try {
            // One writer per results database; the others
            // serve what it persists and take over when it dies.
            const bool wasWriter = writer_;
            writer_ = store.acquireWriterLock();
            telemetry.setWriter(writer_);
            if (writer_ != wasWriter) {
              logger().notice(writer_
                                  ? "this daemon is now the writer of the results database"
                                  : "another daemon writes the results now; serving its results");
            }
            if (!writer_) {
              if (source.ping() && !contractChecked) contractChecked = logSourceContract(source);
              const bool loaded = refreshFromStore(now);
              return JobOutcome{0, loaded ? "reader: loaded the writer's new results"
                                          : "reader: results unchanged"};
            }
            refreshFromStore(now);
            const bool acceptFile = Poco::File(acceptShrinkFile).exists();
            const ScoreRunSummary s =
                scoreJob.run(now, cancel, full_ ? RunKind::kFull : RunKind::kIncremental,
                             acceptShrink_ || acceptFile);
            returnFreedMemory();
            if (acceptFile) removeAcceptShrinkFile(acceptShrinkFile, s);
            if (!contractChecked) contractChecked = logSourceContract(source);
            recordScoreRun(s);
            telemetry.recordScoreRun(
                s.kind, s.sellersRecomputed,
                s.watermarkLag ? std::optional<double>(*s.watermarkLag) : std::nullopt);
            telemetry.recordRowsRead(s.rowsRead);
            // An incremental run sees only the bad rows of the sellers it read.
            if (s.kind == RunKind::kFull) telemetry.recordRowsSkipped(s.problems);
            logProblems(s.problems);
            telemetry.publishSnapshot(*snapshots.current());
            return JobOutcome{s.totalRowsRead(), s.line()};
          } catch (const RunRefused& e) {
            telemetry.recordScoreRefused(e.reason());
            throw RunRefused(
                e.reason(),
                std::string(e.what()) + "; if the loss is real, " +
                    (runOnce_.empty() ? "touch " + acceptShrinkFile +
                                            " to publish the next run anyway (the daemon "
                                            "removes the file), or stop the daemon and run "
                                            "sellertrustd --run-once=score --accept-shrink"
                                      : std::string("add --accept-shrink to publish it anyway")));
          }
        }};
    JobSpec historySpec{"history", std::chrono::seconds(cfg.historyIntervalSeconds),
                        std::chrono::seconds(cfg.scoreTimeoutSeconds),
                        [&](Timestamp now, const CancelToken&) {
                          if (!store.acquireWriterLock()) {
                            return JobOutcome{0, "reader: the writer keeps the history"};
                          }
                          const HistoryRunSummary s = historyJob.run(now);
                          return JobOutcome{0, s.line()};
                        }};

    if (!runOnce_.empty()) {
      const JobSpec* spec = runOnce_ == "score" ? &scoreSpec : &historySpec;
      if (!store.acquireWriterLock()) {
        std::cerr << "sellertrustd: another sellertrustd holds the writer lock of the results "
                     "database ("
                  << backends.description
                  << "); --run-once writes results and "
                     "does not run beside it\n";
        return EXIT_TEMPFAIL;
      }
      CancelToken never;
      const RunReport r = Scheduler::runOnce(*spec, wallClock(), never);
      std::cout << r.task << ": " << (r.success ? "ok" : "failed") << " in " << r.seconds
                << " s: " << (r.success ? r.outcome.summary : r.error) << "\n";
      return r.success ? EXIT_OK : EXIT_TEMPFAIL;
    }

    const auto watchdog = systemdWatchdogInterval();
    const auto heartbeatEvery =
        watchdog.count() > 0
            ? std::min<std::chrono::milliseconds>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(watchdog / 2),
                  std::chrono::milliseconds(1000))
            : std::chrono::milliseconds(1000);
    std::atomic<bool> ready{false};
    auto sendReady = [&](const std::string& status) {
      if (!ready.exchange(true)) notifySystemd("READY=1\nSTATUS=" + status);
    };
    Scheduler scheduler(
        wallClock,
        [&](const RunReport& r) {
          telemetry.recordJobRun(r.task, r.success, r.seconds, static_cast<double>(r.finishedAt));
          if (r.success) {
            logger().information(r.task + " run ok in " + std::to_string(r.seconds) +
                                 " s: " + r.outcome.summary);
          } else {
            logger().error(r.task + " run failed after " + std::to_string(r.seconds) +
                           " s: " + r.error);
          }
          if (r.task == "score") {
            sendReady(r.success ? "serving fresh results" : "first run failed: " + r.error);
          }
        },
        [&] {
          if (watchdog.count() > 0) notifySystemd("WATCHDOG=1");
        },
        heartbeatEvery);
    scheduler.add(scoreSpec);
    scheduler.add(historySpec);

    // The scheduler exists before the listeners (GET /v1/status reads it)
    // and starts after them.
    ApiContext context;
    context.snapshots = &snapshots;
    context.telemetry = &telemetry;
    context.now = wallClock;
    context.status = [&] { return status(cfg, scheduler); };
    raiseFileLimit(cfg.http.maxConnections * (cfg.metricsPort >= 0 ? 2 : 1), logger());
    Listener api(cfg.http, makeApiHandler(context, cfg.api), &telemetry);
    std::unique_ptr<Listener> metrics;
    if (cfg.metricsPort >= 0) {
      ListenerConfig m = cfg.http;
      m.host = cfg.metricsHost;
      m.port = cfg.metricsPort;
      m.threads = 1;
      ApiOptions metricsOnly = cfg.api;
      metricsOnly.serveMetrics = true;
      metricsOnly.serveApi = false;
      metrics = std::make_unique<Listener>(m, makeApiHandler(context, metricsOnly), &telemetry);
    }
    logger().information("listening on http://" + cfg.http.host + ":" + std::to_string(api.port()) +
                         (metrics ? ", metrics on port " + std::to_string(metrics->port()) : ""));

    scheduler.start();
    if (snapshots.current()) sendReady("serving persisted results");

    waitForSignals([&] {
      notifySystemd("RELOADING=1");
      reload(scoreJob, telemetry);
      notifySystemd("READY=1");
    });
    logger().information("stopping");
    notifySystemd("STOPPING=1");
    api.stop();
    if (metrics) metrics->stop();
    scheduler.stop();
    logger().information("stopped");
    return EXIT_OK;
  }

  DaemonStatus status(const DaemonConfig& cfg, const Scheduler& scheduler) const {
    DaemonStatus s;
    s.version = SELLERTRUST_VERSION;
    s.revision = SELLERTRUST_REVISION;
    s.rulesVersion = rulesVersion(*currentRules());
    s.instance = cfg.instanceName;
    s.writer = writer_;
    s.sourceBackend = cfg.sourceBackend;
    s.resultsBackend = cfg.resultsBackend;
    s.sourceReachable = sourceUp_;
    {
      std::lock_guard<std::mutex> lock(scoreStatusMutex_);
      s.lastScoreRun = lastScoreRun_;
    }
    s.jobs = scheduler.states();
    return s;
  }

  // The run after `touch <data.dir>/accept-shrink` was saved: the file
  // has done its work. One that cannot be removed would accept every run.
  void removeAcceptShrinkFile(const std::string& path, const ScoreRunSummary& s) {
    try {
      Poco::File(path).remove();
      logger().notice("score run published as " + path + " asked" +
                      (s.shrinkAccepted.empty() ? std::string(" (it lost no more than allowed)")
                                                : "; it lost " + s.shrinkAccepted) +
                      "; removed the file");
    } catch (const Poco::Exception& e) {
      logger().error("cannot remove " + path + ": " + e.displayText() +
                     "; every score run publishes whatever the source lost until it is removed");
    }
  }

  // Logs each kind of bad source row once per run: the first keys and a count.
  void logProblems(const std::vector<RowProblem>& problems) {
    std::map<std::pair<std::string, std::string>, std::vector<std::int64_t>> kinds;
    for (const RowProblem& p : problems) kinds[{p.table, p.problem}].push_back(p.key);
    for (const auto& [kind, keys] : kinds) {
      std::string list;
      for (std::size_t i = 0; i < keys.size() && i < kMaxLoggedProblemsPerKind; ++i) {
        list += (i ? ", " : "") + std::to_string(keys[i]);
      }
      if (keys.size() > kMaxLoggedProblemsPerKind) list += ", ...";
      logger().warning("skipped " + std::to_string(keys.size()) + " " + kind.first +
                       " row(s): " + kind.second + " (keys " + list + ")");
    }
  }

  void configureLogging() {
    if (config().has("logging")) {
      Poco::Util::LoggingConfigurator().configure(configPtr());
      return;
    }
    // Under systemd the journal stamps each line: no timestamp of our own.
    const bool journal =
        std::getenv("JOURNAL_STREAM") != nullptr || std::getenv("INVOCATION_ID") != nullptr;
    Poco::AutoPtr<Poco::PatternFormatter> formatter(
        new Poco::PatternFormatter(journal ? "<%l>%s: %t" : "%Y-%m-%d %H:%M:%S %p %s: %t"));
    Poco::AutoPtr<Poco::ConsoleChannel> console(new Poco::ConsoleChannel(std::cerr));
    Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter, console));
    Poco::Logger::root().setChannel(channel);
    logger().setChannel(channel);
  }

  void onHelp(const std::string&, const std::string&) {
    Poco::Util::HelpFormatter help(options());
    help.setCommand(commandName());
    help.setUsage("[OPTIONS]");
    help.setHeader(
        "sellertrustd computes seller trust scores, badges and warnings from a "
        "marketplace's orders and serves them over HTTP.");
    help.format(std::cout);
    exitEarly_ = true;
    stopOptionsProcessing();
  }
  void onVersion(const std::string&, const std::string&) {
    std::cout << "sellertrustd " << SELLERTRUST_VERSION << " (revision " << SELLERTRUST_REVISION
              << ", rules formula " << kFormulaVersion << ")\n";
    exitEarly_ = true;
    stopOptionsProcessing();
  }
  void onConfig(const std::string&, const std::string& value) { configPath_ = value; }
  void onSet(const std::string&, const std::string& value) {
    const auto eq = value.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Poco::InvalidArgumentException("--set expects KEY=VALUE, got '" + value + "'");
    }
    overrides_[value.substr(0, eq)] = value.substr(eq + 1);
  }
  void onCheckConfig(const std::string&, const std::string&) { checkConfig_ = true; }
  void onRunOnce(const std::string&, const std::string& value) { runOnce_ = value; }
  void onFull(const std::string&, const std::string&) { full_ = true; }
  void onForce(const std::string&, const std::string&) { force_ = true; }
  void onAcceptShrink(const std::string&, const std::string&) { acceptShrink_ = true; }
  void onDemo(const std::string&, const std::string& value) {
    demoSeed_ = value.empty() ? 42 : std::stoull(value);
  }

  std::string configPath_;
  std::map<std::string, std::string> overrides_;
  bool exitEarly_ = false;
  bool checkConfig_ = false;
  std::string runOnce_;
  bool full_ = false;
  bool force_ = false;
  bool acceptShrink_ = false;
  std::optional<std::uint64_t> demoSeed_;
  // The last successful score run, for /v1/status.
  mutable std::mutex scoreStatusMutex_;
  std::optional<DaemonStatus::ScoreRun> lastScoreRun_;

  void recordScoreRun(const ScoreRunSummary& s) {
    std::lock_guard<std::mutex> lock(scoreStatusMutex_);
    lastScoreRun_ =
        DaemonStatus::ScoreRun{runKindName(s.kind), s.sellersRecomputed, s.totalRowsRead()};
  }
  std::atomic<bool> sourceUp_{true};  // as of the last score run
  std::atomic<bool> writer_{false};   // holds the results database's writer lock
  mutable std::mutex rulesMutex_;
  std::shared_ptr<const Rules> rules_;  // the rules in use (a reload changes them)
  // The keys in effect since start-up: a reload reports the others it finds
  // changed as pending a restart.
  std::map<std::string, std::string> startSettings_;
};

}  // namespace
}  // namespace sellertrust

int main(int argc, char** argv) {
  // One malloc arena for every thread. With one per thread (glibc's
  // default), what a reader session's thread allocated stays in its own
  // arena after the run hands it on, and the rest of the run cannot reuse
  // it: a full run on two sessions peaked 12 MiB higher (250.8 against
  // 233.0 MiB at 100 k sellers), at the same speed. So the read needs no
  // trim of its own; returnFreedMemory() trims once a run is over.
  mallopt(M_ARENA_MAX, 1);
  // A fixed mmap threshold: glibc's default raises it to the largest block
  // freed so far (up to 32 MiB), after which a run's large buffers come
  // from the heap and leave holes it cannot hand back. Fixed at its
  // initial 128 KiB, a full run on results of 100 k sellers peaked 9 MiB
  // lower (248.7 against 258.3 MiB), at the same speed.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  // Block the termination signals before any thread exists, so every thread
  // inherits the mask and only waitForSignals()'s sigwait takes them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGQUIT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  sellertrust::Daemon daemon;
  return daemon.run(argc, argv);
}
