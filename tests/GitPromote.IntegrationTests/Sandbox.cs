using System.Diagnostics;
using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

public sealed record Run(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}

/// <summary>
/// A throw-away world for one test: its own HOME and git config (the machine's are never read or touched),
/// bare repositories standing for the environments' remotes, and clones wired with the installed hooks.
/// </summary>
public sealed class Sandbox : IDisposable
{

    private readonly InstalledGitPromote _installed;
    private int _commits;

    public Sandbox(InstalledGitPromote installed)
    {
        _installed = installed;
        Root = Path.Combine(Path.GetTempPath(), "gp-" + Guid.NewGuid().ToString("N")[..10]);
        Home = Path.Combine(Root, "home");
        Directory.CreateDirectory(Home);
        GlobalConfig = Path.Combine(Home, ".gitconfig");
        File.WriteAllText(GlobalConfig,
            "[user]\n\tname = Dana Developer\n\temail = dana@example.com\n[init]\n\tdefaultBranch = main\n[protocol \"file\"]\n\tallow = always\n");
    }

    public string Root { get; }
    public string Home { get; }
    public string GlobalConfig { get; }

    /// <summary>
    /// The sandbox's system config file. Every process gets GIT_CONFIG_SYSTEM pointing here, so even a write with
    /// <c>--system</c> never reaches the machine's; git reads it only after <see cref="UseSystemConfig"/>.
    /// </summary>
    public string SystemConfig => Path.Combine(Root, "etc", "gitconfig");

