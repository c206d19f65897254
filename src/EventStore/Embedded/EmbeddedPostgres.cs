using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace YoungCarers.EventStore.Embedded;

/// <summary>
/// A local PostgreSQL cluster run from the machine's installed server binaries, for running the
/// service and the tests with no database configured. It listens on 127.0.0.1 only, with trust
/// authentication for the local superuser, so it is a development and test default, not a
/// production deployment. When started as root it runs the server as the <c>postgres</c> user,
/// because PostgreSQL refuses to run as root.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string SuperUser = "postgres";
    private const string ServiceAccount = "postgres";
    private const string GlibcTunables = "GLIBC_TUNABLES";
    private static readonly TimeSpan StartingLockTimeout = TimeSpan.FromMinutes(5);
    private readonly EmbeddedPostgresOptions _options;
    private readonly string _binDirectory;
    private readonly bool _startedHere;
    private bool _stopped;

    private EmbeddedPostgres(EmbeddedPostgresOptions options, string binDirectory, int port, bool startedHere)
    {
        _options = options;
        _binDirectory = binDirectory;
        _startedHere = startedHere;
        Port = port;
    }

    public int Port { get; }

    public string DataDirectory => _options.DataDirectory;

    /// <summary>A connection string for the given database on this cluster.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username={SuperUser};Database={database};Include Error Detail=true";

    /// <summary>
    /// Starts the cluster, initialising the data directory first if it is new. If a server is
    /// already running on this data directory (say, left by a process that was killed), it is
    /// reused rather than started twice. Processes starting one data directory at the same time take
    /// turns (a lock file beside it), so the later ones reuse the server the first started.
    /// </summary>
    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var binDirectory = options.BinDirectory ?? FindBinDirectory();
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        options = options with { DataDirectory = dataDirectory };

        await PrepareDirectoryAsync(dataDirectory, cancellationToken);

        // Held until the server is up: a second process (the replay command run beside the service,
        // say) must neither initialise the directory again nor take initdb's own single-user server
        // for a running cluster.
        await using var starting = await LockStartingAsync(dataDirectory, cancellationToken);
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            await InitialiseAsync(binDirectory, dataDirectory, options.Disposable, cancellationToken);
        }

        if (await RunningPortAsync(binDirectory, dataDirectory, cancellationToken) is { } runningPort)
        {
            return new EmbeddedPostgres(options, binDirectory, runningPort, startedHere: false);
        }

        var port = options.Port == 0 ? FreePort() : options.Port;
        var serverOptions = new StringBuilder().Append(CultureInfo.InvariantCulture, $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''");
        var settings = new Dictionary<string, string>(options.Settings);
        if (options.Disposable)
        {
            settings.TryAdd("fsync", "off");
            settings.TryAdd("synchronous_commit", "off");
            settings.TryAdd("full_page_writes", "off");
        }

        settings.TryAdd("max_connections", "200");
        settings.TryAdd("shared_buffers", SharedBuffers());
        // Appends and access-log rows land in indexes in random key order, so after a checkpoint
        // almost every row carries a full page image into the WAL: compress those images, and
        // checkpoint less often than PostgreSQL's conservative defaults.
        settings.TryAdd("wal_compression", "lz4");
        settings.TryAdd("max_wal_size", "2GB");
        settings.TryAdd("checkpoint_timeout", "15min");
        // Ingest locks each identifier a batch names (about 800 for 1,000 events): room for
        // concurrent batches without falling back to one global lock.
        settings.TryAdd("max_locks_per_transaction", "256");
        // Short statements whose cost estimates can still pass jit_above_cost: compiling them costs more than running them.
        settings.TryAdd("jit", "off");
        foreach (var (name, value) in settings)
        {
            serverOptions.Append(CultureInfo.InvariantCulture, $" -c {name}={value}");
        }

        // Inside the data directory: the server account may not write anywhere else.
        var logFile = Path.Combine(dataDirectory, "server.log");
        await RunAsync(binDirectory, "pg_ctl",
            ["start", "-D", dataDirectory, "-w", "-t", "120", "-l", logFile, "-o", serverOptions.ToString()],
            cancellationToken, logFileOnFailure: logFile, environment: ServerEnvironment());
        return new EmbeddedPostgres(options, binDirectory, port, startedHere: true);
    }

    /// <summary>
    /// Stops the server if this instance started it (fast shutdown: sessions are ended, data is kept).
    /// Once stopped, later calls do nothing, so an owner may stop it on every way out.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_startedHere && !_stopped)
        {
            await RunAsync(_binDirectory, "pg_ctl", ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60"], cancellationToken);
            _stopped = true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_options.Disposable)
        {
            DeleteFiles(DataDirectory);
        }
    }

    /// <summary>Deletes a stopped cluster's data directory and the lock file beside it; nothing if they are gone already.</summary>
    public static void DeleteFiles(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }

        File.Delete(LockFile(dataDirectory));
    }

    private static string FindBinDirectory()
    {
        const string Root = "/usr/lib/postgresql";
        var candidates = Directory.Exists(Root)
            ? Directory.GetDirectories(Root)
                .Select(directory => (Directory: Path.Combine(directory, "bin"), Version: int.TryParse(Path.GetFileName(directory), out var v) ? v : 0))
                .Where(candidate => File.Exists(Path.Combine(candidate.Directory, "initdb")))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Directory)
                .ToList()
            : [];
        return candidates.FirstOrDefault() ?? throw new EmbeddedPostgresException(
            $"No PostgreSQL server binaries were found under {Root} (install the postgresql package), " +
            "and none were configured; or configure a connection string to use an existing server.");
    }

    private static async Task PrepareDirectoryAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataDirectory);
        if (IsRoot)
        {
            await RunProcessAsync("chown", [$"{ServiceAccount}:{ServiceAccount}", dataDirectory], cancellationToken);
        }

        // initdb insists on a private data directory.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// Takes the lock file beside the data directory (an advisory lock the operating system drops
    /// if this process dies), waiting while another process holds it.
    /// </summary>
    private static async Task<FileStream> LockStartingAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var path = LockFile(dataDirectory);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < StartingLockTimeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
            catch (IOException e)
            {
                throw new EmbeddedPostgresException(
                    $"Another process has been starting the PostgreSQL cluster in {dataDirectory} for over {StartingLockTimeout.TotalMinutes:N0} minutes (it holds {path}): {e.Message}");
            }
        }
    }

    private static string LockFile(string dataDirectory) => Path.TrimEndingDirectorySeparator(dataDirectory) + ".lock";

    private static Task InitialiseAsync(string binDirectory, string dataDirectory, bool disposable, CancellationToken cancellationToken)
    {
        // Collation C sorts UTF-8 text in the order C.UTF-8 does (by code point), but PostgreSQL
        // recognises only C as byte order: every other collation compares through strcoll and
        // sorts without abbreviated keys, which made each text key of the store's indexes (stream,
        // source event, identifier, family) cost a quarter more to insert and twice as much to
        // sort. Character classes stay C.UTF-8, so lower() still folds accented names.
        var arguments = new List<string>
        {
            "-D", dataDirectory, "-U", SuperUser, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--lc-collate=C", "--no-instructions",
        };
        if (disposable)
        {
            arguments.Add("--no-sync");
        }

        return RunAsync(binDirectory, "initdb", arguments, cancellationToken);
    }

    /// <summary>Whether a server is running on this data directory.</summary>
    public static async Task<bool> IsRunningAsync(string dataDirectory, CancellationToken cancellationToken = default) =>
        await RunningPortAsync(FindBinDirectory(), dataDirectory, cancellationToken) is not null;

    /// <summary>The port of a server already running on this data directory, if there is one.</summary>
    private static async Task<int?> RunningPortAsync(string binDirectory, string dataDirectory, CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var status = await RunProcessAsync(Path.Combine(binDirectory, "pg_ctl"), ["status", "-D", dataDirectory], cancellationToken, throwOnFailure: false, asServiceAccount: true);
        if (status.ExitCode != 0)
        {
            return null;
        }

        // postmaster.pid: line 1 is the process id, negative for a single-user server (such as
        // initdb's), which takes no connections and writes the default port; line 4 is the port.
        var lines = await File.ReadAllLinesAsync(pidFile, cancellationToken);
        return lines.Length > 3
            && int.TryParse(lines[0], CultureInfo.InvariantCulture, out var pid) && pid > 0
            && int.TryParse(lines[3], CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    private static async Task RunAsync(
        string binDirectory,
        string tool,
        IReadOnlyList<string> arguments,
        CancellationToken cancellationToken,
        string? logFileOnFailure = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var result = await RunProcessAsync(Path.Combine(binDirectory, tool), arguments, cancellationToken, throwOnFailure: false, asServiceAccount: true, environment);
        if (result.ExitCode != 0)
        {
            var log = logFileOnFailure is not null && File.Exists(logFileOnFailure) ? await File.ReadAllTextAsync(logFileOnFailure, cancellationToken) : "";
            throw new EmbeddedPostgresException($"{tool} failed with exit code {result.ExitCode}: {result.Output}{log}");
        }
    }

    private static async Task<ProcessResult> RunProcessAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        CancellationToken cancellationToken,
        bool throwOnFailure = true,
        bool asServiceAccount = false,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (asServiceAccount && IsRoot)
        {
            start.FileName = "runuser";
            foreach (var argument in (string[])["-u", ServiceAccount, "--", fileName])
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start.FileName = fileName;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new EmbeddedPostgresException($"Could not start {fileName}.");
        process.StandardInput.Close();
        // pg_ctl start leaves the server holding its own output streams; read to end only for other tools.
        var output = ReadOutputAsync(process);
        await process.WaitForExitAsync(cancellationToken);
        var text = await output;
        if (throwOnFailure && process.ExitCode != 0)
        {
            throw new EmbeddedPostgresException($"{fileName} failed with exit code {process.ExitCode}: {text}");
        }

        return new ProcessResult(process.ExitCode, text);
    }

    private static async Task<string> ReadOutputAsync(Process process)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        return (await stdout) + (await stderr);
    }

    /// <summary>
    /// The server's environment. Unless the caller has tuned the C library's allocator already,
    /// backends keep the heap memory they have touched: with glibc's defaults every statement that
    /// needs more than 128 kB gets fresh pages from the kernel and hands them back when it ends. On
    /// the virtual machines measured a page fault costs about 11 µs, so those faults were a tenth or
    /// more of the server's CPU in a file replay. A backend keeps up to its own peak (below the
    /// 256 MB trim threshold) and grows its heap 8 MB at a time; blocks over 32 MB (large sorts,
    /// index builds) still go back at once.
    /// </summary>
    private static Dictionary<string, string> ServerEnvironment() =>
        Environment.GetEnvironmentVariable(GlibcTunables) is not null
            ? new Dictionary<string, string>()
            : new Dictionary<string, string>
            {
                [GlibcTunables] = "glibc.malloc.trim_threshold=268435456:glibc.malloc.mmap_threshold=33554432:glibc.malloc.top_pad=8388608",
            };

    /// <summary>
    /// A sixteenth of the memory available to this process, between PostgreSQL's default of 128 MB
    /// and 256 MB. The default leaves the read model's hot rows to be copied in from the operating
    /// system's cache on every read. More is slower on these virtual machines: every backend maps
    /// each shared buffer it touches with a 4 kB page fault of its own, at 10 µs or more a fault,
    /// so with 1 GB the backends of a long replay or rebuild spent seconds faulting while the
    /// operating system's cache held the same data anyway.
    /// </summary>
    private static string SharedBuffers()
    {
        const long MiB = 1024 * 1024;
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return $"{Math.Clamp(available / 16 / MiB, 128, 256).ToString(CultureInfo.InvariantCulture)}MB";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsRoot => Environment.UserName == "root";

    private sealed record ProcessResult(int ExitCode, string Output);
}

public sealed class EmbeddedPostgresException(string message) : Exception(message);