    /// <summary>Lets git read <see cref="SystemConfig"/> (by default the system level is not read at all).</summary>
    public void UseSystemConfig()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(SystemConfig)!);
        if (!File.Exists(SystemConfig)) File.WriteAllText(SystemConfig, "");
        Environment["GIT_CONFIG_NOSYSTEM"] = null;
    }
    public InstalledGitPromote Installed => _installed;

    /// <summary>Extra environment for every process of this sandbox (e.g. PROMOTE_BYPASS for one push).</summary>
    public Dictionary<string, string?> Environment { get; } = new();

    public string Bare(string name, params string[] initArgs)
    {
        var path = Path.Combine(Root, name + ".git");
        Git(Root, ["init", "--quiet", "--bare", .. initArgs, path]).EnsureOk();
        return path;
    }

    /// <summary>Three bare remotes and a wired clone with a committed policy and one commit; returns the clone.</summary>
    public string Project(string policy = TestPolicies.StandardYaml, string[]? initArgs = null, string[]? envs = null)
    {
        initArgs ??= [];
        envs ??= ["dev", "stg", "prd"];
        var clone = Path.Combine(Root, "app");
        Git(Root, ["init", "--quiet", .. initArgs, clone]).EnsureOk();
        foreach (var env in envs)
            Git(clone, "remote", "add", env, Bare(env, initArgs)).EnsureOk();
        File.WriteAllText(Path.Combine(clone, ".promote.yml"), policy);
        Commit(clone, "first");
        Promote(clone, "install").EnsureOk();
        return clone;
    }

    /// <summary>The policy a pipeline owns, pinned for the gate: a file outside the source it deploys (rewritten on each call).</summary>
    public string PipelinePolicy(string policy)
    {
        var dir = Path.Combine(Root, "pipeline");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "promote.yml");
        File.WriteAllText(path, policy);
        return path;
    }

    public string Commit(string repo, string message)
    {
        _commits++;
        File.WriteAllText(Path.Combine(repo, $"file{_commits}.txt"), message + "\n");
        Git(repo, "add", "-A").EnsureOk();
        Git(repo, "commit", "--quiet", "-m", message).EnsureOk();
        return Git(repo, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
    }

    public Run Git(string dir, params string[] args) => Exec(dir, "git", args);

    /// <summary>
    /// The project of <see cref="Project"/>, stg seeded with its first commit (and so the policy on stg's main) unless
    /// <paramref name="seed"/> is false, then stg.git set up as a guarded server whose previous environment is dev.git
    /// and whose recorder (git config promote.recorders) is "pipeline".
    /// </summary>
    public string GuardedStgServer(string policy = TestPolicies.StandardYaml, bool seed = true, string[]? installArgs = null)
    {
        var app = Project(policy);
        var stg = Path.Combine(Root, "stg.git");
        if (seed) Git(app, "push", "--quiet", "--no-verify", "stg", "main").EnsureOk();
        Promote(stg, ["install", "--server", "--env", "stg", .. installArgs ?? []]).EnsureOk();
        Git(stg, "config", "promote.remote.dev", Path.Combine(Root, "dev.git")).EnsureOk();
        Git(stg, "config", "promote.recorders", "pipeline").EnsureOk();
        return app;
    }

    /// <summary>A new commit in <paramref name="app"/>, pushed to dev (unguarded there) and recorded green in dev.</summary>
    public string GreenInDev(string app, string message)
    {
        var commit = Commit(app, message);
        Git(app, "push", "--quiet", "--no-verify", "-f", "dev", $"{commit}:refs/heads/main").EnsureOk();
        Promote(app, "record", "dev", commit).EnsureOk();
        return commit;
    }

    public Run Promote(string dir, params string[] args) => Exec(dir, _installed.BinaryPath, args);

    /// <summary>
    /// <c>git promote record &lt;env&gt; &lt;rev&gt;</c> as that environment's pipeline runs it after deploying the commit: with the
    /// CI's variable naming the commit its run fetched (CodeBuild's), which is what proves the environment deployed it.
    /// For a test whose pipeline stands behind a push it did not make (SSM or CodePipeline environments, seeded stores).
    /// </summary>
    public Run Record(string dir, string env, string rev, params string[] more) =>
        Exec(dir, _installed.BinaryPath, ["record", env, rev, .. more], env: AsPipelineOf(dir, rev));

    /// <summary>The environment a pipeline's record step runs with for <paramref name="rev"/>: its commit in CodeBuild's variable.</summary>
    public Dictionary<string, string?> AsPipelineOf(string dir, string rev) =>
        new() { ["CODEBUILD_RESOLVED_SOURCE_VERSION"] = Git(dir, "rev-parse", rev + "^{commit}").EnsureOk().Stdout.Trim() };

    public Run Exec(string dir, string program, IEnumerable<string> args, string? stdin = null, IDictionary<string, string?>? env = null,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = dir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("GIT_", StringComparison.Ordinal)
            || k.StartsWith("PROMOTE_", StringComparison.Ordinal) || k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        start.Environment["HOME"] = Home;
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(Home, ".config");
        start.Environment["GIT_CONFIG_GLOBAL"] = GlobalConfig;
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_SYSTEM"] = SystemConfig;
        start.Environment["NO_COLOR"] = "1";
        // git looks up `git promote` on PATH: the installed binary comes first.
        start.Environment["PATH"] = Path.Combine(_installed.Prefix, "bin") + ":" + System.Environment.GetEnvironmentVariable("PATH");
        foreach (var (k, v) in Environment) Set(start, k, v);
        if (env is not null) foreach (var (k, v) in env) Set(start, k, v);

        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null) p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        catch (IOException) { }
        var limit = timeout ?? TimeSpan.FromSeconds(120);
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in {limit.TotalSeconds:0} s");
        }
        return new Run(p.ExitCode, stdout.Result, stderr.Result);
    }

    private static void Set(ProcessStartInfo start, string key, string? value)
    {
        if (value is null) start.Environment.Remove(key);
        else start.Environment[key] = value;
    }

    /// <summary>Writes an executable script (a hook, a fake tool).</summary>
    public static void WriteScript(string path, string text)
    {
        File.WriteAllText(path, text.Replace("\r\n", "\n"));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string RemoteRef(string bare, string refName)
    {
        var r = Git(Root, "ls-remote", bare, refName).EnsureOk();
        return r.Stdout.Split('\t', 2)[0].Trim();
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

public static class RunAssertions
{
    public static Run EnsureOk(this Run run)
    {
        if (run.ExitCode != 0) throw new Xunit.Sdk.XunitException($"expected success, got exit {run.ExitCode}:\n{run.Output}");
        return run;
    }

    public static Run EnsureExit(this Run run, int code)
    {
        if (run.ExitCode != code) throw new Xunit.Sdk.XunitException($"expected exit {code}, got {run.ExitCode}:\n{run.Output}");
        return run;
    }
}
